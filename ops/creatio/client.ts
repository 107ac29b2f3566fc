/**
 * A small client of Creatio's integration API: sign-in (forms authentication with its cookies and
 * CSRF header, or an Identity Service token), OData 4 reads and PATCH. Every call is bounded by a
 * timeout. Errors carry an outcome the command maps to its exit code, and never a credential or a
 * request body.
 */
import * as https from "https";
import {
    AUTH_COOKIE, CSRF_COOKIE, CSRF_HEADER, FORCE_USE_SESSION_HEADER, IDENTITY_TOKEN_PATH, LOGIN_PATH, ODATA_HEADERS,
    odataRoot, recordPath,
} from "./api.ts";
import { collectBody, isCertificateError, tooLargeAnswer, trustOptions } from "../httpsClient.ts";
import { printable } from "../printable.ts";

/**
 * How a call failed: `refused` Creatio (or its Identity Service) said no; `unreachable` no
 * answer (network, timeout) or a 5xx; `misconfigured` the address does not exist (404: wrong
 * site URL or .NET Core setting); `malformed` an answer that is not what Creatio documents (not
 * JSON, not a JSON object, a field missing).
 */
export type CreatioOutcome = "refused" | "unreachable" | "misconfigured" | "malformed";

export class CreatioError extends Error {
    readonly outcome: CreatioOutcome;

    constructor(message: string, outcome: CreatioOutcome) {
        super(message);
        this.name = "CreatioError";
        this.outcome = outcome;
    }
}

export interface CreatioTarget {
    /** The site's base URL: no `/0`, no trailing slash. */
    siteBaseUrl: string;
    netCore: boolean;
    timeoutMs: number;
    /** An extra CA (PEM) to trust besides the system's, for a stand-in in tests. */
    trustedCa?: string;
}

export type CreatioCredentials =
    | { kind: "forms"; userName: string; password: string }
    | { kind: "oauth"; identityUrl: string; clientId: string; clientSecret: string };

interface HttpAnswer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

interface HttpCall {
    method: "GET" | "POST" | "PATCH";
    url: string;
    headers: Record<string, string>;
    body?: string;
}

async function send(call: HttpCall, target: Pick<CreatioTarget, "timeoutMs" | "trustedCa">): Promise<HttpAnswer> {
    const url = new URL(call.url);
    const seconds = target.timeoutMs / 1000;
    return new Promise<HttpAnswer>((resolve, reject) => {
        const headers: Record<string, string> = { ...call.headers };
        if (call.body !== undefined) {
            headers["Content-Length"] = String(Buffer.byteLength(call.body));
        }
        const req = https.request(url, {
            method: call.method,
            headers,
            ...trustOptions(target.trustedCa),
            // A connection of its own: on a kept one that the site closed as the request went out, a write's fate
            // would be unknown (Node's docs, request.reusedSocket), and a user's proxy or load balancer may close
            // idle connections sooner than Node's agent does.
            agent: false,
        }, res => {
            res.on("error", fail);
            collectBody(res, () => {
                clearTimeout(timer);
                req.destroy();
                reject(new CreatioError(tooLargeAnswer(url.origin), "unreachable"));
            }, body => {
                clearTimeout(timer);
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString("utf8") });
            });
        });
        const timer = setTimeout(() => {
            req.destroy();
            reject(new CreatioError(`no answer from ${url.origin} within ${seconds} s`, "unreachable"));
        }, target.timeoutMs);
        function fail(err: Error) {
            clearTimeout(timer);
            const code = (err as NodeJS.ErrnoException).code;
            // A certificate Node does not trust will not be trusted on the next try either: set-up, not network.
            reject(isCertificateError(code)
                ? new CreatioError(`the TLS certificate of ${url.host} is not trusted (${code}): a certificate from a private ` +
                    "CA needs that CA's certificate in NODE_EXTRA_CA_CERTS (a PEM file); an expired one, or one made for another " +
                    "host, must be replaced on the site", "misconfigured")
                : new CreatioError(`could not reach ${url.origin}: ${err.message}`, "unreachable"));
        }
        req.on("error", fail);
        req.end(call.body);
    });
}

/**
 * What a 403 from Creatio's OData means. Every OData call needs the system operation "Access to
 * OData" (CanUseODataService; Creatio 8.2 system-operation reference, "Integration setting
 * management"; checked by Terrasoft.Web.OData.dll's ODataAuthorizationFilterHelper), then the
 * object's own permissions.
 */
