/**
 * Runs the operations commands in tests: in-process through their `main(io)` with the fake
 * Pulumi runner (fast, the usual way), or as a child process with the fake `pulumi` executable
 * first on PATH (only to prove the wiring of a real run).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type CommandMain, executeCommand } from "../../ops/io.ts";
import { type FakePulumiOptions, type FakeStack, fakePulumi } from "./pulumiRunner.ts";
import type { FakeBackendState } from "./pulumiCli.cjs";

export type { FakeStack } from "./pulumiRunner.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");
const FAKES = import.meta.dirname;

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    /** The command lines the fake pulumi received. */
    pulumiCalls: string[][];
    /** The fake backend after the run (stack tags set by the command). */
    state: FakeBackendState;
}

export interface InProcessOptions extends FakePulumiOptions {
    env?: Record<string, string | undefined>;
    /** The clock of the run; default the real one. */
    now?: Date;
    trustedCa?: string;
}

/** Runs a command's `main(io)` in this process against these fake stacks. */
export async function runInProcess(name: string, main: CommandMain, argv: string[], stacks: Record<string, FakeStack>,
    options: InProcessOptions = {}): Promise<CommandResult> {
    const pulumi = fakePulumi(stacks, options);
    let stdout = "";
    let stderr = "";
    const code = await executeCommand(name, main, {
        argv,
        env: options.env ?? {},
        stdout: text => { stdout += text; },
        stderr: text => { stderr += text; },
        pulumi: pulumi.run,
        now: () => options.now ?? new Date(),
        trustedCa: options.trustedCa,
    });
    return { code, stdout, stderr, pulumiCalls: pulumi.calls, state: pulumi.state };
}

/**
 * Runs `ops/<command>.ts` in a child process against these fake stacks, as `npm run` does.
 * `withPulumi: false` leaves the pulumi executable off PATH.
 */
export function spawnCommand(command: string, args: string[], stacks: Record<string, FakeStack>,
    options: { withPulumi?: boolean; env?: Record<string, string> } = {}): Promise<CommandResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    const stateFile = path.join(dir, "state.json");
    const log = path.join(dir, "calls.log");
    fs.writeFileSync(stateFile, JSON.stringify({ stacks }));
    const env = {
        ...process.env,
        PATH: options.withPulumi === false ? dir : `${FAKES}${path.delimiter}${process.env.PATH}`,
        FAKE_PULUMI_STATE: stateFile,
        FAKE_PULUMI_LOG: log,
        ...options.env,
    };
    return new Promise(resolve => {
        execFile(process.execPath, [path.join(ROOT, "ops", `${command}.ts`), ...args],
            { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
                const pulumiCalls = fs.existsSync(log)
                    ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map(line => JSON.parse(line))
                    : [];
                const state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as FakeBackendState;
                fs.rmSync(dir, { recursive: true, force: true });
                resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr, pulumiCalls, state });
            });
    });
}
