import * as assert from "assert";
import * as https from "https";
import { main as verifyMain, renderReport } from "../../ops/verify.ts";
import { defaultScope, KNOWN_AUTHORITY_HOSTS, requestToken } from "../../ops/entra/token.ts";
import { type FakeStack, type InProcessOptions, runInProcess, spawnCommand } from "../fakes/commands.ts";
import { type CannedAnswer, startTokenServer, type TokenServer } from "../fakes/tokenServer.ts";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const SECRET = "Zx8Q~right-secret";
const NOW = new Date("2026-11-28T10:00:00Z");
const REDIRECT_URIS = [
    "https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
    "https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
];

function stack(clientId: string, clientSecret: string, outputs: Record<string, unknown> = {}): FakeStack {
    return {
        outputs: {
            clientId, clientSecret, tenantId: TENANT,
            clientSecretExpiresAt: "2027-03-08T12:00:00Z",
            clientSecretRotatesAt: "2027-01-22T00:00:00Z",
            redirectUris: REDIRECT_URIS,
            ...outputs,
        },
        secrets: ["clientSecret"],
    };
}

function verify(server: TokenServer, dev: FakeStack, extra: string[] = [], options: InProcessOptions = {}) {
    return runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", server.url, ...extra], { dev },
        { trustedCa: server.ca, now: NOW, ...options });
}

