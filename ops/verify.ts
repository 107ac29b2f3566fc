/**
 * `npm run -s verify -- --stack <name>`: proves that a stack's Client ID and Client Secret work
 * by asking Entra ID for a token with them (the client-credentials flow, through MSAL), then
 * reports the answer, the days until the secret expires and the redirect URIs.
 */
import { daysUntil } from "../lib/rotation.ts";
import {
    type CommandSpec, PULUMI_ENVIRONMENT, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, defineCommand, pulumiTimeoutMs, stackOption, wholeSeconds,
} from "./cli.ts";
import { checkSite, probeRuntime, readSite } from "./creatio/runtime.ts";
import { type CommandContext, runCommand } from "./io.ts";
import { printable } from "./printable.ts";
import { type StackOutputs, readOutputsWithSecret, requireGuid, requireInstant, requireSecret, requireStringList } from "./pulumi/stack.ts";
import { type Slot, readSlot, slotOption } from "./pulumi/secretSlot.ts";
import { ENTRA_ENVIRONMENT, type TokenAnswer, authorityHostFrom, requestToken } from "./entra/token.ts";


export const DEFAULT_TIMEOUT_SECONDS = 30;

export interface VerifyReport {
    stack: string;
    tenantId: string;
    clientId: string;
    authority: string;
    answer: TokenAnswer;
    clientSecretExpiresAt: string;
    redirectUris: string[];
    now: Date;
    /** With --site-check: what the site answered, in one line. */
    site?: string;
    /** With --slot: the slot proven and its key id. */
    slot?: { slot: Slot; keyId: string };
}


function describeAnswer(answer: TokenAnswer): string {
    switch (answer.outcome) {
        case "accepted":
            return "accepted";
        case "rejected":
            return `rejected: ${answer.code ? `${answer.code} (${answer.meaning})` : answer.meaning}`;
        case "unreachable":
            return `not checked: ${answer.reason}`;
    }
}

export function renderReport(r: VerifyReport): string {
    const secret = describeAnswer(r.answer);
    const days = daysUntil(r.clientSecretExpiresAt, r.now);
    const rows: [string, string][] = [
        ["Stack", r.stack],
        ["Tenant ID", r.tenantId],
        ["Client ID", r.clientId],
        ["Authority", r.authority],
        ...(r.slot === undefined ? [] : [["Slot", `${r.slot.slot} (key id ${r.slot.keyId})`] as [string, string]]),
        ["Client secret", secret],
        ["Expires", `${r.clientSecretExpiresAt} (${days >= 0 ? `${days} days left` : `expired ${-days} days ago`})`],
        ...r.redirectUris.map((uri, i): [string, string] => [i === 0 ? "Redirect URIs" : "", uri]),
        ...(r.site === undefined ? [] : [["Site", r.site] as [string, string]]),
    ];
    // Every value but the labels comes from outside (stack outputs, Entra ID's answer).
    return rows.map(([label, value]) => `${(label ? `${label}:` : "").padEnd(16)}${printable(value)}`).join("\n") + "\n";
}

/** Exit codes: 0 accepted, 1 rejected, 3 Entra ID could not be asked. */
export const EXIT_CODES = { accepted: 0, rejected: 1, unreachable: 3 } as const;

/** --site-check: 0 the site's runtime is the stack's, 1 it is the other one, 3 the site's answers do not tell. */
const SITE_EXIT_CODES = { match: 0, mismatch: 1, unknown: 3 } as const;

export const SPEC = {
    name: "verify",
    summary: "proves that a stack's Client ID and Client Secret work by asking Entra ID for a token with them",
    usage: "npm run -s verify -- --stack <name> [--authority-host https://login.microsoftonline.us] " +
        "[--slot a|b] [--site-check] [--timeout-seconds 30] [--pulumi-timeout-seconds 120]",
    description: [
        "Reads the stack's outputs with pulumi stack output --json --show-secrets (the secret stays in this process), " +
        "asks Entra ID for a token with the client-credentials flow (MSAL; the secret goes to Entra ID's token endpoint of " +
        "the stack's tenant and nowhere else), and prints on stdout the stack, tenant, Client ID, authority, Entra ID's " +
        "answer (accepted, or rejected with its AADSTS code and meaning), the days until the secret expires and the " +
        "redirect URIs. Prints no secret.",
        "With --site-check it also asks the Creatio site (anonymous GETs: nothing of the credential) whether it runs on " +
        ".NET Framework (/0 in its URLs) or .NET Core, as the stack's netCore output says.",
    ],
    options: {
        stack: { type: "string", value: "<name>", description: "the stack to verify (required)" },
        "authority-host": { type: "string", value: "<https url>", description: "Entra ID's sign-in host, for a national " +
            "cloud (https://login.microsoftonline.us, https://login.chinacloudapi.cn); default AZURE_AUTHORITY_HOST, else " +
            "https://login.microsoftonline.com" },
        slot: { type: "string", value: "a|b", description: "prove that password slot's secret (clientSecretA or B) instead of " +
            "the newest" },
        "site-check": { type: "boolean", default: false, description: "also check the site's runtime against the stack's netCore" },
        "timeout-seconds": { type: "string", default: String(DEFAULT_TIMEOUT_SECONDS), value: "<seconds>",
            description: "how long Entra ID (and the site) may take to answer, 1 to 300" },
        ...PULUMI_TIMEOUT_OPTION,
    },
    environment: [...ENTRA_ENVIRONMENT, ...PULUMI_ENVIRONMENT],
    exitCodes: {
        0: "Entra ID accepted the secret (and with --site-check the site runs on the stack's runtime)",
        1: "Entra ID rejected the secret (wrong, expired, unknown application or tenant), or the site runs on the other runtime",
        [USAGE_EXIT_CODE]: "wrong usage, no such stack, an output missing or malformed, no pulumi CLI, or pulumi timed out",
        3: "not checked: Entra ID (or the site) could not be asked or answered with a passing failure",
    },
    examples: [
        ["npm run -s verify -- --stack prod", "proves prod's newest secret"],
        ["npm run -s verify -- --stack prod --slot b --site-check", "proves slot b's secret and checks the site's runtime"],
    ],
} as const satisfies CommandSpec;

