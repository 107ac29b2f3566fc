/**
 * A stand-in for a Creatio site on 127.0.0.1 over https (self-signed certificate made for the
 * test), written as Creatio's developer documentation describes it:
 * - `POST /ServiceModel/AuthService.svc/Login` answers 200 with `{"Code": 0}` and the cookies
 *   `BPMLOADER`, `.ASPXAUTH`, `BPMCSRF`, `UserName` for a known user, `{"Code": 1, "Message"}`
 *   otherwise;
 * - `POST /identity/connect/token` (the Identity Service) issues a Bearer token for a known API
 *   client (client credentials), `400 {"error": "invalid_client"}` otherwise;
 * - OData 4 under `/0/odata` (.NET Framework) or `/odata` (.NET Core), never both: the other form
 *   answers 404. A request needs the session cookie and the `BPMCSRF` header equal to its
 *   cookie, or a Bearer token; otherwise 401.
 *   `GET <set>?$filter=<column> eq <literal>&$select=...` answers `{"value": [...]}`;
 *   `PATCH <set>(<guid>)` answers 204 and moves the record's `ModifiedOn` on (BaseEntity's column),
 *   except when every value sent equals the stored one: then nothing is saved and `ModifiedOn`
 *   stays, as Creatio's entity layer (probably) skips a save that changes no column (FACTS.md);
 *   404 for an unknown record, 400 for a property the entity does not have.
 * - A signed-in user without the system operation "Access to OData" (`CanUseODataService`) gets
 *   403 on every OData call (Terrasoft.Web.OData.dll, ODataAuthorizationFilterHelper; Creatio 8.2
 *   system-operation reference).
 * - Anonymous GETs that Creatio's CLI clio probes to tell the runtimes apart
 *   (EnvironmentRuntimeDetectionService.cs; HealthCheckCommand.cs): on .NET Framework both the
 *   root application (`/api/HealthCheck/Ping`, "WebAppLoader") and the `/0` one
 *   (`/0/api/HealthCheck/Ping`, "WebHost") answer 200, and the login page is
 *   `/0/Login/NuiLogin.aspx`; on .NET Core only `/api/HealthCheck/Ping` and `/Login/Login.html`
 *   answer. Everything else 404; `runtimeAnswers` replaces the status of a path (a redirect to
 *   a login page, a 503 of a proxy).
 * It records every request (method, path with query, headers, body).
 */
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import { certificateFor } from "./certificates.ts";

export interface FakeOAuthApplication {
    Id: string;
    Name: string;
    ClientId: string;
    /** What was last written; SecureText, so the OData answers never show it. */
    SecretKey: string;
    /**
     * The OAuth service of the record: Creatio's mail server page sets `Office365OAuthAuthenticator`
     * for Microsoft 365, `GoogleOAuthAuthenticator` for Google (Resources/ClientApp/301.*.js).
     * Default empty, as a record saved without it reads back: `deliver` refuses such a record.
     */
    AppClassName?: string;
    /** An OData DateTimeOffset; default {@link DEFAULT_MODIFIED_ON}; each stored PATCH sets it anew. */
    ModifiedOn?: string;
}

/** The `ModifiedOn` of a record no test gave one. */
export const DEFAULT_MODIFIED_ON = "2024-01-15T09:30:00Z";

export interface FakeMailServer {
    Id: string;
    Name: string;
    OAuthApplicationId: string;
}

