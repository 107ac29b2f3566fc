/**
 * Creatio's client (ops/creatio/client.ts): signing in, reading and writing OData against the
 * Creatio stand-in, and every way that goes wrong, with scripted answers where the stand-in gives none.
 */
import * as assert from "assert";
import * as https from "https";
import type { AddressInfo } from "net";
import { OAUTH_APPLICATIONS } from "../../../ops/creatio/api.ts";
import { CreatioError, CreatioSession, signIn } from "../../../ops/creatio/client.ts";
import { readBack } from "../../../ops/creatio/records.ts";
import {
    API_CLIENT, API_SECRET, APP_ID, applications, CLIENT, FORMS, GOOGLE_APP_ID, M365_CLASS, M365_RECORD, NEW_SECRET, ODATA_403, PASSWORD,
    USER, creatioTarget, m365Record, rejects, serverTarget, startCreatioWithApplications, withCreatio,
} from "../../creatioFixtures.ts";
import { certificateFor } from "../../fakes/certificates.ts";
import { type CreatioServer, startCreatioServer } from "../../fakes/creatioServer.ts";


const login = (answer: { status: number; body?: string }) =>
    (r: { path: string }) => r.path === "/ServiceModel/AuthService.svc/Login" ? answer : undefined;
const token = (answer: { status: number; body?: string }) =>
    (r: { path: string }) => r.path === "/identity/connect/token" ? answer : undefined;

interface ScriptedAnswer {
    status: number;
    headers?: Record<string, string | string[]>;
    body?: string;
}

interface ScriptedServer {
    url: string;
    ca: string;
    requests: { method: string; path: string; headers: Record<string, string | string[] | undefined> }[];
    /** Connections the server still holds open. */
    connections(): Promise<number>;
    close(): Promise<void>;
}

/**
 * An https server on 127.0.0.1 that answers each request as `answer` says ("silence": never),
 * for the answers the Creatio stand-in does not give (its Set-Cookie headers are fixed).
 */