const secretLine = (stdout: string) => /^Client secret: {2}(.*)$/m.exec(stdout)?.[1];
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("npm run verify", () => {
    let server: TokenServer;
    before(async () => {
        server = await startTokenServer(TENANT, { [CLIENT]: SECRET });
    });
    after(() => server.close());

    it("reports an accepted secret, its days left and the redirect URIs", async () => {
        const result = await verify(server, stack(CLIENT, SECRET));
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout, [
            "Stack:          dev",
            `Tenant ID:      ${TENANT}`,
            `Client ID:      ${CLIENT}`,
            `Authority:      ${server.url}/${TENANT}`,
            "Client secret:  accepted",
            "Expires:        2027-03-08T12:00:00Z (100 days left)",
            `Redirect URIs:  ${REDIRECT_URIS[0]}`,
            `                ${REDIRECT_URIS[1]}`,
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
        assert.strictEqual(secretLine(result.stdout), "accepted");
        assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET));
    });

    it("reports a wrong secret with Entra ID's error code", async () => {
        const result = await verify(server, stack(CLIENT, "Zx8Q~old-secret"));
        assert.strictEqual(result.code, 1);
        // AADSTS7000215: "Invalid client secret is provided." (Entra's reference-error-codes.md)
        assert.strictEqual(secretLine(result.stdout), "rejected: AADSTS7000215 (invalid client secret)");
        assert.ok(!result.stdout.includes("old-secret") && !result.stderr.includes("old-secret"));
    });

    it("reports an unknown client with Entra ID's error code", async () => {
        const result = await verify(server, stack("0badc0de-0000-4000-8000-000000000000", SECRET));
        assert.strictEqual(result.code, 1);
        // AADSTS700016: "The application wasn't found in the directory/tenant." (reference-error-codes.md)
        assert.strictEqual(secretLine(result.stdout), "rejected: AADSTS700016 (no application with this Client ID in the tenant)");
    });

    it("reports an unknown tenant found by discovery, not MSAL's generic error", async () => {
        const result = await verify(server, stack(CLIENT, SECRET, { tenantId: "0badc0de-0000-4000-8000-0000000000ff" }));
        assert.strictEqual(result.code, 1);
        // AADSTS90002 InvalidTenantName: "The tenant name wasn't found in the data store." (reference-error-codes.md)
        assert.strictEqual(secretLine(result.stdout), "rejected: AADSTS90002 (no such tenant)");
        assert.ok(!result.stdout.includes(SECRET));
    });

    describe("rejections with their meaning", () => {
        const cases: [string, CannedAnswer, string][] = [
            // AADSTS7000222 InvalidClientSecretExpiredKeysProvided: "The provided client secret keys are expired." (reference-error-codes.md)
            ["an expired secret", { status: 401, body: { error: "invalid_client", error_description: "AADSTS7000222: The provided client secret keys for app '…' are expired.", error_codes: [7000222] } },
                "rejected: AADSTS7000222 (the client secret has expired)"],
            // AADSTS900023: "Specified tenant identifier '…' is neither a valid DNS name, nor a valid external domain." (Entra's answer, quoted in caddy-dns/azure issue #3)
            ["a malformed tenant", { status: 400, body: { error: "invalid_request", error_description: "AADSTS900023: Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.", error_codes: [900023] } },
                "rejected: AADSTS900023 (the tenant id is not valid)"],
            // invalid_scope, AADSTS70011: the sample error response of reference-error-codes.md
            ["neither invalid_client nor unauthorized_client", { status: 400, body: { error: "invalid_scope", error_description: "AADSTS70011: The provided value for the input parameter 'scope' isn't valid.\r\nTrace ID: 0000aaaa" } },
                "rejected: AADSTS70011 (The provided value for the input parameter 'scope' isn't valid.)"],
            ["an OAuth error without an AADSTS code", { status: 400, body: { error: "invalid_grant" } },
                "rejected: invalid_grant (refused)"],
        ];
        for (const [name, canned, expected] of cases) {
            it(name, async () => {
                const canning = await startTokenServer(TENANT, { [CLIENT]: SECRET }, () => canned);
                try {
                    const result = await verify(canning, stack(CLIENT, SECRET));
                    assert.strictEqual(result.code, 1, result.stdout + result.stderr);
                    assert.strictEqual(secretLine(result.stdout), expected);
                } finally {
                    await canning.close();
                }
            });
        }
    });

    describe("transient failures are not checked (exit 3), so a pipeline retries", () => {
        const cases: [string, CannedAnswer, string][] = [
            // temporarily_unavailable: "The server is temporarily too busy to handle the request. Retry the request." (reference-error-codes.md)
            ["temporarily_unavailable", { status: 400, body: { error: "temporarily_unavailable", error_description: "AADSTS50000: busy" } },
                "Entra ID is temporarily unavailable (HTTP 400, temporarily_unavailable AADSTS50000)"],
            // AADSTS90033 MsodsServiceUnavailable: "The Microsoft Online Directory Service (MSODS) isn't available." (reference-error-codes.md)
            ["AADSTS90033", { status: 400, body: { error: "invalid_request", error_description: "AADSTS90033: A transient error has occurred. Please try again." } },
                "Entra ID is temporarily unavailable (HTTP 400, invalid_request AADSTS90033)"],
            // server_error: RFC 6749 section 4.1.2.1
            ["server_error", { status: 500, body: { error: "server_error", error_description: "AADSTS50000: There was an error issuing a token." } },
                "Entra ID is temporarily unavailable (HTTP 500, server_error AADSTS50000)"],
            // MSAL's own throttling treats 429 and 5xx as the server's, not the client's (msal-common src/network/ThrottlingUtils.ts)
            ["HTTP 429", { status: 429, body: { error: "invalid_client", error_description: "AADSTS7000215: throttled" } },
                "Entra ID is temporarily unavailable (HTTP 429, invalid_client AADSTS7000215)"],
            ["HTTP 503 with an HTML page", { status: 503, raw: "<html>Service Unavailable</html>" },
                "URL answered HTTP 503 without a JSON body"],
            ["HTTP 404 with an empty JSON body", { status: 404, body: {} },
                "URL answered HTTP 404 without an access token"],
            ["HTTP 200 without an access token", { status: 200, body: { token_type: "Bearer", expires_in: 3599 } },
                "URL answered HTTP 200 without an access token"],
        ];
        for (const [name, canned, expected] of cases) {
            it(name, async () => {
                const canning = await startTokenServer(TENANT, { [CLIENT]: SECRET }, () => canned);
                try {
                    const result = await verify(canning, stack(CLIENT, SECRET));
                    assert.strictEqual(result.code, 3, result.stdout + result.stderr);
                    assert.strictEqual(secretLine(result.stdout), `not checked: ${expected.replace("URL", canning.url)}`);
                } finally {
                    await canning.close();
                }
            });
        }
    });

    it("removes the secret from an Entra ID description it prints", async () => {
        const echo = await startTokenServer(TENANT, {}, form => ({
            status: 401, body: { error: "invalid_client", error_description: `AADSTS7009999: secret ${form.client_secret} / ${encodeURIComponent(form.client_secret)} refused` },
        }));
        try {
            const result = await verify(echo, stack(CLIENT, "Zx8Q~a/b+c d"));
            assert.strictEqual(result.code, 1);
            assert.strictEqual(secretLine(result.stdout), "rejected: AADSTS7009999 (secret [redacted] / [redacted] refused)");
        } finally {
            await echo.close();
        }
    });

    describe("shows only an `error` field in OAuth's error-code grammar, and outside text only as printable", () => {
        // RFC 6749 section 5.2: `error` is one ASCII error code (such as invalid_client); Entra's codes are lower case with underscores.
        const cases: [string, string, (form: Record<string, string>) => CannedAnswer, string, number][] = [
            ["an error field that carries the secret is dropped", "Zx8Q~right-secret",
                form => ({ status: 400, body: { error: `bad_client ${form.client_secret}` } }),
                "not checked: URL answered HTTP 400 without an access token", 3],
            ["an error field that forges a line is dropped", "Zx8Q~right-secret",
                form => ({ status: 401, body: { error: `invalid_client\nClient secret:  accepted (${form.client_secret})` } }),
                "not checked: URL answered HTTP 401 without an access token", 3],
            ["a dropped error field leaves the AADSTS code of the description", "Zx8Q~right-secret",
                () => ({ status: 401, body: { error: "Invalid Client!", error_description: "AADSTS7000215: Invalid client secret provided." } }),
                "rejected: AADSTS7000215 (invalid client secret)", 1],
            ["a dropped error field is not shown as a transient detail", "Zx8Q~right-secret",
                () => ({ status: 503, body: { error: "busy\u001b[2J" } }),
                "not checked: Entra ID is temporarily unavailable (HTTP 503)", 3],
            ["an error code that is the secret is redacted", "lower_case_secret",
                form => ({ status: 400, body: { error: form.client_secret } }),
                "rejected: [redacted] (refused)", 1],
            ["control and format characters of a description are replaced", "Zx8Q~right-secret",
                () => ({ status: 401, body: { error: "invalid_client", error_description: "AADSTS7009998: bad\u001b[31m red\u202e tail\u0085more" } }),
                "rejected: AADSTS7009998 (bad\uFFFD[31m red\uFFFD tail\uFFFDmore)", 1],
        ];
        for (const [name, secret, answer, expected, code] of cases) {
            it(name, async () => {
                const canning = await startTokenServer(TENANT, {}, answer);
                try {
                    const result = await verify(canning, stack(CLIENT, secret));
                    assert.strictEqual(result.code, code, result.stdout + result.stderr);
                    assert.strictEqual(secretLine(result.stdout), expected.replace("URL", canning.url));
                    assert.strictEqual(result.stdout.match(/^Client secret:/gm)?.length, 1, result.stdout);
                    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), result.stdout);
                } finally {
                    await canning.close();
                }
            });
        }

        it("prints redirect URIs from the outputs without control characters", async () => {
            const result = await verify(server, stack(CLIENT, SECRET, { redirectUris: ["https://a.example/x\nClient secret:  accepted\u001b[2J"] }));
            assert.strictEqual(result.code, 0, result.stderr);
            assert.ok(result.stdout.includes("Redirect URIs:  https://a.example/x\uFFFDClient secret:  accepted\uFFFD[2J\n"), result.stdout);
            assert.strictEqual(result.stdout.match(/^Client secret:/gm)?.length, 1);
        });
    });

    it("gives up on an endpoint that does not answer, saying so", async () => {
        const silent = await startTokenServer(TENANT, {}, "silence");
        try {
            const started = Date.now();
            const result = await verify(silent, stack(CLIENT, SECRET), ["--timeout-seconds", "1"]);
            assert.strictEqual(result.code, 3);
            assert.match(secretLine(result.stdout)!, new RegExp(`^not checked: no answer from ${escape(silent.url)} (within 1 s|in time)$`));
            assert.ok(Date.now() - started < 5000, "it does not wait for the socket");
        } finally {
            await silent.close();
        }
    });

    it("says which discovery failure it met: a closed port, an untrusted certificate, an unknown host", async () => {
        const down = await startTokenServer(TENANT, {});
        await down.close();
        const closed = await verify(down, stack(CLIENT, SECRET), ["--timeout-seconds", "5"]);
        assert.strictEqual(closed.code, 3);
        assert.match(secretLine(closed.stdout)!, new RegExp(`^not checked: could not get an answer from ${escape(down.url)}: .*\\(ECONNREFUSED\\)$`));

        const untrusted = await verify(server, stack(CLIENT, SECRET), [], { trustedCa: undefined });
        assert.strictEqual(untrusted.code, 3);
        assert.strictEqual(secretLine(untrusted.stdout),
            `not checked: the TLS certificate of ${new URL(server.url).host} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)`);

        // `.invalid` never resolves (RFC 6761 section 6.4). The command takes no such host: asked directly.
        const unknown = await requestToken({ tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET,
            authorityHost: "https://login.example.invalid", timeoutMs: 10_000 });
        assert.strictEqual(unknown.outcome, "unreachable");
        assert.match((unknown as { reason: string }).reason, /^the host login\.example\.invalid is unknown \(DNS: (ENOTFOUND|EAI_AGAIN)\)$/);
    });

    it("signs in at the global authority when neither --authority-host nor AZURE_AUTHORITY_HOST is set", async () => {
        const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--timeout-seconds", "3"],
            { dev: stack(CLIENT, SECRET) }, { now: NOW, env: {} });
        // https://login.microsoftonline.com: the global service's authentication endpoint (entra-docs authentication-national-cloud.md)
        assert.match(result.stdout, new RegExp(`^Authority: {6}https://login\\.microsoftonline\\.com/${TENANT}$`, "m"));
        // Offline this machine cannot reach it; online the made-up tenant is refused. Never accepted.
        assert.ok(result.code === 3 || result.code === 1, result.stdout);
        assert.match(secretLine(result.stdout)!, /login\.microsoftonline\.com|AADSTS90002|AADSTS700016/);
    });

    it("takes the authority host from AZURE_AUTHORITY_HOST, and reports a bad one as coming from there", async () => {
        const fromEnv = await runInProcess("verify", verifyMain, ["--stack", "dev"], { dev: stack(CLIENT, SECRET) },
            { now: NOW, trustedCa: server.ca, env: { AZURE_AUTHORITY_HOST: server.url } });
        assert.strictEqual(fromEnv.code, 0, fromEnv.stdout);
        assert.match(fromEnv.stdout, new RegExp(`^Authority: {6}${escape(server.url)}/${TENANT}$`, "m"));
        const bad = await runInProcess("verify", verifyMain, ["--stack", "dev"], { dev: stack(CLIENT, SECRET) },
            { env: { AZURE_AUTHORITY_HOST: "login.microsoftonline.us" } });
        assert.strictEqual(bad.code, 2);
        assert.strictEqual(bad.stderr, 'verify: the environment variable AZURE_AUTHORITY_HOST "login.microsoftonline.us" is not ' +
            "an https host URL such as https://login.microsoftonline.com (no user info, path, query or fragment)\n");
        assert.deepStrictEqual(bad.pulumiCalls, []);
    });

    it("refuses an authority host that is not an https host, or carries user info", async () => {
        for (const host of ["http://login.example", "https://user:pw@login.microsoftonline.com", "https://user@login.microsoftonline.com",
            "https://login.microsoftonline.com/tenant", "https://login.microsoftonline.com?x=1"]) {
            const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", host],
                { dev: stack(CLIENT, SECRET) });
            assert.strictEqual(result.code, 2, host);
            assert.strictEqual(result.stderr, `verify: --authority-host ${JSON.stringify(host)} is not an https host URL ` +
                "such as https://login.microsoftonline.com (no user info, path, query or fragment)\n");
            assert.deepStrictEqual(result.pulumiCalls, []);
        }
    });

    it("accepts only the sign-in hosts of the known Entra ID clouds (and a loopback stand-in)", async () => {
        // entra-docs authentication-national-cloud.md: login.microsoftonline.com (global), login.microsoftonline.us
        // (US Government), login.partner.microsoftonline.cn (21Vianet); MSAL's instance metadata
        // (msal-common AuthorityMetadata.ts) aliases login.chinacloudapi.cn to the latter. Azure Germany closed in 2021.
        assert.deepStrictEqual(KNOWN_AUTHORITY_HOSTS, ["https://login.microsoftonline.com", "https://login.microsoftonline.us",
            "https://login.partner.microsoftonline.cn", "https://login.chinacloudapi.cn"]);
        for (const host of ["https://login.microsoftonline.de", "https://login.example", "https://login.microsoftonline.com:8443",
            "https://login.microsoftonline.com.evil.example", "https://localhost:8443", "https://127.0.0.2"]) {
            for (const [argv, env, source] of [
                [["--authority-host", host], {}, "--authority-host"],
                [[], { AZURE_AUTHORITY_HOST: host }, "the environment variable AZURE_AUTHORITY_HOST"],
            ] as const) {
                const result = await runInProcess("verify", verifyMain, ["--stack", "dev", ...argv], { dev: stack(CLIENT, SECRET) }, { env });
                assert.strictEqual(result.code, 2, host);
                assert.strictEqual(result.stderr, `verify: ${source} ${JSON.stringify(host)} is not the sign-in host of a known ` +
                    "Entra ID cloud: https://login.microsoftonline.com, https://login.microsoftonline.us, " +
                    "https://login.partner.microsoftonline.cn, https://login.chinacloudapi.cn (or https://127.0.0.1 or " +
                    "https://[::1], with any port, for a local stand-in)\n");
                assert.deepStrictEqual(result.pulumiCalls, []);
            }
        }
        const upper = await runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", "https://LOGIN.microsoftonline.US:443",
            "--timeout-seconds", "1"], { dev: stack(CLIENT, SECRET) }, { now: NOW });
        assert.match(upper.stdout, new RegExp(`^Authority: {6}https://login\\.microsoftonline\\.us/${TENANT}$`, "m"));
    });

    it("accepts only whole seconds from 1 to 300 as --timeout-seconds", async () => {
        for (const bad of ["0", "301", "1.5", "abc", "-1", ""]) {
            const result = await verify(server, stack(CLIENT, SECRET), [`--timeout-seconds=${bad}`]);
            assert.strictEqual(result.code, 2, bad);
            assert.strictEqual(result.stderr, `verify: --timeout-seconds ${JSON.stringify(bad)} is not a whole number of seconds from 1 to 300\n`);
            assert.deepStrictEqual(result.pulumiCalls, []);
        }
        assert.strictEqual((await verify(server, stack(CLIENT, SECRET), ["--timeout-seconds", "300"])).code, 0);
    });

    it("checks every output it needs before it sends the secret anywhere", async () => {
        const before = server.tokenRequests.length;
        const cases: [Record<string, unknown>, string][] = [
            [{ clientSecretExpiresAt: "in 100 days" }, 'stack "dev" has an output clientSecretExpiresAt that is not an ISO 8601 UTC ' +
                'instant (YYYY-MM-DDTHH:MM:SS[.fff]Z): "in 100 days"'],
            [{ redirectUris: undefined }, 'stack "dev" has no output redirectUris: run pulumi up for it (with this version of the program)'],
            [{ redirectUris: "https://acme.creatio.com" }, 'stack "dev" has an output redirectUris that is not a list of strings'],
            [{ tenantId: undefined }, 'stack "dev" has no output tenantId: run pulumi up for it (with this version of the program)'],
            [{ clientSecret: "[secret]" }, 'stack "dev": pulumi handed back the output clientSecret masked as "[secret]", not its value; ' +
                "check that this Pulumi CLI decrypts secrets with --show-secrets"],
        ];
        for (const [outputs, message] of cases) {
            const result = await verify(server, stack(CLIENT, SECRET, outputs));
            assert.strictEqual(result.code, 2, message);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, `verify: ${message}\n`);
        }
        assert.strictEqual(server.tokenRequests.length, before, "no token request was made");
    });

    it("refuses a tenantId or clientId that is not a GUID before anything is sent to Entra ID", async () => {
        const before = server.requests.length;
        // Entra ID tenant and application (client) ids are GUIDs; "common" or "organizations" would let any tenant answer.
        const cases: [Record<string, unknown>, string][] = [
            [{ tenantId: "common" }, 'stack "dev" has an output tenantId that is not a GUID (8-4-4-4-12 hexadecimal digits, not all zeros): "common"'],
            [{ tenantId: "a b" }, 'stack "dev" has an output tenantId that is not a GUID (8-4-4-4-12 hexadecimal digits, not all zeros): "a b"'],
            [{ tenantId: `${TENANT}/../x` }, 'stack "dev" has an output tenantId that is not a GUID (8-4-4-4-12 hexadecimal digits, ' +
                `not all zeros): "${TENANT}/../x"`],
            [{ tenantId: "00000000-0000-0000-0000-000000000000" }, 'stack "dev" has an output tenantId that is not a GUID ' +
                '(8-4-4-4-12 hexadecimal digits, not all zeros): "00000000-0000-0000-0000-000000000000"'],
            [{ clientId: "my-app" }, 'stack "dev" has an output clientId that is not a GUID (8-4-4-4-12 hexadecimal digits, not all zeros): "my-app"'],
            [{ clientId: `\u202e${CLIENT}` }, 'stack "dev" has an output clientId that is not a GUID (8-4-4-4-12 hexadecimal digits, ' +
                `not all zeros): "\uFFFD${CLIENT}"`],
        ];
        for (const [outputs, message] of cases) {
            const result = await verify(server, stack(CLIENT, SECRET, outputs));
            assert.strictEqual(result.code, 2, message);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, `verify: ${message}\n`);
        }
        assert.deepStrictEqual(server.requests.slice(before), [], "no request reached the token endpoint");
    });

    it("exits 2 when pulumi prints something other than a JSON object", async () => {
        for (const [stdout, message] of [["not json", "pulumi printed something other than JSON for the outputs of stack \"dev\""],
            ["[1, 2]", "the outputs of stack \"dev\" are not a JSON object"], ["null", "the outputs of stack \"dev\" are not a JSON object"]]) {
            const result = await verify(server, stack(CLIENT, SECRET), [], { answer: () => ({ exitCode: 0, stdout, stderr: "" }) });
            assert.strictEqual(result.code, 2, stdout);
            assert.strictEqual(result.stderr, `verify: ${message}\n`);
        }
    });

    describe("--slot a|b", () => {
        const KEY_A = "0a5ec0a0-1111-4111-8111-00000000000a";
        const KEY_B = "0b5ec0b0-2222-4222-8222-00000000000b";
        const OLD_SECRET = "Zx8Q~slot-b-leaked";
        // The schedule calls slot b newest (clientSecret), but slot a holds the secret Entra ID accepts.
        const slots = () => ({
            ...stack(CLIENT, OLD_SECRET, {
                clientSecretKeyId: KEY_B,
                clientSecretA: SECRET, clientSecretAKeyId: KEY_A, clientSecretAExpiresAt: "2027-05-27T00:00:00Z",
                clientSecretB: OLD_SECRET, clientSecretBKeyId: KEY_B, clientSecretBExpiresAt: "2027-03-08T12:00:00Z",
            }),
            secrets: ["clientSecret", "clientSecretA", "clientSecretB"],
        });

        it("proves the slot named, whatever the schedule calls newest, and says which", async () => {
            const result = await verify(server, slots(), ["--slot", "a"]);
            assert.strictEqual(result.code, 0, result.stderr);
            assert.match(result.stdout, new RegExp(`^Slot: {11}a \\(key id ${KEY_A}\\)\nClient secret: {2}accepted\nExpires: {8}` +
                "2027-05-27T00:00:00Z \\(179 days left\\)$", "m"));
            assert.strictEqual(server.tokenRequests.at(-1)!.client_secret, SECRET);
            const b = await verify(server, slots(), ["--slot", "b"]);
            assert.strictEqual(b.code, 1);
            assert.strictEqual(server.tokenRequests.at(-1)!.client_secret, OLD_SECRET);
            assert.match(b.stdout, new RegExp(`^Slot: {11}b \\(key id ${KEY_B}\\)$`, "m"));
            for (const out of [result, b]) {
                assert.ok(![SECRET, OLD_SECRET].some(secret => out.stdout.includes(secret) || out.stderr.includes(secret)));
            }
        });

        it("without --slot proves the newest, as before", async () => {
            const result = await verify(server, slots());
            assert.strictEqual(result.code, 1);
            assert.strictEqual(server.tokenRequests.at(-1)!.client_secret, OLD_SECRET);
            assert.ok(!/^Slot:/m.test(result.stdout));
        });

        it("refuses a slot other than a or b, and a stack without the slot's outputs, before anything is sent", async () => {
            const before = server.tokenRequests.length;
            const bad = await verify(server, slots(), ["--slot", "c"]);
            assert.strictEqual(bad.code, 2);
            assert.strictEqual(bad.stderr, 'verify: --slot "c" is not a password slot: give a or b (the stack outputs ' +
                "clientSecretA or clientSecretB), or leave it out for the newest\n");
            const old = await verify(server, stack(CLIENT, SECRET), ["--slot", "b"]);
            assert.strictEqual(old.code, 2);
            assert.strictEqual(old.stderr, 'verify: stack "dev" has no output clientSecretB: run pulumi up for it (with this ' +
                "version of the program)\n");
            assert.strictEqual(server.tokenRequests.length, before);
        });
    });

    it("refuses a single-value option given twice", async () => {
        const result = await runInProcess("verify", verifyMain, ["--stack", "prod", "--stack", "dev"], { dev: stack(CLIENT, SECRET) });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "verify: --stack is given more than once: give it once (usage: npm run -s verify -- --stack <name> " +
            "[--authority-host https://login.microsoftonline.us] [--slot a|b] [--site-check] [--timeout-seconds 30] [--pulumi-timeout-seconds 120]; --help says more)\n");
        assert.deepStrictEqual(result.pulumiCalls, []);
    });

    it("has a stand-in that answers a tenant segment it cannot decode with 400, and keeps serving", async () => {
        const get = (pathname: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
            https.get(`${server.url}${pathname}`, { ca: server.ca }, res => {
                let body = "";
                res.on("data", chunk => (body += chunk));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            }).on("error", reject);
        });
        const bad = await get("/%zz/v2.0/.well-known/openid-configuration");
        // Entra ID answers discovery for a tenant segment it cannot use with HTTP 400 (a `%7B...%7D` tenant in
        // AzureAD/microsoft-authentication-library-for-python issue #275), invalid_tenant AADSTS90002 for an unknown one.
        assert.strictEqual(bad.status, 400);
        assert.strictEqual(JSON.parse(bad.body).error, "invalid_tenant");
        assert.strictEqual((await get(`/${TENANT}/v2.0/.well-known/openid-configuration`)).status, 200);
    });

    it("asks the Graph of the cloud it signs in to", () => {
        // Sign-in hosts: entra-docs authentication-national-cloud.md (login.partner.microsoftonline.cn for 21Vianet) and
        // microsoft-graph-docs-contrib concepts/deployments.md (login.chinacloudapi.cn); Graph roots from deployments.md.
        assert.strictEqual(defaultScope("https://login.microsoftonline.com"), "https://graph.microsoft.com/.default");
        assert.strictEqual(defaultScope("https://login.microsoftonline.us"), "https://graph.microsoft.us/.default");
        assert.strictEqual(defaultScope("https://login.partner.microsoftonline.cn"), "https://microsoftgraph.chinacloudapi.cn/.default");
        assert.strictEqual(defaultScope("https://login.chinacloudapi.cn"), "https://microsoftgraph.chinacloudapi.cn/.default");
    });

    it("reports an expired secret", () => {
        const report = renderReport({
            stack: "dev", tenantId: TENANT, clientId: CLIENT, authority: `https://login.microsoftonline.com/${TENANT}`,
            answer: { outcome: "rejected", code: "AADSTS7000222", meaning: "the client secret has expired" },
            clientSecretExpiresAt: "2026-11-20T00:00:00Z", redirectUris: [], now: NOW,
        });
        assert.ok(report.includes("Expires:        2026-11-20T00:00:00Z (expired 9 days ago)\n"), report);
    });
});

