/**
 * The operations commands: behaviour that mutation testing found unchecked by the command tests.
 * In-process throughout: the pure parts directly, the commands through main(io) and the fakes.
 */
import * as assert from "assert";
import * as net from "net";
import type { NetworkRecord } from "../../../ops/entra/msalNetwork.ts";
import { REDACTED } from "../../../ops/redact.ts";
import { renderReport } from "../../../ops/verify.ts";
import { judge, requestToken } from "../../../ops/entra/token.ts";

const HOST = "https://login.example.test";
const TOKEN_URL = `${HOST}/tenant/oauth2/v2.0/token`;
const NOW = new Date("2026-11-28T10:00:00Z");
const post = (status: number, body: unknown): NetworkRecord => ({ method: "POST", url: TOKEN_URL, outcome: "answer", status, body });

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