async function startScripted(answer: (method: string, path: string) => ScriptedAnswer | "silence"): Promise<ScriptedServer> {
    const pems = await certificateFor("creatio-stand-in");
    const requests: ScriptedServer["requests"] = [];
    const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
        req.resume();
        req.on("end", () => {
            requests.push({ method: req.method ?? "", path: req.url ?? "", headers: { ...req.headers } });
            const a = answer(req.method ?? "", req.url ?? "");
            if (a === "silence") {
                return;
            }
            res.writeHead(a.status, a.headers ?? {});
            res.end(a.body);
        });
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        ca: pems.cert,
        requests,
        connections: () => new Promise((resolve, reject) => server.getConnections((err, n) => err ? reject(err) : resolve(n))),
        close: () => new Promise(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** Creatio's answer to a good sign-in ("AuthService.svc web service"), with these Set-Cookie lines. */
function signedIn(cookies: string[] | undefined): ScriptedAnswer {
    return {
        status: 200,
        headers: { "content-type": "application/json; charset=utf-8", ...(cookies ? { "set-cookie": cookies } : {}) },
        body: JSON.stringify({ Code: 0, Message: "", Exception: null, PasswordChangeUrl: null, RedirectUrl: null }),
    };
}

/**
 * Pending timers of this process (Node lists each active, referenced one as "Timeout"). Compared
 * with `<=`: a timer of an earlier test may fire meanwhile, but a call must never leave one behind.
 */
function timers(): number {
    return process.getActiveResourcesInfo().filter(kind => kind === "Timeout").length;
}

describe("Creatio client: forms sign-in that goes wrong", () => {
    it("an answer that is not JSON (an HTML error page): malformed, saying so", async () => {
        await withCreatio({ intercept: login({ status: 200, body: "<html><body>Service Unavailable</body></html>" }) }, async server => {
            await rejects(signIn(creatioTarget(server.url, server.ca), FORMS), "malformed",
                "Creatio sign-in (CREATIO_USERNAME): the answer is not JSON (HTTP 200)");
        });
    });

    for (const body of ["42", '"signed in"', "true"]) {
        it(`an answer that is JSON but no object (${body}): malformed, saying so`, async () => {
            await withCreatio({ intercept: login({ status: 200, body }) }, async server => {
                await rejects(signIn(creatioTarget(server.url, server.ca), FORMS), "malformed",
                    "Creatio sign-in (CREATIO_USERNAME): the answer is not a JSON object (HTTP 200)");
            });
        });
    }

    for (const [status, outcome, text] of [
        [500, "unreachable", "HTTP 500"],
        [403, "refused", "HTTP 403 (the Creatio user lacks the rights, see docs/deliver.md)"],
    ] as const) {
        it(`an HTTP ${status} answer: ${outcome}, with the status`, async () => {
            await withCreatio({ failures: { login: status } }, async server => {
                await rejects(signIn(creatioTarget(server.url, server.ca), FORMS), outcome, `Creatio sign-in (CREATIO_USERNAME): ${text}`);
            });
        });
    }

    for (const message of ["", null, 42]) {
        it(`a refusal whose Message is ${JSON.stringify(message)}: the code alone`, async () => {
            const body = JSON.stringify({ Code: 1, Message: message, Exception: null, PasswordChangeUrl: null, RedirectUrl: null });
            await withCreatio({ intercept: login({ status: 200, body }) }, async server => {
                await rejects(signIn(creatioTarget(server.url, server.ca), FORMS), "refused",
                    "Creatio refused the sign-in of CREATIO_USERNAME (Code 1)");
            });
        });
    }

    for (const [label, cookies] of [
        ["no cookie at all", undefined],
        ["cookies without BPMCSRF", [".ASPXAUTH=aspxauth-1; path=/; HttpOnly", "BPMLOADER=loader-1; path=/; HttpOnly"]],
    ] as const) {
        it(`a sign-in answered Code 0 with ${label}: refused, naming the missing BPMCSRF cookie, nothing read`, async () => {
            const server = await startScripted(() => signedIn(cookies && [...cookies]));
            try {
                // Creatio "Authentication": the BPMCSRF cookie's token must be sent back in the BPMCSRF header.
                await rejects(signIn(creatioTarget(server.url, server.ca), FORMS), "refused",
                    "Creatio sign-in (CREATIO_USERNAME): Creatio set no BPMCSRF cookie");
                assert.strictEqual(server.requests.length, 1);
            } finally {
                await server.close();
            }
        });
    }

    it("leaves out a Set-Cookie line without a cookie name", async () => {
        const server = await startScripted((_method, path) => path.startsWith("/ServiceModel/")
            ? signedIn([".ASPXAUTH=aspxauth-1; path=/; HttpOnly", "=orphan; path=/", "BPMCSRF=csrf-1; path=/"])
            : { status: 200, headers: { "content-type": "application/json" }, body: '{"value":[]}' });
        try {
            const session = await signIn(creatioTarget(server.url, server.ca), FORMS);
            await session.query("OAuthApplications", { select: ["Id"] });
            // RFC 6265 section 5.2, step 5: "If the name string is empty, ignore the set-cookie-string entirely."
            assert.strictEqual(server.requests[1].headers.cookie, ".ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1");
            assert.strictEqual(server.requests[1].headers.bpmcsrf, "csrf-1");
        } finally {
            await server.close();
        }
    });
});

describe("Creatio client: Identity Service token that goes wrong", () => {
    const OAUTH = (identityUrl: string) => ({ kind: "oauth", identityUrl, clientId: API_CLIENT, clientSecret: API_SECRET } as const);

    it("asks for a JSON answer", async () => {
        await withCreatio({}, async server => {
            await signIn(creatioTarget(server.url, server.ca), OAUTH(server.identityUrl));
            // RFC 6749 section 5.1: the token endpoint answers with the "application/json" media type
            assert.strictEqual(server.requests[0].headers.accept, "application/json");
        });
    });

    for (const [label, answer, outcome, message] of [
        ["401 with a body that is not JSON", { status: 401, body: "Unauthorized" }, "refused",
            "Creatio's Identity Service refused CREATIO_API_CLIENT_ID: HTTP 401"],
        ["400 whose error is not a string", { status: 400, body: '{"error":{"code":"invalid_client"}}' }, "refused",
            "Creatio's Identity Service refused CREATIO_API_CLIENT_ID: HTTP 400"],
        ["500", { status: 500, body: "{}" }, "unreachable", "Creatio Identity Service token (CREATIO_API_CLIENT_ID): HTTP 500"],
        ["403", { status: 403, body: "{}" }, "refused",
            "Creatio Identity Service token (CREATIO_API_CLIENT_ID): HTTP 403 (the Creatio user lacks the rights, see docs/deliver.md)"],
        ["200 that is not JSON", { status: 200, body: "<html></html>" }, "malformed",
            "Creatio Identity Service token (CREATIO_API_CLIENT_ID): the answer is not JSON (HTTP 200)"],
        ["200 without access_token", { status: 200, body: '{"token_type":"Bearer","expires_in":3600}' }, "malformed",
            "Creatio Identity Service token (CREATIO_API_CLIENT_ID): the answer has no access_token"],
        ["200 with an empty access_token", { status: 200, body: '{"access_token":"","token_type":"Bearer"}' }, "malformed",
            "Creatio Identity Service token (CREATIO_API_CLIENT_ID): the answer has no access_token"],
        ["200 with an access_token that is not text", { status: 200, body: '{"access_token":42,"token_type":"Bearer"}' }, "malformed",
            "Creatio Identity Service token (CREATIO_API_CLIENT_ID): the answer has no access_token"],
    ] as const) {
        it(`an answer ${label}: ${outcome}, nothing read`, async () => {
            await withCreatio({ intercept: token(answer) }, async server => {
                const err = await rejects(signIn(creatioTarget(server.url, server.ca), OAUTH(server.identityUrl)), outcome, message);
                assert.ok(!err.message.includes(API_SECRET));
                assert.strictEqual(server.requests.length, 1);
            });
        });
    }
});

describe("Creatio client: a write that goes wrong", () => {
    const unknown = "the change may or may not have been written";

    it("a Creatio gone before the PATCH: unreachable, and the write's fate unknown", async () => {
        const server = await startCreatioServer({ users: { [USER]: PASSWORD }, oauthApplications: [m365Record()] });
        const session = await signIn(creatioTarget(server.url, server.ca), FORMS);
        await server.close();
        const err = await rejects(session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET }), "unreachable",
            new RegExp(`^could not reach ${server.url.replace(/\./g, "\\.")}: .*ECONNREFUSED.*; ${unknown}$`));
        assert.ok(!err.message.includes(NEW_SECRET));
    });

    it("a PATCH is not sent on a kept connection, which the server may close as the PATCH goes out", async () => {
        // A server that closes an idle kept-alive connection without a Keep-Alive hint (a proxy's idle
        // timeout) can close it just as the client sends on it: Node's request.reusedSocket documentation
        // (doc/api/http.md) names this ECONNRESET. Here the server closes it on the next request it reads.
        const pems = await certificateFor("creatio-stand-in");
        const served = new WeakSet<object>();
        const received: string[] = [];
        const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
            received.push(`${req.method} ${served.has(req.socket) ? "kept" : "new"}`);
            if (served.has(req.socket)) {
                req.socket.destroy();
                return;
            }
            served.add(req.socket);
            req.resume().on("end", () => {
                const a = req.method === "PATCH" ? { status: 204 } : signedIn([".ASPXAUTH=auth-1; path=/", "BPMCSRF=csrf-1; path=/"]);
                res.writeHead(a.status, "headers" in a ? a.headers : {});
                res.end("body" in a ? a.body : undefined);
            });
        });
        await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
            const session = await signIn(creatioTarget(url, pems.cert), FORMS);
            await session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET });
            assert.deepStrictEqual(received, ["POST new", "PATCH new"]);
        } finally {
            server.closeAllConnections();
            await new Promise(resolve => server.close(resolve));
        }
    });

    it("a PATCH never answered: unreachable after the timeout, and the write's fate unknown", async () => {
        await withCreatio({ oauthApplications: [m365Record()], intercept: r => r.method === "PATCH" ? "silence" : undefined },
            async server => {
                const session = await signIn(creatioTarget(server.url, server.ca, 300), FORMS);
                await rejects(session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT }), "unreachable",
                    `no answer from ${server.url} within 0.3 s; ${unknown}`);
            });
    });

    it("a site address that is no URL fails before anything is sent, not as a write of unknown fate", async () => {
        const session = new CreatioSession({ siteBaseUrl: "not a url", netCore: false, timeoutMs: 1000 }, {});
        const err = await session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT }).then(() => assert.fail("expected a failure"),
            (e: unknown) => e);
        assert.ok(!(err instanceof CreatioError), String(err));
        assert.ok(err instanceof TypeError, String(err));
    });

    it("a PATCH answered with a redirect (300) is a refusal, not a write of unknown fate", async () => {
        await withCreatio({ oauthApplications: [m365Record()], intercept: r => r.method === "PATCH" ? { status: 300 } : undefined },
            async server => {
                const session = await signIn(creatioTarget(server.url, server.ca), FORMS);
                await rejects(session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT }), "refused",
                    `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 300`);
            });
    });
});

