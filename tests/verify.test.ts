import * as assert from "assert";
import { defaultScope, renderReport } from "../ops/verify";
import { main as verifyMain } from "../ops/verify";
import { FakeStack, runInProcess, spawnCommand } from "./fakes/commands";
import { TokenServer, startTokenServer } from "./fakes/tokenServer";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const SECRET = "Zx8Q~right-secret";
const DAY = 24 * 3600 * 1000;

function stack(clientId: string, clientSecret: string): FakeStack {
    return {
        outputs: {
            clientId, clientSecret, tenantId: TENANT,
            // Noon, so that the whole days left do not depend on the time of day the test runs.
            clientSecretExpiresAt: new Date(Math.floor(Date.now() / DAY) * DAY + 100 * DAY + DAY / 2).toISOString(),
            clientSecretRotatesAt: "2027-01-22T00:00:00Z",
            redirectUris: [
                "https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
                "https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
            ],
        },
        secrets: ["clientSecret"],
    };
}

function verify(server: TokenServer, dev: FakeStack, extra: string[] = []) {
    return runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", server.url, ...extra], { dev },
        { trustedCa: server.ca });
}

describe("npm run verify", () => {
    let server: TokenServer;
    before(async () => {
        server = await startTokenServer(TENANT, { [CLIENT]: SECRET });
    });
    after(() => server.close());

    it("reports an accepted secret, its days left and the redirect URIs", async () => {
        const result = await verify(server, stack(CLIENT, SECRET));
        assert.strictEqual(result.code, 0, result.stderr);
        const expiresAt = stack(CLIENT, SECRET).outputs.clientSecretExpiresAt;
        assert.strictEqual(result.stdout, [
            "Stack:          dev",
            `Tenant ID:      ${TENANT}`,
            `Client ID:      ${CLIENT}`,
            `Authority:      ${server.url}/${TENANT}`,
            "Client secret:  accepted",
            `Expires:        ${expiresAt} (100 days left)`,
            "Redirect URIs:  https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
            "                https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
            "",
        ].join("\n"));
        assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET), "the secret is never printed");
        const request = server.tokenRequests.at(-1)!;
        assert.strictEqual(request.grant_type, "client_credentials");
        assert.strictEqual(request.client_id, CLIENT);
        assert.strictEqual(request.client_secret, SECRET);
        assert.strictEqual(request.scope, "https://graph.microsoft.com/.default");
    });

    it("runs as npm runs it: a child process trusting the stand-in through NODE_EXTRA_CA_CERTS", async () => {
        const result = await spawnCommand("verify", ["--stack", "dev", "--authority-host", server.url],
            { dev: stack(CLIENT, SECRET) }, { env: { NODE_EXTRA_CA_CERTS: server.caFile } });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /^Client secret: {2}accepted$/m);
        assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET));
    });

    it("reports a wrong secret with Entra ID's error code", async () => {
        const result = await verify(server, stack(CLIENT, "Zx8Q~old-secret"));
        assert.strictEqual(result.code, 1);
        assert.match(result.stdout, /^Client secret: {2}rejected: AADSTS7000215 \(invalid client secret\)$/m);
        assert.ok(!result.stdout.includes("old-secret") && !result.stderr.includes("old-secret"));
    });

    it("reports an unknown client with Entra ID's error code", async () => {
        const result = await verify(server, stack("0badc0de-0000-4000-8000-000000000000", SECRET));
        assert.strictEqual(result.code, 1);
        assert.match(result.stdout,
            /^Client secret: {2}rejected: AADSTS700016 \(no application with this Client ID in the tenant\)$/m);
    });

    it("gives up on an endpoint that does not answer, saying so", async () => {
        const silent = await startTokenServer(TENANT, {}, "silence");
        try {
            const started = Date.now();
            const result = await verify(silent, stack(CLIENT, SECRET), ["--timeout-seconds", "1"]);
            assert.strictEqual(result.code, 3);
            assert.match(result.stdout, new RegExp(
                `^Client secret: {2}not checked: no answer from ${silent.url.replace(/\./g, "\\.")} within 1 s$`, "m"));
            assert.ok(Date.now() - started < 20_000, "it does not wait for the socket");
        } finally {
            await silent.close();
        }
    });

    it("reports an endpoint that is down", async () => {
        const down = await startTokenServer(TENANT, {});
        await down.close();
        const result = await verify(down, stack(CLIENT, SECRET), ["--timeout-seconds", "5"]);
        assert.strictEqual(result.code, 3);
        assert.match(result.stdout, new RegExp(
            `^Client secret: {2}not checked: could not get an answer from ${down.url.replace(/\./g, "\\.")}: .+$`, "m"));
    });

    it("refuses an authority host that is not an https host", async () => {
        const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", "http://login.example"],
            { dev: stack(CLIENT, SECRET) });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, 'verify: --authority-host "http://login.example" is not an https host URL ' +
            "such as https://login.microsoftonline.com (no user info, path, query or fragment)\n");
        assert.deepStrictEqual(result.pulumiCalls, []);
    });

    it("asks the Graph of the cloud it signs in to", () => {
        assert.strictEqual(defaultScope("https://login.microsoftonline.com"), "https://graph.microsoft.com/.default");
        assert.strictEqual(defaultScope("https://login.microsoftonline.us"), "https://graph.microsoft.us/.default");
        assert.strictEqual(defaultScope("https://login.chinacloudapi.cn"), "https://microsoftgraph.chinacloudapi.cn/.default");
    });

    it("reports an expired secret", () => {
        const report = renderReport({
            stack: "dev", tenantId: TENANT, clientId: CLIENT, authority: `https://login.microsoftonline.com/${TENANT}`,
            answer: { outcome: "rejected", code: "AADSTS7000222", meaning: "the client secret has expired" },
            clientSecretExpiresAt: "2026-11-20T00:00:00Z", redirectUris: [], now: new Date("2026-11-28T10:00:00Z"),
        });
        assert.ok(report.includes("Client secret:  rejected: AADSTS7000222 (the client secret has expired)\n"), report);
        assert.ok(report.includes("Expires:        2026-11-20T00:00:00Z (expired 9 days ago)\n"), report);
    });
});
