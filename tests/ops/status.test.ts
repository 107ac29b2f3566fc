import * as assert from "assert";
import { executeCommand } from "../../ops/io.ts";
import { DEFAULT_PARALLEL, DEFAULT_THRESHOLD_DAYS, main as statusMain, renderTable, type StatusRow } from "../../ops/status.ts";
import { type FakeStack, runInProcess, spawnCommand } from "../fakes/commands.ts";
import { fakePulumi, killedBy, printedTooMuch } from "../fakes/pulumiRunner.ts";

const DAY = 24 * 3600 * 1000;
const NOW = new Date("2026-11-28T10:00:00Z");
/** Noon UTC of NOW's day plus `days`. */
const inDays = (days: number) => new Date(Date.UTC(2026, 10, 28, 12) + days * DAY).toISOString().replace(".000Z", "Z");

const ID_DEV = "11111111-0000-4000-8000-000000000001";
const ID_PROD = "22222222-0000-4000-8000-000000000002";
const KEY_NEW = "aaaaaaaa-0000-4000-8000-00000000000a";
const KEY_OLD = "bbbbbbbb-0000-4000-8000-00000000000b";

function env(clientId: string, expiresInDays: number, extra: Partial<FakeStack> & { outputs?: Record<string, unknown> } = {}): FakeStack {
    return {
        outputs: {
            clientId,
            clientSecret: "Zx8Q~never-read",
            clientSecretExpiresAt: inDays(expiresInDays),
            clientSecretRotatesAt: inDays(expiresInDays - 180),
            ...extra.outputs,
        },
        secrets: ["clientSecret"],
        tags: extra.tags,
    };
}

function status(argv: string[], stacks: Record<string, FakeStack>, options: Parameters<typeof runInProcess>[4] = {}) {
    return runInProcess("status", statusMain, argv, stacks, { now: NOW, ...options });
}

/** The table: stdout up to the blank line before the EWS deadline. */
const rowsOf = (stdout: string) => stdout.split("\n\n")[0].trimEnd().split("\n").slice(1).map(l => l.split(/ {2,}/));
const stateOf = (stdout: string, stack: string) => rowsOf(stdout).find(r => r[0] === stack)?.at(-1);

