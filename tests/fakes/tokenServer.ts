/**
 * A stand-in for the Entra ID token endpoint on 127.0.0.1, over https with a self-signed
 * certificate made for the test. A command run in-process trusts it through `trustedCa` (its PEM
 * text), a child process through NODE_EXTRA_CA_CERTS (the file).
 */
import * as fs from "fs";
import type * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import { certificateFor } from "./certificates.ts";

export interface TokenServer {
    /** `https://127.0.0.1:<port>`, to pass as --authority-host. */
    url: string;
    /** The certificate to trust, PEM (CommandIO.trustedCa). */
    ca: string;
    /** The same in a file (NODE_EXTRA_CA_CERTS). */
    caFile: string;
    /** The form fields of every token request received. */
    tokenRequests: Record<string, string>[];
    /** Every request received, discovery included: `METHOD /path`. */
    requests: string[];
    close(): Promise<void>;
}

/** Entra ID's answers, shortened, to a wrong secret and to an unknown client. */
const WRONG_SECRET = {
    error: "invalid_client",
    error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request " +
        "is the client secret value, not the client secret ID.",
    error_codes: [7000215],
};
const unknownClient = (clientId: string, tenantId: string) => ({
    error: "unauthorized_client",
    error_description: `AADSTS700016: Application with identifier '${clientId}' was not found in the directory ` +
        `'${tenantId}'.`,
    error_codes: [700016],
});

/**
 * Entra ID's answer to discovery for a tenant it does not know: HTTP 400 `invalid_tenant`,
 * AADSTS90002 (as quoted in Azure/azure-cli PR #14509 and Entra's error code reference).
 */
const unknownTenant = (tenant: string) => ({
    error: "invalid_tenant",
    error_description: `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and ` +
        "are signing into the correct cloud.",
    error_codes: [90002],
});

