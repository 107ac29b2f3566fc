/**
 * Every HTTP answer is read up to MAX_ANSWER_BYTES (1 MiB) and refused beyond it, by MSAL's network
 * client (Entra ID) and by the Creatio client, whether or not the answer declares its length.
 */
import * as assert from "assert";
import * as https from "https";
import { AddressInfo } from "net";
import { AuthError } from "@azure/msal-node";
import { signIn } from "../ops/creatioClient";
import { deliverCommand } from "../ops/deliver";
import { MAX_ANSWER_BYTES, httpsNetworkClient } from "../ops/httpsClient";
import { main as verifyMain, requestToken } from "../ops/verify";
import { M365_CLASS, rejects } from "./creatioFixtures";
import { certificateFor } from "./fakes/certificates";
import { runInProcess } from "./fakes/commands";
import { startCreatioServer } from "./fakes/creatioServer";
import { startTokenServer } from "./fakes/tokenServer";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const SECRET = "Zx8Q~right-secret";

/** A JSON text of exactly `bytes` bytes. */
function jsonOf(bytes: number): string {
    return `{"a":"${"x".repeat(bytes - 8)}"}`;
}

describe("HTTP answers are read up to 1 MiB", () => {
    let server: https.Server;
    let base: string;
    let ca: string;
    /** Bytes each answer's server side managed to write before the client hung up. */
    const written: number[] = [];

    before(async () => {
        const pems = await certificateFor("127.0.0.1");
        ca = pems.cert;
        server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
            req.resume();
            req.on("end", () => {
                const path = req.url ?? "";
                if (path.startsWith("/exact")) {
                    res.writeHead(200, { "content-type": "application/json" });
                    res.end(jsonOf(MAX_ANSWER_BYTES));
                    return;
                }
                if (path.startsWith("/declared")) {
                    // Says it is too large up front: nothing needs to be read.
                    res.writeHead(200, { "content-type": "application/json", "content-length": String(MAX_ANSWER_BYTES + 1) });
                    res.write("{");
                    return;
                }
                // Chunked, no length: 64 KiB at a time, endlessly, until the client hangs up.
                res.writeHead(200, { "content-type": "application/json" });
                let sent = 0;
                const more = () => {
                    while (!res.destroyed && res.write("x".repeat(65536))) {
                        sent += 65536;
                        if (sent > 64 * MAX_ANSWER_BYTES) {
                            res.end();
                            return;
                        }
                    }
                    if (!res.destroyed) {
                        res.once("drain", more);
                    }
                };
                res.on("close", () => written.push(sent));
                res.write('{"a":"');
                more();
            });
        });
        await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
        base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
    }));

    it("is 1 MiB", () => {
        assert.strictEqual(MAX_ANSWER_BYTES, 1048576);
    });

    it("MSAL's network client takes an answer of exactly 1 MiB", async () => {
        const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 5000 });
        const answer = await client.sendGetRequestAsync<{ a: string }>(`${base}/exact`);
        assert.strictEqual(answer.body.a.length, MAX_ANSWER_BYTES - 8);
    });

    for (const path of ["/declared", "/endless"]) {
        it(`MSAL's network client refuses a longer one (${path.slice(1)}) and records why`, async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 5000 });
            await assert.rejects(client.sendGetRequestAsync(`${base}${path}`), (err: unknown) =>
                err instanceof AuthError && err.errorCode === "network_error" &&
                err.errorMessage === `Network request failed: ${base} answered more than 1 MiB; the rest was not read`);
            assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}${path}`, outcome: "too-large", status: 200 }]);
        });

        it(`the Creatio client refuses a longer one (${path.slice(1)}) as unreachable`, async () => {
            // The sign-in request goes to <site>/ServiceModel/AuthService.svc/Login: the site here is base + path.
            await rejects(signIn({ siteBaseUrl: `${base}${path}`, netCore: false, timeoutMs: 5000, trustedCa: ca },
                { kind: "forms", userName: "u", password: "p" }), "unreachable", `${base} answered more than 1 MiB; the rest was not read`);
        });
    }

    for (const [who, read] of [
        ["MSAL's network client", () => httpsNetworkClient({ trustedCa: ca, timeoutMs: 5000 }).sendGetRequestAsync(`${base}/endless`)],
        ["the Creatio client", () => signIn({ siteBaseUrl: `${base}/endless`, netCore: false, timeoutMs: 5000, trustedCa: ca },
            { kind: "forms", userName: "u", password: "p" })],
    ] as const) {
        it(`${who} stops reading an endless answer soon after 1 MiB`, async () => {
            written.length = 0;
            await assert.rejects(read());
            for (let i = 0; i < 100 && written.length === 0; i++) {
                await new Promise(resolve => setTimeout(resolve, 20));
            }
            assert.strictEqual(written.length, 1);
            assert.ok(written[0] < 8 * MAX_ANSWER_BYTES, `${written[0]} bytes sent`);
        });
    }
});

describe("a command given a too-large answer", () => {
    it("verify: not checked, exit 3", async () => {
        const entra = await startTokenServer(TENANT, { [CLIENT]: SECRET },
            () => ({ status: 200, body: { access_token: "t", padding: "x".repeat(MAX_ANSWER_BYTES) } }));
        try {
            const result = await runInProcess("verify", verifyMain, ["--stack", "dev", "--authority-host", entra.url], {
                dev: {
                    outputs: {
                        clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT, clientSecretExpiresAt: "2027-03-08T12:00:00Z",
                        redirectUris: [],
                    },
                    secrets: ["clientSecret"],
                },
            }, { trustedCa: entra.ca, now: new Date("2026-11-28T10:00:00Z") });
            assert.strictEqual(result.code, 3);
            assert.match(result.stdout, new RegExp(`^Client secret: {2}not checked: ${entra.url.replace(/\./g, "\\.")} answered more ` +
                "than 1 MiB; the rest was not read$", "m"));
        } finally {
            await entra.close();
        }
    });

    it("deliver: one line, exit 3, nothing written", async () => {
        const entra = await startTokenServer(TENANT, { [CLIENT]: SECRET });
        const creatio = await startCreatioServer({
            users: { deliverer: "creatio-password-1" },
            oauthApplications: [{ Id: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", Name: "M", ClientId: CLIENT, SecretKey: "", AppClassName: M365_CLASS }],
            intercept: r => r.method === "GET" ? { status: 200, body: jsonOf(MAX_ANSWER_BYTES + 1) } : undefined,
        });
        try {
            const command = deliverCommand({ sleep: async () => undefined, requestToken });
            const result = await runInProcess("deliver", command, ["--stack", "dev", "--authority-host", entra.url], {
                dev: {
                    outputs: {
                        clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT, siteBaseUrl: creatio.url, netCore: false,
                        clientSecretKeyId: "0e4f6d2a-1111-4222-8333-444455556666",
                    },
                    secrets: ["clientSecret"],
                },
            }, { env: { CREATIO_USERNAME: "deliverer", CREATIO_PASSWORD: "creatio-password-1", CREATIO_SITE_URL: creatio.url }, trustedCa: `${entra.ca}\n${creatio.ca}` });
            assert.strictEqual(result.code, 3);
            assert.strictEqual(result.stderr, `deliver: ${creatio.url} answered more than 1 MiB; the rest was not read\n`);
            assert.deepStrictEqual(creatio.requests.map(r => r.method), ["POST", "GET"]);
        } finally {
            await creatio.close();
            await entra.close();
        }
    });
});
