/**
 * Asking Entra ID for an app-only token with a client secret (the client-credentials flow, through
 * MSAL), and what its answer says about the secret. Shared by verify, deliver and rotate-now.
 */
import { ConfidentialClientApplication } from "@azure/msal-node";
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { isCertificateError, tooLargeAnswer } from "../httpsClient.ts";
import { type NetworkRecord, httpsNetworkClient } from "./msalNetwork.ts";
import { printable } from "../printable.ts";
import { Redactor } from "../redact.ts";

export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

/**
 * The Microsoft Graph of each cloud, by its sign-in host: Entra's "National clouds"
 * (authentication-national-cloud.md) and Graph's "national cloud deployments" (deployments.md).
 */
const GRAPH_BY_AUTHORITY_HOST: Record<string, string> = {
    "login.microsoftonline.com": "https://graph.microsoft.com",
    "login.microsoftonline.us": "https://graph.microsoft.us",
    "login.partner.microsoftonline.cn": "https://microsoftgraph.chinacloudapi.cn",
    "login.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn",
};

/**
 * The sign-in hosts this project accepts: those of the known Entra ID clouds, the ones above.
 * Entra's "National clouds" (authentication-national-cloud.md) lists login.microsoftonline.com,
 * login.microsoftonline.us and login.partner.microsoftonline.cn (Azure Germany closed in 2021);
 * MSAL's instance metadata (msal-common AuthorityMetadata.ts) gives login.chinacloudapi.cn as an
 * alias of the latter. Any other host would receive the client secret.
 */
export const KNOWN_AUTHORITY_HOSTS: readonly string[] = Object.keys(GRAPH_BY_AUTHORITY_HOST).map(host => `https://${host}`);

/**
 * Loopback addresses, with any port: a local stand-in (the tests'); nothing sent there leaves the
 * machine. Addresses only: a name such as `localhost` resolves as the hosts file says.
 */
const LOOPBACK_HOSTNAMES = ["127.0.0.1", "[::1]"];

/** What the Entra ID errors of a wrong credential or tenant mean (Entra's AADSTS error code reference). */
export const ENTRA_ERRORS: Readonly<Record<string, string>> = {
    AADSTS7000215: "invalid client secret",
    AADSTS7000222: "the client secret has expired",
    AADSTS700016: "no application with this Client ID in the tenant",
    AADSTS90002: "no such tenant",
    AADSTS900023: "the tenant id is not valid",
};

/**
 * AADSTS codes of a passing condition, for which Entra's reference says to try again or that the
 * service is unavailable, busy or timed out: the secret was not judged.
 */
const TRANSIENT_ENTRA_ERRORS = new Set(["AADSTS90006", "AADSTS90012", "AADSTS90024", "AADSTS90033", "AADSTS90055", "AADSTS90090"]);
/** OAuth `error` values of a passing condition (RFC 6749 §4.1.2.1 and Entra's reference). */
const TRANSIENT_OAUTH_ERRORS = new Set(["temporarily_unavailable", "server_error"]);

/**
 * An OAuth error code as Entra ID sends them (invalid_client, unauthorized_client): RFC 6749 §5.2
 * limits `error` to one printable ASCII token; anything else in that field is not Entra's code and
 * is not shown (it could carry the secret, or a forged line).
 */
const OAUTH_ERROR_CODE = /^[a-z_]{1,64}$/;

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

