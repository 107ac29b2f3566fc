/**
 * rotate-now's reads from Microsoft Graph: the key ids of an application's passwords, and where the
 * Graph token comes from (GRAPH_ACCESS_TOKEN, or GitHub's OIDC token exchanged with Entra ID). Every
 * way an answer can fail is named with its exit code; against the token server stand-in.
 */
import * as assert from "assert";
import type * as http from "http";
import { OpsError, USAGE_EXIT_CODE } from "../../../ops/cli.ts";
import { type GraphRequest, NO_GRAPH_IDENTITY, graphOrigin, graphTokenSource, listPasswordKeyIds } from "../../../ops/entra/graphKeyIds.ts";
import { MAX_ANSWER_BYTES } from "../../../ops/httpsClient.ts";
import { eventually } from "../../eventually.ts";
import { type GraphStandIn, type TokenServer, startTokenServer } from "../../fakes/tokenServer.ts";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const APP = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const KEY_A = "0e4f6d2a-1111-4222-8333-444455556666";
const KEY_B = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const CI_CLIENT = "dc0dc0dc-0000-4000-8000-0000000000dc";
const GITHUB_JWT = "eyJ.github-oidc.jwt";
const REQUEST_TOKEN = "gh-request-token";
/** The access token the stand-in issues and Graph's stand-in accepts. */
const ACCESS_TOKEN = "fake.token";

/** The OpsError `promise` rejects with: its message and exit code. */
async function failure(promise: Promise<unknown>): Promise<{ message: string; exitCode: number }> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof OpsError, String(err));
        return { message: err.message, exitCode: err.exitCode };
    }
    throw new assert.AssertionError({ message: "resolved, expected an OpsError" });
}

