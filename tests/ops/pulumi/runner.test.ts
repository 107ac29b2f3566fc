/** Whether a process is gone (or a zombie: state Z in /proc/<pid>/stat, dead and not yet reaped) within a second. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { execFile } from "child_process";
import { DEFAULT_PULUMI_TIMEOUT_SECONDS, killRunningCalls, PulumiError, PulumiMissingError, type PulumiProcessResult, pulumiRunner, PulumiUnavailableError, spawnPulumi } from "../../../ops/pulumi/runner.ts";
import { installPulumiOnPath, type PulumiOnPath } from "../../fakes/pulumiOnPath.ts";
import { fakePulumi } from "../../fakes/pulumiRunner.ts";
import { eventually } from "../../eventually.ts";

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

const ROOT = path.join(import.meta.dirname, "..", "..", "..");

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
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
                [path.join(import.meta.dirname, "..", "..", "..", "ops", "status.ts"), "--all"],
                { cwd: path.join(import.meta.dirname, "..", "..", ".."), env: { ...process.env }, timeout: 25_000 },
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

describe("the pulumi runner around an executor", () => {
    const ok = (stdout: string): PulumiProcessResult => ({ exitCode: 0, stdout, stderr: "" });

    it("names its errors", () => {
        assert.strictEqual(String(new PulumiError("x", [], "")), "PulumiError: x");
        assert.strictEqual(String(new PulumiUnavailableError("y")), "PulumiUnavailableError: y");
    });

    it("aborts the call it gave up on", async () => {
        let signal: AbortSignal | undefined;
        const run = pulumiRunner((_, s) => {
            signal = s;
            return new Promise(() => undefined); // a process that never ends by itself
        });
        await assert.rejects(run(["stack", "ls", "--json"], { timeoutMs: 30 }), (err: unknown) =>
            err instanceof PulumiUnavailableError && err.message.startsWith("pulumi stack ls gave no answer within 0.03 s"));
        assert.strictEqual(signal?.aborted, true);
    });

    it("leaves a call that answered in time alone: no abort, no timer left running", async () => {
        let signal: AbortSignal | undefined;
        const run = pulumiRunner((_, s) => {
            signal = s;
            return Promise.resolve(ok("{}\n"));
        });
        assert.strictEqual(await run(["stack", "output", "--json"], { timeoutMs: 30 }), "{}\n");
        await new Promise(resolve => setTimeout(resolve, 90));
        assert.strictEqual(signal?.aborted, false);
    });

    it("an executor failure with neither code nor signal: one line, none of its text", async () => {
        const run = pulumiRunner(() => Promise.reject(new Error("spawn failed\n    at secret Zx8Q~leaked")));
        await assert.rejects(run(["stack", "output", "--json", "--stack", "dev"]), (err: unknown) =>
            err instanceof PulumiUnavailableError && err.exitCode === 2 && err.message === "pulumi stack output could not be run");
    });

    it("a failed call without stderr names its exit code", async () => {
        const run = pulumiRunner(() => Promise.resolve({ exitCode: 3, stdout: "{}", stderr: "" }));
        await assert.rejects(run(["stack", "ls"]), (err: unknown) =>
            err instanceof PulumiError && err.exitCode === 2 && err.message === "pulumi stack ls failed: exit code 3" &&
            err.stderr === "");
    });

    it("a failed call gives the last non-empty line of stderr, trimmed", async () => {
        const stderr = "warning: A\n\nerror: update failed\n   error: no stack named 'prod' found";
        const run = pulumiRunner(() => Promise.resolve({ exitCode: 6, stdout: "", stderr }));
        await assert.rejects(run(["stack", "output", "--json", "--stack", "prod"]), (err: unknown) =>
            err instanceof PulumiError && err.message === "pulumi stack output failed: error: no stack named 'prod' found" &&
            err.stderr === stderr && err.args.join(" ") === "stack output --json --stack prod");
    });
    it("skips blank and whitespace-only lines at the end of stderr", async () => {
        const run = pulumiRunner(() => Promise.resolve({ exitCode: 1, stdout: "", stderr: "error: x\r\n  \n\t\n" }));
        await assert.rejects(run(["stack", "ls"]), { message: "pulumi stack ls failed: error: x" });
    });
});

describe("the pulumi runner around a real process", () => {
    let fake: PulumiOnPath;
    let dir: string;
    const pulumiScript = (script: string) => fake.script(script);
    beforeEach(() => {
        fake = installPulumiOnPath("runner-bites");
        dir = fake.dir;
    });
    afterEach(() => fake.restore());

    it("resolves the stdout of a call that exits 0, run in the folder given", async () => {
        pulumiScript('echo "warning: ignored" >&2\npwd -P\necho \'{"a": 1}\'');
        assert.strictEqual(await spawnPulumi(dir)(["stack", "output", "--json"]), `${fs.realpathSync(dir)}\n{"a": 1}\n`);
    });

    it("runs in the project folder by default", async () => {
        pulumiScript("pwd -P");
        assert.strictEqual(await spawnPulumi()(["whoami"]), `${fs.realpathSync(ROOT)}\n`);
    });

    it("a call that exits non-zero: pulumi's own error line, and its stderr for the caller", async () => {
        // cmdutil.DisplayErrorMessage prints `error: <message>`; a missing stack exits 6 (pkg/cmd/pulumi/cmd/exit_codes.go)
        pulumiScript("echo \"error: no stack named 'prod' found\" >&2\nexit 6");
        await assert.rejects(spawnPulumi(dir)(["stack", "output", "--json", "--stack", "prod"]), (err: unknown) =>
            err instanceof PulumiError && err.exitCode === 2 &&
            err.message === "pulumi stack output failed: error: no stack named 'prod' found" &&
            err.stderr === "error: no stack named 'prod' found\n");
    });

    it("stops a call at the limit it was given, and keeps none of its stderr", async () => {
        pulumiScript('echo "Zx8Q~leaked" >&2\nhead -c 100000 /dev/zero');
        await assert.rejects(spawnPulumi(dir, 64 * 1024)(["stack", "output", "--json"]), (err: unknown) =>
            err instanceof PulumiError && err.message === "pulumi stack output printed more than 0.0625 MiB" && err.stderr === "");
    });

    it("kills a process that gave no answer in time, even one that ignores SIGTERM", async () => {
        const pidFile = path.join(dir, "pid");
        pulumiScript(`trap '' TERM\necho $$ > ${pidFile}\nexec sleep 30`);
        await assert.rejects(spawnPulumi(dir)(["stack", "ls", "--json"], { timeoutMs: 400 }), PulumiUnavailableError);
        const pid = Number(fs.readFileSync(pidFile, "utf8"));
        assert.ok(pid > 0);
        await eventually(`process ${pid} is gone`, () => !isAlive(pid));
    });
});
