/**
 * No secret on any output: the redactor finds a secret in every form it takes on the way out, and
 * every command's stdout and stderr pass through it (except the one value `credentials` prints).
 */
import * as assert from "assert";
import { OpsError } from "../../ops/cli.ts";
import { deliverCommand } from "../../ops/deliver.ts";
import { type CommandContext, executeCommand } from "../../ops/io.ts";
import { printable } from "../../ops/printable.ts";
import { REDACTED, Redactor } from "../../ops/redact.ts";
import { main as verifyMain } from "../../ops/verify.ts";
import { requestToken } from "../../ops/entra/token.ts";
import { M365_CLASS } from "../creatioFixtures.ts";
import { type CommandResult, type FakeStack, runInProcess } from "../fakes/commands.ts";
import { type CreatioServer, type CreatioServerOptions, startCreatioServer } from "../fakes/creatioServer.ts";
import { startTokenServer, type TokenServer } from "../fakes/tokenServer.ts";
import { PulumiError } from "../../ops/pulumi/runner.ts";

/** A secret with the characters encoders disagree on: `~` and `(` `)` (kept by encodeURIComponent, encoded by a form encoder), a space, non-ASCII. */
const SECRET = "Zx8Q~a(b)c d-é";

function redactorOf(secret: string, user?: string): Redactor {
    const redactor = new Redactor();
    redactor.add(secret, { user });
    return redactor;
}

