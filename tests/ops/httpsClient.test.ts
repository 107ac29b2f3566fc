/**
 * Every HTTP answer is read up to MAX_ANSWER_BYTES (1 MiB) and refused beyond it, by MSAL's network
 * client (Entra ID) and by the Creatio client, whether or not the answer declares its length.
 */
import * as assert from "assert";
import * as https from "https";
import { type AddressInfo } from "net";
import { AuthError } from "@azure/msal-node";
import { signIn } from "../../ops/creatio/client.ts";
import { probe } from "../../ops/creatio/runtime.ts";
import { listPasswordKeyIds } from "../../ops/entra/graphKeyIds.ts";
import { deliverCommand } from "../../ops/deliver.ts";
import { MAX_ANSWER_BYTES, trustOptions } from "../../ops/httpsClient.ts";
import { httpsNetworkClient } from "../../ops/entra/msalNetwork.ts";
import { main as verifyMain } from "../../ops/verify.ts";
import { requestToken } from "../../ops/entra/token.ts";
import { M365_CLASS, rejects } from "../creatioFixtures.ts";
import { certificateFor } from "../fakes/certificates.ts";
import { type FakeStack, runInProcess } from "../fakes/commands.ts";
import { type CreatioServer, startCreatioServer } from "../fakes/creatioServer.ts";
import { startTokenServer, type TokenServer } from "../fakes/tokenServer.ts";

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

