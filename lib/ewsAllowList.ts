/**
 * The command line of the `ewsAllowListScript` output: it runs scripts/Grant-CreatioEwsAccess.ps1,
 * which adds this app's Client ID to the tenant's EWS allow list (EwsAllowedAppIDs) without
 * dropping the ids already there, and sets EwsEnabled only when asked (-EnableEws) and only once the
 * id is on the list.
 */

import { GUID_EXAMPLE, GUID_FORM, isGuid } from "./guid.ts";

/** The script, relative to the repository folder the command line is run from. */
export const EWS_ALLOW_LIST_SCRIPT = "scripts/Grant-CreatioEwsAccess.ps1";

/**
 * `./scripts/Grant-CreatioEwsAccess.ps1 -AppId '<client id>'`, for Exchange Online PowerShell
 * opened in the repository folder. Only a GUID gets into the line, so nothing else can run.
 */
export function ewsAllowListScript(clientId: string): string {
    if (!isGuid(clientId)) {
        throw new Error(`ewsAllowListScript: the Client ID ${JSON.stringify(clientId)} is not a GUID; ` +
            `allowed: ${GUID_FORM} such as ${GUID_EXAMPLE}, nothing before or after`);
    }
    return `./${EWS_ALLOW_LIST_SCRIPT} -AppId '${clientId.toLowerCase()}'`;
}
