/**
 * MSAL's network client: what it sends, how it answers MSAL, and the record of how each request
 * ended, against a local https server.
 */
import * as assert from "assert";
import * as https from "https";
import * as net from "net";
import { AuthError } from "@azure/msal-node";
import { httpsNetworkClient } from "../../../ops/entra/msalNetwork.ts";
import { certificateFor } from "../../fakes/certificates.ts";
import { eventually } from "../../eventually.ts";

describe("the https client of MSAL", () => {
    let server: https.Server;
    let base: string;
    let ca: string;
    const sockets: net.Socket[] = [];
    const received: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

    before(async () => {
        const pems = await certificateFor("127.0.0.1");
        ca = pems.cert;
        server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
            let body = "";
            req.on("data", chunk => (body += chunk));
            req.on("end", () => {
                received.push({ method: req.method, url: req.url, headers: req.headers, body });
                switch (req.url) {
                    case "/json":
                        res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
                        res.writeHead(200, { "content-type": "application/json" });
                        return res.end('{"ok":true}');
                    case "/html":
                        res.writeHead(502, { "content-type": "text/html" });
                        return res.end("<html>Bad gateway</html>");
                    case "/cut":
                        // Headers and half a body, then the connection drops.
                        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
                        res.write('{"a":');
                        return setTimeout(() => req.socket.destroy(), 20);
                    case "/silent":
                        return; // never answers
                    default:
                        res.writeHead(200, { "content-type": "application/json" });
                        return res.end(JSON.stringify({ echoed: true }));
                }
            });
        });
        server.on("secureConnection", socket => sockets.push(socket));
        await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
        base = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
    }));
    beforeEach(() => {
        received.length = 0;
    });

    it("answers with status, JSON body and headers, repeated headers joined by a comma and a space", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
        const answer = await client.sendGetRequestAsync(`${base}/json`);
        assert.strictEqual(answer.status, 200);
        assert.deepStrictEqual(answer.body, { ok: true });
        // Fetch's Headers (what MSAL's own HttpClient reads) combine repeated values with ", " (fetch.spec.whatwg.org, "combine").
        assert.strictEqual(answer.headers["set-cookie"], "a=1; Path=/, b=2; Path=/");
        assert.strictEqual(answer.headers["content-type"], "application/json");
        assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}/json`, outcome: "answer", status: 200, body: { ok: true } }]);
    });

    it("sends a POST without a body as an empty one", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
        await client.sendPostRequestAsync(`${base}/token`);
        assert.strictEqual(received.length, 1);
        assert.strictEqual(received[0].method, "POST");
        assert.strictEqual(received[0].body, "");
        assert.strictEqual(received[0].headers["content-length"], "0");
    });

    it("sends a POST's body and headers", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
        await client.sendPostRequestAsync(`${base}/token`,
            { body: "grant_type=client_credentials&é=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
        assert.strictEqual(received[0].body, "grant_type=client_credentials&é=1");
        assert.strictEqual(received[0].headers["content-length"], String(Buffer.byteLength("grant_type=client_credentials&é=1")));
        assert.strictEqual(received[0].headers["content-type"], "application/x-www-form-urlencoded");
    });

    it("refuses an answer that is not JSON as MSAL does, and records its status", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
        await assert.rejects(client.sendGetRequestAsync(`${base}/html`), (err: unknown) =>
            // ClientAuthErrorCodes.tokenParsingError; message as msal-node's HttpClient.sendRequest words it (src/network/HttpClient.ts)
            err instanceof AuthError && err.errorCode === "token_parsing_error" && err.errorMessage === "Failed to parse response: HTTP 502" &&
            err.correlationId === "");
        assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}/html`, outcome: "not-json", status: 502 }]);
    });

    it("records a connection that drops in the middle of an answer", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
        await assert.rejects(client.sendGetRequestAsync(`${base}/cut`), (err: unknown) =>
            // ClientAuthErrorCodes.networkError, "Network request failed: <message>" (msal-node src/network/HttpClient.ts)
            err instanceof AuthError && err.errorCode === "network_error" && err.errorMessage === "Network request failed: aborted" &&
            err.correlationId === "");
        // Node's IncomingMessage fails with ECONNRESET "aborted" when the socket closes before the body ends.
        assert.deepStrictEqual(client.requests,
            [{ method: "GET", url: `${base}/cut`, outcome: "connection", code: "ECONNRESET", message: "aborted" }]);
    });

    it("gives up on a silent host after its timeout: one record, and the connection closed", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 150 });
        const before = sockets.length;
        await assert.rejects(client.sendGetRequestAsync(`${base}/silent`), (err: unknown) =>
            // ClientAuthErrorCodes.networkError, "Request timeout" (msal-node src/network/HttpClient.ts)
            err instanceof AuthError && err.errorCode === "network_error" && err.errorMessage === "Request timeout" &&
            err.correlationId === "");
        const socket = sockets[before];
        assert.ok(socket, "the request reached the host");
        await eventually("the connection is closed", () => socket.destroyed);
        assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}/silent`, outcome: "timeout" }]);
    });

    it("takes a GET's own timeout over the default one", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 10_000 });
        const started = Date.now();
        await assert.rejects(client.sendGetRequestAsync(`${base}/silent`, undefined, 100), { errorCode: "network_error" });
        assert.ok(Date.now() - started < 2000);
    });
});