describe("graphKeyIds: the key ids of an application's passwords", () => {
    let entra: TokenServer;
    /** Whether each intercepted request's connection was closed (the client gave up on it). */
    let closed: boolean[];

    async function start(graph: Partial<GraphStandIn> = {}): Promise<void> {
        entra = await startTokenServer(TENANT, {}, "tokens", { applications: { [APP]: () => [KEY_A] }, ...graph });
    }
    function req(timeoutMs = 2000): GraphRequest {
        return { authorityHost: entra.url, tenantId: TENANT, timeoutMs, trustedCa: entra.ca };
    }
    /** Records the connection's close, then answers as `answer` does. */
    function watching(answer: (req: http.IncomingMessage, res: http.ServerResponse) => ReturnType<NonNullable<GraphStandIn["intercept"]>>) {
        return (request: http.IncomingMessage, response: http.ServerResponse) => {
            const index = closed.push(false) - 1;
            request.socket.on("close", () => (closed[index] = true));
            return answer(request, response);
        };
    }
    const host = () => new URL(entra.url).host;
    const token = async () => ACCESS_TOKEN;

    beforeEach(() => {
        closed = [];
    });
    afterEach(async () => {
        await entra?.close();
    });

    it("reads them with the bearer token, lower-cased, from GET /v1.0/applications/{id}?$select=passwordCredentials", async () => {
        const headers: http.IncomingHttpHeaders[] = [];
        await start({
            applications: { [APP]: () => [KEY_A.toUpperCase(), KEY_B] },
            intercept: request => { headers.push(request.headers); return undefined; },
        });
        assert.deepStrictEqual(await listPasswordKeyIds(token, APP, req()), [KEY_A, KEY_B]);
        // Microsoft Graph "Get application": GET /applications/{id}, $select=passwordCredentials.
        assert.deepStrictEqual(entra.requests, [`GET /v1.0/applications/${APP}?$select=passwordCredentials`]);
        assert.strictEqual(headers[0].authorization, `Bearer ${ACCESS_TOKEN}`);
        assert.strictEqual(headers[0].accept, "application/json");
    });

    it("an application without passwords: no key ids", async () => {
        await start({ applications: { [APP]: () => [] } });
        assert.deepStrictEqual(await listPasswordKeyIds(token, APP, req()), []);
    });

    it("refuses an applicationObjectId that is not a GUID before asking for a token or sending anything", async () => {
        await start();
        let asked = false;
        for (const id of ["not-a-guid", `${APP}/owners`, ""]) {
            const result = await failure(listPasswordKeyIds(async () => { asked = true; return ACCESS_TOKEN; }, id, req()));
            assert.deepStrictEqual(result, { message: `applicationObjectId ${JSON.stringify(id)} is not a GUID`, exitCode: USAGE_EXIT_CODE });
        }
        assert.strictEqual(asked, false);
        assert.deepStrictEqual(entra.requests, []);
    });

    it("Graph's 403: names Application.Read.All, exit 1", async () => {
        // Graph answers 403 Authorization_RequestDenied to an identity without the permission ("Error responses").
        await start({ forbidden: true });
        assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req())), {
            message: `Microsoft Graph answered HTTP 403 (Authorization_RequestDenied) to reading the key ids of application ${APP}: ` +
                "the identity needs Application.Read.All",
            exitCode: 1,
        });
    });

    it("Graph's 404 and 401: exit 1, the code without the permission hint", async () => {
        await start({ applications: {} });
        assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req())), {
            message: `Microsoft Graph answered HTTP 404 (Request_ResourceNotFound) to reading the key ids of application ${APP}`,
            exitCode: 1,
        });
        assert.deepStrictEqual(await failure(listPasswordKeyIds(async () => "other.token", APP, req())), {
            message: `Microsoft Graph answered HTTP 401 (InvalidAuthenticationToken) to reading the key ids of application ${APP}`,
            exitCode: 1,
        });
    });

    it("Graph's 5xx: exit 3 (try again), from 500 on", async () => {
        let status = 500;
        // Graph's error shape: { error: { code, message } }; "UnknownError" is its code for a 500 ("Error responses").
        await start({ intercept: () => ({ status, body: { error: { code: "UnknownError", message: "" } } }) });
        assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req())), {
            message: `Microsoft Graph answered HTTP 500 (UnknownError) to reading the key ids of application ${APP}`,
            exitCode: 3,
        });
        status = 499;
        assert.strictEqual((await failure(listPasswordKeyIds(token, APP, req()))).exitCode, 1);
    });

    it("shows Graph's error code printable and cut at 80 characters, or says there is none", async () => {
        let answer: { status: number; body?: unknown; raw?: string } = { status: 400, body: { error: { code: `Bad\u001b[31m\n${"x".repeat(100)}` } } };
        await start({ intercept: () => answer });
        const prefix = "Microsoft Graph answered HTTP";
        const suffix = `to reading the key ids of application ${APP}`;
        assert.strictEqual((await failure(listPasswordKeyIds(token, APP, req()))).message,
            `${prefix} 400 (${`Bad\uFFFD[31m\uFFFD${"x".repeat(100)}`.slice(0, 80)}) ${suffix}`);
        for (const body of [{ error: { code: 7 } }, { error: "denied" }, {}, [], null]) {
            answer = { status: 503, raw: JSON.stringify(body) };
            assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req())),
                { message: `${prefix} 503 (no error code) ${suffix}`, exitCode: 3 }, JSON.stringify(body));
        }
    });

    it("a 200 without a list of passwordCredentials with GUID key ids: exit 1", async () => {
        let body: unknown = {};
        await start({ intercept: () => ({ status: 200, raw: JSON.stringify(body) }) });
        const message = `Microsoft Graph's answer for application ${APP} has no list of passwordCredentials with key ids`;
        for (body of [{}, null, { passwordCredentials: null }, { passwordCredentials: { keyId: KEY_A } },
            { passwordCredentials: [{ keyId: KEY_A }, { keyId: "not-a-guid" }] }, { passwordCredentials: [{ keyId: KEY_A }, {}] },
            { passwordCredentials: [null] }, { passwordCredentials: [{ keyId: `${KEY_A} ` }] }]) {
            assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req())), { message, exitCode: 1 }, JSON.stringify(body));
        }
    });

    it("an answer that is not JSON: exit 3, naming the host and status", async () => {
        // A gateway's HTML error page in front of Graph.
        await start({ intercept: () => ({ status: 502, raw: "<html><body>Bad Gateway</body></html>" }) });
        assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req())),
            { message: `${host()} answered HTTP 502 without a JSON body`, exitCode: 3 });
    });

    it("an answer over 1 MiB, declared or not: exit 3, not read further, the connection closed", async () => {
        const timers: NodeJS.Timeout[] = [];
        let declared = true;
        await start({
            intercept: watching((_request, response) => {
                if (declared) {
                    // Says it is too large up front, then never ends: only the client's hang-up closes it.
                    response.writeHead(200, { "content-type": "application/json", "content-length": String(MAX_ANSWER_BYTES + 1) });
                    response.write("{");
                    return "own";
                }
                // Chunked, no length: 64 KiB at a time, endlessly, until the client hangs up.
                response.writeHead(200, { "content-type": "application/json" });
                const timer = setInterval(() => response.write("x".repeat(64 * 1024)), 1);
                timers.push(timer);
                response.on("close", () => clearInterval(timer));
                return "own";
            }),
        });
        try {
            for (declared of [true, false]) {
                // A timeout far off: the size limit alone ends the request.
                assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req(20_000))),
                    { message: `${entra.url} answered more than 1 MiB; the rest was not read`, exitCode: 3 });
                await eventually("the connection closed", () => closed.length > 0 && closed[closed.length - 1], 1000);
            }
        } finally {
            timers.forEach(clearInterval);
        }
    });

    it("no whole answer within timeoutMs (a slow trickle): exit 3, the request destroyed", async () => {
        const timers: NodeJS.Timeout[] = [];
        await start({
            intercept: watching((_request, response) => {
                response.writeHead(200, { "content-type": "application/json" });
                response.write("{");
                // A byte every 40 ms: the socket is never silent, only the deadline ends it.
                const timer = setInterval(() => response.write(" "), 40);
                timers.push(timer);
                response.on("close", () => clearInterval(timer));
                return "own";
            }),
        });
        const started = Date.now();
        assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, req(250))),
            { message: `no answer from ${host()} within 0.25 s`, exitCode: 3 });
        assert.ok(Date.now() - started >= 240, `${Date.now() - started} ms`);
        await eventually("the connection closed", () => closed[0] === true, 1000);
        timers.forEach(clearInterval);
    });

    it("a silent socket: the socket's own timeout gives up with the same words and closes it", async () => {
        await start({ intercept: watching(() => "own") });
        // The deadline (a global setTimeout) made ten times longer, so that the socket's idle timeout, which
        // Node runs on its own timers, is the one that fires; with equal lengths the deadline always comes first.
        const real = globalThis.setTimeout;
        globalThis.setTimeout = ((fn: () => void, ms?: number) => real(fn, (ms ?? 0) * 10)) as typeof setTimeout;
        const started = Date.now();
        let result;
        try {
            result = await failure(listPasswordKeyIds(token, APP, req(150)));
        } finally {
            globalThis.setTimeout = real;
        }
        assert.deepStrictEqual(result, { message: `no answer from ${host()} within 0.15 s`, exitCode: 3 });
        assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms: the deadline fired, not the socket's timeout`);
        await eventually("the connection closed", () => closed[0] === true, 1000);
    });

    it("a refused connection: could not reach, exit 3", async () => {
        await start();
        const request = req();
        await entra.close();
        const { port } = new URL(entra.url);
        assert.deepStrictEqual(await failure(listPasswordKeyIds(token, APP, request)),
            { message: `could not reach ${host()}: connect ECONNREFUSED 127.0.0.1:${port}`, exitCode: 3 });
    });
});