export const ODATA_FORBIDDEN = 'the Creatio user lacks a right: the system operation "Access to OData" (CanUseODataService), ' +
    "or read and edit on OAuthApplications (and read on MailServer for --mail-server); see docs/deliver.md";

/** What an unexpected HTTP status means for the command, said in one line. */
function statusError(what: string, answer: HttpAnswer, url: string,
    forbidden = "the Creatio user lacks the rights, see docs/deliver.md"): CreatioError {
    const status = `HTTP ${answer.status}`;
    switch (answer.status) {
        case 401:
            return new CreatioError(`${what}: ${status} (not signed in: the session or token was not accepted)`, "refused");
        case 403:
            return new CreatioError(`${what}: ${status} (${forbidden})`, "refused");
        case 404:
            return new CreatioError(`${what}: ${status} at ${url} (check the site URL and the netCore setting of the stack)`,
                "misconfigured");
        default:
            return new CreatioError(`${what}: ${status}`, answer.status >= 500 ? "unreachable" : "refused");
    }
}

export type ODataRecord = Record<string, unknown>;

function isObject(value: unknown): value is ODataRecord {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The answer's JSON object; anything else (not JSON, null, a list, a number) is malformed. */
function parseObject(answer: HttpAnswer, what: string): ODataRecord {
    let parsed: unknown;
    try {
        parsed = JSON.parse(answer.body);
    } catch {
        throw new CreatioError(`${what}: the answer is not JSON (HTTP ${answer.status})`, "malformed");
    }
    if (!isObject(parsed)) {
        throw new CreatioError(`${what}: the answer is not a JSON object (HTTP ${answer.status})`, "malformed");
    }
    return parsed;
}

/** name=value of each Set-Cookie header; attributes (path, HttpOnly, ...) do not matter here. */
function cookiesOf(answer: HttpAnswer): Map<string, string> {
    const raw = answer.headers["set-cookie"];
    const jar = new Map<string, string>();
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
        const pair = line.split(";")[0];
        const eq = pair.indexOf("=");
        if (eq > 0) {
            jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
    }
    return jar;
}

/** Signs in and returns a session for OData calls. */
export async function signIn(target: CreatioTarget, credentials: CreatioCredentials): Promise<CreatioSession> {
    return credentials.kind === "forms" ? formsSignIn(target, credentials) : identityServiceSignIn(target, credentials);
}

async function formsSignIn(target: CreatioTarget, c: { userName: string; password: string }): Promise<CreatioSession> {
    const url = `${target.siteBaseUrl}${LOGIN_PATH}`;
    const answer = await send({
        method: "POST",
        url,
        headers: { "Content-Type": "application/json", [FORCE_USE_SESSION_HEADER]: "true" },
        body: JSON.stringify({ UserName: c.userName, UserPassword: c.password }),
    }, target);
    const what = "Creatio sign-in (CREATIO_USERNAME)";
    if (answer.status !== 200) {
        throw statusError(what, answer, url);
    }
    const result = parseObject(answer, what);
    if (result.Code !== 0) {
        const message = typeof result.Message === "string" && result.Message ? `: ${printable(result.Message)}` : "";
        throw new CreatioError(`Creatio refused the sign-in of CREATIO_USERNAME (Code ${printable(String(result.Code))})${message}`,
            "refused");
    }
    const jar = cookiesOf(answer);
    const csrf = jar.get(CSRF_COOKIE);
    if (!csrf) {
        throw new CreatioError(`${what}: Creatio set no ${CSRF_COOKIE} cookie`, "refused");
    }
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    return new CreatioSession(target, { "Cookie": cookie, [CSRF_HEADER]: csrf, [FORCE_USE_SESSION_HEADER]: "true" },
        [jar.get(AUTH_COOKIE), csrf].filter((value): value is string => value !== undefined));
}

async function identityServiceSignIn(target: CreatioTarget,
    c: { identityUrl: string; clientId: string; clientSecret: string }): Promise<CreatioSession> {
    const url = `${c.identityUrl}${IDENTITY_TOKEN_PATH}`;
    const answer = await send({
        method: "POST",
        url,
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: c.clientId, client_secret: c.clientSecret })
            .toString(),
    }, target);
    const what = "Creatio Identity Service token (CREATIO_API_CLIENT_ID)";
    if (answer.status === 400 || answer.status === 401) {
        // RFC 6749 section 5.2: a wrong client answers 400/401 with an error code.
        const error = parseObjectOrEmpty(answer).error;
        throw new CreatioError("Creatio's Identity Service refused CREATIO_API_CLIENT_ID: " +
            (typeof error === "string" ? printable(error) : `HTTP ${answer.status}`), "refused");
    }
    if (answer.status !== 200) {
        throw statusError(what, answer, url);
    }
    const token = parseObject(answer, what).access_token;
    if (typeof token !== "string" || !token) {
        throw new CreatioError(`${what}: the answer has no access_token`, "malformed");
    }
    return new CreatioSession(target, { "Authorization": `Bearer ${token}` }, [token]);
}

