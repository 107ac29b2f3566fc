/**
 * The operations commands: behaviour that mutation testing found unchecked by the command tests.
 * In-process throughout: the pure parts directly, the commands through main(io) and the fakes.
 */
import * as assert from "assert";
import * as net from "net";
import { OpsError, stackOption } from "../ops/cli";
import { formatCredentials, main as credentialsMain } from "../ops/credentials";
import { NetworkRecord } from "../ops/httpsClient";
import { PulumiError } from "../ops/pulumiRunner";
import {
    isIsoUtcInstant, optionalOutput, optionalWholeDays, readStackTag, requireOutput, requireStringList,
} from "../ops/pulumiStack";
import { REDACTED, Redactor } from "../ops/redact";
import { main as statusMain, renderTable, StatusRow } from "../ops/status";
import { judge, main as verifyMain, renderReport, requestToken } from "../ops/verify";
import { FakeStack, runInProcess } from "./fakes/commands";

const HOST = "https://login.example.test";
const TOKEN_URL = `${HOST}/tenant/oauth2/v2.0/token`;
const NOW = new Date("2026-11-28T10:00:00Z");
const post = (status: number, body: unknown): NetworkRecord => ({ method: "POST", url: TOKEN_URL, outcome: "answer", status, body });

describe("operations commands (bites)", () => {
    describe("verify: judging Entra ID's answer", () => {
        it("says that nothing was sent when no request was made", () => {
            assert.deepStrictEqual(judge([], undefined, HOST), { outcome: "unreachable", reason: `no request reached ${HOST}` });
        });

        it("names each way a request got no answer", () => {
            const get = { method: "GET" as const, url: `${HOST}/tenant/v2.0/.well-known/openid-configuration` };
            assert.deepStrictEqual(judge([{ ...get, outcome: "timeout" }], undefined, HOST),
                { outcome: "unreachable", reason: `no answer from ${HOST} in time` });
            assert.deepStrictEqual(judge([{ ...get, outcome: "connection", code: "EAI_AGAIN", message: "getaddrinfo EAI_AGAIN" }], undefined, HOST),
                { outcome: "unreachable", reason: "the host login.example.test is unknown (DNS: EAI_AGAIN)" });
            assert.deepStrictEqual(judge([{ ...get, outcome: "connection", code: undefined, message: "  socket hang up  \nat x" }], undefined, HOST),
                { outcome: "unreachable", reason: `could not get an answer from ${HOST}: socket hang up` });
        });

        it("takes only a token endpoint's 200 carrying an access token as acceptance", () => {
            const accepted = judge([post(200, { access_token: "eyJ0" })], "eyJ0", HOST);
            assert.deepStrictEqual(accepted, { outcome: "accepted" });
            const noToken = (status: number) =>
                ({ outcome: "unreachable", reason: `${HOST} answered HTTP ${status} without an access token` });
            // MSAL handed back no token although the body has one.
            assert.deepStrictEqual(judge([post(200, { access_token: "eyJ0" })], undefined, HOST), noToken(200));
            assert.deepStrictEqual(judge([post(201, { access_token: "eyJ0" })], "eyJ0", HOST), noToken(201));
            assert.deepStrictEqual(judge([post(200, { access_token: 5 })], "eyJ0", HOST), noToken(200));
            assert.deepStrictEqual(judge([post(200, { access_token: "" })], "eyJ0", HOST), noToken(200));
            // A GET is discovery, whatever its body carries.
            assert.deepStrictEqual(judge([{ method: "GET", url: `${HOST}/x`, outcome: "answer", status: 200, body: { access_token: "eyJ0" } }],
                "eyJ0", HOST), { outcome: "unreachable", reason: `${HOST} answered HTTP 200 without an OpenID configuration` });
        });

        it("counts every 5xx from 500 on as Entra ID's own failure", () => {
            assert.deepStrictEqual(judge([post(500, {})], undefined, HOST),
                { outcome: "unreachable", reason: "Entra ID is temporarily unavailable (HTTP 500)" });
        });

        // The AADSTS codes Entra's error code reference (MicrosoftDocs/entra-docs reference-error-codes.md) describes as
        // transient (try again, service unavailable, busy or timed out), and OAuth's server_error (RFC 6749 section 4.1.2.1).
        for (const code of ["AADSTS90006", "AADSTS90012", "AADSTS90024", "AADSTS90033", "AADSTS90055", "AADSTS90090"]) {
            it(`takes ${code} as not checked`, () => {
                assert.deepStrictEqual(judge([post(400, { error: "invalid_request", error_description: `${code}: try again` })], undefined, HOST),
                    { outcome: "unreachable", reason: `Entra ID is temporarily unavailable (HTTP 400, invalid_request ${code})` });
            });
        }
        it("takes server_error as not checked whatever the HTTP status", () => {
            assert.deepStrictEqual(judge([post(400, { error: "server_error" })], undefined, HOST),
                { outcome: "unreachable", reason: "Entra ID is temporarily unavailable (HTTP 400, server_error)" });
        });

        it("reads the AADSTS code from the description, and ignores an error that is not text", () => {
            assert.deepStrictEqual(judge([post(401, { error_description: "AADSTS7000215: Invalid client secret provided." })], undefined, HOST),
                { outcome: "rejected", code: "AADSTS7000215", meaning: "invalid client secret" });
            assert.deepStrictEqual(judge([post(400, { error: 42 })], undefined, HOST),
                { outcome: "unreachable", reason: `${HOST} answered HTTP 400 without an access token` });
        });

        it("gives an unknown code's description without its leading code, whatever follows the colon", () => {
            const meaning = (description: string) => {
                const answer = judge([post(400, { error: "invalid_request", error_description: description })], undefined, HOST);
                return answer.outcome === "rejected" ? answer.meaning : answer;
            };
            assert.strictEqual(meaning("AADSTS70011:\r\nThe scope isn't valid."), "The scope isn't valid.");
            assert.strictEqual(meaning("AADSTS70011:The scope isn't valid."), "The scope isn't valid.");
            assert.strictEqual(meaning("AADSTS70011:   The scope isn't valid.\nTrace ID: 1"), "The scope isn't valid.");
            assert.strictEqual(meaning("Failed: AADSTS70011: The scope isn't valid."), "Failed: AADSTS70011: The scope isn't valid.");
        });

        it("removes the secret from the reason it could not ask", async () => {
            const server = net.createServer();
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            const port = (server.address() as net.AddressInfo).port;
            await new Promise(resolve => server.close(resolve));
            // The secret happens to be a word of Node's connection error.
            const answer = await requestToken({
                tenantId: "72f988bf-0000-4000-8000-000000000001", clientId: "c1c1c1c1-0000-4000-8000-000000000003",
                clientSecret: "ECONNREFUSED", authorityHost: `https://127.0.0.1:${port}`, timeoutMs: 5000,
            });
            assert.deepStrictEqual(answer, {
                outcome: "unreachable",
                reason: `could not get an answer from https://127.0.0.1:${port}: connect ${REDACTED} 127.0.0.1:${port} (${REDACTED})`,
            });
        });

        it("says 0 days left on the day a secret expires", () => {
            const text = renderReport({
                stack: "dev", tenantId: "t", clientId: "c", authority: `${HOST}/t`, answer: { outcome: "accepted" },
                clientSecretExpiresAt: "2026-11-28T22:00:00Z", redirectUris: [], now: NOW,
            });
            assert.match(text, /^Expires: {8}2026-11-28T22:00:00Z \(0 days left\)$/m);
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

    describe("command lines", () => {
        it("refuses positional arguments and unknown options", async () => {
            const dev: FakeStack = { outputs: {}, secrets: [] };
            for (const argv of [["--stack", "dev", "extra"], ["--stack", "dev", "--bogus"]]) {
                const result = await runInProcess("credentials", credentialsMain, argv, { dev });
                assert.strictEqual(result.code, 2, argv.join(" "));
                assert.match(result.stderr, /^credentials: .* \(usage: npm run -s credentials -- --stack <name>.*\)\n$/);
                assert.deepStrictEqual(result.pulumiCalls, []);
            }
        });

        it("refuses a blank stack name", () => {
            assert.throws(() => stackOption("  ", "u"), (err: OpsError) =>
                err.exitCode === 2 && err.message === '--stack "  " is empty: name the stack (usage: u)');
        });

        it("names its errors OpsError", () => {
            assert.strictEqual(String(new OpsError("x")), "OpsError: x");
        });
    });

    it("credentials: prints the env format one variable a line, ending with a newline", () => {
        assert.strictEqual(formatCredentials({ clientId: "c", clientSecret: "s", tenantId: "t", clientSecretExpiresAt: "e" }, "env"),
            "CREATIO_CLIENT_ID='c'\nCREATIO_CLIENT_SECRET='s'\nCREATIO_TENANT_ID='t'\nCREATIO_CLIENT_SECRET_EXPIRES_AT='e'\n");
    });

    it("credentials: prints the json format as one indented object ending with a newline, as jq and shells expect", () => {
        assert.strictEqual(formatCredentials({ clientId: "c", clientSecret: "s", tenantId: "t", clientSecretExpiresAt: "e" }, "json"),
            '{\n  "clientId": "c",\n  "clientSecret": "s",\n  "tenantId": "t",\n  "clientSecretExpiresAt": "e"\n}\n');
    });

    describe("reading stack outputs", () => {
        it("takes null and empty text as missing, and other values as not a string", () => {
            for (const value of [null, ""]) {
                assert.throws(() => requireOutput({ clientId: value }, "clientId", "dev"), {
                    message: 'stack "dev" has no output clientId: run pulumi up for it (with this version of the program)',
                });
            }
            assert.throws(() => requireOutput({ clientId: 7 }, "clientId", "dev"),
                (err: OpsError) => err.exitCode === 2 && err.message === 'stack "dev" has an output clientId that is not a string');
            assert.strictEqual(optionalOutput({ clientSecretKeyId: null }, "clientSecretKeyId", "dev"), undefined);
            assert.throws(() => requireStringList({ redirectUris: null }, "redirectUris", "dev"), /has no output redirectUris/);
            assert.throws(() => requireStringList({ redirectUris: ["https://a/x", 3] }, "redirectUris", "dev"),
                { message: 'stack "dev" has an output redirectUris that is not a list of strings' });
        });

        it("takes whole days from 1 only", () => {
            assert.strictEqual(optionalWholeDays({ d: null }, "d", "dev"), undefined);
            assert.strictEqual(optionalWholeDays({ d: 1 }, "d", "dev"), 1);
            for (const value of [0, 1.5, "30"]) {
                assert.throws(() => optionalWholeDays({ d: value }, "d", "dev"),
                    (err: OpsError) => err.exitCode === 2 && err.message === 'stack "dev" has an output d that is not a whole number of days',
                    JSON.stringify(value));
            }
        });

        it("takes only whole ISO 8601 UTC instants that exist", () => {
            assert.strictEqual(isIsoUtcInstant("2027-01-01T00:00:59Z"), true);
            for (const text of ["x2027-01-01T00:00:00Z", "2027-01-01T00:00:00Zx", "2027-01-01T00:00:60Z"]) {
                assert.strictEqual(isIsoUtcInstant(text), false, text);
            }
        });

        it("takes instants of the years 0000 to 0099 as such (Date.UTC would read them as 1900 to 1999)", () => {
            for (const text of ["0000-01-01T00:00:00Z", "0050-01-01T00:00:00Z", "0099-12-31T23:59:59.999Z", "0100-01-01T00:00:00Z"]) {
                assert.strictEqual(isIsoUtcInstant(text), true, text);
            }
            // The calendar of the year written, proleptic Gregorian: 0000 and 0048 are leap years, 0099 and 0100 are not;
            // 1948 is one too, so a check made in 1900 + year would take 0048-02-29 but also 0000-02-29 (1900 is not leap).
            assert.strictEqual(isIsoUtcInstant("0000-02-29T00:00:00Z"), true);
            assert.strictEqual(isIsoUtcInstant("0048-02-29T00:00:00Z"), true);
            for (const text of ["0099-02-29T00:00:00Z", "0100-02-29T00:00:00Z", "0050-13-01T00:00:00Z", "0050-04-31T00:00:00Z"]) {
                assert.strictEqual(isIsoUtcInstant(text), false, text);
            }
        });

        it("reads a stack tag: one trailing newline off, undefined when unset, other failures passed on", async () => {
            assert.strictEqual(await readStackTag(async () => "a\nb\n", "dev", "t"), "a\nb");
            const failing = (stderr: string) => async () => { throw new PulumiError("pulumi stack tag get failed", [], stderr); };
            // The CLI's text for an unset tag (pulumi/pulumi pkg/cmd/pulumi/stack/stack_tag.go).
            assert.strictEqual(await readStackTag(failing("error: stack tag 't' not found for stack 'dev'\n"), "dev", "t"), undefined);
            await assert.rejects(readStackTag(failing("error: permission denied\n"), "dev", "t"), { message: "pulumi stack tag get failed" });
            await assert.rejects(readStackTag(failing("error: no stack named 'dev' found\n"), "dev", "t"),
                { message: 'stack "dev" does not exist in this backend (pulumi stack ls lists the stacks)' });
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

    describe("status", () => {
        it("aligns every column to its widest cell, and ends with a newline", () => {
            const row = (stack: string, clientId: string): StatusRow => ({
                stack, clientId, expiresAt: "2027-07-21T00:00:00Z", daysLeft: 234, rotatesAt: "2027-01-22T00:00:00Z",
                thresholdDays: 30, creatio: "newest", state: "ok",
            });
            assert.strictEqual(renderTable([row("production", "c1"), row("dev", "client-2")]), [
                "ENVIRONMENT  CLIENT ID  SECRET EXPIRES        DAYS LEFT  NEXT ROTATION         THRESHOLD  CREATIO HOLDS  STATE",
                "production   c1         2027-07-21T00:00:00Z  234        2027-01-22T00:00:00Z  30         newest         ok",
                "dev          client-2   2027-07-21T00:00:00Z  234        2027-01-22T00:00:00Z  30         newest         ok",
                "",
            ].join("\n"));
        });

        it("refuses a threshold with anything around the digits, and a blank stack name", async () => {
            for (const threshold of ["x30", "30x"]) {
                const result = await runInProcess("status", statusMain, ["--all", "--threshold-days", threshold], {});
                assert.strictEqual(result.code, 2);
                assert.strictEqual(result.stderr,
                    `status: --threshold-days "${threshold}" is not a whole number of days from 0 to 999\n`);
            }
            const blank = await runInProcess("status", statusMain, ["--stack", " "], {});
            assert.strictEqual(blank.code, 2);
            assert.match(blank.stderr, /^status: --stack " " is empty: name the stack \(usage: /);
            assert.deepStrictEqual(blank.pulumiCalls, []);
        });

        it("exits 2 when the backend has no stack, or lists stacks that are not a JSON array", async () => {
            const none = await runInProcess("status", statusMain, ["--all"], {});
            assert.strictEqual(none.code, 2);
            assert.strictEqual(none.stderr, "status: the backend has no stack of this project\n");
            const odd = await runInProcess("status", statusMain, [], {},
                { answer: args => (args[1] === "ls" ? { exitCode: 0, stdout: '{"name":"dev"}', stderr: "" } : undefined) });
            assert.strictEqual(odd.code, 2);
            assert.strictEqual(odd.stderr, "status: the stack list is not a JSON array\n");
        });
    });
});
