import * as assert from "assert";
import { statusRow } from "../ops/status";
import { main as statusMain } from "../ops/status";
import { FakeStack, runInProcess, spawnCommand } from "./fakes/commands";

const DAY = 24 * 3600 * 1000;
/** Noon UTC of today plus `days`, so whole days left do not depend on the hour the test runs. */
const inDays = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + DAY / 2).toISOString();

function env(clientId: string, expiresInDays: number): FakeStack {
    return {
        outputs: {
            clientId,
            clientSecret: "Zx8Q~never-read",
            clientSecretExpiresAt: inDays(expiresInDays),
            clientSecretRotatesAt: inDays(expiresInDays - 180),
        },
        secrets: ["clientSecret"],
    };
}

const ID_DEV = "11111111-0000-4000-8000-000000000001";
const ID_PROD = "22222222-0000-4000-8000-000000000002";

describe("npm run status", () => {
    it("prints a table of every stack and exits 0 when all secrets are far from expiry", async () => {
        const result = await runInProcess("status", statusMain, ["--all"], { dev: env(ID_DEV, 200), prod: env(ID_PROD, 90) });
        assert.strictEqual(result.code, 0, result.stderr);
        const lines = result.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^ENVIRONMENT +CLIENT ID +SECRET EXPIRES +DAYS LEFT +NEXT ROTATION +STATE$/);
        assert.deepStrictEqual(lines.slice(1).map(l => l.split(/ {2,}/)), [
            ["dev", ID_DEV, inDays(200), "200", inDays(20), "ok"],
            ["prod", ID_PROD, inDays(90), "90", inDays(-90), "ok"],
        ]);
        assert.ok(!result.stdout.includes("never-read"));
        // Least privilege: the secrets are never decrypted.
        assert.ok(result.pulumiCalls.every(call => !call.includes("--show-secrets")), JSON.stringify(result.pulumiCalls));
        assert.deepStrictEqual(result.pulumiCalls[0], ["stack", "ls", "--json"]);
    });

    it("exits 1 when a secret expires within the default 30 days", async () => {
        const result = await runInProcess("status", statusMain, ["--stack", "dev", "--stack", "prod"],
            { dev: env(ID_DEV, 200), prod: env(ID_PROD, 12), other: env(ID_DEV, 1) });
        assert.strictEqual(result.code, 1);
        const states = result.stdout.trimEnd().split("\n").slice(1).map(l => [l.split(/ +/)[0], l.split(/ +/).at(-1)]);
        assert.deepStrictEqual(states, [["dev", "ok"], ["prod", "expiring"]]);
    });

    it("runs as npm runs it: a child process with the pulumi executable on PATH", async () => {
        const result = await spawnCommand("status", ["--all"], { dev: env(ID_DEV, 200) });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(result.stdout.trimEnd().split("\n")[1].split(/ {2,}/), ["dev", ID_DEV, inDays(200), "200", inDays(20), "ok"]);
        assert.deepStrictEqual(result.pulumiCalls[0], ["stack", "ls", "--json"]);
    });

    it("takes another threshold", async () => {
        const stacks = { prod: env(ID_PROD, 45) };
        assert.strictEqual((await runInProcess("status", statusMain, ["--stack", "prod"], stacks)).code, 0);
        assert.strictEqual((await runInProcess("status", statusMain, ["--stack", "prod", "--threshold-days", "60"], stacks)).code, 1);
    });

    it("exits 1 for an expired secret and for a stack it cannot read", async () => {
        const result = await runInProcess("status", statusMain, ["--stack", "dev", "--stack", "gone"], { dev: env(ID_DEV, -3) });
        assert.strictEqual(result.code, 1);
        const lines = result.stdout.trimEnd().split("\n");
        assert.deepStrictEqual(lines[1].split(/ {2,}/), ["dev", ID_DEV, inDays(-3), "-3", inDays(-183), "expired"]);
        assert.deepStrictEqual(lines[2].split(/ {2,}/), ["gone", "-", "-", "-", "-", "unreadable"]);
        assert.strictEqual(lines.at(-1), 'gone: stack "gone" does not exist in this backend (pulumi stack ls lists the stacks)');
    });

    it("marks a secret expiring exactly at the threshold, and not one a minute later", () => {
        const now = new Date("2026-11-28T00:00:00Z");
        const outputs = (expiresAt: string) => ({ clientId: ID_DEV, clientSecretExpiresAt: expiresAt, clientSecretRotatesAt: "x" });
        assert.strictEqual(statusRow("dev", outputs("2026-12-28T00:00:00Z"), now, 30).state, "expiring");
        assert.strictEqual(statusRow("dev", outputs("2026-12-28T00:01:00Z"), now, 30).state, "ok");
        assert.strictEqual(statusRow("dev", outputs("2026-11-28T00:00:00Z"), now, 30).state, "expired");
    });

    it("refuses --stack together with --all, and a bad threshold", async () => {
        const both = await runInProcess("status", statusMain, ["--all", "--stack", "dev"], { dev: env(ID_DEV, 200) });
        assert.strictEqual(both.code, 2);
        assert.match(both.stderr, /^status: give --stack or --all, not both\n/);
        const bad = await runInProcess("status", statusMain, ["--threshold-days", "thirty"], { dev: env(ID_DEV, 200) });
        assert.strictEqual(bad.code, 2);
        assert.strictEqual(bad.stderr, 'status: --threshold-days "thirty" is not a whole number of days from 0 to 999\n');
    });
});