export interface RecordedRequest {
    method: string;
    /** The path with its query string, as sent. */
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

export interface CreatioServerOptions {
    netCore?: boolean;
    /** Password of each user that may sign in (forms authentication). */
    users?: Record<string, string>;
    /** Secret of each Identity Service client (client credentials). */
    apiClients?: Record<string, string>;
    oauthApplications?: FakeOAuthApplication[];
    mailServers?: FakeMailServer[];
    /** The status answered to a GET of these paths instead of the runtime's own (a 3xx gets a Location). */
    runtimeAnswers?: Record<string, number>;
    /** Users (by name) without the system operation "Access to OData": every OData call of theirs answers 403. */
    usersWithoutOData?: string[];
    /** "silence": accept connections and never answer. */
    answer?: "normal" | "silence";
    /** The Message of a refused sign-in; default Creatio's "Invalid username or password specified". */
    loginFailureMessage?: string;
    /**
     * Answer PATCH with 204 but keep the record as it was, ModifiedOn included (as an event
     * handler that cancels the save would).
     */
    dropWrites?: boolean;
    /** Answer this status (empty JSON error body) to every request of a kind. */
    failures?: Partial<Record<"login" | "token" | "get" | "patch", number>>;
    /**
     * Asked first for each request (already recorded in `requests`): an answer (status, raw
     * body) to give instead of the normal one, "silence" to never answer, undefined for normal.
     */
    intercept?: (request: RecordedRequest, index: number) => { status: number; body?: string } | "silence" | undefined;
}

export interface CreatioServer {
    /** `https://127.0.0.1:<port>`: the site's base URL. */
    url: string;
    /** The Identity Service URL. */
    identityUrl: string;
    /** The certificate to trust (PEM). */
    ca: string;
    caFile: string;
    requests: RecordedRequest[];
    oauthApplications: FakeOAuthApplication[];
    close(): Promise<void>;
}

const ENTITY_COLUMNS: Record<string, string[]> = {
    OAuthApplications: ["Id", "Name", "ClientId", "SecretKey", "AppClassName", "ModifiedOn"],
    MailServer: ["Id", "Name", "OAuthApplicationId"],
};

/** What clio probes (EnvironmentRuntimeDetectionService.cs, BuildHealthUrl and BuildUiMarkerUrl), and who answers 200. */
const RUNTIME_PATHS = ["/api/HealthCheck/Ping", "/0/api/HealthCheck/Ping", "/Login/Login.html", "/0/Login/NuiLogin.aspx"];
const NET_FRAMEWORK_ANSWERS = ["/api/HealthCheck/Ping", "/0/api/HealthCheck/Ping", "/0/Login/NuiLogin.aspx"];
const NET_CORE_ANSWERS = ["/api/HealthCheck/Ping", "/Login/Login.html"];

/** Columns of type Guid: their literal is bare; every other column here is a string in quotes. */
const GUID_COLUMNS = ["Id", "OAuthApplicationId"];

/** `<Column> eq <literal>` with the literal of the column's type (OData 4 ABNF), else undefined. */
function parseFilter(filter: string): { column: string; value: string } | undefined {
    const m = /^(\w+) eq (?:'((?:[^']|'')*)'|([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))$/
        .exec(filter);
    if (!m || GUID_COLUMNS.includes(m[1]) !== (m[3] !== undefined)) {
        return undefined;
    }
    return { column: m[1], value: m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3] };
}

