/**
 * The failure paths of deliver's Creatio client, record choice and command that the other tests
 * leave untried: each test here fails when the behaviour it names is changed.
 */
import * as assert from "assert";
import * as https from "https";
import { AddressInfo } from "net";
import { CreatioError, CreatioSession, CreatioTarget, signIn } from "../ops/creatioClient";
import { OAuthApplicationRecord, findByMailServer, findTargets, listApplications } from "../ops/creatioRecords";
import { creatioCredentialsFromEnv, deliverCommand, main } from "../ops/deliver";
import { requestToken } from "../ops/verify";
import { M365_CLASS, rejects } from "./creatioFixtures";
import { certificateFor } from "./fakes/certificates";
import { CommandResult, FakeStack, runInProcess } from "./fakes/commands";
import { CreatioServer, CreatioServerOptions, DEFAULT_MODIFIED_ON, FakeOAuthApplication, startCreatioServer } from "./fakes/creatioServer";
import { TokenServer, startTokenServer } from "./fakes/tokenServer";

const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const TENANT = "72f988bf-0000-4000-8000-000000000001";
const KEY_ID = "0e4f6d2a-1111-4222-8333-444455556666";
const NEW_SECRET = "Zx8Q~new-secret-value";
const USER = "Deliverer";
const PASSWORD = "creatio-password-1";
const API_CLIENT = "3e7b0d6a5c2f4a8e";
const API_SECRET = "identity-secret-2";
const APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const MAIL_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const OTHER_MAIL_ID = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";
const FORMS = { kind: "forms", userName: USER, password: PASSWORD } as const;
const FORMS_ENV = { CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD };

function m365Record(overrides: Partial<FakeOAuthApplication> = {}): FakeOAuthApplication {
    return { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT, SecretKey: "old", AppClassName: M365_CLASS, ...overrides };
}

function target(url: string, ca: string, timeoutMs = 5000): CreatioTarget {
    return { siteBaseUrl: url, netCore: false, timeoutMs, trustedCa: ca };
}

