import * as assert from "assert";
import { RUNTIME_PROBES, type RuntimeProbes, checkSite, probeRuntime, runtimeFrom } from "../../../ops/creatio/runtime.ts";
import { main as verifyMain } from "../../../ops/verify.ts";
import { type FakeStack, runInProcess } from "../../fakes/commands.ts";
import { type CreatioServerOptions, startCreatioServer } from "../../fakes/creatioServer.ts";
import { type TokenServer, startTokenServer } from "../../fakes/tokenServer.ts";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const SECRET = "Zx8Q~right-secret";
const HANDLER = "/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";

const answer = (ok: boolean, url = "u") => ({ url, ok, reached: true, detail: ok ? "HTTP 200" : "HTTP 404" });
function probes(coreHealth: boolean, frameworkHealth: boolean, logins?: [boolean, boolean]): RuntimeProbes {
    return {
        netCore: { health: answer(coreHealth), ...(logins ? { login: answer(logins[0]) } : {}) },
        netFramework: { health: answer(frameworkHealth), ...(logins ? { login: answer(logins[1]) } : {}) },
    };
}

describe("telling .NET Core from .NET Framework Creatio, as clio does", () => {
    it("probes the paths clio probes", () => {
        // clio EnvironmentRuntimeDetectionService.cs, BuildHealthUrl: isNetCore ? "/api/HealthCheck/Ping" : "/0/api/HealthCheck/Ping";
        // BuildUiMarkerUrl: isNetCore ? "/Login/Login.html" : "/0/Login/NuiLogin.aspx"
        assert.deepStrictEqual(RUNTIME_PROBES, {
            netCore: { health: "/api/HealthCheck/Ping", login: "/Login/Login.html" },
            netFramework: { health: "/0/api/HealthCheck/Ping", login: "/0/Login/NuiLogin.aspx" },
        });
    });

    it("decides by the one health probe that answered 2xx, else by the one login page, else not at all", () => {
        // clio ResolveWithoutAuthentication: exactly one health success decides; then exactly one UI marker; else it throws
        assert.strictEqual(runtimeFrom(probes(true, false)), true);
        assert.strictEqual(runtimeFrom(probes(false, true)), false);
        assert.strictEqual(runtimeFrom(probes(true, true)), undefined);
        assert.strictEqual(runtimeFrom(probes(true, true, [false, true])), false);
        assert.strictEqual(runtimeFrom(probes(false, false, [true, false])), true);
        assert.strictEqual(runtimeFrom(probes(true, true, [true, true])), undefined);
        assert.strictEqual(runtimeFrom(probes(false, false, [false, false])), undefined);
    });

    it("names the redirect URIs that would be wrong, and the ones the site needs", () => {
        const base = "https://crm.example.com/creatio";
        const check = checkSite(false, base, [`${base}/0${HANDLER}`], probes(true, false));
        assert.strictEqual(check.outcome, "mismatch");
        assert.strictEqual((check as { problem: string }).problem, "the site answers as .NET Core, but the stack has netCore false: " +
            `the redirect URI ${base}/0${HANDLER} would be wrong (Creatio sends ${base}${HANDLER}; Entra ID refuses the sign-in with ` +
            "AADSTS50011), and deliver would address OData at the wrong path; set netCore true and run pulumi up");
        assert.match((checkSite(true, base, [], probes(false, true)) as { problem: string }).problem,
            new RegExp(`the redirect URI under ${base}/ would be wrong \\(Creatio sends one under ${base}/0/;`));
        assert.strictEqual(checkSite(true, base, [`${base}${HANDLER}`], probes(true, false)).outcome, "match");
        assert.strictEqual(checkSite(true, base, [`${base}${HANDLER}`], probes(true, true)).outcome, "unknown");
    });

    for (const netCore of [false, true]) {
        it(`against the stand-in of a ${netCore ? ".NET Core" : ".NET Framework"} site: GETs without credentials, decides right`, async () => {
            const server = await startCreatioServer({ netCore });
            try {
                const found = await probeRuntime(server.url, 5000, server.ca);
                assert.strictEqual(runtimeFrom(found), netCore);
                // .NET Framework: the root application answers the health probe too (clio HealthCheckCommand.cs: WebAppLoader
                // at /api/HealthCheck/Ping, WebHost at /0/api/HealthCheck/Ping), so the login pages decide.
                assert.deepStrictEqual(server.requests.map(r => `${r.method} ${r.path}`).sort(), (netCore
                    ? ["GET /0/api/HealthCheck/Ping", "GET /api/HealthCheck/Ping"]
                    : ["GET /0/Login/NuiLogin.aspx", "GET /0/api/HealthCheck/Ping", "GET /Login/Login.html", "GET /api/HealthCheck/Ping"]));
                assert.ok(server.requests.every(r => r.headers.cookie === undefined && r.headers.authorization === undefined));
            } finally {
                await server.close();
            }
        });
    }

    it("does not follow a redirect: a health probe sent to a login page does not count", async () => {
        // clio HealthCheckCommand.cs: redirects are not followed; /api/HealthCheck/Ping answers 200 directly
        const server = await startCreatioServer({ netCore: true, runtimeAnswers: { "/0/api/HealthCheck/Ping": 302 } });
        try {
            const found = await probeRuntime(server.url, 5000, server.ca);
            assert.deepStrictEqual(found.netFramework.health, { url: `${server.url}/0/api/HealthCheck/Ping`, ok: false, reached: true,
                detail: "HTTP 302 (a redirect, not followed)" });
            assert.strictEqual(runtimeFrom(found), true);
        } finally {
            await server.close();
        }
    });

    it("gives up on a site that never answers, within the time limit", async () => {
        const silent = await startCreatioServer({ answer: "silence" });
        try {
            const started = Date.now();
            const found = await probeRuntime(silent.url, 500, silent.ca);
            assert.ok(Date.now() - started < 3000);
            assert.deepStrictEqual(found.netCore.health, { url: `${silent.url}/api/HealthCheck/Ping`, ok: false, reached: false,
                detail: "no answer within 0.5 s" });
            assert.strictEqual(runtimeFrom(found), undefined);
        } finally {
            await silent.close();
        }
    });
});