/** The answer's JSON object, or an empty one when it is not one. */
function parseObjectOrEmpty(answer: HttpAnswer): ODataRecord {
    try {
        const parsed: unknown = JSON.parse(answer.body);
        return isObject(parsed) ? parsed : {};
    } catch {
        return {};
    }
}

/** A signed-in session: OData 4 calls with the session's credentials on each. */
export class CreatioSession {
    /**
     * @param credentials what signs the session's requests in (the `.ASPXAUTH` and `BPMCSRF` values, or
     *   the bearer token): as good as the password while the session lasts, so a command redacts them
     */
    private readonly target: CreatioTarget;
    private readonly authHeaders: Readonly<Record<string, string>>;
    readonly credentials: readonly string[];

    constructor(target: CreatioTarget, authHeaders: Readonly<Record<string, string>>, credentials: readonly string[] = []) {
        this.target = target;
        this.authHeaders = authHeaders;
        this.credentials = credentials;
    }

    private url(path: string): string {
        return `${odataRoot(this.target.siteBaseUrl, this.target.netCore)}/${path}`;
    }

    /** GET `<collection>?$filter=...&$select=...`, answering `{"value": [...]}`. */
    async query(entitySet: string, options: { select: readonly string[]; filter?: string }): Promise<ODataRecord[]> {
        const params = new URLSearchParams();
        if (options.filter !== undefined) {
            params.set("$filter", options.filter);
        }
        params.set("$select", options.select.join(","));
        // URLSearchParams writes spaces as "+", which OData reads as a plus sign: use %20.
        const url = `${this.url(entitySet)}?${params.toString().replace(/\+/g, "%20")}`;
        const answer = await send({ method: "GET", url, headers: { ...ODATA_HEADERS, ...this.authHeaders } }, this.target);
        const what = `reading ${entitySet} from Creatio`;
        if (answer.status !== 200) {
            throw statusError(what, answer, url.split("?")[0], ODATA_FORBIDDEN);
        }
        const value = parseObject(answer, what).value;
        if (!Array.isArray(value)) {
            throw new CreatioError(`${what}: the answer has no "value" list`, "malformed");
        }
        if (!value.every(isObject)) {
            throw new CreatioError(`${what}: the "value" list holds something other than records (JSON objects)`, "malformed");
        }
        return value;
    }

    /**
     * PATCH `<collection>(<id>)` with the fields to change; Creatio answers 204. No answer or a
     * 5xx leaves open whether the change was stored (`unreachable`); a 404 means no such record
     * at this address (`misconfigured`); any other status is a refusal.
     */
    async patch(entitySet: string, id: string, fields: Record<string, string>): Promise<void> {
        const url = this.url(recordPath(entitySet, id));
        const unknown = "the change may or may not have been written";
        const answer = await send({
            method: "PATCH", url, headers: { ...ODATA_HEADERS, ...this.authHeaders }, body: JSON.stringify(fields),
        }, this.target).catch((err: unknown) => {
            if (err instanceof CreatioError && err.outcome === "unreachable") {
                throw new CreatioError(`${err.message}; ${unknown}`, "unreachable");
            }
            throw err;
        });
        if (answer.status === 204) {
            return;
        }
        const what = `Creatio did not accept the change of ${entitySet} ${id}`;
        if (answer.status >= 500) {
            throw new CreatioError(`Creatio did not confirm the change of ${entitySet} ${id}: HTTP ${answer.status}; ${unknown}`,
                "unreachable");
        }
        if (answer.status === 404) {
            throw new CreatioError(`${what}: HTTP 404 at ${url} (no such record at this address)`, "misconfigured");
        }
        if (answer.status >= 200 && answer.status < 300) {
            // OData 4 also allows 200 with the entity; Creatio documents 204. Not taken as proof.
            throw new CreatioError(`Creatio answered the change of ${entitySet} ${id} with HTTP ${answer.status}, not the ` +
                `204 its documentation gives; ${unknown}`, "refused");
        }
        throw new CreatioError(statusError(what, answer, url, ODATA_FORBIDDEN).message, "refused");
    }
}