describe("verify: the command", () => {
    const outputs = {
        tenantId: "72f988bf-0000-4000-8000-000000000001", clientId: "c1c1c1c1-0000-4000-8000-000000000003",
        clientSecret: "Zx8Q~s3cret", clientSecretExpiresAt: "2027-03-08T12:00:00Z", redirectUris: ["https://a/x"],
    };

    it("bounds the pulumi call by --pulumi-timeout-seconds", async () => {
        const started = Date.now();
        const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--pulumi-timeout-seconds", "1"],
            { dev: { outputs, secrets: ["clientSecret"] } }, { answer: () => "hang" });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "verify: pulumi stack output gave no answer within 1 s (--pulumi-timeout-seconds sets the limit)\n");
        assert.ok(Date.now() - started < 10_000);
    });

    it("removes the secret from a refused output before printing it", async () => {
        const dev: FakeStack = { outputs: { ...outputs, clientSecretExpiresAt: "x-Zx8Q~s3cret" }, secrets: ["clientSecret"] };
        const result = await runInProcess("verify", verifyMain, ["--stack", "dev"], { dev });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, 'verify: stack "dev" has an output clientSecretExpiresAt that is not an ISO 8601 ' +
            'UTC instant (YYYY-MM-DDTHH:MM:SS[.fff]Z): "x-[redacted]"\n');
    });
});
