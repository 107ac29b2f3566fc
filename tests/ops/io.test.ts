/**
 * The plumbing of the operations commands: the Pulumi runner (in-process around a stand-in
 * executor, and around real short-lived `pulumi` shell scripts to prove the execFile wiring), the
 * https client MSAL uses (against a local https stand-in), and the process IO.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OpsError } from "../../ops/cli.ts";
import { type CommandIO, processIO, runCommand } from "../../ops/io.ts";
import { installPulumiOnPath } from "../fakes/pulumiOnPath.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");

describe("the process IO", () => {
    function capture(stream: NodeJS.WriteStream, into: string[]): () => void {
        const write = stream.write;
        stream.write = ((chunk: unknown, ...rest: unknown[]) => {
            into.push(String(chunk));
            const done = rest.find(arg => typeof arg === "function") as (() => void) | undefined;
            if (done) {
                setImmediate(done);
            }
            return true;
        }) as typeof stream.write;
        return () => {
            stream.write = write;
        };
    }

    it("is this process's arguments, environment, streams and clock", () => {
        const io = processIO();
        assert.deepStrictEqual(io.argv, process.argv.slice(2));
        assert.strictEqual(io.env, process.env);
        assert.strictEqual(io.trustedCa, undefined);
        const before = Date.now();
        const now = io.now();
        assert.ok(now instanceof Date && now.getTime() >= before && now.getTime() <= Date.now());
        const out: string[] = [];
        const err: string[] = [];
        const restoreOut = capture(process.stdout, out);
        const restoreErr = capture(process.stderr, err);
        try {
            io.stdout("to stdout\n");
            io.stderr("to stderr\n");
        } finally {
            restoreOut();
            restoreErr();
        }
        assert.deepStrictEqual(out, ["to stdout\n"]);
        assert.deepStrictEqual(err, ["to stderr\n"]);
    });

    it("runs pulumi from PATH in the project folder", async () => {
        const fake = installPulumiOnPath("io-pulumi");
        fake.script('pwd -P\necho "$@"');
        try {
            assert.strictEqual(await processIO().pulumi(["stack", "ls", "--json"]), `${fs.realpathSync(ROOT)}\nstack ls --json\n`);
        } finally {
            fake.restore();
        }
    });

    it("runCommand exits with the command's code once stdout is flushed", async () => {
        const events: string[] = [];
        let exited: (code: number | undefined) => void = () => undefined;
        const exit = new Promise<number | undefined>(resolve => (exited = resolve));
        const io: CommandIO = {
            argv: [], env: {}, now: () => new Date(), pulumi: () => Promise.reject(new Error("not used")),
            stdout: text => events.push(`io.stdout ${text}`),
            stderr: text => events.push(`io.stderr ${text}`),
        };
        const realExit = process.exit;
        const writes: string[] = [];
        const restore = capture(process.stdout, writes);
        process.exit = ((code?: number) => {
            events.push(`exit ${code} after ${writes.length} write(s)`);
            exited(code);
        }) as typeof process.exit;
        let code: number | undefined | "none";
        try {
            runCommand("status", async () => {
                throw new OpsError("no such stack", 2);
            }, io);
            code = await Promise.race([exit, new Promise<"none">(resolve => setTimeout(() => resolve("none"), 1000))]);
        } finally {
            process.exit = realExit;
            restore();
        }
        assert.strictEqual(code, 2);
        assert.deepStrictEqual(writes, [""]);
        assert.deepStrictEqual(events, ["io.stderr status: no such stack\n", "exit 2 after 1 write(s)"]);
    });
});
