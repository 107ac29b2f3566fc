/**
 * `npm run -s verify -- --stack <name>`: proves that a stack's Client ID and Client Secret work
 * by asking Entra ID for a token with them (the client-credentials flow, through MSAL), then
 * reports the answer, the days until the secret expires and the redirect URIs.
 */
import { ConfidentialClientApplication } from "@azure/msal-node";
import { DAY_MS } from "../lib/rotation";
import { OpsError, USAGE_EXIT_CODE, parseCommandLine } from "./cli";
import { httpsNetworkClient } from "./httpsClient";
import { CommandIO, runCommand } from "./io";
import { readStackOutputs, requireOutput } from "./pulumiStack";

export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

/** The Microsoft Graph of each national cloud, by its sign-in host. */
const GRAPH_BY_AUTHORITY_HOST: Record<string, string> = {
    "login.microsoftonline.com": "https://graph.microsoft.com",
    "login.microsoftonline.us": "https://graph.microsoft.us",
    "login.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn",
};

/** What the Entra ID errors a wrong credential gets mean. */
const ENTRA_ERRORS: Record<string, string> = {
    AADSTS7000215: "invalid client secret",
    AADSTS7000222: "the client secret has expired",
    AADSTS700016: "no application with this Client ID in the tenant",
    AADSTS90002: "no such tenant",
    AADSTS900023: "the tenant id is not valid",
};

export interface TokenRequest {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    /** `https://login.microsoftonline.com` or a national cloud's sign-in host. */
    authorityHost: string;
    timeoutMs: number;
    /** An extra PEM CA certificate to trust (a test's local stand-in). */
    trustedCa?: string;
}

export type TokenAnswer =
    | { outcome: "accepted" }
    | { outcome: "rejected"; code: string | undefined; meaning: string }
    | { outcome: "unreachable"; reason: string };

/** Any app may ask for an app-only Graph token; whether Entra ID issues one proves the secret. */
export function defaultScope(authorityHost: string): string {
    const graph = GRAPH_BY_AUTHORITY_HOST[new URL(authorityHost).host] ?? GRAPH_BY_AUTHORITY_HOST["login.microsoftonline.com"];
    return `${graph}/.default`;
}

/** Asks Entra ID for a token with the credential and says how it answered. */
export async function requestToken(req: TokenRequest): Promise<TokenAnswer> {
    const client = new ConfidentialClientApplication({
        auth: {
            clientId: req.clientId,
            clientSecret: req.clientSecret,
            authority: `${req.authorityHost}/${req.tenantId}`,
            knownAuthorities: [new URL(req.authorityHost).host],
        },
        system: { disableInternalRetries: true, networkClient: httpsNetworkClient({ trustedCa: req.trustedCa, timeoutMs: req.timeoutMs }) },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<TokenAnswer>(resolve => {
        timer = setTimeout(() => resolve({
            outcome: "unreachable",
            reason: `no answer from ${req.authorityHost} within ${req.timeoutMs / 1000} s`,
        }), req.timeoutMs);
    });
    const answer = client.acquireTokenByClientCredential({ scopes: [defaultScope(req.authorityHost)], skipCache: true })
        .then((): TokenAnswer => ({ outcome: "accepted" }), (err: unknown) => classify(err, req.authorityHost));
    try {
        return await Promise.race([answer, timeout]);
    } finally {
        clearTimeout(timer);
    }
}

function classify(err: unknown, authorityHost: string): TokenAnswer {
    const { errorCode, errorMessage, message } = err as { errorCode?: string; errorMessage?: string; message?: string };
    const text = errorMessage || message || String(err);
    const code = /AADSTS\d+/.exec(text)?.[0];
    if (code !== undefined || errorCode === "invalid_client" || errorCode === "unauthorized_client") {
        const meaning = (code && ENTRA_ERRORS[code]) ?? (text.split(/\r?\n/)[0] || errorCode || "rejected");
        return { outcome: "rejected", code, meaning };
    }
    return { outcome: "unreachable", reason: `could not get an answer from ${authorityHost}: ${text.split(/\r?\n/)[0]}` };
}

export interface VerifyReport {
    stack: string;
    tenantId: string;
    clientId: string;
    authority: string;
    answer: TokenAnswer;
    clientSecretExpiresAt: string;
    redirectUris: string[];
    now: Date;
}

/** Whole days from `now` until `isoDate`; negative once it has passed. */
export function daysUntil(isoDate: string, now: Date): number {
    return Math.floor((Date.parse(isoDate) - now.getTime()) / DAY_MS);
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
        ["Client secret", secret],
        ["Expires", `${r.clientSecretExpiresAt} (${days >= 0 ? `${days} days left` : `expired ${-days} days ago`})`],
        ...r.redirectUris.map((uri, i): [string, string] => [i === 0 ? "Redirect URIs" : "", uri]),
    ];
    return rows.map(([label, value]) => `${(label ? `${label}:` : "").padEnd(16)}${value}`).join("\n") + "\n";
}

/** Exit codes: 0 accepted, 1 rejected, 3 Entra ID could not be asked. */
export const EXIT_CODES = { accepted: 0, rejected: 1, unreachable: 3 } as const;

const USAGE = "npm run -s verify -- --stack <name> [--authority-host https://login.microsoftonline.us] [--timeout-seconds 30]";

export async function main(io: CommandIO): Promise<number> {
    const args = parseCommandLine(io.argv, {
        stack: { type: "string" },
        "authority-host": { type: "string", default: io.env.AZURE_AUTHORITY_HOST || DEFAULT_AUTHORITY_HOST },
        "timeout-seconds": { type: "string", default: "30" },
    }, USAGE);
    if (!args.stack) {
        throw new OpsError(`--stack is required\nusage: ${USAGE}`, USAGE_EXIT_CODE);
    }
    const authorityHost = checkAuthorityHost(args["authority-host"]!);
    const timeoutSeconds = Number(args["timeout-seconds"]);
    if (!(timeoutSeconds > 0 && timeoutSeconds <= 300)) {
        throw new OpsError(`--timeout-seconds ${JSON.stringify(args["timeout-seconds"])} is not a number of seconds from 1 to 300`,
            USAGE_EXIT_CODE);
    }

    const outputs = await readStackOutputs(io.pulumi, args.stack, true);
    const tenantId = requireOutput(outputs, "tenantId", args.stack);
    const clientId = requireOutput(outputs, "clientId", args.stack);
    const answer = await requestToken({
        tenantId,
        clientId,
        clientSecret: requireOutput(outputs, "clientSecret", args.stack),
        authorityHost,
        timeoutMs: timeoutSeconds * 1000,
        trustedCa: io.trustedCa,
    });
    const redirectUris = Array.isArray(outputs.redirectUris) ? outputs.redirectUris.map(String) : [];
    io.stdout(renderReport({
        stack: args.stack,
        tenantId,
        clientId,
        authority: `${authorityHost}/${tenantId}`,
        answer,
        clientSecretExpiresAt: requireOutput(outputs, "clientSecretExpiresAt", args.stack),
        redirectUris,
        now: io.now(),
    }));
    return EXIT_CODES[answer.outcome];
}

function checkAuthorityHost(value: string): string {
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || url.protocol !== "https:" || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
        throw new OpsError(`--authority-host ${JSON.stringify(value)} is not an https host URL such as ${DEFAULT_AUTHORITY_HOST}`,
            USAGE_EXIT_CODE);
    }
    return url.origin;
}

if (require.main === module) {
    runCommand("verify", main);
}
