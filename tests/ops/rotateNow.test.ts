import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { executeCommand } from "../../ops/io.ts";
import { PROJECT, rotateNowCommand, slotUrn } from "../../ops/rotateNow.ts";
import { requestToken } from "../../ops/entra/token.ts";
import { M365_CLASS } from "../creatioFixtures.ts";
import { type CreatioServer, type FakeOAuthApplication, type RecordedRequest, startCreatioServer } from "../fakes/creatioServer.ts";
import { emulate } from "../fakes/pulumiCli.cjs";
import { type FakeStack, fakePulumi } from "../fakes/pulumiRunner.ts";
import { type GraphStandIn, type TokenServer, startTokenServer } from "../fakes/tokenServer.ts";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const KEY_A = "0a5ec0a0-1111-4111-8111-00000000000a";
const KEY_B = "0b5ec0b0-2222-4222-8222-00000000000b";
const SECRET_A = "Zx8Q~leaked-slot-a";
const SECRET_B = "Zx8Q~leaked-slot-b";
const USER = "Deliverer";
const PASSWORD = "creatio-password-1";
const RECORD_1 = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const RECORD_2 = "7f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4c";
const LOGIN = "/ServiceModel/AuthService.svc/Login";
const APP_OBJECT = "a0a0a0a0-0000-4000-8000-000000000002";
/** A password someone added outside this program (a leaked CI token's work). */
const FOREIGN_KEY = "f0f0f0f0-0000-4000-8000-00000000f0f0";
const GRAPH_ENV = { GRAPH_ACCESS_TOKEN: "fake.token" };

/** Two records hold the Client ID (two mail servers), both with slot a's secret, as the stack tag says. */
function records(secret = SECRET_A): FakeOAuthApplication[] {
    return [RECORD_1, RECORD_2].map((Id, i) => ({ Id, Name: `Microsoft 365 ${i + 1}`, ClientId: CLIENT, SecretKey: secret, AppClassName: M365_CLASS }));
}