describe("npm run status", () => {
    it("prints a table of every stack and exits 0 when all secrets are far from expiry", async () => {
        const result = await status(["--all"], { dev: env(ID_DEV, 200), prod: env(ID_PROD, 90) });
        assert.strictEqual(result.code, 0, result.stderr);
        const lines = result.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^ENVIRONMENT +CLIENT ID +SECRET EXPIRES +DAYS LEFT +NEXT ROTATION +THRESHOLD +CREATIO HOLDS +STATE$/);
        assert.deepStrictEqual(rowsOf(result.stdout), [
            ["dev", ID_DEV, inDays(200), "200", inDays(20), "30", "unknown", "ok"],
            ["prod", ID_PROD, inDays(90), "90", inDays(-90), "30", "unknown", "ok"],
        ]);
        assert.strictEqual(result.stderr, "");
        assert.ok(!result.stdout.includes("never-read"));
        // Least privilege: the secrets are never decrypted.
        assert.ok(result.pulumiCalls.every(call => !call.includes("--show-secrets")), JSON.stringify(result.pulumiCalls));
        assert.deepStrictEqual(result.pulumiCalls[0], ["stack", "ls", "--json"]);
        // `tag get` loads the stack without selecting it; `tag ls` would select it (pulumi/pulumi pkg/cmd/pulumi/stack/stack_tag.go).
        assert.deepStrictEqual(result.pulumiCalls.filter(c => c[1] === "tag").sort(), [
            ["stack", "tag", "get", "creatio-delivered-key-id", "--stack", "dev"],
            ["stack", "tag", "get", "creatio-delivered-key-id", "--stack", "prod"],
        ]);
    });

    it("ends with the EWS deadline and the days left by the command's clock", async () => {
        const result = await status(["--stack", "dev"], { dev: env(ID_DEV, 200) });
        assert.strictEqual(result.code, 0, result.stderr);
        const [, after] = result.stdout.split("\n\n");
        // 2027-04-01 (FACTS.md: Microsoft's Exchange team) is 123 whole days after NOW, 2026-11-28T10:00Z.
        assert.strictEqual(after, "EWS deadline: Exchange Online switches EWS off for good on 2027-04-01 (123 days left), " +
            "and Creatio's Microsoft 365 mail sync uses EWS: watch for a Creatio version whose Microsoft 365 mail provider " +
            "uses Microsoft Graph.\n");
        const later = await status(["--stack", "dev"], { dev: env(ID_DEV, 200) }, { now: new Date("2027-04-03T00:00:00Z") });
        assert.match(later.stdout, /\nEWS deadline: Exchange Online switched EWS off for good on 2027-04-01 \(2 days ago\)/);
    });

    it("runs as npm runs it: a child process with the pulumi executable on PATH", async () => {
        const dev = env(ID_DEV, 200000, { outputs: { clientSecretKeyId: KEY_NEW }, tags: { "creatio-delivered-key-id": KEY_NEW } });
        const result = await spawnCommand("status", ["--all"], { dev });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(rowsOf(result.stdout)[0].slice(-2), ["newest", "ok"]);
        assert.deepStrictEqual(result.pulumiCalls[0], ["stack", "ls", "--json"]);
    });

    it("holds secrets to a default threshold of 30 days", async () => {
        assert.strictEqual(DEFAULT_THRESHOLD_DAYS, 30);
        const at = (iso: string) => env(ID_DEV, 0, { outputs: { clientSecretExpiresAt: iso } });
        const exactly = await status(["--stack", "dev"], { dev: at("2026-12-28T10:00:00Z") });
        assert.strictEqual(exactly.code, 1);
        assert.strictEqual(stateOf(exactly.stdout, "dev"), "expiring");
        const later = await status(["--stack", "dev"], { dev: at("2026-12-28T10:01:00Z") });
        assert.strictEqual(later.code, 0, later.stdout);
        assert.strictEqual(rowsOf(later.stdout)[0][5], "30");
        const expired = await status(["--stack", "dev"], { dev: at("2026-11-28T10:00:00Z") });
        assert.strictEqual(stateOf(expired.stdout, "dev"), "expired");
    });

    it("takes another threshold", async () => {
        const stacks = { prod: env(ID_PROD, 45) };
        assert.strictEqual((await status(["--stack", "prod"], stacks)).code, 0);
        const stricter = await status(["--stack", "prod", "--threshold-days", "60"], stacks);
        assert.strictEqual(stricter.code, 1);
        assert.deepStrictEqual(rowsOf(stricter.stdout)[0].slice(5), ["60", "unknown", "expiring"]);
    });

    it("uses the stack's rotation period as the threshold when it is shorter, and shows it", async () => {
        const stacks = {
            weekly: env(ID_DEV, 20, { outputs: { secretRotationDays: 14 } }),
            old: env(ID_PROD, 20),
            yearly: env(ID_PROD, 20, { outputs: { secretRotationDays: 365 } }),
        };
        const result = await status(["--stack", "weekly", "--stack", "old", "--stack", "yearly"], stacks);
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(rowsOf(result.stdout).map(r => [r[0], r[5], r.at(-1)]), [
            ["weekly", "14", "ok"],
            ["old", "30", "expiring"],
            ["yearly", "30", "expiring"],
        ]);
    });

    it("says which secret Creatio holds, from the stack tag deliver sets", async () => {
        const keys = { clientSecretKeyId: KEY_NEW, previousClientSecretKeyId: KEY_OLD };
        const stacks = {
            a: env(ID_DEV, 200, { outputs: keys, tags: { "creatio-delivered-key-id": KEY_NEW } }),
            b: env(ID_DEV, 200, { outputs: { ...keys, clientSecretRotatesAt: inDays(100) }, tags: { "creatio-delivered-key-id": KEY_OLD } }),
            d: env(ID_DEV, 200, { outputs: keys, tags: { other: KEY_NEW } }),
        };
        const result = await status(["--all"], stacks);
        assert.strictEqual(result.code, 0, result.stdout);
        assert.deepStrictEqual(rowsOf(result.stdout).map(r => [r[0], r[6], r[7]]), [
            ["a", "newest", "ok"], ["b", "previous", "ok"], ["d", "unknown", "ok"],
        ]);
        assert.strictEqual(result.stderr, "");
    });

    it("exits 1 when the delivered key id is neither slot's: Creatio holds a secret the stack no longer has", async () => {
        const keys = { clientSecretKeyId: KEY_NEW, previousClientSecretKeyId: KEY_OLD };
        const gone = "cccccccc-0000-4000-8000-00000000000c";
        const result = await status(["--all"], {
            c: env(ID_DEV, 200, { outputs: keys, tags: { "creatio-delivered-key-id": gone } }),
            e: env(ID_DEV, 10, { outputs: keys, tags: { "creatio-delivered-key-id": "k1\u001b[2J" } }),
            old: env(ID_DEV, 200, { tags: { "creatio-delivered-key-id": gone } }),
        });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(rowsOf(result.stdout).map(r => [r[0], r[6], r[7]]), [
            ["c", "unknown", "creatio-gone"], ["e", "unknown", "creatio-gone"], ["old", "unknown", "ok"],
        ]);
        // deliver records the newest slot's key id; a slot is replaced once its secret expired, or both when
        // secretRotationDays changes (docs/rotation.md).
        const why = (stack: string, keyId: string) => `status: ${stack}: the stack tag creatio-delivered-key-id names the key id ${keyId}, ` +
            "neither clientSecretKeyId nor previousClientSecretKeyId: Creatio holds a secret this stack no longer has " +
            `(rotated away after it expired, or replaced by a change of secretRotationDays); deliver the newest: npm run -s deliver -- --stack ${stack}\n`;
        assert.strictEqual(result.stderr, why("c", gone) + why("e", "k1\uFFFD[2J"));
        const strict = await status(["--stack", "c", "--require-delivery"], {
            c: env(ID_DEV, 200, { outputs: keys, tags: { "creatio-delivered-key-id": gone } }),
        });
        assert.strictEqual(stateOf(strict.stdout, "c"), "creatio-gone");
    });

    it("exits 1 when Creatio holds the previous secret and it expires within the threshold in force", async () => {
        const holdsOld = (rotatesInDays: number, rotationDays?: number) => env(ID_DEV, 200, {
            outputs: { clientSecretKeyId: KEY_NEW, previousClientSecretKeyId: KEY_OLD, clientSecretRotatesAt: inDays(rotatesInDays),
                ...(rotationDays ? { secretRotationDays: rotationDays } : {}) },
            tags: { "creatio-delivered-key-id": KEY_OLD },
        });
        const result = await status(["--all"], {
            soon: holdsOld(10), later: holdsOld(40), short: holdsOld(13, 14), gone: holdsOld(-1),
        });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(rowsOf(result.stdout).map(r => [r[0], r[6], r[7]]), [
            ["soon", "previous", "creatio-expiring"],
            ["later", "previous", "ok"],
            // a 14-day period: the threshold in force is 14 days, and the previous secret never lives longer
            ["short", "previous", "creatio-expiring"],
            ["gone", "previous", "creatio-expired"],
        ]);
        const newestHeld = await status(["--stack", "x"], { x: env(ID_DEV, 200, {
            outputs: { clientSecretKeyId: KEY_NEW, previousClientSecretKeyId: KEY_OLD, clientSecretRotatesAt: inDays(10) },
            tags: { "creatio-delivered-key-id": KEY_NEW } }) });
        assert.strictEqual(newestHeld.code, 0, "the previous secret expiring does not matter once Creatio holds the newest");
    });

    it("says creatio-expired when the secret Creatio holds has expired, even while the newest is only expiring", async () => {
        const held = (expiresInDays: number, rotatesInDays: number) => env(ID_DEV, expiresInDays, {
            outputs: { clientSecretKeyId: KEY_NEW, previousClientSecretKeyId: KEY_OLD, clientSecretRotatesAt: inDays(rotatesInDays) },
            tags: { "creatio-delivered-key-id": KEY_OLD },
        });
        const result = await status(["--all"], { a: held(20, -1), b: held(20, 10), c: held(-2, -3) });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(rowsOf(result.stdout).map(r => [r[0], r[3], r[4], r[6], r[7]]), [
            // mail sync has stopped: what Creatio holds expired yesterday; the newest (20 days left) is not the news
            ["a", "20", inDays(-1), "previous", "creatio-expired"],
            ["b", "20", inDays(10), "previous", "expiring"],
            ["c", "-2", inDays(-3), "previous", "expired"],
        ]);
    });

    it("with --require-delivery, counts an unknown secret in Creatio as a problem", async () => {
        const stacks = { dev: env(ID_DEV, 200, { outputs: { clientSecretKeyId: KEY_NEW } }) };
        assert.strictEqual((await status(["--stack", "dev"], stacks)).code, 0);
        const strict = await status(["--stack", "dev", "--require-delivery"], stacks);
        assert.strictEqual(strict.code, 1);
        assert.strictEqual(stateOf(strict.stdout, "dev"), "not-delivered");
        const delivered = { dev: { ...stacks.dev, tags: { "creatio-delivered-key-id": KEY_NEW } } };
        assert.strictEqual((await status(["--stack", "dev", "--require-delivery"], delivered)).code, 0);
    });

    it("exits 1 for an expired secret and for a stack it cannot read, the problem on stderr", async () => {
        const result = await status(["--stack", "dev", "--stack", "gone"], { dev: env(ID_DEV, -3) });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(rowsOf(result.stdout), [
            ["dev", ID_DEV, inDays(-3), "-3", inDays(-183), "30", "unknown", "expired"],
            ["gone", "-", "-", "-", "-", "-", "-", "unreadable"],
        ]);
        assert.strictEqual(result.stderr,
            'status: gone: stack "gone" does not exist in this backend (pulumi stack ls lists the stacks)\n');
    });

    it("marks a stack with an expiry that is not an ISO 8601 UTC instant unreadable, not ok", async () => {
        for (const bad of ["2027-07-21", "2027-07-21T00:00:00+02:00", "2027-02-30T00:00:00Z", "soon", "2027-07-21T00:00:00.5Z"]) {
            const result = await status(["--stack", "dev"], { dev: env(ID_DEV, 0, { outputs: { clientSecretExpiresAt: bad } }) });
            assert.strictEqual(result.code, 1, bad);
            assert.strictEqual(stateOf(result.stdout, "dev"), "unreadable", bad);
            assert.strictEqual(result.stderr, 'status: dev: stack "dev" has an output clientSecretExpiresAt that is not an ' +
                `ISO 8601 UTC instant (YYYY-MM-DDTHH:MM:SS[.fff]Z): ${JSON.stringify(bad)}\n`);
        }
        const withMillis = await status(["--stack", "dev"], { dev: env(ID_DEV, 0, { outputs: { clientSecretExpiresAt: "2027-07-21T00:00:00.000Z" } }) });
        assert.strictEqual(withMillis.code, 0, withMillis.stderr);
    });

    it("reads an expiry in the years 0000 to 0099 as the instant it is: long expired, not unreadable", async () => {
        const result = await status(["--stack", "dev"], { dev: env(ID_DEV, 0, { outputs: { clientSecretExpiresAt: "0050-01-01T00:00:00Z" } }) });
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr, "");
        const row = rowsOf(result.stdout)[0];
        assert.strictEqual(row[2], "0050-01-01T00:00:00Z");
        // 0050-01-01 is 722,051 days (and 10 hours) before NOW, 2026-11-28T10:00Z: the year as written, not 1950.
        assert.strictEqual(row[3], "-722051");
        assert.strictEqual(row.at(-1), "expired");
    });

    it("prints no control or format characters from outputs", async () => {
        const evil = "\u001b[2J\u001b]0;owned\u0007id\u202eevil\r";
        const result = await status(["--stack", "dev"], { dev: env(evil, 200) });
        assert.strictEqual(result.code, 0);
        assert.ok(!/[\u0000-\u001f\u007f\u202e]/.test(result.stdout.replace(/\n/g, "")), JSON.stringify(result.stdout));
        assert.strictEqual(rowsOf(result.stdout)[0][1], "\uFFFD[2J\uFFFD]0;owned\uFFFDid\uFFFDevil\uFFFD");
    });

    it("exits 2 without the Pulumi CLI, also for named stacks", async () => {
        for (const argv of [["--all"], ["--stack", "dev"]]) {
            const result = await status(argv, { dev: env(ID_DEV, 200) }, { installed: false });
            assert.strictEqual(result.code, 2, argv.join(" "));
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, "status: the Pulumi CLI (pulumi) is not on PATH: install it " +
                "(https://www.pulumi.com/docs/install/) and sign in to the stacks' backend\n");
        }
    });

    it("gives up on a pulumi that does not answer: that stack's row is unreadable, the others are read (exit 1)", async () => {
        const started = Date.now();
        const stacks = { dev: env(ID_DEV, 200), prod: env(ID_PROD, 200), test: env(ID_DEV, 200) };
        // The two runs wait out their second side by side.
        const [result, noList] = await Promise.all([
            status(["--all", "--pulumi-timeout-seconds", "1"], stacks,
                { answer: args => args[1] === "output" && args.includes("prod") ? "hang" : undefined }),
            // The stack list itself is needed for every row: without it, nothing can be reported.
            status(["--pulumi-timeout-seconds", "1"], stacks, { answer: args => args[1] === "ls" ? "hang" : undefined }),
        ]);
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(rowsOf(result.stdout).map(r => [r[0], r.at(-1)]), [["dev", "ok"], ["prod", "unreadable"], ["test", "ok"]]);
        assert.strictEqual(result.stderr,
            "status: prod: pulumi stack output gave no answer within 1 s (--pulumi-timeout-seconds sets the limit)\n");
        assert.ok(Date.now() - started < 5000);
        assert.strictEqual(noList.code, 2);
        assert.strictEqual(noList.stdout, "");
        assert.strictEqual(noList.stderr, "status: pulumi stack ls gave no answer within 1 s (--pulumi-timeout-seconds sets the limit)\n");
    });

    describe("--parallel", () => {
        const stacks = Object.fromEntries([...Array(12).keys()].map(i => [`s${i}`, env(ID_DEV, 200)]));

        /** Runs status with a pulumi whose calls each take a few ms, and the most calls that ran at once. */
        async function peak(argv: string[]): Promise<{ code: number; stderr: string; peak: number; calls: number }> {
            const fake = fakePulumi(stacks);
            let running = 0;
            let most = 0;
            let stderr = "";
            const code = await executeCommand("status", statusMain, {
                argv, env: {}, now: () => NOW, stdout: () => undefined, stderr: text => { stderr += text; },
                pulumi: async (args, options) => {
                    running++;
                    most = Math.max(most, running);
                    try {
                        await new Promise(resolve => setTimeout(resolve, 5));
                        return await fake.run(args, options);
                    } finally {
                        running--;
                    }
                },
            });
            return { code, stderr, peak: most, calls: fake.calls.length };
        }

        it("runs 4 pulumi calls at once by default, and as many as --parallel says", async () => {
            assert.strictEqual(DEFAULT_PARALLEL, 4);
            const byDefault = await peak([]);
            assert.strictEqual(byDefault.code, 0, byDefault.stderr);
            // One stack list, then an output and a tag read per stack.
            assert.strictEqual(byDefault.calls, 1 + 2 * 12);
            assert.strictEqual(byDefault.peak, 4);
            assert.strictEqual((await peak(["--parallel", "1"])).peak, 1);
            assert.strictEqual((await peak(["--parallel", "7"])).peak, 7);
        });

        it("refuses a count that is not a whole number from 1 to 32", async () => {
            const usage = "(usage: npm run -s status -- [--stack <name>]... | --all [--threshold-days 30] [--require-delivery] " +
                "[--parallel 4] [--pulumi-timeout-seconds 120]; --help says more)";
            assert.strictEqual((await peak(["--parallel", "32"])).code, 0);
            for (const value of ["0", "33", "4.5", "-1", "", " 4", "four", "100"]) {
                const result = await peak([`--parallel=${value}`]);
                assert.strictEqual(result.code, 2, value);
                assert.strictEqual(result.calls, 0);
                assert.strictEqual(result.stderr, `status: --parallel ${JSON.stringify(value)} is not a whole number of pulumi calls ` +
                    `at once from 1 to 32 ${usage}\n`);
            }
        });
    });

    it("ends with exit 2 when the stack list's pulumi is ended by a signal; a stack's call so ended or too large is unreadable", async () => {
        const stacks = { dev: env(ID_DEV, 200), prod: env(ID_PROD, 200) };
        const killed = await status([], stacks, { answer: args => args[1] === "ls" ? killedBy("SIGSEGV", args, "secret\nmore") : undefined });
        assert.strictEqual(killed.code, 2);
        assert.strictEqual(killed.stderr, "status: pulumi stack ls ended by SIGSEGV\n");
        // A call for one stack ended by a signal marks that stack's row only.
        const killedLater = await status(["--all"], stacks,
            { answer: args => args[1] === "output" && args.includes("prod") ? killedBy("SIGKILL", args, "secret") : undefined });
        assert.strictEqual(killedLater.code, 1);
        assert.deepStrictEqual(rowsOf(killedLater.stdout).map(r => [r[0], r.at(-1)]), [["dev", "ok"], ["prod", "unreadable"]]);
        assert.strictEqual(killedLater.stderr, "status: prod: pulumi stack output ended by SIGKILL\n");
        const huge = await status(["--all"], stacks,
            { answer: args => args[1] === "output" && args.includes("prod") ? printedTooMuch() : undefined });
        assert.strictEqual(huge.code, 1);
        assert.deepStrictEqual(rowsOf(huge.stdout).map(r => [r[0], r.at(-1)]), [["dev", "ok"], ["prod", "unreadable"]]);
        assert.strictEqual(huge.stderr, "status: prod: pulumi stack output printed more than 16 MiB\n");
    });

    it("exits 2 when the stack list is not JSON", async () => {
        const result = await status([], { dev: env(ID_DEV, 200) },
            { answer: args => args[1] === "ls" ? { exitCode: 0, stdout: "Welcome to Pulumi!\n", stderr: "" } : undefined });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "status: pulumi printed something other than JSON for the stack list\n");
    });

    it("exits 2 when the stack list has an entry without a stack name, before reading any stack", async () => {
        // `pulumi stack ls --json` prints objects with a `name` (stackSummaryJSON, pulumi/pulumi pkg/cmd/pulumi/stack/stack_list.go).
        for (const [stdout, entry] of [["[null]", "null"], ['[{"name":""}]', '{"name":""}'], ['[{"name":" "}]', '{"name":" "}'],
            ['[{"name":"dev"},{"name":5}]', '{"name":5}'], ['[{"current":true}]', '{"current":true}'], ['["dev"]', '"dev"'],
            [`[{"name":"dev\\u202e"}, {"name":null,"x":"${"y".repeat(200)}"}]`, `{"name":null,"x":"${"y".repeat(82)}...`]]) {
            const result = await status([], { dev: env(ID_DEV, 200) },
                { answer: args => args[1] === "ls" ? { exitCode: 0, stdout, stderr: "" } : undefined });
            assert.strictEqual(result.code, 2, stdout);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, `status: the stack list has an entry without a stack name: ${entry}\n`);
            assert.deepStrictEqual(result.pulumiCalls, [["stack", "ls", "--json"]]);
        }
    });

    it("refuses --stack together with --all, an empty --stack, an option given twice, and a bad threshold", async () => {
        const stacks = { dev: env(ID_DEV, 200) };
        const usage = "(usage: npm run -s status -- [--stack <name>]... | --all [--threshold-days 30] [--require-delivery] " +
            "[--parallel 4] [--pulumi-timeout-seconds 120]; --help says more)";
        const both = await status(["--all", "--stack", "dev"], stacks);
        assert.strictEqual(both.code, 2);
        assert.strictEqual(both.stderr, `status: give --stack or --all, not both ${usage}\n`);
        const empty = await status(["--stack", ""], stacks, { current: "dev" });
        assert.strictEqual(empty.code, 2);
        assert.strictEqual(empty.stderr, `status: --stack "" is empty: name the stack ${usage}\n`);
        assert.deepStrictEqual(empty.pulumiCalls, []);
        const twice = await status(["--threshold-days", "10", "--threshold-days", "60"], stacks);
        assert.strictEqual(twice.code, 2);
        assert.strictEqual(twice.stderr, `status: --threshold-days is given more than once: give it once ${usage}\n`);
        const bad = await status(["--threshold-days", "thirty"], stacks);
        assert.strictEqual(bad.code, 2);
        assert.strictEqual(bad.stderr, 'status: --threshold-days "thirty" is not a whole number of days from 0 to 999\n');
        const badTimeout = await status(["--pulumi-timeout-seconds", "0"], stacks);
        assert.strictEqual(badTimeout.code, 2);
        assert.strictEqual(badTimeout.stderr, 'status: --pulumi-timeout-seconds "0" is not a whole number of seconds from 1 to 3600\n');
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
        const hidden = await runInProcess("status", statusMain, ["--all", "--threshold-days", "3\u009b2J\u202e0"], {});
        assert.strictEqual(hidden.stderr, 'status: --threshold-days "3\\u009b2J\\u202e0" is not a whole number of days from 0 to 999\n');
        const timeout = await runInProcess("status", statusMain, ["--all", "--pulumi-timeout-seconds", "\u202e9"], {});
        assert.strictEqual(timeout.stderr, 'status: --pulumi-timeout-seconds "\\u202e9" is not a whole number of seconds from 1 to 3600\n');
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