/** Everything verify needs from the stack, checked before the secret goes anywhere. */
export interface VerifyOutputs {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    clientSecretExpiresAt: string;
    redirectUris: string[];
    /** With --slot: the slot's key id. */
    clientSecretKeyId?: string;
}

/** The stack's newest secret, or with `slot` that slot's secret (its own outputs, whatever the schedule says). */
export function verifyOutputsFrom(outputs: StackOutputs, stack: string, slot?: Slot): VerifyOutputs {
    if (slot !== undefined) {
        const chosen = readSlot(outputs, stack, slot);
        return {
            tenantId: requireGuid(outputs, "tenantId", stack),
            clientId: requireGuid(outputs, "clientId", stack),
            ...chosen,
            redirectUris: requireStringList(outputs, "redirectUris", stack),
        };
    }
    return {
        // GUIDs only: a tenant such as "common" or a text with "/" or "?" would change where the secret goes.
        tenantId: requireGuid(outputs, "tenantId", stack),
        clientId: requireGuid(outputs, "clientId", stack),
        clientSecret: requireSecret(outputs, "clientSecret", stack),
        clientSecretExpiresAt: requireInstant(outputs, "clientSecretExpiresAt", stack),
        redirectUris: requireStringList(outputs, "redirectUris", stack),
    };
}

export const main = defineCommand(SPEC, async (io: CommandContext, args) => {
    const stack = stackOption(args.stack, SPEC.usage);
    const slot = slotOption(args.slot);
    const authorityHost = authorityHostFrom(args["authority-host"], io.env);
    const timeoutSeconds = wholeSeconds("timeout-seconds", args["timeout-seconds"]!, 1, 300);
    const pulumiTimeout = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);

    const redactor = io.redactor;
    const outputs = await readOutputsWithSecret(pulumiArgs => io.pulumi(pulumiArgs, { timeoutMs: pulumiTimeout }), stack, redactor);
    let checked: VerifyOutputs;
    let site: { siteBaseUrl: string; netCore: boolean } | undefined;
    try {
        checked = verifyOutputsFrom(outputs, stack, slot);
        site = args["site-check"] ? readSite(outputs, stack) : undefined;
    } catch (err) {
        throw redactor.redactError(err);
    }
    const answer = await requestToken({
        tenantId: checked.tenantId,
        clientId: checked.clientId,
        clientSecret: checked.clientSecret,
        authorityHost,
        timeoutMs: timeoutSeconds * 1000,
        trustedCa: io.trustedCa,
    });
    // Anonymous GETs only: nothing of the stack's credential goes to the site.
    const siteCheck = site && checkSite(site.netCore, site.siteBaseUrl, checked.redirectUris,
        await probeRuntime(site.siteBaseUrl, timeoutSeconds * 1000, io.trustedCa));
    // The answer's text from outside is already without the secret (requestToken); renderReport makes all of it printable.
    io.stdout(renderReport({
        stack,
        tenantId: checked.tenantId,
        clientId: checked.clientId,
        authority: `${authorityHost}/${checked.tenantId}`,
        answer,
        clientSecretExpiresAt: checked.clientSecretExpiresAt,
        redirectUris: checked.redirectUris,
        now: io.now(),
        site: siteCheck?.summary,
        ...(slot !== undefined && { slot: { slot, keyId: checked.clientSecretKeyId! } }),
    }));
    if (siteCheck?.outcome === "mismatch") {
        io.stderr(`verify: ${printable(siteCheck.problem)}\n`);
    }
    // A problem found (1) outranks a check that could not be made (3).
    const codes = [EXIT_CODES[answer.outcome], siteCheck === undefined ? 0 : SITE_EXIT_CODES[siteCheck.outcome]];
    return codes.includes(1) ? 1 : Math.max(...codes);
});

if (import.meta.main) {
    runCommand("verify", main);
}
