/**
 * The failure paths of deliver's Creatio client, record choice and command that the other tests
 * leave untried: each test here fails when the behaviour it names is changed.
 */
import * as assert from "assert";
import * as https from "https";
import type { AddressInfo } from "net";
import { CreatioError, CreatioSession, signIn } from "../../../ops/creatio/client.ts";
import { API_CLIENT, API_SECRET, APP_ID, CLIENT, FORMS, NEW_SECRET, PASSWORD, USER, creatioTarget, m365Record, rejects, withCreatio } from "../../creatioFixtures.ts";
import { certificateFor } from "../../fakes/certificates.ts";
import { startCreatioServer } from "../../fakes/creatioServer.ts";


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