describe("graphKeyIds: Graph's origin for a sign-in host", () => {
    it("a loopback stand-in serves Graph itself", () => {
        assert.strictEqual(graphOrigin("https://127.0.0.1:8443"), "https://127.0.0.1:8443");
        assert.strictEqual(graphOrigin("https://[::1]:8443/"), "https://[::1]:8443");
    });

    it("each cloud's sign-in host: its Microsoft Graph", () => {
        // learn.microsoft.com/graph/deployments, "Microsoft Graph and Graph Explorer service root endpoints":
        // global https://graph.microsoft.com, US Government (L4) https://graph.microsoft.us, China (21Vianet)
        // https://microsoftgraph.chinacloudapi.cn; sign-in hosts from its "App registration and token service root endpoints".
        assert.strictEqual(graphOrigin("https://login.microsoftonline.com"), "https://graph.microsoft.com");
        assert.strictEqual(graphOrigin("https://login.microsoftonline.us"), "https://graph.microsoft.us");
        assert.strictEqual(graphOrigin("https://login.chinacloudapi.cn"), "https://microsoftgraph.chinacloudapi.cn");
        // Entra's "National clouds" (authentication-national-cloud.md) names China's sign-in host login.partner.microsoftonline.cn.
        assert.strictEqual(graphOrigin("https://login.partner.microsoftonline.cn"), "https://microsoftgraph.chinacloudapi.cn");
    });

    it("any other host (refused earlier by the commands' --authority-host check): the global Graph, never the host itself", () => {
        assert.strictEqual(graphOrigin("https://localhost:8443"), "https://graph.microsoft.com");
        assert.strictEqual(graphOrigin("https://login.example.test"), "https://graph.microsoft.com");
    });
});