describe("https clients: trusting a certificate", () => {
    /**
     * deliver sends the Creatio credentials and the client secret only to servers whose certificate
     * Node trusts: an untrusted Creatio certificate is a set-up problem (exit 2, naming
     * NODE_EXTRA_CA_CERTS), and NODE_TLS_REJECT_UNAUTHORIZED=0 is refused, and ignored by its requests.
     */
    const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
    const TENANT = "72f988bf-0000-4000-8000-000000000001";
    const SECRET = "Zx8Q~new-secret-value";
    const USER = "Deliverer";
    const PASSWORD = "creatio-password-1";
    const ENV = { CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD };

    describe("trustOptions", () => {
        let seen = 0;
        it("leaves Node's default trust alone without a CA of a stand-in, and always checks certificates", () => {
            assert.deepStrictEqual(trustOptions(undefined), { rejectUnauthorized: true });
            assert.deepStrictEqual(trustOptions(""), { rejectUnauthorized: true });
            assert.strictEqual(trustOptions("-----BEGIN CERTIFICATE-----").rejectUnauthorized, true);
        });

        it("gives each CA an agent of its own, keeping connections alive as Node's global agent does, trusting that CA and no other", async () => {
            // The two stand-ins' certificates, made once per test process.
            const [a, b] = [await certificateFor("127.0.0.1"), await certificateFor("creatio-stand-in")];
            // PEM text this process has not shown trustOptions before (text ahead of a PEM block is no part of it),
            // so that the agent is made here, not taken from an earlier test.
            const [caA, caB] = [a, b].map(c => `a stand-in's CA, seen ${++seen} times\n${c.cert}`);
            const first = trustOptions(caA).agent!;
            assert.ok(first instanceof https.Agent);
            assert.strictEqual(trustOptions(caA).agent, first);
            assert.notStrictEqual(trustOptions(caB).agent, first);
            // A request with a connection of its own (agent: false) trusts as the agent's do.
            assert.strictEqual((first as unknown as { options: { secureContext: unknown } }).options.secureContext,
                trustOptions(caA).secureContext);
            // Node 22 lib/https.js, Node 24 lib/internal/http.js: the global agent is new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }).
            for (const option of ["keepAlive", "scheduling", "timeout"] as const) {
                assert.strictEqual((first as unknown as { options: Record<string, unknown> }).options[option],
                    (https.globalAgent as unknown as { options: Record<string, unknown> }).options[option], option);
            }
            let connections = 0;
            const server = https.createServer({ key: a.private, cert: a.cert }, (_req, res) => res.end("ok"));
            server.on("secureConnection", () => connections++);
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
            const get = (ca: string) => new Promise<string>(resolve => https.get(url, { ...trustOptions(ca), rejectUnauthorized: true },
                res => res.resume().on("end", () => resolve(String(res.statusCode)))).on("error", err => resolve((err as NodeJS.ErrnoException).code ?? "error")));
            try {
                assert.strictEqual(await get(caA), "200");
                assert.strictEqual(await get(caA), "200");
                assert.strictEqual(connections, 1);
                // The socket kept for a's trust is not lent to b's.
                assert.strictEqual(await get(caB), "DEPTH_ZERO_SELF_SIGNED_CERT");
                const ownConnection = await new Promise<string>(resolve => https.get(url, { ...trustOptions(caA), agent: false },
                    res => res.resume().on("end", () => resolve(String(res.statusCode)))).on("error", err => resolve(String(err))));
                assert.deepStrictEqual([ownConnection, connections], ["200", 2]);
            } finally {
                server.close();
            }
        });
    });

    describe("deliver and TLS trust", () => {
        let entra: TokenServer;
        let creatio: CreatioServer;

        beforeEach(async () => {
            entra = await startTokenServer(TENANT, { [CLIENT]: SECRET });
            creatio = await startCreatioServer({
                users: { [USER]: PASSWORD },
                oauthApplications: [{ Id: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", Name: "M", ClientId: CLIENT, SecretKey: "", AppClassName: M365_CLASS }],
            });
        });
        afterEach(async () => {
            await creatio.close();
            await entra.close();
        });

        function dev(): FakeStack {
            return {
                outputs: {
                    clientId: CLIENT, clientSecret: SECRET, tenantId: TENANT, siteBaseUrl: creatio.url, netCore: false,
                    clientSecretKeyId: "0e4f6d2a-1111-4222-8333-444455556666",
                },
                secrets: ["clientSecret"],
            };
        }

        function deliver(env: Record<string, string>, trustedCa: string) {
            return runInProcess("deliver", deliverCommand({ sleep: async () => undefined, requestToken }),
                ["--stack", "dev", "--authority-host", entra.url], { dev: dev() },
                { env: { CREATIO_SITE_URL: String(dev().outputs.siteBaseUrl), ...env }, trustedCa });
        }

        it("an untrusted Creatio certificate: exit 2 (set-up, not retry), naming NODE_EXTRA_CA_CERTS, nothing sent", async () => {
            // Entra ID's certificate is trusted, Creatio's is not.
            const result = await deliver(ENV, entra.ca);
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stderr, `deliver: the TLS certificate of ${new URL(creatio.url).host} is not trusted ` +
                "(DEPTH_ZERO_SELF_SIGNED_CERT): a certificate from a private CA needs that CA's certificate in NODE_EXTRA_CA_CERTS " +
                "(a PEM file); an expired one, or one made for another host, must be replaced on the site\n");
            assert.deepStrictEqual(creatio.requests, []);
        });

        it("refuses to run with NODE_TLS_REJECT_UNAUTHORIZED=0, before reading the stack or sending anything", async () => {
            const result = await deliver({ ...ENV, NODE_TLS_REJECT_UNAUTHORIZED: "0" }, `${entra.ca}\n${creatio.ca}`);
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stderr, "deliver: NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks: deliver " +
                "would send the Creatio credentials and the client secret to servers it has not verified; unset it, and give a " +
                "private CA's certificate in NODE_EXTRA_CA_CERTS instead\n");
            assert.deepStrictEqual(result.pulumiCalls, []);
            assert.deepStrictEqual(creatio.requests, []);
            assert.deepStrictEqual(entra.requests, []);
        });

        it("runs with NODE_TLS_REJECT_UNAUTHORIZED=1, which checks certificates", async () => {
            const result = await deliver({ ...ENV, NODE_TLS_REJECT_UNAUTHORIZED: "1" }, `${entra.ca}\n${creatio.ca}`);
            assert.strictEqual(result.code, 0, result.stderr);
        });

        describe("with NODE_TLS_REJECT_UNAUTHORIZED=0 in this very process", () => {
            let saved: string | undefined;
            beforeEach(() => {
                saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
                process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
            });
            afterEach(() => {
                if (saved === undefined) {
                    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
                } else {
                    process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
                }
            });

            it("the Creatio client still refuses an untrusted certificate", async () => {
                await rejects(signIn({ siteBaseUrl: creatio.url, netCore: false, timeoutMs: 5000 }, { kind: "forms", userName: USER, password: PASSWORD }),
                    "misconfigured", /^the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
                assert.deepStrictEqual(creatio.requests, []);
            });

            it("the Creatio site probe still refuses an untrusted certificate", async () => {
                const result = await probe(`${creatio.url}/0/api/HealthCheck/Ping`, 5000);
                assert.deepStrictEqual({ ok: result.ok, reached: result.reached }, { ok: false, reached: false });
                assert.match(result.detail, /DEPTH_ZERO_SELF_SIGNED_CERT/);
                assert.deepStrictEqual(creatio.requests, []);
            });

            it("the Graph read of key ids still refuses an untrusted certificate, and sends no token", async () => {
                let asked = false;
                const token = async () => {
                    asked = true;
                    return "graph-token";
                };
                await assert.rejects(listPasswordKeyIds(token, "0e4f6d2a-1111-4222-8333-444455556666",
                    { authorityHost: entra.url, tenantId: TENANT, timeoutMs: 5000 }), /^OpsError: could not reach 127\.0\.0\.1:\d+: self-signed certificate/);
                assert.ok(asked);
                assert.deepStrictEqual(entra.requests, []);
            });

            it("MSAL's network client still refuses an untrusted certificate", async () => {
                const client = httpsNetworkClient({ timeoutMs: 5000 });
                await assert.rejects(client.sendPostRequestAsync(`${entra.url}/${TENANT}/oauth2/v2.0/token`, { body: `client_secret=${SECRET}` }));
                assert.strictEqual(client.requests[0].outcome, "connection");
                assert.deepStrictEqual(entra.tokenRequests, []);
            });
        });
    });
});