describe("the redactor", () => {
    const forms: [string, string][] = [
        ["as it is", SECRET],
        ["encodeURIComponent (keeps ~ ( ))", encodeURIComponent(SECRET)],
        // WHATWG URL, application/x-www-form-urlencoded serializer: ~ as %7E, ( as %28, space as +
        ["form-encoded", new URLSearchParams({ s: SECRET }).toString().slice(2)],
        ["percent-encoded with lower-case hex", "Zx8Q%7ea%28b%29c%20d-%c3%a9"],
        ["percent-encoded twice", encodeURIComponent(new URLSearchParams({ s: SECRET }).toString().slice(2))],
        ["JSON-escaped", JSON.stringify(SECRET).slice(1, -1)],
        ["JSON-escaped as \\u escapes (an ASCII-only JSON writer)", "Zx8Q\\u007ea\\u0028b\\u0029c\\u0020d-\\u00E9"],
        ["a JSON escape inside a URL", "Zx8Q%5Cu007ea(b)c d-é"],
        ["encoded in part: ~ encoded, ( left as it is", "Zx8Q%7Ea(b%29c+d-é"],
    ];
    for (const [what, form] of forms) {
        it(`removes the secret ${what}`, () => {
            assert.strictEqual(redactorOf(SECRET).redact(`error: client_secret=${form}&x=1`), `error: client_secret=${REDACTED}&x=1`);
        });
    }

    it("removes the base64 of user:password an HTTP Basic header carries, with and without padding", () => {
        const redactor = redactorOf("pa:ss", "Bob");
        const basic = Buffer.from("Bob:pa:ss").toString("base64");
        assert.strictEqual(basic, "Qm9iOnBhOnNz");
        assert.strictEqual(redactor.redact(`Authorization: Basic ${basic}`), `Authorization: Basic ${REDACTED}`);
        const padded = Buffer.from("Bob:pass").toString("base64");
        assert.strictEqual(redactorOf("pass", "Bob").redact(`Basic ${padded}.`), `Basic ${REDACTED}.`);
        // RFC 6749 section 2.3.1: client id and secret are form-encoded before they are joined
        const encoded = Buffer.from("id%7E1:s%28").toString("base64");
        assert.strictEqual(redactorOf("s(", "id~1").redact(`Basic ${encoded}`), `Basic ${REDACTED}`);
    });

    it("removes a secret that printable() has already changed (a tab shown as U+FFFD)", () => {
        const password = "pass\tword";
        assert.strictEqual(redactorOf(password).redact(printable(`bad password ${password}`)), `bad password ${REDACTED}`);
    });

    it("removes a secret with every character JSON escapes, in each JSON writer's escapes", () => {
        const secret = 'a"b\\c/d\be\ff\ng\rh\ti';
        const redactor = redactorOf(secret);
        // RFC 8259 section 7: the two-character escapes; "\/" is allowed for "/" (written by .NET and PHP)
        assert.strictEqual(JSON.stringify(secret), '"a\\"b\\\\c/d\\be\\ff\\ng\\rh\\ti"');
        for (const form of [JSON.stringify(secret).slice(1, -1), 'a\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti',
            "a\\u0022b\\u005Cc\\u002Fd\\u0008e\\u000cf\\u000Ag\\u000dh\\u0009i"]) {
            assert.strictEqual(redactor.redact(`{"m":"${form}"}`), `{"m":"${REDACTED}"}`, form);
        }
    });

    it("removes a secret whose format and separator characters printable() replaced", () => {
        // ops/printable.ts: Cc, Cf, Zl and Zp become U+FFFD
        const secret = "a\u200bb\u2028c\u2029d\u0007e";
        assert.strictEqual(printable(secret), "a\ufffdb\ufffdc\ufffdd\ufffde");
        assert.strictEqual(redactorOf(secret).redact(`<${printable(secret)}>`), `<${REDACTED}>`);
        // ... but U+FFFD stands only for those: not for a letter.
        assert.strictEqual(redactorOf("abc").redact("a\ufffdc"), "a\ufffdc");
    });

    it("leaves text alone that is not the secret, also one character off or in another letter case", () => {
        const redactor = redactorOf(SECRET);
        for (const text of ["Zx8Q~a(b)c d-e", "zx8q~a(b)c d-é", "Zx8Q~a(b)c  d-é", "Zx8Q%7Fa(b)c d-é"]) {
            assert.strictEqual(redactor.redact(text), text);
        }
        assert.strictEqual(new Redactor().redact(SECRET), SECRET);
    });

    it("removes a longer secret whole when it contains a shorter one", () => {
        const redactor = new Redactor();
        redactor.add("abc");
        redactor.add("xxabcxx");
        assert.strictEqual(redactor.redact("1 xxabcxx 2 abc"), `1 ${REDACTED} 2 ${REDACTED}`);
    });

    it("finds a secret encoded with nothing but one of %, \\, + or U+FFFD", () => {
        // Text without any of these can only hold a secret as itself (ops/redact.ts, ENCODING).
        assert.strictEqual(redactorOf("abc").redact("<a%62c>"), `<${REDACTED}>`);
        assert.strictEqual(redactorOf("abc").redact("<a\\u0062c>"), `<${REDACTED}>`);
        assert.strictEqual(redactorOf("a b").redact("<a+b>"), `<${REDACTED}>`);
        assert.strictEqual(redactorOf("a\tb").redact("<a\ufffdb>"), `<${REDACTED}>`);
    });

    it("removes a secret added after the redactor was first used, in every form", () => {
        const redactor = redactorOf("abc");
        assert.strictEqual(redactor.redact("abc xyz"), `${REDACTED} xyz`);
        assert.strictEqual(redactor.redact("abc%20xyz"), `${REDACTED}%20xyz`);
        redactor.add("xyz");
        assert.strictEqual(redactor.redact("abc xyz"), `${REDACTED} ${REDACTED}`);
        assert.strictEqual(redactor.redact("abc %78yz"), `${REDACTED} ${REDACTED}`);
    });

    it("matches text without an encoded character as the pattern of every form does", () => {
        // The same text with a "%" after it takes the pattern of every form; both must remove the same.
        const redactor = new Redactor();
        for (const secret of ["abc", "xxabcxx", "abcdef", "bcd", "a.b*c", "é~x"]) {
            redactor.add(secret);
        }
        redactor.add("pa:ss", { user: "Bob" });
        for (const text of ["1 xxabcxx 2 abc 3 abcd 4 xabcdx 5 abcdefg", "aXb*c a.b*c a.b*cc", "é~xé~x", "Qm9iOnBhOnNz Qm9iOnBhOnNz==",
            "cGE6c3M cGE6c3M= nothing here", ""]) {
            assert.strictEqual(`${redactor.redact(text)}%`, redactor.redact(`${text}%`), text);
        }
        assert.strictEqual(redactor.redact("1 xxabcxx 2 abcd 3 Qm9iOnBhOnNz=="), `1 ${REDACTED} 2 ${REDACTED} 3 ${REDACTED}`);
    });

    it("removes two secrets that overlap as one, leaving neither's tail; two side by side stay two", () => {
        const redactor = new Redactor();
        redactor.add("xxab");
        redactor.add("abcdef12");
        redactor.add("f12z");
        assert.strictEqual(redactor.redact("<xxabcdef12>"), `<${REDACTED}>`);
        assert.strictEqual(redactor.redact("<xxabcdef12z>"), `<${REDACTED}>`);
        assert.strictEqual(redactor.redact("<xxabcdef12z>%"), `<${REDACTED}>%`);
        assert.strictEqual(redactor.redact("<xxab%63def12>"), `<${REDACTED}>`);
        assert.strictEqual(redactor.redact("xxabxxab f12zabcdef12"), `${REDACTED}${REDACTED} ${REDACTED}${REDACTED}`);
    });

    it("takes secrets with every character a regular expression treats specially", () => {
        const secret = "a.b*c+d?e^f$g(h)i[j]k{l}m|n\\o/p";
        assert.strictEqual(redactorOf(secret).redact(`<${secret}>`), `<${REDACTED}>`);
        assert.strictEqual(redactorOf(secret).redact("<aXb*c+d?e^f$g(h)i[j]k{l}m|n\\o/p>"), "<aXb*c+d?e^f$g(h)i[j]k{l}m|n\\o/p>");
    });
});

