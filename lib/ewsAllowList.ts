/**
 * Exchange Online blocks EWS since 2026-10-01 for every app that is not on the tenant's
 * EwsAllowedAppIDs list. Set-OrganizationConfig replaces that list whole on every write, so the
 * script reads the current ids first and writes them back with this app's Client ID added.
 */

import { isGuid } from "./guid";

/** PowerShell for an Exchange administrator, to run in Exchange Online PowerShell. */
export function ewsAllowListScript(clientId: string): string {
    if (!isGuid(clientId)) {
        throw new Error(`not a Client ID: ${JSON.stringify(clientId)}`);
    }
    return [
        "# Allows Creatio's app registration to use EWS in Exchange Online.",
        "# Run as an Exchange administrator after Connect-ExchangeOnline; changes can take up to 24 hours to apply.",
        `$appId = '${clientId.toLowerCase()}'`,
        "$config = Get-OrganizationConfig",
        "# The list is replaced whole on every write: keep the ids already on it.",
        "$allowed = @($config.EwsAllowedAppIDs | ForEach-Object { \"$_\" -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })",
        "if ($allowed -notcontains $appId) { $allowed += $appId }",
        "Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs ($allowed -join ',')",
        "Get-OrganizationConfig | Format-List EwsEnabled, EwsAllowedAppIDs",
        "",
    ].join("\n");
}
