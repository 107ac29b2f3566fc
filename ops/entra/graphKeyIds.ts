/**
 * The key ids of an application's passwords, as Microsoft Graph lists them:
 * `GET /v1.0/applications/{object id}?$select=passwordCredentials` (Graph "Get application"; its
 * least privileged application permission is Application.Read.All, which the CI identities hold;
 * Graph never returns a password's value there, `secretText` is null). The token comes from
 * `GRAPH_ACCESS_TOKEN` (an administrator's: `az account get-access-token --resource-type ms-graph`),
 * or in a GitHub Actions job from the CI identity the azuread provider signs in as (ARM_CLIENT_ID,
 * ARM_USE_OIDC), through GitHub's OIDC token and MSAL's client assertion.
 */
import * as https from "https";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { isGuid } from "../../lib/guid.ts";
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { defaultScope, judge } from "./token.ts";
import { collectBody, tooLargeAnswer, trustOptions } from "../httpsClient.ts";
import { httpsNetworkClient } from "./msalNetwork.ts";
import { printable } from "../printable.ts";

/** The audience Entra ID's federated credentials expect (docs/ci.md, bootstrap). */
const GITHUB_AUDIENCE = "api://AzureADTokenExchange";

export interface GraphRequest {
    authorityHost: string;
    tenantId: string;
    timeoutMs: number;
    trustedCa?: string;
}

/** Graph's origin for a sign-in host; a loopback stand-in serves both. */
export function graphOrigin(authorityHost: string): string {
    const url = new URL(authorityHost);
    return ["127.0.0.1", "[::1]"].includes(url.hostname) ? url.origin : defaultScope(authorityHost).replace(/\/\.default$/, "");
}

/** A bounded https GET of JSON: the status and the parsed body, or an OpsError (exit 3) saying why there is none. */
function getJson(url: string, headers: Record<string, string>, req: GraphRequest): Promise<{ status: number; body: any }> {
    const trust = trustOptions(req.trustedCa);
    const host = new URL(url).host;
    return new Promise((resolve, reject) => {
        // A deadline for the whole answer: the socket's own timeout only notices silence, not a slow trickle.
        const deadline = setTimeout(() => {
            request.destroy();
            reject(new OpsError(`no answer from ${host} within ${req.timeoutMs / 1000} s`, 3));
        }, req.timeoutMs);
        const settle = <T>(done: (value: T) => void) => (value: T) => {
            clearTimeout(deadline);
            done(value);
        };
        const ok = settle(resolve);
        const fail = settle(reject);
        const request = https.get(url, { headers: { accept: "application/json", ...headers }, ...trust, timeout: req.timeoutMs }, response => {
            collectBody(response, () => {
                request.destroy();
                fail(new OpsError(tooLargeAnswer(new URL(url).origin), 3));
            }, body => {
                try {
                    ok({ status: response.statusCode ?? 0, body: JSON.parse(body.toString("utf8")) });
                } catch {
                    fail(new OpsError(`${host} answered HTTP ${response.statusCode} without a JSON body`, 3));
                }
            });
        });
        request.on("timeout", () => {
            request.destroy();
            fail(new OpsError(`no answer from ${host} within ${req.timeoutMs / 1000} s`, 3));
        });
        request.on("error", err => fail(new OpsError(`could not reach ${host}: ${printable(err.message)}`, 3)));
    });
}