async function withCreatio<T>(options: CreatioServerOptions, body: (server: CreatioServer) => Promise<T>): Promise<T> {
    const server = await startCreatioServer({ users: { [USER]: PASSWORD }, apiClients: { [API_CLIENT]: API_SECRET }, ...options });
    try {
        return await body(server);
    } finally {
        await server.close();
    }
}

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
            await rejects(signIn(target(server.url, server.ca), FORMS), "malformed",
                "Creatio sign-in (CREATIO_USERNAME): the answer is not JSON (HTTP 200)");
        });
    });

    for (const body of ["42", '"signed in"', "true"]) {
        it(`an answer that is JSON but no object (${body}): malformed, saying so`, async () => {
            await withCreatio({ intercept: login({ status: 200, body }) }, async server => {
                await rejects(signIn(target(server.url, server.ca), FORMS), "malformed",
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
                await rejects(signIn(target(server.url, server.ca), FORMS), outcome, `Creatio sign-in (CREATIO_USERNAME): ${text}`);
            });
        });
    }

    for (const message of ["", null, 42]) {
        it(`a refusal whose Message is ${JSON.stringify(message)}: the code alone`, async () => {
            const body = JSON.stringify({ Code: 1, Message: message, Exception: null, PasswordChangeUrl: null, RedirectUrl: null });
            await withCreatio({ intercept: login({ status: 200, body }) }, async server => {
                await rejects(signIn(target(server.url, server.ca), FORMS), "refused",
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
                await rejects(signIn(target(server.url, server.ca), FORMS), "refused",
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
            const session = await signIn(target(server.url, server.ca), FORMS);
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
            await signIn(target(server.url, server.ca), OAUTH(server.identityUrl));
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
                const err = await rejects(signIn(target(server.url, server.ca), OAUTH(server.identityUrl)), outcome, message);
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
        const session = await signIn(target(server.url, server.ca), FORMS);
        await server.close();
        const err = await rejects(session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET }), "unreachable",
            new RegExp(`^could not reach ${server.url.replace(/\./g, "\\.")}: .*ECONNREFUSED.*; ${unknown}$`));
        assert.ok(!err.message.includes(NEW_SECRET));
    });

    it("a PATCH never answered: unreachable after the timeout, and the write's fate unknown", async () => {
        await withCreatio({ oauthApplications: [m365Record()], intercept: r => r.method === "PATCH" ? "silence" : undefined },
            async server => {
                const session = await signIn(target(server.url, server.ca, 300), FORMS);
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
                const session = await signIn(target(server.url, server.ca), FORMS);
                await rejects(session.patch("OAuthApplications", APP_ID, { ClientId: CLIENT }), "refused",
                    `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 300`);
            });
    });
});

describe("Creatio client: nothing left behind", () => {
    it("an answered call leaves no timer running", async () => {
        await withCreatio({}, async server => {
            const before = timers();
            await signIn(target(server.url, server.ca, 20_000), FORMS);
            assert.ok(timers() <= before, `${timers()} timers pending, ${before} before the call`);
        });
    });

    it("a call that could not connect leaves no timer running", async () => {
        const server = await startCreatioServer();
        await server.close();
        const before = timers();
        await rejects(signIn(target(server.url, server.ca, 20_000), FORMS), "unreachable", /ECONNREFUSED/);
        assert.ok(timers() <= before, `${timers()} timers pending, ${before} before the call`);
    });

    it("a call that timed out closes its connection", async () => {
        const server = await startScripted(() => "silence");
        try {
            await rejects(signIn(target(server.url, server.ca, 300), FORMS), "unreachable", `no answer from ${server.url} within 0.3 s`);
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

describe("choosing the record: the cases the lists and refusals must get right", () => {
    const record = (overrides: Partial<OAuthApplicationRecord>): OAuthApplicationRecord => ({
        id: APP_ID, name: "Microsoft 365", clientId: CLIENT, appClassName: M365_CLASS, modifiedOn: DEFAULT_MODIFIED_ON, ...overrides,
    });

    it("says so when Creatio has no OAuthApplications record at all", async () => {
        assert.strictEqual(listApplications([]), "  (no OAuthApplications records)");
        await withCreatio({ oauthApplications: [] }, async server => {
            const session = await signIn(target(server.url, server.ca), FORMS);
            await assert.rejects(findTargets(session, CLIENT, []), {
                name: "RecordSelectionError",
                message: `no OAuthApplications record in Creatio has ClientId ${CLIENT}; pass --mail-server <name or id of the ` +
                    "Microsoft 365 mail server> (once for each mail server) to update the record that mail server uses. Records found:\n" +
                    "  (no OAuthApplications records)",
            });
        });
    });

    it("lists a record with an empty ClientId as (empty)", () => {
        assert.strictEqual(listApplications([record({ clientId: "" })]), `  ${APP_ID}  "Microsoft 365"  ClientId (empty)`);
    });

    it("reads a column Creatio leaves out as empty text", async () => {
        const { Name: _, ...nameless } = m365Record();
        await withCreatio({ oauthApplications: [nameless as FakeOAuthApplication] }, async server => {
            const session = await signIn(target(server.url, server.ca), FORMS);
            assert.deepStrictEqual(await findTargets(session, CLIENT, []), [{ record: record({ name: "" }), reasons: ["ClientId matches"] }]);
        });
    });

    /** The refusal of findByMailServer(name) against a stand-in with these mail servers, and the paths it read. */
    async function mailServerRefusal(mailServers: unknown[], mailServer: string,
        oauthApplications = [m365Record()]): Promise<{ message: string; paths: string[] }> {
        return withCreatio({ oauthApplications, mailServers: mailServers as CreatioServerOptions["mailServers"] }, async server => {
            const session = await signIn(target(server.url, server.ca), FORMS);
            const err = await findByMailServer(session, mailServer).then(() => assert.fail("expected a refusal"), (e: unknown) => e);
            assert.ok(err instanceof Error && err.name === "RecordSelectionError", String(err));
            return { message: err.message, paths: server.requests.slice(1).map(r => decodeURIComponent(r.path)) };
        });
    }

    it("two mail servers of the same name: lists just those two, one per line, and asks for the id", async () => {
        const { message, paths } = await mailServerRefusal([
            { Id: MAIL_ID, Name: "Mail", OAuthApplicationId: APP_ID },
            { Id: OTHER_MAIL_ID, Name: "Mail", OAuthApplicationId: APP_ID },
            { Id: "cccccccc-bbbb-4ccc-8ddd-eeeeeeeeeeee", Name: "Other", OAuthApplicationId: APP_ID },
        ], "Mail");
        assert.strictEqual(message, '2 MailServer records in Creatio are named "Mail"; pass --mail-server with the id of one of ' +
            `them:\n  ${MAIL_ID}  "Mail"\n  ${OTHER_MAIL_ID}  "Mail"`);
        assert.deepStrictEqual(paths, ["/0/odata/MailServer?$filter=Name eq 'Mail'&$select=Id,Name,OAuthApplicationId"]);
    });

    it("no mail server at all, or one without a name: says so in the list", async () => {
        const none = await mailServerRefusal([], "Microsoft 365");
        assert.strictEqual(none.message, 'no MailServer in Creatio is named or has the id "Microsoft 365"; pass --mail-server with ' +
            "one of these names or ids:\n  (no MailServer records)");
        assert.deepStrictEqual(none.paths, ["/0/odata/MailServer?$filter=Name eq 'Microsoft 365'&$select=Id,Name,OAuthApplicationId",
            "/0/odata/MailServer?$select=Id,Name"]);
        const nameless = await mailServerRefusal([{ Id: MAIL_ID, OAuthApplicationId: APP_ID }], "Microsoft 365");
        assert.strictEqual(nameless.message, 'no MailServer in Creatio is named or has the id "Microsoft 365"; pass --mail-server ' +
            `with one of these names or ids:\n  ${MAIL_ID}  ""`);
    });

    // Not proven which of the two a Creatio sends for a mail server without an OAuth application: both are refused.
    for (const [label, applicationId] of [["the empty Guid", EMPTY_GUID], ["no value", undefined]] as const) {
        it(`a mail server whose OAuth application is ${label}: refused, saying what to set in Creatio, nothing else read`, async () => {
            const { message, paths } = await mailServerRefusal([{ Id: MAIL_ID, OAuthApplicationId: applicationId }], MAIL_ID);
            assert.strictEqual(message, 'MailServer "" has no OAuth application: choose OAuth authentication in its settings in ' +
                "Creatio first");
            assert.strictEqual(paths.length, 1);
        });
    }

    it("a mail server pointing to a record this user cannot read: refused, naming both", async () => {
        const { message } = await mailServerRefusal([{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
            "Microsoft 365", []);
        assert.strictEqual(message, `MailServer "Microsoft 365" points to OAuthApplications ${APP_ID}, which this Creatio user ` +
            "cannot read");
    });
});

describe("npm run deliver: the cases the command must get right", () => {
    let entra: TokenServer;
    let entraClients: Record<string, string>;
    let sleeps: number[];

    function stack(siteBaseUrl: string): FakeStack {
        return {
            outputs: {
                clientId: CLIENT, clientSecret: NEW_SECRET, tenantId: TENANT, siteBaseUrl, netCore: false,
                clientSecretKeyId: KEY_ID, previousClientSecretKeyId: "7d7d7d7d-0000-4000-8000-000000000007",
            },
            secrets: ["clientSecret"],
        };
    }

    /** deliver against this Creatio stand-in, waits recorded instead of made. */
    function deliver(server: CreatioServer, argv: string[], env: Record<string, string> = FORMS_ENV): Promise<CommandResult> {
        const command = deliverCommand({ sleep: async ms => { sleeps.push(ms / 1000); }, requestToken });
        return runInProcess("deliver", command, ["--stack", "dev", "--authority-host", entra.url, ...argv],
            { dev: stack(server.url) }, { env: { CREATIO_SITE_URL: server.url, ...env }, trustedCa: `${entra.ca}\n${server.ca}` });
    }

    function creatio(oauthApplications: FakeOAuthApplication[], options: CreatioServerOptions = {}) {
        return (body: (server: CreatioServer) => Promise<void>) => withCreatio({
            oauthApplications, mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }], ...options,
        }, body);
    }

    /** Answers the second OData GET (the read-back after the write) with this record. */
    function readBackAs(record: Record<string, string>) {
        let gets = 0;
        return (r: { method: string; path: string }) => r.method === "GET" && r.path.includes("/odata/") && gets++ === 1
            ? { status: 200, body: JSON.stringify({ value: [record] }) } : undefined;
    }

    beforeEach(async () => {
        sleeps = [];
        entraClients = { [CLIENT]: NEW_SECRET };
        entra = await startTokenServer(TENANT, entraClients);
    });
    afterEach(() => entra.close());

    it("shows the whole usage on a usage error", async () => {
        const result = await runInProcess("deliver", main, [], {}, { env: FORMS_ENV });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "deliver: --stack is required (usage: npm run -s deliver -- --stack <name> " +
            "[--slot a|b] [--mail-server <name or id>]... [--dry-run] [--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] " +
            "[--secret-wait-seconds 120] [--pulumi-timeout-seconds 120])\n");
    });

    for (const value of ["", "   "]) {
        it(`refuses --mail-server ${JSON.stringify(value)} before anything is read (exit 2)`, async () => {
            await creatio([m365Record()])(async server => {
                const result = await deliver(server, ["--mail-server", value]);
                assert.strictEqual(result.code, 2);
                assert.strictEqual(result.stderr,
                    "deliver: --mail-server is empty: give the name or id of Creatio's Microsoft 365 mail server\n");
                assert.deepStrictEqual(result.pulumiCalls, []);
                assert.deepStrictEqual(server.requests, []);
            });
        });
    }

    it("--secret-wait-seconds 0: one attempt, and the refusal does not speak of a wait", async () => {
        entraClients[CLIENT] = "another-secret";
        await creatio([m365Record()])(async server => {
            const result = await deliver(server, ["--secret-wait-seconds", "0"]);
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stderr, "deliver: nothing delivered: Entra ID rejects the stack's newest secret: " +
                "AADSTS7000215 (invalid client secret)\n");
            assert.deepStrictEqual(sleeps, []);
            assert.strictEqual(entra.tokenRequests.length, 1);
            assert.deepStrictEqual(server.requests, []);
        });
    });

    it("waits for real between attempts when no test replaces the wait", async function () {
        this.timeout(10_000);
        entraClients[CLIENT] = "another-secret";
        await creatio([m365Record()])(async server => {
            const started = Date.now();
            const result = await runInProcess("deliver", main, ["--stack", "dev", "--authority-host", entra.url,
                "--secret-wait-seconds", "1"], { dev: stack(server.url) }, { env: { ...FORMS_ENV, CREATIO_SITE_URL: server.url }, trustedCa: `${entra.ca}\n${server.ca}` });
            const elapsed = Date.now() - started;
            assert.strictEqual(result.stderr, "deliver: nothing delivered: Entra ID rejects the stack's newest secret: " +
                "AADSTS7000215 (invalid client secret), still after 1 s\n");
            assert.strictEqual(entra.tokenRequests.length, 2);
            assert.ok(elapsed >= 1000, `${elapsed} ms`);
        });
    });

    it("a record whose Id is not a Guid: exit 1, nothing written", async () => {
        await creatio([m365Record({ Id: "42" })])(async server => {
            const result = await deliver(server, []);
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr, "deliver: OAuthApplications answered a record without a Guid Id\n");
            assert.ok(!server.requests.some(r => r.method === "PATCH"));
        });
    });

    it("a ClientId that differs only by spaces around it shows as unchanged", async () => {
        await creatio([m365Record({ ClientId: ` ${CLIENT} ` })])(async server => {
            const result = await deliver(server, ["--dry-run"]);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.ok(result.stdout.includes(`(ClientId matches); ClientId unchanged; would write`), result.stdout);
        });
    });

    it("an empty ClientId shows as (empty) in the change", async () => {
        await creatio([m365Record({ ClientId: "" })])(async server => {
            const result = await deliver(server, ["--mail-server", "Microsoft 365", "--dry-run"]);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.ok(result.stdout.includes(`(mail server "Microsoft 365"); ClientId (empty) -> ${CLIENT}; would write`), result.stdout);
            // no mailbox can have signed in through a record without a Client ID: nothing to warn of
            assert.strictEqual(result.stderr, "");
        });
    });

    it("a ClientId read back in upper case with a space after it confirms the write", async () => {
        const readBack = { Id: APP_ID, Name: "Microsoft 365", ClientId: `${CLIENT.toUpperCase()} `, AppClassName: M365_CLASS,
            ModifiedOn: "2030-01-01T00:00:00Z" };
        await creatio([m365Record()], { intercept: readBackAs(readBack) })(async server => {
            const result = await deliver(server, []);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.deepStrictEqual(result.state.stacks.dev.tags, { "creatio-delivered-key-id": KEY_ID });
        });
    });

    it("an empty ClientId read back: exit 1, shown as (empty), no tag", async () => {
        const readBack = { Id: APP_ID, Name: "Microsoft 365", ClientId: "", AppClassName: M365_CLASS, ModifiedOn: "2030-01-01T00:00:00Z" };
        await creatio([m365Record()], { intercept: readBackAs(readBack) })(async server => {
            const result = await deliver(server, []);
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr, `deliver: Creatio answered 204 but OAuthApplications ${APP_ID} reads back ClientId ` +
                `(empty), not ${CLIENT}: the write was not stored as sent, no stack tag set\n`);
            assert.strictEqual(result.state.stacks.dev.tags, undefined);
        });
    });

    it("takes CREATIO_IDENTITY_URL with trailing slashes as the same address", async () => {
        await creatio([m365Record()])(async server => {
            const result = await deliver(server, ["--dry-run"], {
                CREATIO_IDENTITY_URL: `${server.identityUrl}//`, CREATIO_API_CLIENT_ID: API_CLIENT, CREATIO_API_CLIENT_SECRET: API_SECRET,
            });
            assert.strictEqual(result.code, 0, result.stderr);
            // Creatio "Authorize external requests using client credentials grant": POST <Identity Service URL>/connect/token
            assert.strictEqual(server.requests[0].path, "/identity/connect/token");
        });
    });

    it("refuses a CREATIO_IDENTITY_URL that is no URL (exit 2)", async () => {
        await creatio([m365Record()])(async server => {
            const result = await deliver(server, [], { CREATIO_IDENTITY_URL: "acme-is", CREATIO_API_CLIENT_ID: API_CLIENT,
                CREATIO_API_CLIENT_SECRET: API_SECRET });
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stderr, 'deliver: CREATIO_IDENTITY_URL "acme-is" is not an https URL such as https://acme-is.creatio.com\n');
            assert.deepStrictEqual(server.requests, []);
        });
    });

    it("reads the credentials of each sign-in from the environment as they are", () => {
        assert.deepStrictEqual(creatioCredentialsFromEnv({ CREATIO_IDENTITY_URL: "https://acme-is.creatio.com/", CREATIO_API_CLIENT_ID: API_CLIENT,
            CREATIO_API_CLIENT_SECRET: API_SECRET }),
        { kind: "oauth", identityUrl: "https://acme-is.creatio.com", clientId: API_CLIENT, clientSecret: API_SECRET });
        assert.deepStrictEqual(creatioCredentialsFromEnv(FORMS_ENV), { kind: "forms", userName: USER, password: PASSWORD });
    });
});
