/**
 * What a deploy environment pins, checked against the stack's outputs before `deliver` sends
 * anything: whoever can write a stack's state can change its `siteBaseUrl` or `tenantId` outputs,
 * and `deliver` would then hand Creatio's sign-in and the client secret to the site they name.
 * The environment's own settings (a GitHub environment's variables, an administrator's shell)
 * say where they may go.
 */
import { quoted } from "../../lib/configProblems.ts";
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";

/** The Creatio site the Creatio credentials belong to: required. */
export const SITE_PIN = "CREATIO_SITE_URL";
/** The Entra ID tenant the registration lives in: checked when set. */
export const TENANT_PIN = "AZURE_TENANT_ID";

/** `https://host[:port][/path]`, trailing slashes dropped: the form of the stack's `siteBaseUrl` output. */
function pinnedSite(text: string): string | undefined {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return undefined;
    }
    if (url.protocol !== "https:" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" ||
        /[\\?#]/.test(text)) {
        return undefined;
    }
    return url.origin + url.pathname.replace(/\/+$/, "");
}

/**
 * Refuses (exit 1) a stack whose site or tenant is not the one the environment pins, and stops
 * (exit 2) when the site pin is missing or not a site URL. Nothing has been sent when it throws.
 */
export function checkEnvironmentPins(stack: string, outputs: { siteBaseUrl: string; tenantId: string },
    env: Readonly<Record<string, string | undefined>>): void {
    const siteText = env[SITE_PIN] ?? "";
    if (siteText === "") {
        throw new OpsError(`${SITE_PIN} is not set: set it to the https address of the Creatio site stack "${stack}" delivers to ` +
            `(its siteBaseUrl, such as https://acme.creatio.com), so that a changed stack output cannot send Creatio's ` +
            "credentials and the secret elsewhere", USAGE_EXIT_CODE);
    }
    const site = pinnedSite(siteText);
    if (site === undefined) {
        throw new OpsError(`${SITE_PIN} ${quoted(siteText)} is not an https site address such as https://acme.creatio.com ` +
            "(no user info, query or fragment)", USAGE_EXIT_CODE);
    }
    if (site !== outputs.siteBaseUrl) {
        throw new OpsError(`nothing sent: stack "${stack}" names the site ${quoted(outputs.siteBaseUrl)} (output siteBaseUrl), ` +
            `but ${SITE_PIN} pins ${quoted(site)}; if the site really moved, change ${SITE_PIN} first`, 1);
    }
    const tenant = env[TENANT_PIN] ?? "";
    if (tenant !== "" && tenant.trim().toLowerCase() !== outputs.tenantId.toLowerCase()) {
        throw new OpsError(`nothing sent: stack "${stack}" names the tenant ${quoted(outputs.tenantId)} (output tenantId), ` +
            `but ${TENANT_PIN} pins ${quoted(tenant)}`, 1);
    }
}