/** Where the Graph token comes from, checked before anything is changed; undefined: no identity to ask with. */
export function graphTokenSource(env: Readonly<Record<string, string | undefined>>, req: GraphRequest,
    /** Told every token met on the way (GitHub's request token, its OIDC token, the access token), for the run's redactor. */
    redact: (secret: string) => void = () => undefined): (() => Promise<string>) | undefined {
    if (env.GRAPH_ACCESS_TOKEN) {
        const token = env.GRAPH_ACCESS_TOKEN;
        return async () => token;
    }
    const { ARM_USE_OIDC, ARM_CLIENT_ID, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN } = env;
    if (ARM_USE_OIDC !== "true" || !ARM_CLIENT_ID || !ACTIONS_ID_TOKEN_REQUEST_URL || !ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
        return undefined;
    }
    redact(ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    return async () => {
        // actions/toolkit packages/core/src/oidc-utils.ts (getIDToken): `&audience=`, a bearer request token, { value }.
        const github = await getJson(`${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(GITHUB_AUDIENCE)}`,
            { authorization: `Bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }, req);
        if (github.status !== 200 || typeof github.body?.value !== "string") {
            throw new OpsError(`GitHub's OIDC token endpoint answered HTTP ${github.status} without a token (id-token: write?)`, 1);
        }
        const jwt: string = github.body.value;
        redact(jwt);
        const network = httpsNetworkClient({ trustedCa: req.trustedCa, timeoutMs: req.timeoutMs });
        const client = new ConfidentialClientApplication({
            auth: {
                clientId: ARM_CLIENT_ID, clientAssertion: jwt,
                authority: `${req.authorityHost}/${req.tenantId}`, knownAuthorities: [new URL(req.authorityHost).host],
            },
            system: { disableInternalRetries: true, networkClient: network },
        });
        const result = await client.acquireTokenByClientCredential({ scopes: [defaultScope(req.authorityHost)], skipCache: true })
            .catch((err: Error) => {
                // Judged as verify judges it: Entra ID out of reach or busy (429, 5xx, a transient AADSTS code) is
                // a passing failure, exit 3 as for Graph; a refusal of the assertion is exit 1.
                const unreachable = judge(network.requests, undefined, req.authorityHost).outcome === "unreachable";
                throw new OpsError(`Entra ID gave the CI identity ${ARM_CLIENT_ID} no token for Microsoft Graph: ` +
                    // The first line ends at "\r\n" as well as "\n": a "\r" left over would show as U+FFFD.
                    printable(err.message.split(/[\r\n]/)[0]), unreachable ? 3 : 1);
            });
        if (!result?.accessToken) {
            // MSAL hands back a result without a token for some answers (a 5xx without an error, a 200 without a token).
            const answer = judge(network.requests, undefined, req.authorityHost);
            throw new OpsError(`Entra ID gave the CI identity ${ARM_CLIENT_ID} no token for Microsoft Graph` +
                (answer.outcome === "unreachable" ? `: ${printable(answer.reason)}` : ""), answer.outcome === "unreachable" ? 3 : 1);
        }
        redact(result.accessToken);
        return result.accessToken;
    };
}

export const NO_GRAPH_IDENTITY = "no identity to list the application's key ids with in Microsoft Graph: set GRAPH_ACCESS_TOKEN " +
    "(az account get-access-token --resource-type ms-graph --query accessToken -o tsv, as an identity with " +
    "Application.Read.All), or run in a GitHub Actions job of the stack's environment (ARM_USE_OIDC=true, ARM_CLIENT_ID, " +
    "permissions id-token: write)";

/** The key ids (lower case) of the application's passwords, or an OpsError naming what Graph answered. */
export async function listPasswordKeyIds(token: () => Promise<string>, applicationObjectId: string, req: GraphRequest): Promise<string[]> {
    if (!isGuid(applicationObjectId)) {
        throw new OpsError(`applicationObjectId ${JSON.stringify(applicationObjectId)} is not a GUID`, USAGE_EXIT_CODE);
    }
    const url = `${graphOrigin(req.authorityHost)}/v1.0/applications/${applicationObjectId}?$select=passwordCredentials`;
    const answer = await getJson(url, { authorization: `Bearer ${await token()}` }, req);
    if (answer.status !== 200) {
        const code = typeof answer.body?.error?.code === "string" ? printable(answer.body.error.code).slice(0, 80) : "no error code";
        throw new OpsError(`Microsoft Graph answered HTTP ${answer.status} (${code}) to reading the key ids of application ` +
            `${applicationObjectId}` + (answer.status === 403 ? ": the identity needs Application.Read.All" : ""), answer.status >= 500 ? 3 : 1);
    }
    const credentials = answer.body?.passwordCredentials;
    if (!Array.isArray(credentials) || !credentials.every(c => isGuid(c?.keyId))) {
        throw new OpsError(`Microsoft Graph's answer for application ${applicationObjectId} has no list of passwordCredentials with key ids`, 1);
    }
    return credentials.map(c => (c.keyId as string).toLowerCase());
}