/** `text` percent-decoded, or as it is when it is no valid percent-encoding. */
function decodedOr(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

/**
 * Microsoft Graph and GitHub's OIDC token endpoint on the same stand-in (rotate-now): `GET
 * /v1.0/applications/{id}?$select=passwordCredentials` answers each application's password key ids
 * to a request with the access token the stand-in issues; `GET /oidc?audience=...` answers GitHub's
 * `{ "value": <jwt> }` to the bearer `requestToken`.
 */
export interface GraphStandIn {
    /** Key ids of each application's passwords now, by object id. */
    applications: Record<string, () => string[]>;
    /** Answer 403 Authorization_RequestDenied, as Graph does to an identity without Application.Read.All. */
    forbidden?: boolean;
    /** GitHub's request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) and the JWT it is exchanged for. */
    github?: { requestToken: string; jwt: string };
    /**
     * Answers a Graph or `/oidc` request itself, for answers the stand-in does not make (a 500, a
     * body that is no JSON, one over 1 MiB): a canned answer; "own" when the intercept answers
     * through `response` itself, or never; undefined to let the stand-in answer.
     */
    intercept?: (request: http.IncomingMessage, response: http.ServerResponse) => CannedAnswer | "own" | undefined;
}

/** An answer of the stand-in: a status with a JSON body, or raw text. */
export interface CannedAnswer {
    status: number;
    body?: unknown;
    raw?: string;
}

/**
 * @param clients the secret of each client id the fake tenant knows
 * @param answer "tokens" to answer like Entra ID, "silence" to accept connections and never answer,
 *   or a function that answers a token request (its form fields) itself, or returns undefined to
 *   let the stand-in answer
 */
export async function startTokenServer(tenantId: string, clients: Record<string, string | string[]>,
    answer: "tokens" | "silence" | ((form: Record<string, string>) => CannedAnswer | undefined) = "tokens",
    graph?: GraphStandIn): Promise<TokenServer> {
    const pems = await certificateFor("127.0.0.1");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-server-"));
    const caFile = path.join(dir, "ca.pem");
    fs.writeFileSync(caFile, pems.cert);

    const tokenRequests: Record<string, string>[] = [];
    const requests: string[] = [];
    let base = "";
    const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
        requests.push(`${req.method} ${req.url}`);
        if (answer === "silence") {
            return; // never answers; the client must give up by itself
        }
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const url = new URL(req.url ?? "/", base);
        const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
        if (req.method === "GET" && discovery && discovery[1] !== tenantId) {
            // A segment that is no valid percent-encoding (`%zz`) is answered 400 as well, shown as sent.
            return send(400, unknownTenant(decodedOr(discovery[1])));
        }
        if (req.method === "GET" && url.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
            return send(200, {
                token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
                authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
                end_session_endpoint: `${base}/${tenantId}/oauth2/v2.0/logout`,
                issuer: `${base}/${tenantId}/v2.0`,
                jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
            });
        }
        const application = /^\/v1\.0\/applications\/([^/]+)$/.exec(url.pathname);
        const intercepted = (application || url.pathname === "/oidc") ? graph?.intercept?.(req, res) : undefined;
        if (intercepted === "own") {
            return;
        }
        if (intercepted) {
            res.writeHead(intercepted.status, { "content-type": intercepted.raw !== undefined ? "text/html" : "application/json" });
            return res.end(intercepted.raw ?? JSON.stringify(intercepted.body));
        }
        if (graph && req.method === "GET" && application) {
            // Graph's error shape: { error: { code, message } } (Microsoft Graph, "Error responses").
            if (req.headers.authorization !== "Bearer fake.token") {
                return send(401, { error: { code: "InvalidAuthenticationToken", message: "Access token is empty." } });
            }
            if (graph.forbidden) {
                return send(403, { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } });
            }
            const keyIds = graph.applications[application[1]];
            if (!keyIds || url.searchParams.get("$select") !== "passwordCredentials") {
                return send(404, { error: { code: "Request_ResourceNotFound", message: `Resource '${application[1]}' does not exist.` } });
            }
            return send(200, { passwordCredentials: keyIds().map(keyId => ({ keyId, displayName: "Creatio client secret", hint: "Zx8", secretText: null })) });
        }
        if (graph?.github && req.method === "GET" && url.pathname === "/oidc") {
            // actions/toolkit packages/core/src/oidc-utils.ts: bearer request token, `&audience=`, answer { value }.
            if (req.headers.authorization !== `Bearer ${graph.github.requestToken}` || url.searchParams.get("audience") !== "api://AzureADTokenExchange") {
                return send(401, { message: "bad request token or audience" });
            }
            return send(200, { value: graph.github.jwt });
        }
        if (req.method === "POST" && url.pathname === `/${tenantId}/oauth2/v2.0/token`) {
            let body = "";
            req.on("data", chunk => (body += chunk));
            req.on("end", () => {
                const form = Object.fromEntries(new URLSearchParams(body));
                tokenRequests.push(form);
                const canned = typeof answer === "function" ? answer(form) : undefined;
                if (canned) {
                    res.writeHead(canned.status, { "content-type": canned.raw !== undefined ? "text/html" : "application/json" });
                    return res.end(canned.raw ?? JSON.stringify(canned.body));
                }
                if (!(form.client_id in clients)) {
                    return send(400, unknownClient(form.client_id, tenantId));
                }
                // An application may hold several passwords; each one is accepted (a list, or one secret).
                // A federated credential: the client assertion (GitHub's JWT) stands where the secret would.
                const presented = form.client_assertion_type === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                    ? form.client_assertion : form.client_secret;
                if (![clients[form.client_id]].flat().includes(presented)) {
                    return send(401, WRONG_SECRET);
                }
                return send(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: "fake.token" });
            });
            return;
        }
        send(404, { error: "not_found", error_description: `${req.method} ${url.pathname}` });
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url: base,
        ca: pems.cert,
        caFile,
        tokenRequests,
        requests,
        close: () => new Promise(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