/** Asks Entra ID for a token with the credential and says how it answered. Never throws. */
export async function requestToken(req: TokenRequest): Promise<TokenAnswer> {
    const network = httpsNetworkClient({ trustedCa: req.trustedCa, timeoutMs: req.timeoutMs });
    const client = new ConfidentialClientApplication({
        auth: {
            clientId: req.clientId,
            clientSecret: req.clientSecret,
            authority: `${req.authorityHost}/${req.tenantId}`,
            knownAuthorities: [new URL(req.authorityHost).host],
        },
        system: { disableInternalRetries: true, networkClient: network },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<TokenAnswer>(resolve => {
        timer = setTimeout(() => resolve({
            outcome: "unreachable",
            reason: `no answer from ${req.authorityHost} within ${req.timeoutMs / 1000} s`,
        }), req.timeoutMs);
    });
    const answer = client.acquireTokenByClientCredential({ scopes: [defaultScope(req.authorityHost)], skipCache: true })
        .then(result => judge(network.requests, result?.accessToken, req.authorityHost),
            () => judge(network.requests, undefined, req.authorityHost));
    try {
        const redactor = new Redactor();
        redactor.add(req.clientSecret);
        // Text from outside leaves without the secret and without control or format characters.
        const clean = (text: string) => printable(redactor.redact(text));
        const result = await Promise.race([answer, timeout]);
        return result.outcome === "rejected"
            ? { ...result, code: result.code === undefined ? undefined : clean(result.code), meaning: clean(result.meaning) }
            : result.outcome === "unreachable" ? { ...result, reason: clean(result.reason) } : result;
    } finally {
        clearTimeout(timer);
    }
}

function firstLine(text: string): string {
    return text.split(/\r?\n/)[0].trim();
}

/** Why a request that got no JSON answer failed, in words. */
function noAnswer(record: NetworkRecord, host: string): string {
    switch (record.outcome) {
        case "timeout":
            return `no answer from ${host} in time`;
        case "not-json":
            return `${host} answered HTTP ${record.status} without a JSON body`;
        case "too-large":
            return tooLargeAnswer(host);
        case "connection":
            if (record.code === "ENOTFOUND" || record.code === "EAI_AGAIN") {
                return `the host ${new URL(record.url).host} is unknown (DNS: ${record.code})`;
            }
            if (isCertificateError(record.code)) {
                return `the TLS certificate of ${new URL(record.url).host} is not trusted (${record.code})`;
            }
            return `could not get an answer from ${host}: ${firstLine(record.message)}${record.code ? ` (${record.code})` : ""}`;
        case "answer":
            return `${host} answered HTTP ${record.status}`;
    }
}

/**
 * What Entra ID's answer says about the secret, judged from the requests themselves: MSAL hides
 * why discovery failed, and may return a result that carries no token.
 */
export function judge(requests: NetworkRecord[], accessToken: string | undefined, authorityHost: string): TokenAnswer {
    const last = requests.at(-1);
    if (last === undefined) {
        return { outcome: "unreachable", reason: `no request reached ${authorityHost}` };
    }
    if (last.outcome !== "answer") {
        return { outcome: "unreachable", reason: noAnswer(last, authorityHost) };
    }
    const body = (last.body ?? {}) as { error?: unknown; error_description?: unknown; access_token?: unknown };
    const error = typeof body.error === "string" && OAUTH_ERROR_CODE.test(body.error) ? body.error : undefined;
    const description = typeof body.error_description === "string" ? body.error_description : "";
    const code = /AADSTS\d+/.exec(description)?.[0];
    const discovery = last.method === "GET";
    if (last.status === 200 && !discovery && accessToken && typeof body.access_token === "string" && body.access_token !== "") {
        return { outcome: "accepted" };
    }
    if (last.status === 429 || last.status >= 500 || (error && TRANSIENT_OAUTH_ERRORS.has(error)) ||
        (code && TRANSIENT_ENTRA_ERRORS.has(code))) {
        const detail = [error, code].filter(Boolean).join(" ");
        return { outcome: "unreachable", reason: `Entra ID is temporarily unavailable (HTTP ${last.status}${detail ? `, ${detail}` : ""})` };
    }
    if (error !== undefined || code !== undefined) {
        const meaning = (code && ENTRA_ERRORS[code]) || firstLine(description.replace(/^AADSTS\d+:\s*/, "")) || "refused";
        return { outcome: "rejected", code: code ?? error, meaning };
    }
    if (discovery) {
        return { outcome: "unreachable", reason: `${authorityHost} answered HTTP ${last.status} without an OpenID configuration` };
    }
    return { outcome: "unreachable", reason: `${authorityHost} answered HTTP ${last.status} without an access token` };
}

/** What verify, deliver and rotate-now read to reach Entra ID. */
export const ENTRA_ENVIRONMENT: readonly [string, string][] = [
    ["AZURE_AUTHORITY_HOST", "Entra ID's sign-in host when --authority-host is not given (a national cloud); " +
        "default https://login.microsoftonline.com"],
    ["NODE_EXTRA_CA_CERTS", "a PEM file of CA certificates Node trusts besides its own (a TLS-inspecting proxy's)"],
];

/** The sign-in host: --authority-host, else the variable AZURE_AUTHORITY_HOST, else Entra ID's global host. */
export function authorityHostFrom(option: string | undefined, env: Record<string, string | undefined>): string {
    if (option !== undefined) {
        return checkAuthorityHost(option, "--authority-host");
    }
    return env.AZURE_AUTHORITY_HOST
        ? checkAuthorityHost(env.AZURE_AUTHORITY_HOST, "the environment variable AZURE_AUTHORITY_HOST")
        : DEFAULT_AUTHORITY_HOST;
}

/** An https origin (a host, optionally a port): no path, query, fragment or user info. */
export function checkAuthorityHost(value: string, source: string): string {
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || url.protocol !== "https:" || url.username || url.password || url.pathname !== "/" || url.search || url.hash ||
        /[@?#]/.test(value)) {
        throw new OpsError(`${source} ${JSON.stringify(value)} is not an https host URL such as ${DEFAULT_AUTHORITY_HOST} ` +
            "(no user info, path, query or fragment)", USAGE_EXIT_CODE);
    }
    if (!KNOWN_AUTHORITY_HOSTS.includes(url.origin) && !LOOPBACK_HOSTNAMES.includes(url.hostname)) {
        throw new OpsError(`${source} ${JSON.stringify(value)} is not the sign-in host of a known Entra ID cloud: ` +
            `${KNOWN_AUTHORITY_HOSTS.join(", ")} (or ${LOOPBACK_HOSTNAMES.map(h => `https://${h}`).join(" or ")}, with any ` +
            "port, for a local stand-in)", USAGE_EXIT_CODE);
    }
    return url.origin;
}