describe("npm run rotate-now", () => {
    let entra: TokenServer;
    let creatio: CreatioServer;
    let stack: FakeStack;
    let run: ReturnType<typeof fakePulumi>;
    /** What the fake tenant accepts: the stack's two slots as they are now (Entra ID holds both passwords). */
    let accepted: () => string[];
    /** Each moment checked: after every pulumi up and at the end, every record holds a secret Entra ID accepts. */
    let checks: string[];

    function newStack(tag: string | null = KEY_A, newest: "a" | "b" = "b"): FakeStack {
        return {
            outputs: {
                clientId: CLIENT, tenantId: TENANT, applicationObjectId: APP_OBJECT, siteBaseUrl: "(the stand-in's, set when it starts)", netCore: false,
                clientSecret: newest === "a" ? SECRET_A : SECRET_B, clientSecretKeyId: newest === "a" ? KEY_A : KEY_B,
                previousClientSecretKeyId: newest === "a" ? KEY_B : KEY_A,
                clientSecretA: SECRET_A, clientSecretAKeyId: KEY_A, clientSecretAExpiresAt: "2027-01-22T00:00:00Z",
                clientSecretB: SECRET_B, clientSecretBKeyId: KEY_B, clientSecretBExpiresAt: "2027-07-21T00:00:00Z",
            },
            secrets: ["clientSecret", "clientSecretA", "clientSecretB"],
            tags: tag === null ? {} : { "creatio-delivered-key-id": tag },
        };
    }

    function assertCreatioWorks(moment: string) {
        for (const record of creatio.oauthApplications) {
            assert.ok(accepted().includes(record.SecretKey!), `${moment}: ${record.Id} holds a secret Entra ID no longer accepts`);
        }
        checks.push(moment);
    }

    async function rotateNow(options: { stack?: FakeStack; intercept?: (r: RecordedRequest, i: number) => { status: number } | undefined;
        records?: FakeOAuthApplication[]; env?: Record<string, string>; graph?: Partial<GraphStandIn>; extraKeyIds?: string[];
        clients?: Record<string, string> } = {}) {
        creatio = await startCreatioServer({
            users: { [USER]: PASSWORD }, oauthApplications: options.records ?? records(),
            mailServers: [{ Id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", Name: "Microsoft 365", OAuthApplicationId: RECORD_1 }],
            intercept: options.intercept,
        });
        stack = options.stack ?? newStack();
        stack.outputs.siteBaseUrl = creatio.url;
        run = fakePulumi({ dev: stack }, {
            // The fake CLI's own answer, with Creatio checked right after every `up` (the moment a secret is revoked).
            answer: args => {
                if (args[0] !== "up") {
                    return undefined;
                }
                const result = emulate(args, run.state);
                assertCreatioWorks(`after up --replace ${args[args.indexOf("--replace") + 1].slice(-1)}`);
                return result;
            },
        });
        accepted = () => [String(run.state.stacks.dev.outputs.clientSecretA), String(run.state.stacks.dev.outputs.clientSecretB)];
        const clients: Record<string, string | string[]> = { ...options.clients };
        Object.defineProperty(clients, CLIENT, { get: accepted, enumerable: true });
        const keyIds = () => [String(run.state.stacks.dev.outputs.clientSecretAKeyId), String(run.state.stacks.dev.outputs.clientSecretBKeyId),
            ...(options.extraKeyIds ?? [])];
        entra = await startTokenServer(TENANT, clients, "tokens", { applications: { [APP_OBJECT]: keyIds }, ...options.graph });
        (options as { onStart?: (url: string) => void }).onStart?.(entra.url);
        let stdout = "";
        let stderr = "";
        const main = rotateNowCommand({ sleep: async () => undefined, requestToken });
        const code = await executeCommand("rotate-now", main, {
            argv: ["--stack", "dev", "--authority-host", entra.url, "--secret-wait-seconds", "0"],
            env: { CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD, CREATIO_SITE_URL: creatio.url, AZURE_TENANT_ID: TENANT,
                ...(options.env ?? GRAPH_ENV) },
            stdout: text => { stdout += text; },
            stderr: text => { stderr += text; },
            pulumi: run.run,
            now: () => new Date("2026-12-06T10:00:00Z"),
            trustedCa: [entra.ca, creatio.ca].join("\n"),
        });
        assertCreatioWorks("at the end");
        const all = stdout + stderr + JSON.stringify(run.calls);
        for (const secret of [SECRET_A, SECRET_B, PASSWORD, "fake.token", ...accepted()]) {
            assert.ok(!all.includes(secret), `a secret was printed or passed as an argument`);
        }
        return { code, stdout, stderr, outputs: run.state.stacks.dev.outputs, tags: run.state.stacks.dev.tags ?? {} };
    }

    const ups = () => run.calls.filter(c => c[0] === "up");
    const upOf = (slot: "a" | "b") => ["up", "--stack", "dev", "--policy-pack", "policy", "--replace", slotUrn("dev", slot),
        "--target", slotUrn("dev", slot), "--yes", "--skip-preview", "--suppress-outputs", "--suppress-progress"];
    const logins = (i: number) => (r: RecordedRequest) => r.path === LOGIN && creatio.requests.filter(q => q.path === LOGIN).length === i;

    beforeEach(() => {
        checks = [];
    });
    afterEach(async () => {
        await entra?.close();
        await creatio?.close();
    });

    it("refuses bad usage before anything is read or sent", async () => {
        const calls: string[][] = [];
        const usage = async (argv: string[]) => {
            let stderr = "";
            const code = await executeCommand("rotate-now", rotateNowCommand(), {
                argv, env: { CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD }, stdout: () => undefined,
                stderr: text => { stderr += text; }, pulumi: async args => { calls.push(args); return "{}"; }, now: () => new Date(),
            });
            return { code, stderr };
        };
        assert.deepStrictEqual(await usage([]), { code: 2, stderr: "rotate-now: --stack is required (usage: npm run -s rotate-now -- " +
            "--stack <name> [--mail-server <name or id>]... [--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] " +
            "[--secret-wait-seconds 120] [--up-timeout-seconds 900] [--pulumi-timeout-seconds 120]; --help says more)\n" });
        assert.deepStrictEqual(await usage(["--stack", "dev", "--up-timeout-seconds", "30"]), { code: 2,
            stderr: 'rotate-now: --up-timeout-seconds "30" is not a whole number of seconds from 60 to 3600\n' });
        assert.deepStrictEqual(await usage(["--stack", "dev", "--slot", "a"]), { code: 2, stderr: "rotate-now: Unknown option '--slot' " +
            "(usage: npm run -s rotate-now -- --stack <name> [--mail-server <name or id>]... [--authority-host " +
            "https://login.microsoftonline.us] [--timeout-seconds 30] [--secret-wait-seconds 120] [--up-timeout-seconds 900] " +
            "[--pulumi-timeout-seconds 120]; --help says more)\n" });
        assert.deepStrictEqual(calls, []);
    });

    it("names the slots by the URNs the program gives them", () => {
        assert.strictEqual(PROJECT, parse(fs.readFileSync(path.join(import.meta.dirname, "..", "..", "Pulumi.yaml"), "utf8")).name);
        // The component "creatio" (index.ts) and its children "<name>-secret-a|b" (components/creatioOAuthApp.ts).
        assert.strictEqual(slotUrn("prod", "b"), "urn:pulumi:prod::creatio-m365-oauth::creatio:m365:CreatioOAuthApp$" +
            "azuread:index/applicationPassword:ApplicationPassword::creatio-secret-b");
    });

    it("replaces the slot Creatio does not hold first, delivers it, then the other, and leaves no key id from before", async () => {
        const result = await rotateNow();
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(ups(), [upOf("b"), upOf("a")]);
        assert.deepStrictEqual(checks, ["after up --replace b", "after up --replace a", "at the end"]);
        const [newA, newB] = [result.outputs.clientSecretAKeyId, result.outputs.clientSecretBKeyId];
        assert.ok(![KEY_A, KEY_B].includes(newA as string) && ![KEY_A, KEY_B].includes(newB as string));
        // The schedule's newest (slot b here) is what Creatio holds at the end, on every record.
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [result.outputs.clientSecretB, result.outputs.clientSecretB]);
        assert.deepStrictEqual(result.tags, { "creatio-delivered-key-id": newB });
        assert.match(result.stdout, /^== Creatio holds slot a \(key id 0a5ec0a0-1111-4111-8111-00000000000a\): delivering it again to every record/m);
        // Microsoft Graph "Get application": GET /applications/{id}?$select=passwordCredentials, before and after.
        const graphReads = entra.requests.filter(r => r.startsWith("GET /v1.0/applications/"));
        assert.deepStrictEqual(graphReads, Array(2).fill(`GET /v1.0/applications/${APP_OBJECT}?$select=passwordCredentials`));
        assert.match(result.stdout, new RegExp(`^Key ids before: ${KEY_A}, ${KEY_B} \\(slots a ${KEY_A}, b ${KEY_B}, and Microsoft Graph\\)\\n` +
            `Key ids now: {4}${newA}, ${newB} \\(Microsoft Graph; slots a ${newA}, b ${newB}\\)\\nNo key id from before is left on the application\\.$`, "m"));
        assert.strictEqual(result.stderr, "");
    });

    it("fails, after replacing both slots, when a password from before that is no slot is still on the application", async () => {
        const result = await rotateNow({ extraKeyIds: [FOREIGN_KEY] });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(ups(), [upOf("b"), upOf("a")]);
        assert.strictEqual(result.stderr, `rotate-now: key id ${FOREIGN_KEY} from before is still on application ${APP_OBJECT}: ` +
            `${FOREIGN_KEY} is no slot of this stack, added outside this program; remove it (az ad app credential delete --id ` +
            `${CLIENT} --key-id ${FOREIGN_KEY}) and look for who added it in Entra ID's audit log\n`);
    });

    it("says that a replaced slot's key id Graph still lists may be Graph catching up, not a foreign password", async () => {
        const result = await rotateNow({ extraKeyIds: [KEY_A] });
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr, `rotate-now: key id ${KEY_A} from before is still on application ${APP_OBJECT}: ${KEY_A} was a ` +
            "slot of this stack, which pulumi replaced; Microsoft Graph may not have caught up yet: list the key ids again in a minute " +
            "(docs/leak-runbook.md), and remove it if it stays\n");
    });

    it("replaces nothing without an identity to read the key ids with, or when Graph refuses it", async () => {
        const none = await rotateNow({ env: {} });
        assert.strictEqual(none.code, 2);
        assert.match(none.stderr, /^rotate-now: no identity to list the application's key ids with in Microsoft Graph: set GRAPH_ACCESS_TOKEN .*; nothing was replaced\n$/);
        assert.deepStrictEqual(ups(), []);
        await entra.close();
        await creatio.close();
        const refused = await rotateNow({ graph: { forbidden: true } });
        assert.strictEqual(refused.code, 1);
        assert.strictEqual(refused.stderr, `rotate-now: Microsoft Graph answered HTTP 403 (Authorization_RequestDenied) to reading the key ` +
            `ids of application ${APP_OBJECT}: the identity needs Application.Read.All. Nothing was replaced.\n`);
        assert.deepStrictEqual(ups(), []);
        assert.deepStrictEqual(creatio.requests, []);
    });

    it("in a GitHub Actions job, reads the key ids as the CI identity through GitHub's OIDC token", async () => {
        const CI_CLIENT = "dc0dc0dc-0000-4000-8000-0000000000dc";
        const GITHUB_JWT = "eyJ.github-oidc.jwt";
        let oidcUrl = "";
        const result = await rotateNow({
            clients: { [CI_CLIENT]: GITHUB_JWT },
            graph: { github: { requestToken: "gh-request-token", jwt: GITHUB_JWT } },
            get env() {
                return { ARM_USE_OIDC: "true", ARM_CLIENT_ID: CI_CLIENT, ARM_TENANT_ID: TENANT, ACTIONS_ID_TOKEN_REQUEST_URL: oidcUrl,
                    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token" };
            },
            onStart: (url: string) => { oidcUrl = `${url}/oidc?api-version=2.0`; },
        } as any);
        assert.strictEqual(result.code, 0, result.stderr);
        const assertions = entra.tokenRequests.filter(f => f.client_id === CI_CLIENT);
        assert.strictEqual(assertions.length, 2);
        // GitHub's request token and its OIDC token are credentials too: never printed.
        for (const token of ["gh-request-token", GITHUB_JWT]) {
            assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), token);
        }
        // MSAL's client assertion (RFC 7523): the type and GitHub's JWT in place of a secret.
        assert.strictEqual(assertions[0].client_assertion_type, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        assert.strictEqual(assertions[0].client_assertion, GITHUB_JWT);
        assert.ok(entra.requests.includes("GET /oidc?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"));
        assert.ok(!result.stdout.includes(GITHUB_JWT) && !result.stderr.includes(GITHUB_JWT));
    });

    it("when the schedule calls the held slot newest, delivers it again at the end", async () => {
        const result = await rotateNow({ stack: newStack(KEY_A, "a") });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(ups(), [upOf("b"), upOf("a")]);
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [result.outputs.clientSecretA, result.outputs.clientSecretA]);
        assert.deepStrictEqual(result.tags, { "creatio-delivered-key-id": result.outputs.clientSecretAKeyId });
    });

    it("without the stack tag, delivers the newest first, then replaces the other", async () => {
        const result = await rotateNow({ stack: newStack(null, "b"), records: records("typed in by hand") });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /^== Creatio's slot is not known \(stack tag creatio-delivered-key-id not set\): delivering the newest, slot b, to every record before anything is replaced$/m);
        assert.deepStrictEqual(ups(), [upOf("a"), upOf("b")]);
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [result.outputs.clientSecretB, result.outputs.clientSecretB]);
    });

    it("delivers the held slot again first, so that a record typed in by hand cannot be left on a revoked secret", async () => {
        // The tag says slot a, but the second record was given slot b by hand since.
        const mixed = records();
        mixed[1].SecretKey = SECRET_B;
        const result = await rotateNow({ records: mixed });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(ups(), [upOf("b"), upOf("a")]);
        assert.deepStrictEqual(checks, ["after up --replace b", "after up --replace a", "at the end"]);
    });

    it("without the stack tag, replaces nothing when the records' write cannot be confirmed", async () => {
        // The records already hold slot b (typed in by hand): Creatio's save changes nothing and ModifiedOn stays.
        const result = await rotateNow({ stack: newStack(null, "b"), records: records(SECRET_B) });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(ups(), []);
        assert.match(result.stderr, /^rotate-now: cannot confirm the write to OAuthApplications .* Nothing was replaced; Creatio holds what it held before\./);
    });

    it("replaces nothing when Creatio cannot be reached before the first step", async () => {
        const result = await rotateNow({ intercept: r => (r.path === LOGIN ? { status: 503 } : undefined) });
        assert.strictEqual(result.code, 3);
        assert.deepStrictEqual(ups(), []);
        assert.match(result.stderr, /Nothing was replaced; Creatio holds what it held before\. Run rotate-now again once Entra ID accepts that secret and Creatio can be reached\.\n$/);
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [SECRET_A, SECRET_A]);
    });

    it("stops after the first replacement when Creatio fails to take it, Creatio still on the held slot", async () => {
        const result = await rotateNow({ intercept: (r, i) => (logins(2)(r) ? { status: 503 } : (void i, undefined)) });
        assert.strictEqual(result.code, 3);
        assert.deepStrictEqual(ups(), [upOf("b")]);
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [SECRET_A, SECRET_A]);
        assert.match(result.stderr, /Slot b was replaced but not delivered to every record; .* run npm run -s deliver -- --stack dev --slot b, then rotate-now again\.\n$/);
    });

    it("stops after the first replacement when one record's write fails, every record holding a working secret", async () => {
        let patches = 0;
        // PATCHes 1 and 2 deliver the held slot again; 3 and 4 the new slot b.
        const result = await rotateNow({ intercept: r => (r.method === "PATCH" && ++patches === 4 ? { status: 500 } : undefined) });
        assert.strictEqual(result.code, 3);
        assert.deepStrictEqual(ups(), [upOf("b")]);
        // The first record has the new slot b, the second still slot a: both accepted (checked at the end).
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [result.outputs.clientSecretB, SECRET_A]);
    });

    it("stops after the second replacement when Creatio cannot take the newest, Creatio on the new free slot", async () => {
        const result = await rotateNow({ stack: newStack(KEY_A, "a"), intercept: r => (logins(3)(r) ? { status: 503 } : undefined) });
        assert.strictEqual(result.code, 3);
        assert.deepStrictEqual(ups(), [upOf("b"), upOf("a")]);
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [result.outputs.clientSecretB, result.outputs.clientSecretB]);
        assert.match(result.stderr, /Both slots are replaced and Creatio holds the new slot b, which works\. Once Creatio can be reached, run npm run -s deliver -- --stack dev, so that the weekly rotation does not leave it on an older secret\.\n$/);
    });

    it("stops when pulumi up fails, Creatio still on the held slot", async () => {
        const failing = newStack();
        failing.failUp = ["b"];
        const result = await rotateNow({ stack: failing });
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr.split(". Slot b")[0], "rotate-now: pulumi up failed: error: update failed replacing creatio-secret-b");
        assert.deepStrictEqual(ups(), [upOf("b")]);
        assert.deepStrictEqual(creatio.oauthApplications.map(r => r.SecretKey), [SECRET_A, SECRET_A]);
        assert.match(result.stderr, /Slot b may or may not be replaced; Creatio still holds slot a, which works\. Run rotate-now again\.\n$/);
    });
});