describe("graphKeyIds: where the Graph token comes from", () => {
    const OIDC_ENV = (url: string) => ({
        ARM_USE_OIDC: "true", ARM_CLIENT_ID: CI_CLIENT, ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/oidc?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
    });
    let entra: TokenServer | undefined;

    async function start(clients: Record<string, string>, graph: Partial<GraphStandIn> = {},
        answer: Parameters<typeof startTokenServer>[2] = "tokens"): Promise<TokenServer> {
        entra = await startTokenServer(TENANT, clients, answer,
            { applications: {}, github: { requestToken: REQUEST_TOKEN, jwt: GITHUB_JWT }, ...graph });
        return entra;
    }
    const reqOf = (server: TokenServer, timeoutMs = 2000): GraphRequest =>
        ({ authorityHost: server.url, tenantId: TENANT, timeoutMs, trustedCa: server.ca });

    afterEach(async () => {
        await entra?.close();
        entra = undefined;
    });

    it("GRAPH_ACCESS_TOKEN comes first, as it is, with no request", async () => {
        const server = await start({});
        const told: string[] = [];
        const source = graphTokenSource({ GRAPH_ACCESS_TOKEN: "admin.token", ...OIDC_ENV(server.url) }, reqOf(server), s => told.push(s));
        assert.ok(source);
        assert.strictEqual(await source(), "admin.token");
        assert.deepStrictEqual(server.requests, []);
        // rotate-now adds GRAPH_ACCESS_TOKEN to its redactor itself, from the environment.
        assert.deepStrictEqual(told, []);
    });

    it("no source without GRAPH_ACCESS_TOKEN or every one of ARM_USE_OIDC=true, ARM_CLIENT_ID and GitHub's two ACTIONS_ID_TOKEN_REQUEST_*", () => {
        const req: GraphRequest = { authorityHost: "https://127.0.0.1:1", tenantId: TENANT, timeoutMs: 100 };
        const full = OIDC_ENV("https://127.0.0.1:1");
        assert.strictEqual(graphTokenSource({}, req), undefined);
        assert.strictEqual(graphTokenSource({ GRAPH_ACCESS_TOKEN: "" }, req), undefined);
        for (const name of Object.keys(full)) {
            const told: string[] = [];
            assert.strictEqual(graphTokenSource({ ...full, [name]: undefined }, req, s => told.push(s)), undefined, `without ${name}`);
            assert.strictEqual(graphTokenSource({ ...full, [name]: "" }, req, s => told.push(s)), undefined, `with an empty ${name}`);
            assert.deepStrictEqual(told, []);
        }
        // The azuread provider's switch (ARM_USE_OIDC) is the text "true".
        for (const value of ["false", "1", "TRUE"]) {
            assert.strictEqual(graphTokenSource({ ...full, ARM_USE_OIDC: value }, req), undefined, value);
        }
        assert.strictEqual(typeof graphTokenSource(full, req), "function");
    });

    it("says what to set when there is none", () => {
        assert.strictEqual(NO_GRAPH_IDENTITY, "no identity to list the application's key ids with in Microsoft Graph: set GRAPH_ACCESS_TOKEN " +
            "(az account get-access-token --resource-type ms-graph --query accessToken -o tsv, as an identity with " +
            "Application.Read.All), or run in a GitHub Actions job of the stack's environment (ARM_USE_OIDC=true, ARM_CLIENT_ID, " +
            "permissions id-token: write)");
    });

    it("in a GitHub Actions job: GitHub's OIDC token for Entra ID's audience, exchanged as a client assertion; each token redacted", async () => {
        const server = await start({ [CI_CLIENT]: GITHUB_JWT });
        const told: string[] = [];
        const source = graphTokenSource(OIDC_ENV(server.url), reqOf(server), s => told.push(s));
        assert.ok(source);
        // The request token is known before anything is sent.
        assert.deepStrictEqual(told, [REQUEST_TOKEN]);
        assert.strictEqual(await source(), ACCESS_TOKEN);
        assert.deepStrictEqual(told, [REQUEST_TOKEN, GITHUB_JWT, ACCESS_TOKEN]);
        // actions/toolkit packages/core/src/oidc-utils.ts: the request URL plus `&audience=`; Entra ID's federated
        // credentials expect api://AzureADTokenExchange (Entra "Workload identity federation").
        assert.strictEqual(server.requests[0], "GET /oidc?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange");
        assert.strictEqual(server.tokenRequests.length, 1);
        const form = server.tokenRequests[0];
        // RFC 7523 client assertion, as MSAL sends it: the type and GitHub's JWT in place of a secret.
        assert.strictEqual(form.client_id, CI_CLIENT);
        assert.strictEqual(form.client_assertion_type, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        assert.strictEqual(form.client_assertion, GITHUB_JWT);
        assert.strictEqual(form.grant_type, "client_credentials");
        assert.ok(form.scope.split(" ").includes("https://graph.microsoft.com/.default"), form.scope);
        assert.strictEqual(form.client_secret, undefined);
    });

    it("GitHub's OIDC endpoint refusing the request token, or answering without a value: exit 1, naming id-token: write", async () => {
        let answer: { status: number; raw: string } | undefined;
        const server = await start({ [CI_CLIENT]: GITHUB_JWT }, { intercept: () => answer });
        const told: string[] = [];
        const wrong = graphTokenSource({ ...OIDC_ENV(server.url), ACTIONS_ID_TOKEN_REQUEST_TOKEN: "stale" }, reqOf(server), s => told.push(s));
        assert.deepStrictEqual(await failure(wrong!()), {
            message: "GitHub's OIDC token endpoint answered HTTP 401 without a token (id-token: write?)", exitCode: 1,
        });
        assert.deepStrictEqual(told, ["stale"]);
        const source = graphTokenSource(OIDC_ENV(server.url), reqOf(server))!;
        for (answer of [{ status: 200, raw: "{}" }, { status: 200, raw: '{"value":5}' }, { status: 200, raw: "null" },
            { status: 201, raw: JSON.stringify({ value: GITHUB_JWT }) }]) {
            assert.deepStrictEqual(await failure(source()), {
                message: `GitHub's OIDC token endpoint answered HTTP ${answer.status} without a token (id-token: write?)`, exitCode: 1,
            }, answer.raw);
        }
        assert.deepStrictEqual(server.tokenRequests, []);
    });

    it("GitHub's endpoint not answering in time: exit 3", async () => {
        const server = await start({}, { intercept: () => "own" });
        assert.deepStrictEqual(await failure(graphTokenSource(OIDC_ENV(server.url), reqOf(server, 150))!()),
            { message: `no answer from ${new URL(server.url).host} within 0.15 s`, exitCode: 3 });
    });

    it("Entra ID refusing the assertion: exit 1, the first line of its answer, printable", async () => {
        // The stand-in knows the CI identity with another federated subject: the assertion is refused (AADSTS7000215).
        const server = await start({ [CI_CLIENT]: "eyJ.another.jwt" });
        const told: string[] = [];
        const result = await failure(graphTokenSource(OIDC_ENV(server.url), reqOf(server), s => told.push(s))!());
        // MSAL's ServerError text: "<error>: Error(s): <codes> - Timestamp: - Description: <error_description> - ...".
        assert.deepStrictEqual(result, {
            message: `Entra ID gave the CI identity ${CI_CLIENT} no token for Microsoft Graph: invalid_client: Error(s): 7000215 - ` +
                "Timestamp: Not Available - Description: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent " +
                "in the request is the client secret value, not the client secret ID. - Correlation ID: Not Available - Trace ID: Not Available",
            exitCode: 1,
        });
        assert.deepStrictEqual(told, [REQUEST_TOKEN, GITHUB_JWT]);
    });

    it("Entra ID's refusal over several lines: only the first, with no control characters", async () => {
        // Entra's answer to a federated subject it has no credential for (AADSTS700213, as quoted in Azure/login#482 and
        // dotnet/maui#31978), its Trace ID and Correlation ID on lines of their own, broken with "\r\n" (as verify.test.ts's).
        const server = await start({}, {}, () => ({
            status: 400,
            body: {
                error: "invalid_client", error_codes: [700213],
                error_description: "AADSTS700213: No matching federated identity record found for presented assertion subject " +
                    "'repo:o/r:environment:\u001b[2Jdev'.\r\nTrace ID: 0000aaaa\r\nCorrelation ID: 1111bbbb",
            },
        }));
        const result = await failure(graphTokenSource(OIDC_ENV(server.url), reqOf(server))!());
        // The first line ends at its "\r\n", which leaves no U+FFFD behind; the escape inside is shown as U+FFFD.
        assert.deepStrictEqual(result, {
            message: `Entra ID gave the CI identity ${CI_CLIENT} no token for Microsoft Graph: invalid_client: Error(s): 700213 - ` +
                "Timestamp: Not Available - Description: AADSTS700213: No matching federated identity record found for presented " +
                "assertion subject 'repo:o/r:environment:\uFFFD[2Jdev'.",
            exitCode: 1,
        });
    });

    it("Entra ID busy or failing (429, 5xx, a transient AADSTS code): exit 3 as for Graph, asked once (no retry of MSAL's own)", async () => {
        let answer: { status: number; body: unknown };
        const server = await start({ [CI_CLIENT]: GITHUB_JWT }, {}, () => answer);
        const source = graphTokenSource(OIDC_ENV(server.url), reqOf(server))!;
        // Entra's AADSTS reference: AADSTS90033 "A transient error has occurred. Try again."; RFC 6749 §4.1.2.1: temporarily_unavailable.
        const transient = { error: "temporarily_unavailable", error_description: "AADSTS90033: A transient error has occurred. Try again.", error_codes: [90033] };
        for (answer of [{ status: 503, body: transient }, { status: 400, body: transient }, { status: 500, body: {} }, { status: 429, body: {} }]) {
            const before = server.tokenRequests.length;
            const result = await failure(source());
            assert.strictEqual(result.exitCode, 3, `${answer.status}: ${result.message}`);
            assert.match(result.message, new RegExp(`^Entra ID gave the CI identity ${CI_CLIENT} no token for Microsoft Graph: `));
            assert.strictEqual(server.tokenRequests.length, before + 1);
        }
        // MSAL returns no token and no error for a 500 without a body of Entra's: the stand-in's status is named.
        answer = { status: 500, body: {} };
        assert.deepStrictEqual(await failure(source()), {
            message: `Entra ID gave the CI identity ${CI_CLIENT} no token for Microsoft Graph: Entra ID is temporarily unavailable (HTTP 500)`,
            exitCode: 3,
        });
        answer = { status: 503, body: transient };
        assert.deepStrictEqual(await failure(source()), {
            message: `Entra ID gave the CI identity ${CI_CLIENT} no token for Microsoft Graph: temporarily_unavailable: Error(s): 90033 - ` +
                "Timestamp: Not Available - Description: AADSTS90033: A transient error has occurred. Try again. - Correlation ID: " +
                "Not Available - Trace ID: Not Available",
            exitCode: 3,
        });
    });

    it("Entra ID answering 200 without an access token: exit 3 (nothing judged), as verify says it", async () => {
        const server = await start({ [CI_CLIENT]: GITHUB_JWT }, {},
            () => ({ status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 } }));
        const told: string[] = [];
        const result = await failure(graphTokenSource(OIDC_ENV(server.url), reqOf(server), s => told.push(s))!());
        assert.deepStrictEqual(result, {
            message: `Entra ID gave the CI identity ${CI_CLIENT} no token for Microsoft Graph: ${server.url} answered HTTP 200 without an access token`,
            exitCode: 3,
        });
        assert.deepStrictEqual(told, [REQUEST_TOKEN, GITHUB_JWT]);
    });
});
