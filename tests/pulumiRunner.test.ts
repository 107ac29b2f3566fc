import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { execFile } from "child_process";
import {
    DEFAULT_PULUMI_TIMEOUT_SECONDS, PulumiError, PulumiMissingError, PulumiUnavailableError, killRunningCalls, spawnPulumi,
} from "../ops/pulumiRunner";
import { PulumiOnPath, installPulumiOnPath } from "./fakes/pulumiOnPath";
import { fakePulumi } from "./fakes/pulumiRunner";

/** Whether a process is gone (or a zombie: state Z in /proc/<pid>/stat, dead and not yet reaped) within a second. */
async function gone(pid: number): Promise<boolean> {
    const alive = () => {
        try {
            return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
            return false;
        }
    };
    for (let i = 0; i < 50 && alive(); i++) {
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    return !alive();
}

describe("the pulumi runner", () => {
    it("waits 120 s by default", () => {
        assert.strictEqual(DEFAULT_PULUMI_TIMEOUT_SECONDS, 120);
    });

    it("kills a pulumi process that does not answer, and says so", async () => {
        const fake = installPulumiOnPath("hanging-pulumi");
        fake.script("sleep 30");
        try {
            const started = Date.now();
            await assert.rejects(spawnPulumi(fake.dir)(["stack", "ls", "--json"], { timeoutMs: 500 }), (err: unknown) =>
                err instanceof PulumiUnavailableError && err.exitCode === 2 &&
                err.message === "pulumi stack ls gave no answer within 0.5 s (--pulumi-timeout-seconds sets the limit)");
            assert.ok(Date.now() - started < 3000);
        } finally {
            fake.restore();
        }
    });

    it("kills what a wrapper script started, too, when it does not answer (its process group)", async () => {
        const fake = installPulumiOnPath("wrapper-pulumi");
        // A wrapper that does not exec: the shell waits for its child, which outlives a kill of the shell alone.
        fake.script(`sleep 30 &\necho $! > "${fake.dir}/child.pid"\nwait`);
        try {
            await assert.rejects(spawnPulumi(fake.dir)(["stack", "ls", "--json"], { timeoutMs: 500 }), PulumiUnavailableError);
            const child = Number(fs.readFileSync(path.join(fake.dir, "child.pid"), "utf8"));
            assert.ok(await gone(child), `the wrapper's child ${child} is still running`);
        } finally {
            fake.restore();
        }
    });

    it("names a missing CLI as such: the one failure that stops status whole", async () => {
        const onlyEmpty = process.env.PATH;
        const empty = installPulumiOnPath("no-pulumi");
        process.env.PATH = empty.dir;
        try {
            await assert.rejects(spawnPulumi(empty.dir)(["stack", "ls", "--json"]), (err: unknown) =>
                err instanceof PulumiMissingError && err.name === "PulumiMissingError" && err.exitCode === 2 &&
                err.message.startsWith("the Pulumi CLI (pulumi) is not on PATH"));
        } finally {
            process.env.PATH = onlyEmpty;
            empty.restore();
        }
    });

    it("gives pulumi no stdin: a CLI that would ask a question reads end-of-file instead of waiting", async () => {
        const fake = installPulumiOnPath("asking-pulumi");
        fake.script("read answer\nprintf 'answer:%s.' \"$answer\"");
        try {
            assert.strictEqual(await spawnPulumi(fake.dir)(["stack", "ls", "--json"], { timeoutMs: 5000 }), "answer:.");
        } finally {
            fake.restore();
        }
    });

    it("takes output of exactly the limit", async () => {
        const fake = installPulumiOnPath("full-pulumi");
        fake.script("head -c 65536 /dev/zero");
        try {
            assert.strictEqual((await spawnPulumi(fake.dir, 64 * 1024)(["stack", "ls", "--json"], { timeoutMs: 5000 })).length, 65536);
        } finally {
            fake.restore();
        }
    });

    it("kills every call still running, with what it started, when asked (at exit)", async () => {
        const fake = installPulumiOnPath("running-pulumi");
        fake.script(`sleep 30 &\necho $! > "${fake.dir}/child.pid"\nwait`);
        try {
            const call = spawnPulumi(fake.dir)(["stack", "ls", "--json"], { timeoutMs: 20_000 });
            const pidFile = path.join(fake.dir, "child.pid");
            for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) {
                await new Promise(resolve => setTimeout(resolve, 20));
            }
            await new Promise(resolve => setTimeout(resolve, 50));
            killRunningCalls();
            await assert.rejects(call, (err: unknown) => err instanceof PulumiUnavailableError && err.message === "pulumi stack ls ended by SIGKILL");
            const child = Number(fs.readFileSync(pidFile, "utf8"));
            assert.ok(await gone(child), `the call's child ${child} is still running`);
        } finally {
            fake.restore();
        }
    });

    it("leaves no pulumi process behind when the command ends while a call still runs", async function () {
        this.timeout(30_000);
        const fake = installPulumiOnPath("left-pulumi");
        // The outputs fail after a moment, while the tag read of the same stack still runs: status reports and exits.
        fake.script([
            'case "$2" in',
            "  ls) echo '[{\"name\":\"dev\"}]' ;;",
            '  output) sleep 0.5; echo "error: no access" >&2; exit 1 ;;',
            `  tag) sleep 30 & echo $! > "${fake.dir}/tag.pid"; wait ;;`,
            "esac",
        ].join("\n"));
        try {
            const code = await new Promise<number | null>(resolve => execFile(process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(__dirname, "..", "ops", "status.ts"), "--all"],
                { cwd: path.join(__dirname, ".."), env: { ...process.env }, timeout: 25_000 },
                err => resolve(err ? (typeof err.code === "number" ? err.code : null) : 0)));
            assert.strictEqual(code, 1);
            const child = Number(fs.readFileSync(path.join(fake.dir, "tag.pid"), "utf8"));
            assert.ok(await gone(child), `the tag read's child ${child} is still running`);
        } finally {
            fake.restore();
        }
    });

    it("kills the process group of a pulumi that prints too much, and says so", async () => {
        const fake = installPulumiOnPath("chatty-pulumi");
        fake.script("yes pulumi");
        try {
            await assert.rejects(spawnPulumi(fake.dir, 64 * 1024)(["stack", "ls", "--json"], { timeoutMs: 5000 }), (err: unknown) =>
                err instanceof PulumiError && err.message === "pulumi stack ls printed more than 0.0625 MiB");
        } finally {
            fake.restore();
        }
    });

    describe("a real process", () => {
        let fake: PulumiOnPath;
        let dir: string;
        const pulumiScript = (script: string) => fake.script(script);
        beforeEach(() => {
            fake = installPulumiOnPath("dying-pulumi");
            dir = fake.dir;
        });
        afterEach(() => fake.restore());

        it("ended by a signal: one line naming the signal, not its stderr", async () => {
            pulumiScript('echo "panic: value=Zx8Q~leaked" >&2\necho "goroutine 1 [running]:" >&2\nkill -9 $$');
            await assert.rejects(spawnPulumi(dir)(["stack", "output", "--json", "--stack", "dev"]), (err: unknown) =>
                err instanceof PulumiUnavailableError && err.exitCode === 2 && err.message === "pulumi stack output ended by SIGKILL");
        });

        it("printing more than the limit: one line naming the limit", async () => {
            pulumiScript('echo "Zx8Q~leaked" >&2\nhead -c 2200000 /dev/zero');
            await assert.rejects(spawnPulumi(dir, 1024 * 1024)(["stack", "output", "--json", "--stack", "dev"]), (err: unknown) =>
                err instanceof PulumiError && err.exitCode === 2 && err.message === "pulumi stack output printed more than 1 MiB");
        });

        it("that cannot be started: one line with the system's error code", async () => {
            fs.writeFileSync(path.join(dir, "pulumi"), "not executable", { mode: 0o644 });
            const onlyHere = process.env.PATH;
            process.env.PATH = dir;
            try {
                await assert.rejects(spawnPulumi(dir)(["stack", "ls", "--json"]), (err: unknown) =>
                    err instanceof PulumiUnavailableError && err.exitCode === 2 &&
                    /^pulumi stack ls could not be run \(EACCES\)$/.test(err.message));
            } finally {
                process.env.PATH = onlyHere;
            }
        });
    });

    describe("the fake CLI answers like pulumi/pulumi", () => {
        const stacks = { dev: { outputs: { a: 1, s: "x" }, secrets: ["s"], tags: { "creatio-delivered-key-id": "k1" } } };

        it("stack output --json masks secrets without --show-secrets", async () => {
            const { run } = fakePulumi(stacks);
            // display.MassageSecrets: secret values become "[secret]" (pkg/backend/display/json.go)
            assert.deepStrictEqual(JSON.parse(await run(["stack", "output", "--json", "--stack", "dev"])), { a: 1, s: "[secret]" });
            assert.deepStrictEqual(JSON.parse(await run(["stack", "output", "--json", "--stack", "dev", "--show-secrets"])), { a: 1, s: "x" });
        });

        it("stack tag get/set/ls", async () => {
            const fake = fakePulumi(stacks);
            // `tag get` prints the value and a newline; a missing tag is an error (pkg/cmd/pulumi/stack/stack_tag.go)
            assert.strictEqual(await fake.run(["stack", "tag", "get", "creatio-delivered-key-id", "--stack", "dev"]), "k1\n");
            await assert.rejects(fake.run(["stack", "tag", "get", "other", "--stack", "dev"]),
                { message: "pulumi stack tag get failed: error: stack tag 'other' not found for stack 'dev'" });
            await fake.run(["stack", "tag", "set", "creatio-delivered-key-id", "k2", "--stack", "dev"]);
            assert.deepStrictEqual(JSON.parse(await fake.run(["stack", "tag", "ls", "--json", "--stack", "dev"])),
                { "creatio-delivered-key-id": "k2" });
            assert.deepStrictEqual(stacks.dev.tags, { "creatio-delivered-key-id": "k1" }, "the fake works on a copy");
        });

        it("stack ls --json and a missing stack", async () => {
            const { run } = fakePulumi(stacks, { current: "dev" });
            // stackSummaryJSON: name, current, ... (pkg/cmd/pulumi/stack/stack_list.go)
            assert.deepStrictEqual(JSON.parse(await run(["stack", "ls", "--json"])), [{ name: "dev", current: true }]);
            await assert.rejects(run(["stack", "output", "--json", "--stack", "prod"]),
                { message: "pulumi stack output failed: error: no stack named 'prod' found" });
        });
    });
});
