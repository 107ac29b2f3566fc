import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deliverCommand, main } from "../../ops/deliver.ts";
import { creatioCredentialsFromEnv } from "../../ops/creatio/delivery.ts";
import { isSiteBaseUrl } from "../../ops/creatio/runtime.ts";
import { DELIVERED_KEY_ID_TAG } from "../../ops/pulumi/stack.ts";
import { requestToken } from "../../ops/entra/token.ts";
import { API_CLIENT, API_SECRET, APP_ID, applications, CLIENT, FORMS_ENV, GOOGLE_APP_ID, M365_CLASS, m365Record, MAIL_ID, NEW_SECRET, ODATA_403, PASSWORD, PORTAL_CLIENT, USER, withCreatio } from "../creatioFixtures.ts";
import { type CommandResult, type FakeStack, type InProcessOptions, runInProcess } from "../fakes/commands.ts";
import { type CreatioServer, type CreatioServerOptions, DEFAULT_MODIFIED_ON, type FakeOAuthApplication, startCreatioServer } from "../fakes/creatioServer.ts";
import { startTokenServer, type TokenServer } from "../fakes/tokenServer.ts";

describe("npm run deliver", () => {
    const TENANT = "72f988bf-0000-4000-8000-000000000001";
    const KEY_ID = "0e4f6d2a-1111-4222-8333-444455556666";
    let entra: TokenServer;
    /** The fake tenant's secret per client id; changing it changes what Entra ID accepts. */
    let entraClients: Record<string, string>;
    let creatio: CreatioServer;
    /** Both stand-ins' certificates, as one PEM (Node reads every certificate of a PEM string). */
    let ca: string;
    let sleeps: number[];

    function stack(overrides: Record<string, unknown> = {}, netCore = false): FakeStack {
        return {
            outputs: {
                clientId: CLIENT, clientSecret: NEW_SECRET, tenantId: TENANT, siteBaseUrl: creatio.url, netCore,
                clientSecretKeyId: KEY_ID, previousClientSecretKeyId: "7d7d7d7d-0000-4000-8000-000000000007", ...overrides,
            },
            secrets: ["clientSecret"],
        };
    }

    function deliver(argv: string[], options: { stack?: FakeStack; env?: Record<string, string>;
        onSleep?: () => void; answer?: InProcessOptions["answer"] } = {}) {
        const main = deliverCommand({
            sleep: async ms => { sleeps.push(ms / 1000); options.onSleep?.(); },
            requestToken,
        });
        const dev = options.stack ?? stack();
        // The environment pins the stack's own site unless a test says otherwise.
        const env = { CREATIO_SITE_URL: String(dev.outputs.siteBaseUrl), ...(options.env ?? FORMS_ENV) };
        return runInProcess("deliver", main, ["--stack", "dev", "--authority-host", entra.url, ...argv],
            { dev }, { env, trustedCa: ca, answer: options.answer });
    }

    function assertNoSecret(result: CommandResult) {
        for (const secret of [NEW_SECRET, PASSWORD, API_SECRET]) {
            assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${secret} printed`);
        }
    }

    beforeEach(async () => {
        sleeps = [];
        entraClients = { [CLIENT]: NEW_SECRET };
        entra = await startTokenServer(TENANT, entraClients);
        creatio = await startCreatioServer({
            users: { [USER]: PASSWORD }, apiClients: { [API_CLIENT]: API_SECRET }, oauthApplications: applications(),
            mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
        });
        ca = pems(entra.ca, creatio.ca);
    });
    afterEach(async () => {
        await entra.close();
        await creatio.close();
    });

    it("proves the secret, writes ClientId and SecretKey, reads the record back and tags the stack", async () => {
        const result = await deliver([]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout, [
            "Stack:          dev",
            `Creatio:        ${creatio.url}/0/odata (CREATIO_USERNAME)`,
            `Client ID:      ${CLIENT}`,
            `Client secret:  accepted by Entra ID; key id ${KEY_ID}`,
            `Record:         OAuthApplications ${APP_ID} "Microsoft 365" (ClientId matches); ClientId unchanged; written: ` +
                `ModifiedOn ${creatio.oauthApplications[0].ModifiedOn}, ClientId read back`,
            "Delivered:      1 record: ClientId read back (SecretKey cannot be read back)",
            `Stack tag:      creatio-delivered-key-id=${KEY_ID}`,
            "",
        ].join("\n"));
        assert.ok(Date.parse(creatio.oauthApplications[0].ModifiedOn!) > Date.parse(DEFAULT_MODIFIED_ON));
        assert.strictEqual(result.stderr, "");
        assertNoSecret(result);
        // The secret went to Entra ID (the token check) ...
        assert.strictEqual(entra.tokenRequests.length, 1);
        assert.strictEqual(entra.tokenRequests[0].client_secret, NEW_SECRET);
        // ... and to Creatio in the PATCH body only.
        assert.deepStrictEqual(creatio.requests.map(r => `${r.method} ${decodeURIComponent(r.path)}`), [
            "POST /ServiceModel/AuthService.svc/Login",
            "GET /0/odata/OAuthApplications?$select=Id,Name,ClientId,AppClassName,ModifiedOn",
            `PATCH /0/odata/OAuthApplications(${APP_ID})`,
            `GET /0/odata/OAuthApplications?$filter=Id eq ${APP_ID}&$select=Id,Name,ClientId,AppClassName,ModifiedOn`,
        ]);
        // OAuthApplicationsSchema.CrtBase.cs: columns ClientId (MediumText) and SecretKey (SecureText)
        assert.deepStrictEqual(JSON.parse(creatio.requests[2].body), { ClientId: CLIENT, SecretKey: NEW_SECRET });
        assert.ok(creatio.requests.filter(r => r.method !== "PATCH").every(r => !JSON.stringify(r).includes(NEW_SECRET)));
        assert.strictEqual(creatio.oauthApplications[0].SecretKey, NEW_SECRET);
        // pulumi/pulumi pkg/cmd/pulumi/stack/stack_tag.go: `stack tag set <name> <value>`, --stack of `stack tag`
        assert.deepStrictEqual(result.pulumiCalls, [
            ["stack", "output", "--json", "--stack", "dev", "--show-secrets"],
            ["stack", "tag", "set", "creatio-delivered-key-id", KEY_ID, "--stack", "dev"],
        ]);
        assert.deepStrictEqual(result.state.stacks.dev.tags, { "creatio-delivered-key-id": KEY_ID });
        assert.ok(result.pulumiCalls.flat().every(arg => !arg.includes(NEW_SECRET)), "no secret in a process argument");
    });

    it("--slot delivers the slot named, whatever the schedule calls newest, and tags its key id", async () => {
        const SLOT_A_SECRET = "Zx8Q~slot-a-fresh";
        const SLOT_A_KEY = "0a5ec0a0-1111-4111-8111-00000000000a";
        // Entra ID accepts slot a's secret only: the newest (clientSecret, slot b) is the leaked one, revoked.
        entraClients[CLIENT] = SLOT_A_SECRET;
        const slots = {
            ...stack({ clientSecretA: SLOT_A_SECRET, clientSecretAKeyId: SLOT_A_KEY, clientSecretAExpiresAt: "2027-05-27T00:00:00Z",
                clientSecretB: NEW_SECRET, clientSecretBKeyId: KEY_ID, clientSecretBExpiresAt: "2027-03-08T12:00:00Z" }),
            secrets: ["clientSecret", "clientSecretA", "clientSecretB"],
        };
        const result = await deliver(["--slot", "a"], { stack: slots });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`^Client secret:  slot a, accepted by Entra ID; key id ${SLOT_A_KEY}$`, "m"));
        assert.match(result.stdout, new RegExp(`^Stack tag:      creatio-delivered-key-id=${SLOT_A_KEY}$`, "m"));
        assert.strictEqual(entra.tokenRequests.at(-1)!.client_secret, SLOT_A_SECRET);
        assert.deepStrictEqual(JSON.parse(creatio.requests.find(r => r.method === "PATCH")!.body), { ClientId: CLIENT, SecretKey: SLOT_A_SECRET });
        assert.strictEqual(creatio.oauthApplications[0].SecretKey, SLOT_A_SECRET);
        assert.ok(![SLOT_A_SECRET, NEW_SECRET].some(x => result.stdout.includes(x) || result.stderr.includes(x)));

        // Slot b is refused by Entra ID: nothing is sent to Creatio, and the error names the slot.
        const requests = creatio.requests.length;
        const b = await deliver(["--slot", "b", "--secret-wait-seconds", "0"], { stack: slots });
        assert.strictEqual(b.code, 1);
        assert.strictEqual(b.stderr, "deliver: nothing delivered: Entra ID rejects slot b's secret: AADSTS7000215 (invalid client secret)\n");
        assert.strictEqual(creatio.requests.length, requests);
        assert.strictEqual(creatio.oauthApplications[0].SecretKey, SLOT_A_SECRET);

        const bad = await deliver(["--slot", "newest"], { stack: slots });
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /^deliver: --slot "newest" is not a password slot: give a or b/);
    });

    it("names a tag Pulumi accepts", () => {
        // pulumi/pulumi pkg/util/validation/stack.go, validateStackTagName: ^[a-zA-Z0-9-_.:]{1,40}$
        assert.match(DELIVERED_KEY_ID_TAG, /^[a-zA-Z0-9-_.:]{1,40}$/);
    });

    it("refuses a stack whose siteBaseUrl or tenantId is not what the environment pins, before any request", async () => {
        const forgedSite = await deliver([], { stack: stack({ siteBaseUrl: "https://attacker.example" }),
            env: { ...FORMS_ENV, CREATIO_SITE_URL: creatio.url } });
        assert.deepStrictEqual([forgedSite.code, forgedSite.stderr, forgedSite.stdout], [1,
            'deliver: nothing sent: stack "dev" names the site "https://attacker.example" (output siteBaseUrl), ' +
            `but CREATIO_SITE_URL pins "${creatio.url}"; if the site really moved, change CREATIO_SITE_URL first\n`, ""]);
        const forgedTenant = await deliver([], { stack: stack({ tenantId: "0b0b0b0b-0000-4000-8000-000000000b0b" }),
            env: { ...FORMS_ENV, AZURE_TENANT_ID: TENANT } });
        assert.deepStrictEqual([forgedTenant.code, forgedTenant.stderr], [1,
            'deliver: nothing sent: stack "dev" names the tenant "0b0b0b0b-0000-4000-8000-000000000b0b" (output tenantId), ' +
            `but AZURE_TENANT_ID pins "${TENANT}"\n`]);
        const unpinned = await deliver([], { env: { ...FORMS_ENV, CREATIO_SITE_URL: "" } });
        assert.strictEqual(unpinned.code, 2);
        // Only the stack's outputs were read: no token request, no Creatio sign-in, no stack tag.
        assert.deepStrictEqual([entra.tokenRequests, creatio.requests], [[], []]);
        for (const result of [forgedSite, forgedTenant, unpinned]) {
            assert.deepStrictEqual(result.pulumiCalls.map(call => call.slice(0, 2)), [["stack", "output"]]);
            assertNoSecret(result);
        }
    });

    it("takes the sign-in host from AZURE_AUTHORITY_HOST, as verify does", async () => {
        const main = deliverCommand({ sleep: async () => undefined, requestToken });
        const ok = await runInProcess("deliver", main, ["--stack", "dev", "--dry-run"], { dev: stack() },
            { env: { ...FORMS_ENV, CREATIO_SITE_URL: creatio.url, AZURE_AUTHORITY_HOST: entra.url }, trustedCa: ca });
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.strictEqual(entra.tokenRequests.length, 1);
        const bad = await runInProcess("deliver", main, ["--stack", "dev"], { dev: stack() },
            { env: { ...FORMS_ENV, AZURE_AUTHORITY_HOST: "https://login.example/tenant" }, trustedCa: ca });
        assert.strictEqual(bad.code, 2);
        assert.strictEqual(bad.stderr, 'deliver: the environment variable AZURE_AUTHORITY_HOST "https://login.example/tenant" ' +
            "is not an https host URL such as https://login.microsoftonline.com (no user info, path, query or fragment)\n");
    });

    it("blanks out a secret that an outside answer repeats", async () => {
        const echoing = await startCreatioServer({ users: { [USER]: "x" }, loginFailureMessage: `wrong password ${PASSWORD}` });
        try {
            ca = pems(entra.ca, echoing.ca);
            const result = await deliver([], { stack: stack({ siteBaseUrl: echoing.url }) });
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stderr,
                "deliver: Creatio refused the sign-in of CREATIO_USERNAME (Code 1): wrong password [redacted]\n");
        } finally {
            await echoing.close();
        }
    });

    it("the first time, updates the record the mail server points to, with the portal's Client ID", async () => {
        creatio.oauthApplications[0].ClientId = PORTAL_CLIENT;
        const plain = await deliver([]);
        assert.strictEqual(plain.code, 2);
        assert.match(plain.stderr, new RegExp(`^deliver: no OAuthApplications record in Creatio has ClientId ${CLIENT}; pass --mail-server ` +
            "<name or id of the Microsoft 365 mail server> \\(once for each mail server\\)"));
        assert.ok(plain.stderr.includes(`\n  ${APP_ID}  "Microsoft 365"  ClientId ${PORTAL_CLIENT}\n`), plain.stderr);
        assert.ok(!creatio.requests.some(r => r.method === "PATCH"));
        assert.strictEqual(plain.state.stacks.dev.tags, undefined);

        const result = await deliver(["--mail-server", "Microsoft 365"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.ok(result.stdout.includes(`Record:         OAuthApplications ${APP_ID} "Microsoft 365" (mail server "Microsoft 365"); ` +
            `ClientId ${PORTAL_CLIENT} -> ${CLIENT}; written: ModifiedOn ${creatio.oauthApplications[0].ModifiedOn}, ClientId read back\n`),
        result.stdout);
        // A new Client ID is a new application: refresh tokens are bound to the client (FACTS: "Refresh tokens in the
        // Microsoft identity platform"), so every mailbox signs in again. Said before the write.
        assert.strictEqual(result.stderr, `deliver: warning: OAuthApplications ${APP_ID} "Microsoft 365" holds another Client ID ` +
            `(${PORTAL_CLIENT}): with ${CLIENT} every mailbox that signed in through it must sign in again in Creatio\n`);
        assert.strictEqual(creatio.oauthApplications[0].ClientId, CLIENT);
        assert.strictEqual(creatio.oauthApplications[0].SecretKey, NEW_SECRET);
    });

    it("a record of another provider with the stack's Client ID: exit 2, naming it, nothing written", async () => {
        creatio.oauthApplications[1].ClientId = CLIENT;
        const result = await deliver([]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, `deliver: the record with ClientId ${CLIENT} is OAuthApplications ${GOOGLE_APP_ID} "Google", ` +
            'whose AppClassName is "GoogleOAuthAuthenticator", not Office365OAuthAuthenticator or Microsoft365OAuthAuthenticator: ' +
            "not a Microsoft 365 mail record, nothing written\n");
        assert.ok(!creatio.requests.some(r => r.method === "PATCH"));
        assertNoSecret(result);
    });

    it("signs in through the Identity Service on a .NET Core site", async () => {
        const core = await startCreatioServer({ netCore: true, apiClients: { [API_CLIENT]: API_SECRET }, oauthApplications: applications() });
        try {
            ca = pems(entra.ca, core.ca);
            const result = await deliver([], {
                stack: { ...stack({ siteBaseUrl: core.url }, true) },
                env: { CREATIO_IDENTITY_URL: core.identityUrl, CREATIO_API_CLIENT_ID: API_CLIENT, CREATIO_API_CLIENT_SECRET: API_SECRET,
                    CREATIO_USERNAME: USER },
            });
            assert.strictEqual(result.code, 0, result.stderr);
            assert.ok(result.stdout.includes(`Creatio:        ${core.url}/odata (CREATIO_API_CLIENT_ID)\n`), result.stdout);
            assert.deepStrictEqual(core.requests.map(r => `${r.method} ${r.path.split("?")[0]} ${r.headers.authorization ?? ""}`), [
                "POST /identity/connect/token ",
                "GET /odata/OAuthApplications Bearer token-1",
                `PATCH /odata/OAuthApplications(${APP_ID}) Bearer token-1`,
                "GET /odata/OAuthApplications Bearer token-1",
            ]);
            assertNoSecret(result);
        } finally {
            await core.close();
        }
    });

    it("dry run: signs in and shows the change, writes nothing, sets no tag", async () => {
        creatio.oauthApplications[0].ClientId = PORTAL_CLIENT;
        const result = await deliver(["--mail-server", MAIL_ID, "--dry-run"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout, [
            "Stack:          dev",
            `Creatio:        ${creatio.url}/0/odata (CREATIO_USERNAME)`,
            `Client ID:      ${CLIENT}`,
            `Client secret:  accepted by Entra ID; key id ${KEY_ID}`,
            `Record:         OAuthApplications ${APP_ID} "Microsoft 365" (mail server "Microsoft 365"); ClientId ${PORTAL_CLIENT} -> ` +
                `${CLIENT}; would write ClientId and SecretKey`,
            "Dry run:        nothing written, no stack tag set",
            "",
        ].join("\n"));
        assert.ok(creatio.requests.every(r => r.method !== "PATCH"));
        assert.strictEqual(creatio.oauthApplications[0].ClientId, PORTAL_CLIENT);
        assert.deepStrictEqual(result.pulumiCalls, [["stack", "output", "--json", "--stack", "dev", "--show-secrets"]]);
    });

    it("waits with backoff for a fresh secret that Entra ID does not know yet", async () => {
        entraClients[CLIENT] = "the-previous-secret";
        const result = await deliver([], { onSleep: () => { entraClients[CLIENT] = NEW_SECRET; } });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(sleeps, [5]);
        assert.ok(result.stdout.includes(`Client secret:  accepted by Entra ID (attempt 2); key id ${KEY_ID}\n`), result.stdout);
    });

    it("never delivers a rejected secret: exit 1 after the bounded wait, nothing sent to Creatio", async () => {
        entraClients[CLIENT] = "another-secret";
        const result = await deliver(["--secret-wait-seconds", "60"]);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr, "deliver: nothing delivered: Entra ID rejects the stack's newest secret: " +
            "AADSTS7000215 (invalid client secret), still after 60 s\n");
        assert.deepStrictEqual(sleeps, [5, 10, 20, 25]);
        assert.strictEqual(entra.tokenRequests.length, 5);
        assert.deepStrictEqual(creatio.requests, []);
        assert.deepStrictEqual(result.pulumiCalls.length, 1);
        assertNoSecret(result);
    });

    it("reports an Entra ID that does not answer (exit 3) without retrying or signing in to Creatio", async () => {
        const silent = await startTokenServer(TENANT, {}, "silence");
        try {
            const main = deliverCommand({ sleep: async ms => { sleeps.push(ms); }, requestToken });
            const result = await runInProcess("deliver", main, ["--stack", "dev", "--authority-host", silent.url, "--timeout-seconds", "1"],
                { dev: stack() }, { env: { ...FORMS_ENV, CREATIO_SITE_URL: creatio.url }, trustedCa: pems(silent.ca, creatio.ca) });
            assert.strictEqual(result.code, 3);
            assert.strictEqual(result.stderr,
                `deliver: nothing delivered: the secret could not be checked: no answer from ${silent.url} within 1 s\n`);
            assert.deepStrictEqual(sleeps, []);
            assert.deepStrictEqual(creatio.requests, []);
        } finally {
            await silent.close();
        }
    });

    it("wrong Creatio credentials: exit 1, Creatio's message, no password", async () => {
        const result = await deliver([], { env: { CREATIO_USERNAME: USER, CREATIO_PASSWORD: "not-the-password" } });
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr,
            "deliver: Creatio refused the sign-in of CREATIO_USERNAME (Code 1): Invalid username or password specified\n");
        assert.ok(!result.stderr.includes("not-the-password"));
        assert.strictEqual(result.stdout, "");
    });

    it("a write Creatio refuses (403): exit 1, no tag", async () => {
        const refusing = await startCreatioServer({ users: { [USER]: PASSWORD }, oauthApplications: applications(), failures: { patch: 403 } });
        try {
            ca = pems(entra.ca, refusing.ca);
            const result = await deliver([], { stack: stack({ siteBaseUrl: refusing.url }) });
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stderr, `deliver: Creatio did not accept the change of OAuthApplications ${APP_ID}: ` +
                `HTTP 403 (${ODATA_403})\n`);
            assert.strictEqual(result.state.stacks.dev.tags, undefined);
            assertNoSecret(result);
        } finally {
            await refusing.close();
        }
    });

    /** deliver --mail-server against a Creatio that answers 204 and stores nothing, the tag naming the previous key id. */
    async function deliverToDroppingCreatio(clientId: string, check: (result: CommandResult) => void) {
        const dropping = await startCreatioServer({
            users: { [USER]: PASSWORD }, dropWrites: true,
            oauthApplications: [{ Id: APP_ID, Name: "Microsoft 365", ClientId: clientId, SecretKey: "old", AppClassName: M365_CLASS }],
            mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
        });
        try {
            ca = pems(entra.ca, dropping.ca);
            const previous = { outputs: stack({ siteBaseUrl: dropping.url }).outputs, secrets: ["clientSecret"],
                tags: { [DELIVERED_KEY_ID_TAG]: "7d7d7d7d-0000-4000-8000-000000000007" } };
            const result = await deliver(["--mail-server", "Microsoft 365"], { stack: previous });
            check(result);
            assertNoSecret(result);
        } finally {
            await dropping.close();
        }
    }

    it("a write answered 204 that left ModifiedOn and the stack's Client ID as they were, after a rotation: " +
        "already held as far as can be seen (FACTS: not a failed write), exit 0, and says a dropped write would look the same", async () => {
        await deliverToDroppingCreatio(CLIENT, result => {
            assert.strictEqual(result.code, 0, result.stderr);
            assert.ok(result.stdout.includes("ClientId unchanged; unchanged (already held, as far as can be seen): ModifiedOn did not move " +
                `(${DEFAULT_MODIFIED_ON}), ClientId read back; this key id was not recorded as delivered before, and a write Creatio did ` +
                "not store would look the same\n"), result.stdout);
            assert.deepStrictEqual(result.state.stacks.dev.tags, { [DELIVERED_KEY_ID_TAG]: KEY_ID });
        });
    });

    it("a write answered 204 that did not change the record, the first time: exit 1, no tag", async () => {
        await deliverToDroppingCreatio(PORTAL_CLIENT, result => {
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr.split("\n").at(-2), `deliver: Creatio answered 204 but OAuthApplications ${APP_ID} reads ` +
                `back ClientId ${PORTAL_CLIENT}, not ${CLIENT}: the write was not stored as sent, no stack tag set`);
            assert.deepStrictEqual(result.state.stacks.dev.tags, { [DELIVERED_KEY_ID_TAG]: "7d7d7d7d-0000-4000-8000-000000000007" });
            assert.deepStrictEqual(result.pulumiCalls.filter(c => c[1] === "tag" && c[2] === "set"), []);
        });
    });

    it("a Creatio that fails (500) or never answers: exit 3, bounded", async () => {
        const failing = await startCreatioServer({ users: { [USER]: PASSWORD }, failures: { get: 500 } });
        const silent = await startCreatioServer({ answer: "silence" });
        try {
            ca = pems(entra.ca, failing.ca);
            const result = await deliver([], { stack: stack({ siteBaseUrl: failing.url }) });
            assert.strictEqual(result.code, 3);
            assert.strictEqual(result.stderr, "deliver: reading OAuthApplications from Creatio: HTTP 500\n");
            ca = pems(entra.ca, silent.ca);
            const started = Date.now();
            const hung = await deliver(["--timeout-seconds", "1"], { stack: stack({ siteBaseUrl: silent.url }) });
            assert.strictEqual(hung.code, 3);
            assert.strictEqual(hung.stderr, `deliver: no answer from ${silent.url} within 1 s\n`);
            assert.ok(Date.now() - started < 10_000);
        } finally {
            await failing.close();
            await silent.close();
        }
    });

    it("delivered but the tag not recorded: exit 1, says so and how to record it", async () => {
        const result = await deliver([], {
            answer: args => args[1] === "tag" ? { exitCode: 255, stdout: "", stderr: "error: [403] Forbidden\n" } : undefined,
        });
        assert.strictEqual(result.code, 1);
        assert.ok(result.stdout.includes("Delivered:      1 record: ClientId read back"), result.stdout);
        assert.strictEqual(result.stderr, "deliver: delivered, but the stack tag creatio-delivered-key-id could not be recorded " +
            `(pulumi stack tag set failed: error: [403] Forbidden); run: pulumi stack tag set creatio-delivered-key-id ${KEY_ID} --stack dev\n`);
        assert.strictEqual(creatio.oauthApplications[0].SecretKey, NEW_SECRET);
    });

    it("refuses missing or partial Creatio credentials before anything is read or sent", async () => {
        const none = await deliver([], { env: {} });
        assert.strictEqual(none.code, 2);
        assert.strictEqual(none.stderr, "deliver: no Creatio credentials: set CREATIO_USERNAME and CREATIO_PASSWORD, or " +
            "CREATIO_IDENTITY_URL, CREATIO_API_CLIENT_ID, CREATIO_API_CLIENT_SECRET (environment variables only)\n");
        const partial = await deliver([], { env: { CREATIO_USERNAME: USER } });
        assert.strictEqual(partial.stderr, "deliver: CREATIO_PASSWORD not set: the sign-in needs both CREATIO_USERNAME and CREATIO_PASSWORD\n");
        const oauth = await deliver([], { env: { ...FORMS_ENV, CREATIO_API_CLIENT_ID: API_CLIENT } });
        assert.strictEqual(oauth.stderr, "deliver: CREATIO_IDENTITY_URL and CREATIO_API_CLIENT_SECRET not set: the Identity Service " +
            "sign-in needs all of CREATIO_IDENTITY_URL, CREATIO_API_CLIENT_ID, CREATIO_API_CLIENT_SECRET\n");
        const http = await deliver([], { env: { CREATIO_IDENTITY_URL: "http://is.example", CREATIO_API_CLIENT_ID: API_CLIENT,
            CREATIO_API_CLIENT_SECRET: API_SECRET } });
        assert.strictEqual(http.stderr, 'deliver: CREATIO_IDENTITY_URL "http://is.example" is not an https URL such as https://acme-is.creatio.com\n');
        for (const r of [none, partial, oauth, http]) {
            assert.strictEqual(r.code, 2);
            assert.deepStrictEqual(r.pulumiCalls, []);
        }
        assert.deepStrictEqual(creatio.requests, []);
        assert.deepStrictEqual(entra.tokenRequests, []);
    });

    it("refuses bad options and missing outputs with exit 2", async () => {
        const noStack = await runInProcess("deliver", main, [], {}, { env: FORMS_ENV });
        assert.strictEqual(noStack.code, 2);
        assert.match(noStack.stderr, /^deliver: --stack is required \(usage: npm run -s deliver -- --stack <name>[^\n]*\)\n$/);
        const wait = await deliver(["--secret-wait-seconds", "forever"]);
        assert.strictEqual(wait.stderr, 'deliver: --secret-wait-seconds "forever" is not a whole number of seconds from 0 to 600\n');
        const { netCore: _, ...withoutNetCore } = stack().outputs;
        const old = await deliver([], { stack: { outputs: withoutNetCore, secrets: ["clientSecret"] } });
        assert.strictEqual(old.code, 2);
        assert.strictEqual(old.stderr,
            'deliver: stack "dev" has no boolean output netCore: run pulumi up for it (with this version of the program)\n');
        const noKey = await deliver([], { stack: stack({ clientSecretKeyId: undefined }) });
        assert.strictEqual(noKey.stderr,
            'deliver: stack "dev" has no output clientSecretKeyId: run pulumi up for it (with this version of the program)\n');
        assert.deepStrictEqual(creatio.requests, []);
        assert.deepStrictEqual(entra.tokenRequests, []);
    });

    /** A stand-in with the one Microsoft 365 record and mail server of the usual setup, and these options. */
    async function withCreatio(options: Parameters<typeof startCreatioServer>[0],
        body: (server: CreatioServer) => Promise<void>): Promise<void> {
        const server = await startCreatioServer({
            users: { [USER]: PASSWORD }, oauthApplications: applications(),
            mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }], ...options,
        });
        try {
            ca = pems(entra.ca, server.ca);
            await body(server);
        } finally {
            await server.close();
        }
    }

    /** Answers the n-th OData GET (0-based) with this, every other request normally. */
    function nthGet(n: number, answer: { status: number; body?: string } | "silence") {
        let gets = 0;
        return (r: { method: string; path: string }) => r.method === "GET" && r.path.includes("/odata/") && gets++ === n ? answer : undefined;
    }

    const TAG_LINE = `pulumi stack tag set creatio-delivered-key-id ${KEY_ID} --stack dev`;

    for (const [label, answer, code, reason] of [
        ["5xx", { status: 503, body: "{}" }, 3, "reading OAuthApplications from Creatio: HTTP 503"],
        ["401 (session dropped)", { status: 401 }, 1,
            "reading OAuthApplications from Creatio: HTTP 401 (not signed in: the session or token was not accepted)"],
        ["a null body", { status: 200, body: "null" }, 1, "reading OAuthApplications from Creatio: the answer is not a JSON object (HTTP 200)"],
        ["no record", { status: 200, body: '{"value":[]}' }, 1, null],
    ] as const) {
        it(`a write answered 204 whose read-back fails (${label}): says it was written but not confirmed, the tag line, exit ${code}`,
            async () => {
                await withCreatio({ intercept: nthGet(1, answer) }, async server => {
                    const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                    assert.strictEqual(result.code, code, result.stderr);
                    assert.strictEqual(result.stderr, "deliver: ClientId and SecretKey were written (Creatio answered 204) but could " +
                        `not be confirmed: ${reason === null ? `OAuthApplications ${APP_ID} is no longer there to be read back`
                            : `reading OAuthApplications ${APP_ID} back failed: ${reason}`}; no stack tag set. Check the record in ` +
                        `Creatio, then run: ${TAG_LINE}\n`);
                    assert.strictEqual(result.state.stacks.dev.tags, undefined);
                    assert.strictEqual(server.requests.filter(r => r.method === "PATCH").length, 1);
                    assertNoSecret(result);
                });
            });
    }

    it("a write answered 204 after which the record changed but holds another ClientId: exit 1, no tag", async () => {
        const other = { Id: APP_ID, Name: "Microsoft 365", ClientId: PORTAL_CLIENT, AppClassName: M365_CLASS, ModifiedOn: "2030-01-01T00:00:00Z" };
        await withCreatio({ intercept: nthGet(1, { status: 200, body: JSON.stringify({ value: [other] }) }) }, async server => {
            const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr, `deliver: Creatio answered 204 but OAuthApplications ${APP_ID} reads back ClientId ` +
                `${PORTAL_CLIENT}, not ${CLIENT}: the write was not stored as sent, no stack tag set\n`);
            assert.strictEqual(result.state.stacks.dev.tags, undefined);
        });
    });

    it("a write answered 204 whose read-back never answers: exit 3, bounded, with the tag line", async () => {
        await withCreatio({ intercept: nthGet(1, "silence") }, async server => {
            const result = await deliver(["--timeout-seconds", "1"], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(result.code, 3, result.stderr);
            assert.strictEqual(result.stderr, "deliver: ClientId and SecretKey were written (Creatio answered 204) but could not be " +
                `confirmed: reading OAuthApplications ${APP_ID} back failed: no answer from ${server.url} within 1 s; no stack tag ` +
                `set. Check the record in Creatio, then run: ${TAG_LINE}\n`);
            assert.strictEqual(result.state.stacks.dev.tags, undefined);
        });
    });

    for (const [status, code, text] of [
        [502, 3, `Creatio did not confirm the change of OAuthApplications ${APP_ID}: HTTP 502; the change may or may not have been written`],
        [404, 2, `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 404 at PLACE (no such record at this address)`],
        [400, 1, `Creatio did not accept the change of OAuthApplications ${APP_ID}: HTTP 400`],
    ] as const) {
        it(`a write answered ${status}: exit ${code}, no read-back, no tag`, async () => {
            await withCreatio({ failures: { patch: status } }, async server => {
                const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, code, result.stderr);
                assert.strictEqual(result.stderr,
                    `deliver: ${text.replace("PLACE", `${server.url}/0/odata/OAuthApplications(${APP_ID})`)}\n`);
                assert.strictEqual(server.requests.at(-1)!.method, "PATCH");
                assert.strictEqual(result.state.stacks.dev.tags, undefined);
            });
        });
    }

    it("--mail-server of another provider's record (Google): exit 2 naming the record, nothing written", async () => {
        const GMAIL_ID = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee";
        await withCreatio({ mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID },
            { Id: GMAIL_ID, Name: "Gmail", OAuthApplicationId: GOOGLE_APP_ID }] }, async server => {
            for (const dryRun of [[], ["--dry-run"]]) {
                const result = await deliver(["--mail-server", "Gmail", ...dryRun], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, 2, result.stderr);
                assert.strictEqual(result.stderr, `deliver: MailServer "Gmail" points to OAuthApplications ${GOOGLE_APP_ID} "Google", ` +
                    'whose AppClassName is "GoogleOAuthAuthenticator", not Office365OAuthAuthenticator or ' +
                    "Microsoft365OAuthAuthenticator: not a Microsoft 365 mail record, nothing written\n");
                assert.strictEqual(result.stdout, "");
            }
            assert.ok(!server.requests.some(r => r.method === "PATCH"));
            assert.strictEqual(server.oauthApplications[1].SecretKey, "g");
        });
    });

    it("the record found by Client ID is checked the same way", async () => {
        const records = applications();
        records[0].AppClassName = "";
        await withCreatio({ oauthApplications: records }, async server => {
            const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(result.code, 2, result.stderr);
            assert.strictEqual(result.stderr, `deliver: the record with ClientId ${CLIENT} is OAuthApplications ${APP_ID} ` +
                '"Microsoft 365", whose AppClassName is "", not Office365OAuthAuthenticator or Microsoft365OAuthAuthenticator: ' +
                "not a Microsoft 365 mail record, nothing written\n");
            assert.ok(!server.requests.some(r => r.method === "PATCH"));
        });
    });

    it("takes a Creatio 7.16 record (AppClassName Microsoft365OAuthAuthenticator)", async () => {
        const records = applications();
        // Creatio 7.16 documentation: redirect URI .../0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode
        records[0].AppClassName = "Microsoft365OAuthAuthenticator";
        await withCreatio({ oauthApplications: records }, async server => {
            const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(result.code, 0, result.stderr);
            assert.strictEqual(server.oauthApplications[0].SecretKey, NEW_SECRET);
        });
    });

    for (const [label, intercept, message] of [
        ["a sign-in answered null", (r: { path: string }) => r.path.startsWith("/ServiceModel/") ? { status: 200, body: "null" } : undefined,
            "Creatio sign-in (CREATIO_USERNAME): the answer is not a JSON object (HTTP 200)"],
        ["a sign-in answered with a list", (r: { path: string }) => r.path.startsWith("/ServiceModel/") ? { status: 200, body: "[0]" } : undefined,
            "Creatio sign-in (CREATIO_USERNAME): the answer is not a JSON object (HTTP 200)"],
        ["a record list holding null", nthGet(0, { status: 200, body: '{"value":[null]}' }),
            'reading OAuthApplications from Creatio: the "value" list holds something other than records (JSON objects)'],
        ["a record list holding a list", nthGet(0, { status: 200, body: '{"value":[["x"]]}' }),
            'reading OAuthApplications from Creatio: the "value" list holds something other than records (JSON objects)'],
        ["a record list answered null", nthGet(0, { status: 200, body: "null" }),
            "reading OAuthApplications from Creatio: the answer is not a JSON object (HTTP 200)"],
    ] as const) {
        it(`${label}: a clear error, exit 1, nothing written`, async () => {
            await withCreatio({ intercept }, async server => {
                const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, 1, result.stderr);
                assert.strictEqual(result.stderr, `deliver: ${message}\n`);
                assert.ok(!server.requests.some(r => r.method === "PATCH"));
            });
        });
    }

    it("an Identity Service token answer that is not an object: a clear error, exit 1", async () => {
        await withCreatio({ apiClients: { [API_CLIENT]: API_SECRET },
            intercept: r => r.path.startsWith("/identity/") ? { status: 200, body: "null" } : undefined }, async server => {
            const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }),
                env: { CREATIO_IDENTITY_URL: server.identityUrl, CREATIO_API_CLIENT_ID: API_CLIENT, CREATIO_API_CLIENT_SECRET: API_SECRET } });
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr,
                "deliver: Creatio Identity Service token (CREATIO_API_CLIENT_ID): the answer is not a JSON object (HTTP 200)\n");
        });
    });

    it("a record without a readable ModifiedOn: exit 1 before anything is written", async () => {
        const records = applications();
        records[0].ModifiedOn = "yesterday";
        await withCreatio({ oauthApplications: records }, async server => {
            const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(result.code, 1, result.stderr);
            assert.strictEqual(result.stderr, `deliver: OAuthApplications ${APP_ID} has no readable ModifiedOn ("yesterday"), so a ` +
                "write could not be confirmed; nothing written\n");
            assert.ok(!server.requests.some(r => r.method === "PATCH"));
        });
    });

    for (const [output, value, problem] of [
        ["tenantId", "contoso.onmicrosoft.com", "a GUID (8-4-4-4-12 hexadecimal digits, not all zeros)"],
        ["clientId", "not-a-guid", "a GUID (8-4-4-4-12 hexadecimal digits, not all zeros)"],
        ["clientId", "00000000-0000-0000-0000-000000000000", "a GUID (8-4-4-4-12 hexadecimal digits, not all zeros)"],
        ["clientSecretKeyId", "--help", "a GUID (8-4-4-4-12 hexadecimal digits, not all zeros)"],
        ...[
            "https://evil.invalid\\acme.creatio.com", "https://127.0.0.1:99999", "http://acme.creatio.com",
            "https://user:pw@acme.creatio.com", "https://acme.creatio.com?x=1", "https://acme.creatio.com#top", "https://acme.creatio.com/",
            "https://acme.creatio.com/0", "https://ACME.creatio.com", "https://acme.creatio.com:443", "acme.creatio.com",
            "https://acme.creatio.com/crm/", "https://acme.creatio.com/a b",
        ].map(url => ["siteBaseUrl", url, "an https base URL such as https://acme.creatio.com (origin and path only: no user info, " +
            "query, fragment, backslash, /0 or trailing slash)"] as const),
    ]) {
        it(`refuses the stack output ${output} ${JSON.stringify(value)} before Entra ID is asked (exit 2)`, async () => {
            const result = await deliver([], { stack: stack({ [output]: value }) });
            assert.strictEqual(result.code, 2, result.stderr);
            assert.strictEqual(result.stderr, `deliver: stack "dev" has an output ${output} that is not ${problem}: ${JSON.stringify(value)}\n`);
            assert.deepStrictEqual(entra.tokenRequests, []);
            assert.deepStrictEqual(creatio.requests, []);
            assert.deepStrictEqual(result.pulumiCalls.length, 1);
        });
    }

    it("takes a site base URL with a path (an on-site Creatio under /creatio)", () => {
        assert.ok(isSiteBaseUrl("https://crm.example.com/creatio"));
        assert.ok(isSiteBaseUrl("https://acme.creatio.com"));
        assert.ok(isSiteBaseUrl("https://127.0.0.1:8443"));
    });

    it("shows Creatio's text only through printable(): the sign-in message", async () => {
        await withCreatio({ loginFailureMessage: "bad\n\u001b[31m::error::forged\u202e" }, async server => {
            const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }),
                env: { CREATIO_USERNAME: USER, CREATIO_PASSWORD: "wrong-password-x" } });
            assert.strictEqual(result.code, 1);
            assert.strictEqual(result.stderr,
                "deliver: Creatio refused the sign-in of CREATIO_USERNAME (Code 1): bad\uFFFD\uFFFD[31m::error::forged\uFFFD\n");
        });
    });

    it("shows Creatio's text only through printable(): record lists, the Record and Client ID lines", async () => {
        const hostile = "\u001b[2J\u001b[32mFAKE\nDelivered:  ok\u200b";
        const shown = "\uFFFD[2J\uFFFD[32mFAKE\uFFFDDelivered:  ok\uFFFD";
        const records = applications();
        records[0].ClientId = hostile;
        records[0].Name = `M365 ${hostile}`;
        await withCreatio({ oauthApplications: records }, async server => {
            const listed = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(listed.code, 2);
            assert.ok(listed.stderr.includes(`\n  ${APP_ID}  ${JSON.stringify(`M365 ${shown}`)}  ClientId ${shown}\n`), listed.stderr);
            assert.strictEqual(listed.stderr.split("\n").length, 4, listed.stderr);

            const dry = await deliver(["--mail-server", "Microsoft 365", "--dry-run"], { stack: stack({ siteBaseUrl: server.url }) });
            assert.strictEqual(dry.code, 0, dry.stderr);
            assert.ok(dry.stdout.includes(`Record:         OAuthApplications ${APP_ID} ${JSON.stringify(`M365 ${shown}`)} ` +
                `(mail server "Microsoft 365"); ClientId ${shown} -> ${CLIENT}; would write`), dry.stdout);
            assert.ok(dry.stderr.includes(`${JSON.stringify(`M365 ${shown}`)} holds another Client ID (${shown})`), dry.stderr);
            assert.strictEqual(dry.stderr.split("\n").length, 2, dry.stderr);
            assert.strictEqual(dry.stdout.split("\n").length, 7, dry.stdout);
        });
    });

    describe("every record, idempotent", () => {
        const EU_ID = "2b2b2b2b-0000-4000-8000-00000000002b";
        const SALES_ID = "3c3c3c3c-0000-4000-8000-00000000003c";
        const SALES_MAIL_ID = "cccccccc-bbbb-4ccc-8ddd-eeeeeeeeeeee";
        const EU_MODIFIED = "2025-02-01T08:00:00Z";
        /** Creatio 8.1 (ClientApp/301.*.js): one OAuthApplications record per Microsoft 365 mail server. */
        function records(): FakeOAuthApplication[] {
            return [
                ...applications(),
                { Id: EU_ID, Name: "Microsoft 365 EU", ClientId: CLIENT, SecretKey: "old-eu", AppClassName: M365_CLASS, ModifiedOn: EU_MODIFIED },
                { Id: SALES_ID, Name: "Sales", ClientId: PORTAL_CLIENT, SecretKey: "portal", AppClassName: M365_CLASS },
            ];
        }
        const mailServers = [
            { Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID },
            { Id: SALES_MAIL_ID, Name: "Sales", OAuthApplicationId: SALES_ID },
        ];

        it("writes every record with the stack's Client ID and the record of each --mail-server, each once, and lists them", async () => {
            await withCreatio({ oauthApplications: records(), mailServers }, async server => {
                const result = await deliver(["--mail-server", "Sales", "--mail-server", "Microsoft 365"], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, 0, result.stderr);
                const [m365, , eu, sales] = server.oauthApplications;
                assert.strictEqual(result.stdout, [
                    "Stack:          dev",
                    `Creatio:        ${server.url}/0/odata (CREATIO_USERNAME)`,
                    `Client ID:      ${CLIENT}`,
                    `Client secret:  accepted by Entra ID; key id ${KEY_ID}`,
                    `Record:         OAuthApplications ${APP_ID} "Microsoft 365" (ClientId matches, mail server "Microsoft 365"); ` +
                        `ClientId unchanged; written: ModifiedOn ${m365.ModifiedOn}, ClientId read back`,
                    `Record:         OAuthApplications ${EU_ID} "Microsoft 365 EU" (ClientId matches); ClientId unchanged; written: ` +
                        `ModifiedOn ${eu.ModifiedOn}, ClientId read back`,
                    `Record:         OAuthApplications ${SALES_ID} "Sales" (mail server "Sales"); ClientId ${PORTAL_CLIENT} -> ${CLIENT}; ` +
                        `written: ModifiedOn ${sales.ModifiedOn}, ClientId read back`,
                    "Delivered:      3 records: ClientId read back (SecretKey cannot be read back)",
                    `Stack tag:      creatio-delivered-key-id=${KEY_ID}`,
                    "",
                ].join("\n"));
                // The new application for "Sales" is announced before anything is written.
                assert.strictEqual(result.stderr, `deliver: warning: OAuthApplications ${SALES_ID} "Sales" holds another Client ID ` +
                    `(${PORTAL_CLIENT}): with ${CLIENT} every mailbox that signed in through it must sign in again in Creatio\n`);
                assert.deepStrictEqual([m365, eu, sales].map(r => [r.ClientId, r.SecretKey]), [[CLIENT, NEW_SECRET], [CLIENT, NEW_SECRET],
                    [CLIENT, NEW_SECRET]]);
                assert.strictEqual(server.oauthApplications[1].SecretKey, "g");
                const odata = server.requests.slice(1).map(r => `${r.method} ${decodeURIComponent(r.path).replace("/0/odata/", "")}`);
                const readBackOf = (id: string) => `GET OAuthApplications?$filter=Id eq ${id}&$select=Id,Name,ClientId,AppClassName,ModifiedOn`;
                assert.deepStrictEqual(odata, [
                    "GET OAuthApplications?$select=Id,Name,ClientId,AppClassName,ModifiedOn",
                    "GET MailServer?$filter=Name eq 'Sales'&$select=Id,Name,OAuthApplicationId",
                    readBackOf(SALES_ID),
                    "GET MailServer?$filter=Name eq 'Microsoft 365'&$select=Id,Name,OAuthApplicationId",
                    readBackOf(APP_ID),
                    `PATCH OAuthApplications(${APP_ID})`, readBackOf(APP_ID),
                    `PATCH OAuthApplications(${EU_ID})`, readBackOf(EU_ID),
                    `PATCH OAuthApplications(${SALES_ID})`, readBackOf(SALES_ID),
                ]);
                assert.deepStrictEqual(result.state.stacks.dev.tags, { [DELIVERED_KEY_ID_TAG]: KEY_ID });
                assertNoSecret(result);
            });
        });

        it("a second deliver of the same secret: every record unchanged (already held), ModifiedOn unmoved, exit 0", async () => {
            await withCreatio({ oauthApplications: records(), mailServers }, async server => {
                const first = await deliver(["--mail-server", "Sales"], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(first.code, 0, first.stderr);
                const modified = server.oauthApplications.map(r => r.ModifiedOn);
                const again = await deliver([], { stack: { ...stack({ siteBaseUrl: server.url }), tags: first.state.stacks.dev.tags } });
                assert.strictEqual(again.code, 0, again.stderr);
                // The stand-in saves nothing when every value sent is the stored one (FACTS.md: probably Creatio's entity layer too).
                assert.deepStrictEqual(server.oauthApplications.map(r => r.ModifiedOn), modified);
                const held = "ClientId unchanged; unchanged (already held): ModifiedOn did not move, ClientId read back, this key id " +
                    "was delivered before";
                assert.deepStrictEqual(again.stdout.split("\n").slice(4), [
                    `Record:         OAuthApplications ${APP_ID} "Microsoft 365" (ClientId matches); ${held}`,
                    `Record:         OAuthApplications ${EU_ID} "Microsoft 365 EU" (ClientId matches); ${held}`,
                    `Record:         OAuthApplications ${SALES_ID} "Sales" (ClientId matches); ${held}`,
                    "Delivered:      3 records: ClientId read back (SecretKey cannot be read back)",
                    `Stack tag:      creatio-delivered-key-id=${KEY_ID} (already set)`,
                    "",
                ]);
                assert.strictEqual(again.stderr, "");
                // The tag is read once, to tell "already held" from a write that did not land; not set again.
                assert.deepStrictEqual(again.pulumiCalls.filter(c => c[1] === "tag"),
                    [["stack", "tag", "get", DELIVERED_KEY_ID_TAG, "--stack", "dev"]]);
            });
        });

        it("a ModifiedOn read back earlier than before (another node's clock) still counts as written: compared with !==", async () => {
            const back = { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT, AppClassName: M365_CLASS, ModifiedOn: "2023-12-31T23:59:59Z" };
            await withCreatio({ intercept: nthGet(1, { status: 200, body: JSON.stringify({ value: [back] }) }) }, async server => {
                const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, 0, result.stderr);
                assert.ok(result.stdout.includes("; written: ModifiedOn 2023-12-31T23:59:59Z, ClientId read back\n"), result.stdout);
            });
        });

        it("a Creatio user without \"Access to OData\": exit 1 naming CanUseODataService, nothing written", async () => {
            await withCreatio({ usersWithoutOData: [USER] }, async server => {
                const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, 1, result.stderr);
                assert.strictEqual(result.stderr, `deliver: reading OAuthApplications from Creatio: HTTP 403 (${ODATA_403})\n`);
                assert.deepStrictEqual(server.requests.map(r => r.method), ["POST", "GET"]);
                assert.strictEqual(result.stdout, "");
            });
        });

        it("a refusal on the second record stops the run: the first is shown as written, exit 1, no tag", async () => {
            let patches = 0;
            const refuseSecond = (r: { method: string }) => r.method === "PATCH" && ++patches === 2 ? { status: 403, body: "{}" } : undefined;
            await withCreatio({ oauthApplications: records(), mailServers, intercept: refuseSecond }, async server => {
                const result = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(result.code, 1, result.stderr);
                assert.strictEqual(result.stderr, `deliver: Creatio did not accept the change of OAuthApplications ${EU_ID}: HTTP 403 ` +
                    `(${ODATA_403})\n`);
                assert.deepStrictEqual(result.stdout.split("\n").slice(4), [
                    `Record:         OAuthApplications ${APP_ID} "Microsoft 365" (ClientId matches); ClientId unchanged; written: ` +
                        `ModifiedOn ${server.oauthApplications[0].ModifiedOn}, ClientId read back`,
                    "",
                ]);
                assert.strictEqual(result.state.stacks.dev.tags, undefined);
                assert.strictEqual(server.oauthApplications[2].SecretKey, "old-eu");
            });
        });

        it("a rerun after a run that stopped part way: the records it wrote are already held, the others written, exit 0, tag set", async () => {
            let patches = 0;
            const refuseSecondOnce = (r: { method: string }) => r.method === "PATCH" && ++patches === 2 ? { status: 403, body: "{}" } : undefined;
            await withCreatio({ oauthApplications: records(), mailServers, intercept: refuseSecondOnce }, async server => {
                const first = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(first.code, 1, first.stderr);
                assert.strictEqual(first.state.stacks.dev.tags, undefined);
                const rerun = await deliver([], { stack: stack({ siteBaseUrl: server.url }) });
                assert.strictEqual(rerun.code, 0, rerun.stderr);
                const rows = rerun.stdout.split("\n").filter(line => line.startsWith("Record:"));
                assert.ok(rows[0].includes("unchanged (already held, as far as can be seen)"), rows[0]);
                assert.ok(rows.slice(1).every(row => row.includes("written: ModifiedOn")), rows.join("\n"));
                assert.deepStrictEqual(rerun.state.stacks.dev.tags, { [DELIVERED_KEY_ID_TAG]: KEY_ID });
                assert.ok(server.oauthApplications.filter(a => a.ClientId === CLIENT).every(a => a.SecretKey === NEW_SECRET));
            });
        });

        it("refuses more than 20 mail servers before anything is read (exit 2)", async () => {
            const argv = Array.from({ length: 21 }, (_, i) => ["--mail-server", `server ${i}`]).flat();
            const result = await deliver(argv);
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stderr, "deliver: --mail-server is given 21 times: at most 20 mail servers a run\n");
            assert.deepStrictEqual(result.pulumiCalls, []);
        });
    });

    it("runs as npm run -s deliver", async function () {
        this.timeout(60_000);
        const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deliver-ca-")), "ca.pem");
        fs.writeFileSync(caFile, ca);
        const result = await spawnNpmScript("deliver", ["--stack", "dev", "--authority-host", entra.url, "--dry-run"], { dev: stack() },
            { ...FORMS_ENV, CREATIO_SITE_URL: creatio.url, NODE_EXTRA_CA_CERTS: caFile });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.ok(result.stdout.startsWith("Stack:          dev\n"), result.stdout);
        assert.ok(result.stdout.endsWith("; would write ClientId and SecretKey\nDry run:        nothing written, no stack tag set\n"));
        assert.strictEqual(creatio.requests[0].path, "/ServiceModel/AuthService.svc/Login");
    });
});

/** `npm run -s <script> -- <args>` in the project folder, with the fake pulumi first on PATH. */
function spawnNpmScript(script: string, args: string[], stacks: Record<string, FakeStack>, env: Record<string, string>):
    Promise<{ code: number; stdout: string; stderr: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    const stateFile = path.join(dir, "state.json");
    fs.writeFileSync(stateFile, JSON.stringify({ stacks }));
    const root = path.join(import.meta.dirname, "..", "..");
    return new Promise(resolve => {
        execFile("npm", ["run", "-s", script, "--", ...args], {
            cwd: root, timeout: 60_000,
            env: { ...process.env, PATH: `${path.join(import.meta.dirname, "..", "fakes")}${path.delimiter}${process.env.PATH}`,
                FAKE_PULUMI_STATE: stateFile, ...env },
        }, (err, stdout, stderr) => {
            fs.rmSync(dir, { recursive: true, force: true });
            resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
        });
    });
}

/** Several certificates as one PEM text: each on its own lines, or Node reads none after the first. */
function pems(...certificates: string[]): string {
    return certificates.join("\n");
}

describe("deliver: the cases mutation testing found", () => {
    /**
     * The failure paths of deliver's command that the other tests leave untried: each test here
     * fails when the behaviour it names is changed.
     */
    const TENANT = "72f988bf-0000-4000-8000-000000000001";
    const KEY_ID = "0e4f6d2a-1111-4222-8333-444455556666";

    describe("npm run deliver: the cases the command must get right", () => {
        let entra: TokenServer;
        let entraClients: Record<string, string>;
        let sleeps: number[];

        function stack(siteBaseUrl: string): FakeStack {
            return {
                outputs: {
                    clientId: CLIENT, clientSecret: NEW_SECRET, tenantId: TENANT, siteBaseUrl, netCore: false,
                    clientSecretKeyId: KEY_ID, previousClientSecretKeyId: "7d7d7d7d-0000-4000-8000-000000000007",
                },
                secrets: ["clientSecret"],
            };
        }

        /** deliver against this Creatio stand-in, waits recorded instead of made. */
        function deliver(server: CreatioServer, argv: string[], env: Record<string, string> = FORMS_ENV): Promise<CommandResult> {
            const command = deliverCommand({ sleep: async ms => { sleeps.push(ms / 1000); }, requestToken });
            return runInProcess("deliver", command, ["--stack", "dev", "--authority-host", entra.url, ...argv],
                { dev: stack(server.url) }, { env: { CREATIO_SITE_URL: server.url, ...env }, trustedCa: `${entra.ca}\n${server.ca}` });
        }

        function creatio(oauthApplications: FakeOAuthApplication[], options: CreatioServerOptions = {}) {
            return (body: (server: CreatioServer) => Promise<void>) => withCreatio({
                oauthApplications, mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }], ...options,
            }, body);
        }

        /** Answers the second OData GET (the read-back after the write) with this record. */
        function readBackAs(record: Record<string, string>) {
            let gets = 0;
            return (r: { method: string; path: string }) => r.method === "GET" && r.path.includes("/odata/") && gets++ === 1
                ? { status: 200, body: JSON.stringify({ value: [record] }) } : undefined;
        }

        beforeEach(async () => {
            sleeps = [];
            entraClients = { [CLIENT]: NEW_SECRET };
            entra = await startTokenServer(TENANT, entraClients);
        });
        afterEach(() => entra.close());

        it("shows the whole usage on a usage error", async () => {
            const result = await runInProcess("deliver", main, [], {}, { env: FORMS_ENV });
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stderr, "deliver: --stack is required (usage: npm run -s deliver -- --stack <name> " +
                "[--slot a|b] [--mail-server <name or id>]... [--dry-run] [--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] " +
                "[--secret-wait-seconds 120] [--pulumi-timeout-seconds 120]; --help says more)\n");
        });

        for (const value of ["", "   "]) {
            it(`refuses --mail-server ${JSON.stringify(value)} before anything is read (exit 2)`, async () => {
                await creatio([m365Record()])(async server => {
                    const result = await deliver(server, ["--mail-server", value]);
                    assert.strictEqual(result.code, 2);
                    assert.strictEqual(result.stderr,
                        "deliver: --mail-server is empty: give the name or id of Creatio's Microsoft 365 mail server\n");
                    assert.deepStrictEqual(result.pulumiCalls, []);
                    assert.deepStrictEqual(server.requests, []);
                });
            });
        }

        it("--secret-wait-seconds 0: one attempt, and the refusal does not speak of a wait", async () => {
            entraClients[CLIENT] = "another-secret";
            await creatio([m365Record()])(async server => {
                const result = await deliver(server, ["--secret-wait-seconds", "0"]);
                assert.strictEqual(result.code, 1);
                assert.strictEqual(result.stderr, "deliver: nothing delivered: Entra ID rejects the stack's newest secret: " +
                    "AADSTS7000215 (invalid client secret)\n");
                assert.deepStrictEqual(sleeps, []);
                assert.strictEqual(entra.tokenRequests.length, 1);
                assert.deepStrictEqual(server.requests, []);
            });
        });

        it("waits for real between attempts when no test replaces the wait", async function () {
            this.timeout(10_000);
            entraClients[CLIENT] = "another-secret";
            await creatio([m365Record()])(async server => {
                const started = Date.now();
                const result = await runInProcess("deliver", main, ["--stack", "dev", "--authority-host", entra.url,
                    "--secret-wait-seconds", "1"], { dev: stack(server.url) }, { env: { ...FORMS_ENV, CREATIO_SITE_URL: server.url }, trustedCa: `${entra.ca}\n${server.ca}` });
                const elapsed = Date.now() - started;
                assert.strictEqual(result.stderr, "deliver: nothing delivered: Entra ID rejects the stack's newest secret: " +
                    "AADSTS7000215 (invalid client secret), still after 1 s\n");
                assert.strictEqual(entra.tokenRequests.length, 2);
                assert.ok(elapsed >= 1000, `${elapsed} ms`);
            });
        });

        it("a record whose Id is not a Guid: exit 1, nothing written", async () => {
            await creatio([m365Record({ Id: "42" })])(async server => {
                const result = await deliver(server, []);
                assert.strictEqual(result.code, 1, result.stderr);
                assert.strictEqual(result.stderr, "deliver: OAuthApplications answered a record without a Guid Id\n");
                assert.ok(!server.requests.some(r => r.method === "PATCH"));
            });
        });

        it("a ClientId that differs only by spaces around it shows as unchanged", async () => {
            await creatio([m365Record({ ClientId: ` ${CLIENT} ` })])(async server => {
                const result = await deliver(server, ["--dry-run"]);
                assert.strictEqual(result.code, 0, result.stderr);
                assert.ok(result.stdout.includes(`(ClientId matches); ClientId unchanged; would write`), result.stdout);
            });
        });

        it("an empty ClientId shows as (empty) in the change", async () => {
            await creatio([m365Record({ ClientId: "" })])(async server => {
                const result = await deliver(server, ["--mail-server", "Microsoft 365", "--dry-run"]);
                assert.strictEqual(result.code, 0, result.stderr);
                assert.ok(result.stdout.includes(`(mail server "Microsoft 365"); ClientId (empty) -> ${CLIENT}; would write`), result.stdout);
                // no mailbox can have signed in through a record without a Client ID: nothing to warn of
                assert.strictEqual(result.stderr, "");
            });
        });

        it("a ClientId read back in upper case with a space after it confirms the write", async () => {
            const readBack = { Id: APP_ID, Name: "Microsoft 365", ClientId: `${CLIENT.toUpperCase()} `, AppClassName: M365_CLASS,
                ModifiedOn: "2030-01-01T00:00:00Z" };
            await creatio([m365Record()], { intercept: readBackAs(readBack) })(async server => {
                const result = await deliver(server, []);
                assert.strictEqual(result.code, 0, result.stderr);
                assert.deepStrictEqual(result.state.stacks.dev.tags, { "creatio-delivered-key-id": KEY_ID });
            });
        });

        it("an empty ClientId read back: exit 1, shown as (empty), no tag", async () => {
            const readBack = { Id: APP_ID, Name: "Microsoft 365", ClientId: "", AppClassName: M365_CLASS, ModifiedOn: "2030-01-01T00:00:00Z" };
            await creatio([m365Record()], { intercept: readBackAs(readBack) })(async server => {
                const result = await deliver(server, []);
                assert.strictEqual(result.code, 1, result.stderr);
                assert.strictEqual(result.stderr, `deliver: Creatio answered 204 but OAuthApplications ${APP_ID} reads back ClientId ` +
                    `(empty), not ${CLIENT}: the write was not stored as sent, no stack tag set\n`);
                assert.strictEqual(result.state.stacks.dev.tags, undefined);
            });
        });

        it("takes CREATIO_IDENTITY_URL with trailing slashes as the same address", async () => {
            await creatio([m365Record()])(async server => {
                const result = await deliver(server, ["--dry-run"], {
                    CREATIO_IDENTITY_URL: `${server.identityUrl}//`, CREATIO_API_CLIENT_ID: API_CLIENT, CREATIO_API_CLIENT_SECRET: API_SECRET,
                });
                assert.strictEqual(result.code, 0, result.stderr);
                // Creatio "Authorize external requests using client credentials grant": POST <Identity Service URL>/connect/token
                assert.strictEqual(server.requests[0].path, "/identity/connect/token");
            });
        });

        it("refuses a CREATIO_IDENTITY_URL that is no URL (exit 2)", async () => {
            await creatio([m365Record()])(async server => {
                const result = await deliver(server, [], { CREATIO_IDENTITY_URL: "acme-is", CREATIO_API_CLIENT_ID: API_CLIENT,
                    CREATIO_API_CLIENT_SECRET: API_SECRET });
                assert.strictEqual(result.code, 2);
                assert.strictEqual(result.stderr, 'deliver: CREATIO_IDENTITY_URL "acme-is" is not an https URL such as https://acme-is.creatio.com\n');
                assert.deepStrictEqual(server.requests, []);
            });
        });

        it("reads the credentials of each sign-in from the environment as they are", () => {
            assert.deepStrictEqual(creatioCredentialsFromEnv({ CREATIO_IDENTITY_URL: "https://acme-is.creatio.com/", CREATIO_API_CLIENT_ID: API_CLIENT,
                CREATIO_API_CLIENT_SECRET: API_SECRET }),
            { kind: "oauth", identityUrl: "https://acme-is.creatio.com", clientId: API_CLIENT, clientSecret: API_SECRET });
            assert.deepStrictEqual(creatioCredentialsFromEnv(FORMS_ENV), { kind: "forms", userName: USER, password: PASSWORD });
        });
    });
});