describe("Creatio client: nothing left behind", () => {
    it("an answered call leaves no timer running", async () => {
        await withCreatio({}, async server => {
            const before = timers();
            await signIn(creatioTarget(server.url, server.ca, 20_000), FORMS);
            assert.ok(timers() <= before, `${timers()} timers pending, ${before} before the call`);
        });
    });

    it("a call that could not connect leaves no timer running", async () => {
        const server = await startCreatioServer();
        await server.close();
        const before = timers();
        await rejects(signIn(creatioTarget(server.url, server.ca, 20_000), FORMS), "unreachable", /ECONNREFUSED/);
        assert.ok(timers() <= before, `${timers()} timers pending, ${before} before the call`);
    });

    it("a call that timed out closes its connection", async () => {
        const server = await startScripted(() => "silence");
        try {
            await rejects(signIn(creatioTarget(server.url, server.ca, 300), FORMS), "unreachable", `no answer from ${server.url} within 0.3 s`);
            let open = await server.connections();
            for (let i = 0; i < 50 && open > 0; i++) { // at most 1 s
                await new Promise(resolve => setTimeout(resolve, 20));
                open = await server.connections();
            }
            assert.strictEqual(open, 0);
        } finally {
            await server.close();
        }
    });
});

describe("Creatio client against a stand-in", () => {
    let server: CreatioServer;
    beforeEach(async () => { server = await startCreatioWithApplications(); });
    afterEach(() => server.close());

    it("signs in with forms authentication and sends the cookies and the BPMCSRF header on OData calls", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        const records = await session.query(OAUTH_APPLICATIONS, { select: ["Id", "Name", "ClientId"] });
        assert.deepStrictEqual(records.map(r => r.Id), [APP_ID, GOOGLE_APP_ID]);

        const [login, get] = server.requests;
        // Creatio "AuthService.svc web service": POST .../ServiceModel/AuthService.svc/Login, ForceUseSession: true
        assert.strictEqual(login.method, "POST");
        assert.strictEqual(login.path, "/ServiceModel/AuthService.svc/Login");
        assert.strictEqual(login.headers["content-type"], "application/json");
        assert.strictEqual(login.headers.forceusesession, "true");
        assert.deepStrictEqual(JSON.parse(login.body), { UserName: USER, UserPassword: PASSWORD });

        // Creatio "odata web service (OData 4)": Accept, Content-Type with IEEE754Compatible, ForceUseSession, BPMCSRF
        assert.strictEqual(get.method, "GET");
        assert.strictEqual(get.path, "/0/odata/OAuthApplications?%24select=Id%2CName%2CClientId");
        assert.strictEqual(get.headers.accept, "application/json");
        assert.strictEqual(get.headers["content-type"], "application/json; charset=utf-8; IEEE754Compatible=true");
        assert.strictEqual(get.headers.forceusesession, "true");
        assert.strictEqual(get.headers.bpmcsrf, "csrf-1");
        assert.strictEqual(get.headers.cookie, "BPMLOADER=loader-1; .ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1; UserName=Deliverer");
        assert.strictEqual(get.headers.authorization, undefined);
    });

    it("is refused by the stand-in without the BPMCSRF header", async () => {
        // Creatio "Authentication": the CSRF token of the BPMCSRF cookie must be in the request header.
        await signIn(serverTarget(server), FORMS);
        const res = await fetchWithCa(server, `${server.url}/0/odata/OAuthApplications`, {
            "Cookie": ".ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1", "Accept": "application/json",
        });
        assert.strictEqual(res, 401);
        const withHeader = await fetchWithCa(server, `${server.url}/0/odata/OAuthApplications`, {
            "Cookie": ".ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1", "BPMCSRF": "csrf-1", "Accept": "application/json",
        });
        assert.strictEqual(withHeader, 200);
    });

    it("reports wrong Creatio credentials with Creatio's message, without the password", async () => {
        const err = await rejects(signIn(serverTarget(server), { kind: "forms", userName: USER, password: "wrong-pass" }), "refused",
            "Creatio refused the sign-in of CREATIO_USERNAME (Code 1): Invalid username or password specified");
        assert.ok(!err.message.includes("wrong-pass"));
    });

    it("signs in with an Identity Service token and sends it as Bearer", async () => {
        const session = await signIn(serverTarget(server),
            { kind: "oauth", identityUrl: server.identityUrl, clientId: API_CLIENT, clientSecret: API_SECRET });
        await session.query(OAUTH_APPLICATIONS, { select: ["Id"] });
        const [token, get] = server.requests;
        // Creatio "Authorize external requests using client credentials grant": POST <Identity Service URL>/connect/token
        assert.strictEqual(token.method, "POST");
        assert.strictEqual(token.path, "/identity/connect/token");
        assert.strictEqual(token.headers["content-type"], "application/x-www-form-urlencoded");
        // RFC 6749 4.4.2: grant_type=client_credentials; Creatio: client_id and client_secret form fields
        assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(token.body)),
            { grant_type: "client_credentials", client_id: API_CLIENT, client_secret: API_SECRET });
        assert.strictEqual(get.headers.authorization, "Bearer token-1");
        assert.strictEqual(get.headers.bpmcsrf, undefined);
    });

    it("reports a wrong Identity Service client", async () => {
        const err = await rejects(signIn(serverTarget(server),
            { kind: "oauth", identityUrl: server.identityUrl, clientId: API_CLIENT, clientSecret: "nope-secret" }), "refused",
        "Creatio's Identity Service refused CREATIO_API_CLIENT_ID: invalid_client");
        assert.ok(!err.message.includes("nope-secret"));
    });

    it("patches ClientId and SecretKey of one record, expecting 204; the stand-in moves ModifiedOn on", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        const started = Date.now();
        await session.patch(OAUTH_APPLICATIONS, APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET });
        const patch = server.requests.at(-1)!;
        assert.strictEqual(patch.method, "PATCH");
        assert.strictEqual(patch.path, `/0/odata/OAuthApplications(${APP_ID})`);
        assert.strictEqual(patch.headers.bpmcsrf, "csrf-1");
        assert.deepStrictEqual(JSON.parse(patch.body), { ClientId: CLIENT, SecretKey: NEW_SECRET });
        const { ModifiedOn, ...stored } = server.oauthApplications[0];
        assert.deepStrictEqual(stored, { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT, SecretKey: NEW_SECRET, AppClassName: M365_CLASS });
        // BaseEntitySchema.CrtCoreBase.cs: ModifiedOn, a DateTime column of every BaseEntity
        assert.ok(Date.parse(ModifiedOn!) >= started, ModifiedOn);
        assert.deepStrictEqual((await readBack(session, APP_ID))!.modifiedOn, ModifiedOn);
    });

    it("the stand-in refuses a property the entity does not have (400), as an OData 4 service does", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        await rejects(session.patch(OAUTH_APPLICATIONS, APP_ID, { ClientId: CLIENT, Secret: NEW_SECRET }), "refused",
            `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 400`);
        assert.strictEqual(server.oauthApplications[0].ClientId, CLIENT.toUpperCase());
        assert.strictEqual(server.oauthApplications[0].ModifiedOn, undefined);
    });

    it("the stand-in's dropWrites answers 204 and keeps the record, ModifiedOn included", async () => {
        const dropping = await startCreatioServer({ users: { [USER]: PASSWORD }, oauthApplications: applications(), dropWrites: true });
        try {
            const session = await signIn(serverTarget(dropping), FORMS);
            await session.patch(OAUTH_APPLICATIONS, APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET });
            assert.deepStrictEqual(await readBack(session, APP_ID), M365_RECORD);
            assert.strictEqual(dropping.oauthApplications[0].SecretKey, "old");
        } finally {
            await dropping.close();
        }
    });

    it("says which OData form is wrong when the site is .NET Core", async () => {
        const core = await startCreatioServer({ netCore: true, users: { [USER]: PASSWORD }, oauthApplications: applications() });
        try {
            const wrong = await signIn(serverTarget(core, false), FORMS);
            await rejects(wrong.query(OAUTH_APPLICATIONS, { select: ["Id"] }), "misconfigured",
                `reading OAuthApplications from Creatio: HTTP 404 at ${core.url}/0/odata/OAuthApplications ` +
                "(check the site URL and the netCore setting of the stack)");
            const right = await signIn(serverTarget(core, true), FORMS);
            assert.strictEqual((await right.query(OAUTH_APPLICATIONS, { select: ["Id"] })).length, 2);
            assert.strictEqual(core.requests.at(-1)!.path, "/odata/OAuthApplications?%24select=Id");
        } finally {
            await core.close();
        }
    });

    for (const [status, outcome, text, patchOutcome, patchText] of [
        [401, "refused", "HTTP 401 (not signed in: the session or token was not accepted)", "refused",
            `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 401 (not signed in: the session or token was not accepted)`],
        // Creatio 8.2 system-operation reference: "Access to OData", code CanUseODataService
        [403, "refused", `HTTP 403 (${ODATA_403})`, "refused",
            `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 403 (${ODATA_403})`],
        [500, "unreachable", "HTTP 500", "unreachable",
            `Creatio did not confirm the change of OAuthApplications ${APP_ID}: HTTP 500; the change may or may not have been written`],
        [502, "unreachable", "HTTP 502", "unreachable",
            `Creatio did not confirm the change of OAuthApplications ${APP_ID}: HTTP 502; the change may or may not have been written`],
        [400, "refused", "HTTP 400", "refused", `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 400`],
        [200, "malformed", 'the answer has no "value" list', "refused", `Creatio answered the change of OAuthApplications ${APP_ID} ` +
            "with HTTP 200, not the 204 its documentation gives; the change may or may not have been written"],
    ] as const) {
        it(`reports ${status} on a read and on a write`, async () => {
            const failing = await startCreatioServer({
                users: { [USER]: PASSWORD }, oauthApplications: applications(), failures: { get: status, patch: status },
            });
            try {
                const session = await signIn(serverTarget(failing), FORMS);
                await rejects(session.query(OAUTH_APPLICATIONS, { select: ["Id"] }), outcome,
                    `reading OAuthApplications from Creatio: ${text}`);
                // Only 204 is an accepted write; no answer or a 5xx leaves it open whether the write was stored.
                const err = await rejects(session.patch(OAUTH_APPLICATIONS, APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET }),
                    patchOutcome, patchText);
                assert.ok(!err.message.includes(NEW_SECRET));
            } finally {
                await failing.close();
            }
        });
    }

    it("reports a write to a record that does not exist as a wrong address (404)", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        const missing = GOOGLE_APP_ID.replace("1", "0");
        await rejects(session.patch(OAUTH_APPLICATIONS, missing, { ClientId: CLIENT }), "misconfigured",
            `Creatio did not accept the change of OAuthApplications ${missing}: HTTP 404 at ` +
            `${server.url}/0/odata/OAuthApplications(${missing}) (no such record at this address)`);
    });

    it("gives up on a Creatio that never answers, and on one that is down", async () => {
        const silent = await startCreatioServer({ answer: "silence" });
        try {
            const started = Date.now();
            await rejects(signIn(serverTarget(silent, false, 500), FORMS), "unreachable",
                `no answer from ${silent.url} within 0.5 s`);
            assert.ok(Date.now() - started < 5000);
        } finally {
            await silent.close();
        }
        const down = await startCreatioServer();
        await down.close();
        await rejects(signIn(serverTarget(down), FORMS), "unreachable",
            new RegExp(`^could not reach ${down.url.replace(/\./g, "\\.")}: .*ECONNREFUSED`));
    });

    it("does not trust a certificate it was not given: a set-up problem, naming NODE_EXTRA_CA_CERTS", async () => {
        await rejects(signIn({ ...serverTarget(server), trustedCa: undefined }, FORMS),
            "misconfigured", `the TLS certificate of ${new URL(server.url).host} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): a ` +
            "certificate from a private CA needs that CA's certificate in NODE_EXTRA_CA_CERTS (a PEM file); an expired one, or " +
            "one made for another host, must be replaced on the site");
    });

});

/** A raw request to the stand-in, to check its own refusals. */
async function fetchWithCa(server: CreatioServer, url: string, headers: Record<string, string>): Promise<number> {
    const https = await import("https");
    return new Promise((resolve, reject) => {
        https.get(url, { headers, ca: server.ca, agent: false }, res => {
            res.resume();
            resolve(res.statusCode ?? 0);
        }).on("error", reject);
    });
}