describe("every command's output passes through the redactor", () => {
    const world = () => {
        const out = { stdout: "", stderr: "" };
        return {
            out,
            io: {
                argv: [], env: {}, now: () => new Date(), pulumi: () => Promise.reject(new Error("not used")),
                stdout: (text: string) => { out.stdout += text; },
                stderr: (text: string) => { out.stderr += text; },
            },
        };
    };

    it("redacts stdout and the error line, and lets only stdoutWithSecret through", async () => {
        const { out, io } = world();
        const code = await executeCommand("test", async (ctx: CommandContext) => {
            ctx.redactor.add(SECRET);
            ctx.stdout(`id: ${encodeURIComponent(SECRET)}\n`);
            ctx.stdoutWithSecret(`secret: ${SECRET}\n`);
            throw new OpsError(`refused ${JSON.stringify(SECRET)}`, 3);
        }, io);
        assert.strictEqual(code, 3);
        assert.strictEqual(out.stdout, `id: ${REDACTED}\nsecret: ${SECRET}\n`);
        assert.strictEqual(out.stderr, `test: refused "${REDACTED}"\n`);
    });

    it("redacts an unexpected error's first line after it was made printable", async () => {
        const { out, io } = world();
        const code = await executeCommand("test", async ctx => {
            ctx.redactor.add("pa\tss");
            throw new Error("crash near pa\tss\nsecond line");
        }, io);
        assert.strictEqual(code, 1);
        assert.strictEqual(out.stderr, `test: Error: crash near ${REDACTED}\n`);
    });
});