export async function startCreatioServer(options: CreatioServerOptions = {}): Promise<CreatioServer> {
    // Its own subject name: a test trusting this and the Entra ID stand-in's certificate together
    // needs two issuers OpenSSL can tell apart (the address is in subjectAltName).
    const pems = await certificateFor("creatio-stand-in");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "creatio-server-"));
    const caFile = path.join(dir, "ca.pem");
    fs.writeFileSync(caFile, pems.cert);

    const users = options.users ?? {};
    const apiClients = options.apiClients ?? {};
    const tables: Record<string, Record<string, string>[]> = {
        OAuthApplications: (options.oauthApplications ?? []) as unknown as Record<string, string>[],
        MailServer: (options.mailServers ?? []) as unknown as Record<string, string>[],
    };
    const sessions = new Map<string, string>(); // .ASPXAUTH -> BPMCSRF
    const sessionUsers = new Map<string, string>(); // .ASPXAUTH -> user name
    const tokens = new Set<string>();
    const requests: RecordedRequest[] = [];
    const odata = options.netCore ? "/odata/" : "/0/odata/";
    let counter = 0;

    const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
        let body = "";
        req.on("data", chunk => (body += chunk));
        req.on("end", () => {
            const recorded = { method: req.method ?? "", path: req.url ?? "", headers: { ...req.headers }, body };
            requests.push(recorded);
            const instead = options.intercept?.(recorded, requests.length - 1);
            if (options.answer === "silence" || instead === "silence") {
                return; // never answers; the client must give up by itself
            }
            if (instead) {
                res.writeHead(instead.status, instead.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" });
                res.end(instead.body);
                return;
            }
            handle(req.method ?? "", new URL(req.url ?? "/", "https://127.0.0.1"), req.headers, body, res);
        });
    });

    function send(res: import("http").ServerResponse, status: number, answer?: unknown,
        headers: Record<string, string | string[]> = {}) {
        res.writeHead(status, answer === undefined ? headers : { "content-type": "application/json; charset=utf-8", ...headers });
        res.end(answer === undefined ? undefined : JSON.stringify(answer));
    }

    function cookies(header: string | undefined): Map<string, string> {
        return new Map((header ?? "").split(";").map(p => p.trim()).filter(Boolean)
            .map(p => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)] as [string, string]));
    }

    function authorized(headers: import("http").IncomingHttpHeaders): boolean {
        const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "");
        if (bearer) {
            return tokens.has(bearer[1]);
        }
        const jar = cookies(headers.cookie);
        const csrf = sessions.get(jar.get(".ASPXAUTH") ?? "");
        // CSRF protection: the header must repeat the BPMCSRF cookie of the session.
        return csrf !== undefined && jar.get("BPMCSRF") === csrf && headers.bpmcsrf === csrf;
    }

    function handle(method: string, url: URL, headers: import("http").IncomingHttpHeaders, body: string,
        res: import("http").ServerResponse) {
        const fail = (kind: keyof NonNullable<CreatioServerOptions["failures"]>) => {
            const status = options.failures?.[kind];
            if (status) {
                send(res, status, { error: { code: "", message: `stand-in failure ${status}` } });
                return true;
            }
            return false;
        };
        if (method === "POST" && url.pathname === "/ServiceModel/AuthService.svc/Login") {
            if (fail("login")) {
                return;
            }
            let creds: { UserName?: string; UserPassword?: string } = {};
            try {
                creds = JSON.parse(body);
            } catch { /* refused below */ }
            if (!creds.UserName || users[creds.UserName] === undefined || users[creds.UserName] !== creds.UserPassword) {
                return send(res, 200, { Code: 1, Message: options.loginFailureMessage ?? "Invalid username or password specified", Exception: null,
                    PasswordChangeUrl: null, RedirectUrl: null });
            }
            const auth = `aspxauth-${++counter}`;
            const csrf = `csrf-${counter}`;
            sessions.set(auth, csrf);
            sessionUsers.set(auth, creds.UserName);
            return send(res, 200, { Code: 0, Message: "", Exception: null, PasswordChangeUrl: null, RedirectUrl: null }, {
                "set-cookie": [
                    `BPMLOADER=loader-${counter}; path=/; HttpOnly`,
                    `.ASPXAUTH=${auth}; path=/; HttpOnly`,
                    `BPMCSRF=${csrf}; path=/`,
                    `UserName=${encodeURIComponent(creds.UserName)}; path=/; HttpOnly`,
                ],
            });
        }
        if (method === "POST" && url.pathname === "/identity/connect/token") {
            if (fail("token")) {
                return;
            }
            const form = new URLSearchParams(body);
            const id = form.get("client_id") ?? "";
            if (form.get("grant_type") !== "client_credentials") {
                return send(res, 400, { error: "unsupported_grant_type" });
            }
            if (apiClients[id] === undefined || apiClients[id] !== form.get("client_secret")) {
                return send(res, 400, { error: "invalid_client" });
            }
            const token = `token-${++counter}`;
            tokens.add(token);
            return send(res, 200, { access_token: token, expires_in: 3600, token_type: "Bearer", scope: "" });
        }
        if (method === "GET" && RUNTIME_PATHS.includes(url.pathname)) {
            const own = (options.netCore ? NET_CORE_ANSWERS : NET_FRAMEWORK_ANSWERS).includes(url.pathname) ? 200 : 404;
            const status = options.runtimeAnswers?.[url.pathname] ?? own;
            res.writeHead(status, status >= 300 && status < 400 ? { location: "/Login/NuiLogin.aspx?ReturnUrl=%2f" } : {});
            return res.end(status === 200 ? (url.pathname.includes("HealthCheck") ? "" : "<html><body>Login</body></html>") : undefined);
        }
        if (!url.pathname.startsWith(odata)) {
            return send(res, 404);
        }
        if (!authorized(headers)) {
            return send(res, 401);
        }
        if ((options.usersWithoutOData ?? []).includes(sessionUsers.get(cookies(headers.cookie).get(".ASPXAUTH") ?? "") ?? "")) {
            return send(res, 403, { error: { code: "", message: "Access denied" } });
        }
        const resource = decodeURIComponent(url.pathname.slice(odata.length));
        const one = /^(\w+)\(([0-9a-fA-F-]{36})\)$/.exec(resource);
        if (method === "GET" && ENTITY_COLUMNS[resource]) {
            if (fail("get")) {
                return;
            }
            const filter = url.searchParams.get("$filter");
            const condition = filter === null ? undefined : parseFilter(filter);
            if (filter !== null && !condition) {
                return send(res, 400, { error: { message: `unsupported $filter ${filter}` } });
            }
            const select = (url.searchParams.get("$select") ?? ENTITY_COLUMNS[resource].join(",")).split(",");
            const unknown = select.filter(c => !ENTITY_COLUMNS[resource].includes(c));
            if (unknown.length) {
                return send(res, 400, { error: { message: `unknown columns ${unknown.join(",")}` } });
            }
            const rows = tables[resource].filter(r => !condition || (GUID_COLUMNS.includes(condition.column)
                ? r[condition.column]?.toLowerCase() === condition.value.toLowerCase()
                : r[condition.column] === condition.value));
            const defaults: Record<string, string> = resource === "OAuthApplications"
                ? { AppClassName: "", ModifiedOn: DEFAULT_MODIFIED_ON } : {};
            return send(res, 200, {
                "@odata.context": `https://127.0.0.1${odata}$metadata#${resource}`,
                // SecureText comes back empty: the value cannot be read.
                value: rows.map(r => Object.fromEntries(select.map(c => [c, c === "SecretKey" ? "" : r[c] ?? defaults[c]]))),
            });
        }
        if (method === "PATCH" && one && ENTITY_COLUMNS[one[1]]) {
            if (fail("patch")) {
                return;
            }
            const row = tables[one[1]].find(r => r.Id.toLowerCase() === one[2].toLowerCase());
            if (!row) {
                return send(res, 404, { error: { message: "record not found" } });
            }
            let fields: unknown;
            try {
                fields = JSON.parse(body);
            } catch {
                return send(res, 400, { error: { message: "body is not JSON" } });
            }
            if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
                return send(res, 400, { error: { message: "body is not a JSON object" } });
            }
            // A property the (non-open) entity type lacks is refused with 400, as by Microsoft.OData.Core:
            // "The property 'X' does not exist on type 'Y'. Make sure to only use property names that are defined by the type."
            const unknown = Object.keys(fields).filter(name => !ENTITY_COLUMNS[one[1]].includes(name));
            if (unknown.length) {
                return send(res, 400, { error: { code: "", message: `The property '${unknown[0]}' does not exist on type ` +
                    `'Terrasoft.Configuration.OData.${one[1]}'. Make sure to only use property names that are defined by the type.` } });
            }
            const changes = Object.entries(fields as Record<string, unknown>).some(([name, value]) => row[name] !== value);
            if (!options.dropWrites && changes) {
                // BaseEntity's ModifiedOn: the time of the save, later than the one before.
                const before = Date.parse(row.ModifiedOn ?? DEFAULT_MODIFIED_ON);
                Object.assign(row, fields, { ModifiedOn: new Date(Math.max(Date.now(), (before || 0) + 1)).toISOString() });
            }
            return send(res, 204);
        }
        return send(res, 404);
    }

    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        identityUrl: `${url}/identity`,
        ca: pems.cert,
        caFile,
        requests,
        oauthApplications: tables.OAuthApplications as unknown as FakeOAuthApplication[],
        close: () => new Promise(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
