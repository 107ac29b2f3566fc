/**
 * deliver sends the Creatio credentials and the client secret only to servers whose certificate
 * Node trusts: an untrusted Creatio certificate is a set-up problem (exit 2, naming
 * NODE_EXTRA_CA_CERTS), and NODE_TLS_REJECT_UNAUTHORIZED=0 is refused, and ignored by its requests.
 */
import * as assert from "assert";
import { signIn } from "../ops/creatioClient";
import { deliverCommand } from "../ops/deliver";
import { httpsNetworkClient } from "../ops/httpsClient";
import { requestToken } from "../ops/verify";
import { M365_CLASS, rejects } from "./creatioFixtures";
import { FakeStack, runInProcess } from "./fakes/commands";
import { CreatioServer, startCreatioServer } from "./fakes/creatioServer";
import { TokenServer, startTokenServer } from "./fakes/tokenServer";

const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const TENANT = "72f988bf-0000-4000-8000-000000000001";
const SECRET = "Zx8Q~new-secret-value";
const USER = "Deliverer";
const PASSWORD = "creatio-password-1";
const ENV = { CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD };

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

        it("MSAL's network client still refuses an untrusted certificate", async () => {
            const client = httpsNetworkClient({ timeoutMs: 5000 });
            await assert.rejects(client.sendPostRequestAsync(`${entra.url}/${TENANT}/oauth2/v2.0/token`, { body: `client_secret=${SECRET}` }));
            assert.strictEqual(client.requests[0].outcome, "connection");
            assert.deepStrictEqual(entra.tokenRequests, []);
        });
    });
});