describe("deliver prints no secret, whatever Creatio answers", () => {
    const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
    const TENANT = "72f988bf-0000-4000-8000-000000000001";
    const KEY_ID = "0e4f6d2a-1111-4222-8333-444455556666";
    const APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    const NEW_SECRET = "Zx8Q~new(secret)value";
    const USER = "Deliverer";
    const PASSWORD = "creatio\tpass~word(1)";
    const API_CLIENT = "3e7b0d6a5c2f4a8e";
    const API_SECRET = "identity~secret(2)";
    let entra: TokenServer;

    beforeEach(async () => {
        entra = await startTokenServer(TENANT, { [CLIENT]: NEW_SECRET });
    });
    afterEach(() => entra.close());

    async function deliver(options: CreatioServerOptions, argv: string[], env: (server: CreatioServer) => Record<string, string>,
        check: (result: CommandResult) => void) {
        const server = await startCreatioServer({ users: { [USER]: PASSWORD }, apiClients: { [API_CLIENT]: API_SECRET }, ...options });
        try {
            const dev: FakeStack = {
                outputs: {
                    clientId: CLIENT, clientSecret: NEW_SECRET, tenantId: TENANT, siteBaseUrl: server.url, netCore: false,
                    clientSecretKeyId: KEY_ID,
                },
                secrets: ["clientSecret"],
            };
            const command = deliverCommand({ sleep: async () => undefined, requestToken });
            const result = await runInProcess("deliver", command, ["--stack", "dev", "--authority-host", entra.url, ...argv],
                { dev }, { env: { CREATIO_SITE_URL: server.url, ...env(server) }, trustedCa: `${entra.ca}\n${server.ca}` });
            for (const secret of [NEW_SECRET, PASSWORD, API_SECRET, encodeURIComponent(NEW_SECRET), "pass~word", "secret(2"]) {
                assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${secret} printed:\n${result.stdout}${result.stderr}`);
            }
            check(result);
        } finally {
            await server.close();
        }
    }

    const FORMS_ENV = () => ({ CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD });
    const OAUTH_ENV = (server: CreatioServer) =>
        ({ CREATIO_IDENTITY_URL: server.identityUrl, CREATIO_API_CLIENT_ID: API_CLIENT, CREATIO_API_CLIENT_SECRET: API_SECRET });

    it("a record whose Client ID field holds the secret and whose name holds the password (fields swapped by hand)", async () => {
        await deliver({
            oauthApplications: [{ Id: APP_ID, Name: `M365 ${PASSWORD}`, ClientId: NEW_SECRET, SecretKey: CLIENT, AppClassName: M365_CLASS }],
            mailServers: [{ Id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
        }, ["--dry-run", "--mail-server", "Microsoft 365"], FORMS_ENV, result => {
            assert.strictEqual(result.code, 0, result.stderr);
            // ops/creatio/delivery.ts recordRow: the record, why it was chosen, its Client ID change, what is done.
            assert.match(result.stdout, new RegExp(`^Record: +OAuthApplications ${APP_ID} "M365 \\[redacted\\]" \\(mail server "Microsoft 365"\\); ` +
                `ClientId \\[redacted\\] -> ${CLIENT}; would write ClientId and SecretKey$`, "m"));
        });
    });

    it("an Identity Service refusal that echoes the request form-encoded (%7E, %28)", async () => {
        const echo = `invalid_client: client_id=${API_CLIENT}&client_secret=${new URLSearchParams({ s: API_SECRET }).toString().slice(2)}`;
        assert.ok(echo.includes("identity%7Esecret%282%29"));
        await deliver({
            intercept: r => r.path.endsWith("/connect/token") ? { status: 400, body: JSON.stringify({ error: echo }) } : undefined,
        }, [], OAUTH_ENV, result => {
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stderr, "deliver: Creatio's Identity Service refused CREATIO_API_CLIENT_ID: invalid_client: " +
                `client_id=${API_CLIENT}&client_secret=${REDACTED}\n`);
        });
    });

    /** Answers the OData read with one Microsoft 365 record whose Name repeats the request's own headers. */
    const echoHeaders = (header: string) => (r: { method: string; path: string; headers: Record<string, unknown> }) =>
        r.method === "GET" && r.path.includes("/odata/") ? {
            status: 200, body: JSON.stringify({ value: [{
                Id: APP_ID, Name: `${header}: ${String(r.headers[header])}`, ClientId: CLIENT, AppClassName: M365_CLASS,
                ModifiedOn: "2024-01-15T09:30:00Z",
            }] }),
        } : undefined;

    it("a record that repeats the session cookies: .ASPXAUTH and BPMCSRF are credentials too", async () => {
        await deliver({ intercept: echoHeaders("cookie") }, ["--dry-run"], FORMS_ENV, result => {
            assert.strictEqual(result.code, 0, result.stderr);
            // The stand-in's cookies (tests/fakes/creatioServer.ts): BPMLOADER, .ASPXAUTH, BPMCSRF, UserName
            assert.match(result.stdout, new RegExp(`^Record: +OAuthApplications ${APP_ID} "cookie: BPMLOADER=loader-1; ` +
                `\\.ASPXAUTH=\\[redacted\\]; BPMCSRF=\\[redacted\\]; UserName=Deliverer" `, "m"));
        });
    });

    it("a record that repeats the Identity Service's bearer token", async () => {
        await deliver({ intercept: echoHeaders("authorization") }, ["--dry-run"], OAUTH_ENV, result => {
            assert.strictEqual(result.code, 0, result.stderr);
            assert.match(result.stdout, new RegExp(`^Record: +OAuthApplications ${APP_ID} "authorization: Bearer \\[redacted\\]" `, "m"));
        });
    });

    it("a sign-in refusal whose message echoes a password holding a tab", async () => {
        await deliver({
            intercept: r => r.path === "/ServiceModel/AuthService.svc/Login"
                ? { status: 200, body: JSON.stringify({ Code: 1, Message: `Wrong password ${PASSWORD}` }) } : undefined,
        }, [], FORMS_ENV, result => {
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stderr, `deliver: Creatio refused the sign-in of CREATIO_USERNAME (Code 1): Wrong password ${REDACTED}\n`);
        });
    });
});