describe("npm run verify -- --site-check", () => {
    let entra: TokenServer;
    before(async () => {
        entra = await startTokenServer(TENANT, { [CLIENT]: SECRET });
    });
    after(() => entra.close());

    async function verifySite(options: CreatioServerOptions, netCore: boolean, argv = ["--site-check"]) {
        const site = await startCreatioServer(options);
        try {
            const root = netCore ? site.url : `${site.url}/0`;
            const dev: FakeStack = {
                outputs: {
                    clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT, clientSecretExpiresAt: "2027-03-08T12:00:00Z",
                    redirectUris: [`${root}${HANDLER}`], siteBaseUrl: site.url, netCore,
                },
                secrets: ["clientSecret"],
            };
            const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", entra.url, "--timeout-seconds", "2",
                ...argv], { dev }, { trustedCa: `${entra.ca}\n${site.ca}`, now: new Date("2026-11-28T10:00:00Z") });
            return { result, site };
        } finally {
            await site.close();
        }
    }
    const siteLine = (stdout: string) => /^Site: {11}(.*)$/m.exec(stdout)?.[1];

    it("a .NET Framework site and netCore false: the Site line says it matches, exit 0", async () => {
        const { result, site } = await verifySite({}, false);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(siteLine(result.stdout), `.NET Framework (${site.url}/api/HealthCheck/Ping: HTTP 200; ` +
            `${site.url}/0/api/HealthCheck/Ping: HTTP 200; ${site.url}/Login/Login.html: HTTP 404; ${site.url}/0/Login/NuiLogin.aspx: ` +
            "HTTP 200): matches netCore false");
        assert.strictEqual(result.stderr, "");
        assert.ok(site.requests.every(r => !JSON.stringify(r).includes(SECRET)));
    });

    it("a .NET Core site and netCore false: exit 1, naming the redirect URI that would be wrong", async () => {
        const { result, site } = await verifySite({ netCore: true }, false);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(siteLine(result.stdout), `.NET Core (${site.url}/api/HealthCheck/Ping: HTTP 200; ` +
            `${site.url}/0/api/HealthCheck/Ping: HTTP 404): does not match netCore false`);
        assert.strictEqual(result.stderr, `verify: the site answers as .NET Core, but the stack has netCore false: the redirect URI ` +
            `${site.url}/0${HANDLER} would be wrong (Creatio sends ${site.url}${HANDLER}; Entra ID refuses the sign-in with ` +
            "AADSTS50011), and deliver would address OData at the wrong path; set netCore true and run pulumi up\n");
        assert.match(result.stdout, /^Client secret: {2}accepted$/m);
    });

    it("a .NET Framework site and netCore true: exit 1, the other way round", async () => {
        const { result, site } = await verifySite({}, true);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, new RegExp(`^verify: the site answers as \\.NET Framework, but the stack has netCore true: the ` +
            `redirect URI ${site.url.replace(/\./g, "\\.")}/rest/`));
    });

    it("a site whose answers do not tell (everything refused): exit 3, each answer shown", async () => {
        const refused = Object.fromEntries(Object.values(RUNTIME_PROBES).flatMap(p => Object.values(p)).map(path => [path, 503]));
        const { result } = await verifySite({ runtimeAnswers: refused }, false);
        assert.strictEqual(result.code, 3, result.stdout);
        assert.match(siteLine(result.stdout)!, /^cannot tell \.NET Core from \.NET Framework \(.*\/api\/HealthCheck\/Ping: HTTP 503; /);
    });

    it("without --site-check, nothing is sent to the site and siteBaseUrl is not needed", async () => {
        const { result, site } = await verifySite({}, true, []);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(siteLine(result.stdout), undefined);
        assert.deepStrictEqual(site.requests, []);
    });

    it("refuses --site-check on a stack without a boolean netCore output (exit 2)", async () => {
        const dev: FakeStack = { outputs: { clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT, clientSecretExpiresAt: "2027-03-08T12:00:00Z",
            redirectUris: [], siteBaseUrl: "https://acme.creatio.com" }, secrets: ["clientSecret"] };
        const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--site-check"], { dev });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr,
            'verify: stack "dev" has no boolean output netCore: run pulumi up for it (with this version of the program)\n');
    });
});