describe("verify prints no secret from the stack's other outputs", () => {
    it("a redirect URI output that holds the secret is shown redacted", async () => {
        const TENANT = "72f988bf-0000-4000-8000-000000000001";
        const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
        const server = await startTokenServer(TENANT, { [CLIENT]: SECRET });
        try {
            const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", server.url], {
                dev: {
                    outputs: {
                        clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT, clientSecretExpiresAt: "2027-03-08T12:00:00Z",
                        redirectUris: [`https://acme.creatio.com/0/rest/x?s=${encodeURIComponent(SECRET)}`],
                    },
                    secrets: ["clientSecret"],
                },
            }, { trustedCa: server.ca, now: new Date("2026-11-28T10:00:00Z") });
            assert.strictEqual(result.code, 0, result.stderr);
            assert.match(result.stdout, /^Redirect URIs: {2}https:\/\/acme\.creatio\.com\/0\/rest\/x\?s=\[redacted\]$/m);
        } finally {
            await server.close();
        }
    });
});

describe("redaction", () => {
    it("removes the longest secret first, so no part of it is left", () => {
        const redactor = new Redactor();
        redactor.add("abc");
        redactor.add("abcdef");
        assert.strictEqual(redactor.redact("x abcdef y abc"), `x ${REDACTED} y ${REDACTED}`);
    });

    it("removes the JSON-escaped form, not the quoted one, and ignores an empty secret", () => {
        const redactor = new Redactor();
        redactor.add("");
        redactor.add('a"b');
        assert.strictEqual(redactor.redact('{"s":"a\\"b"} a%22b a"b'), `{"s":"${REDACTED}"} ${REDACTED} ${REDACTED}`);
    });

    it("keeps an error's kind: the same OpsError when clean, a plain Error for anything else", () => {
        const redactor = new Redactor();
        redactor.add("s3cret");
        const clean = new PulumiError("pulumi stack output failed", [], "");
        assert.strictEqual(redactor.redactError(clean), clean);
        const plain = redactor.redactError(new Error("got s3cret"));
        assert.ok(!(plain instanceof OpsError));
        assert.strictEqual((plain as Error).message, `got ${REDACTED}`);
        const text = redactor.redactError("thrown s3cret");
        assert.ok(text instanceof Error);
        assert.strictEqual(text.message, `thrown ${REDACTED}`);
    });
});
