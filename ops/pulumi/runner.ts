/**
 * Running the Pulumi CLI: a bounded call that resolves stdout, or rejects with one clear line
 * (exit 2). The process-spawning runner and the tests' in-process stand-in share everything but
 * the spawning, so both fail the same way.
 */
import { spawn } from "child_process";
import * as path from "path";
import { DEFAULT_PULUMI_TIMEOUT_SECONDS, OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { printable } from "../printable.ts";

export { DEFAULT_PULUMI_TIMEOUT_SECONDS };

/** What one `pulumi` call may print (stdout, and stderr, each) before it is stopped. */
export const PULUMI_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface PulumiCallOptions {
    /** Give up after this long; default DEFAULT_PULUMI_TIMEOUT_SECONDS. */
    timeoutMs?: number;
}

/** Runs `pulumi <args>`; resolves its stdout. */
export type PulumiRunner = (args: string[], options?: PulumiCallOptions) => Promise<string>;

/** What a finished `pulumi` process left behind. */
export interface PulumiProcessResult {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/**
 * Starts `pulumi <args>`; rejects with Node's error of execFile when the process could not run or
 * did not end by itself: code ENOENT (no such executable), ERR_CHILD_PROCESS_STDIO_MAXBUFFER
 * (printed too much), or a `signal` (killed).
 */
export type PulumiExecutor = (args: string[], signal: AbortSignal) => Promise<PulumiProcessResult>;

/** A failed `pulumi` call. `stderr` is the CLI's own error text, for callers that recognise it. */
export class PulumiError extends OpsError {
    readonly args: readonly string[];
    readonly stderr: string;

    constructor(message: string, args: readonly string[], stderr: string) {
        super(message, USAGE_EXIT_CODE);
        this.name = "PulumiError";
        this.args = args;
        this.stderr = stderr;
    }
}

/** The CLI did not answer (timed out, ended by a signal, could not be run): nothing came back from this call. */
export class PulumiUnavailableError extends OpsError {
    constructor(message: string) {
        super(message, USAGE_EXIT_CODE);
        this.name = "PulumiUnavailableError";
    }
}

/** There is no `pulumi` on PATH: no call can succeed, so a command stops at once. */
export class PulumiMissingError extends PulumiUnavailableError {
    constructor() {
        super(NO_CLI);
        this.name = "PulumiMissingError";
    }
}

const NO_CLI = "the Pulumi CLI (pulumi) is not on PATH: install it (https://www.pulumi.com/docs/install/) " +
    "and sign in to the stacks' backend";

/** `pulumi stack output`, `pulumi preview`: the subcommand words before the first option, for messages (never the values). */
function commandName(args: readonly string[]): string {
    const options = args.findIndex(arg => arg.startsWith("-"));
    const words = args.slice(0, options === -1 ? args.length : options);
    return ["pulumi", ...words.slice(0, words[1] === "tag" ? 3 : 2)].join(" ");
}

/**
 * Why a `pulumi` process did not give an answer, in one line. Its stderr is never shown here: a
 * crash prints a stack trace, which may hold values.
 */
function processFailure(err: unknown, args: readonly string[], maxOutputBytes: number): OpsError {
    const { code, signal } = err as { code?: unknown; signal?: unknown };
    if (code === "ENOENT") {
        return new PulumiMissingError();
    }
    if (code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
        // The stack's own answer is too large: a problem of that stack, like a failed call.
        return new PulumiError(`${commandName(args)} printed more than ${maxOutputBytes / (1024 * 1024)} MiB`, args, "");
    }
    if (typeof signal === "string" && signal !== "") {
        // Killed from outside (out of memory, a CI step's limit) or crashed: the CLI did not finish, like a timeout.
        return new PulumiUnavailableError(`${commandName(args)} ended by ${printable(signal)}`);
    }
    return new PulumiUnavailableError(`${commandName(args)} could not be run${typeof code === "string" ? ` (${printable(code)})` : ""}`);
}

/** Wraps an executor into a runner that bounds every call and maps every failure to exit 2. */
export function pulumiRunner(execute: PulumiExecutor, maxOutputBytes = PULUMI_MAX_OUTPUT_BYTES): PulumiRunner {
    return async (args, options = {}) => {
        const timeoutMs = options.timeoutMs ?? DEFAULT_PULUMI_TIMEOUT_SECONDS * 1000;
        const abort = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                // Reject first: the aborted call's own failure must not win the race.
                reject(new PulumiUnavailableError(`${commandName(args)} gave no answer within ${timeoutMs / 1000} s ` +
                    "(--pulumi-timeout-seconds sets the limit)"));
                abort.abort();
            }, timeoutMs);
        });
        let result: PulumiProcessResult;
        try {
            result = await Promise.race([execute(args, abort.signal), deadline]);
        } catch (err) {
            throw err instanceof OpsError ? err : processFailure(err, args, maxOutputBytes);
        } finally {
            clearTimeout(timer);
        }
        if (result.exitCode !== 0) {
            // stderr carries pulumi's own error, never stack outputs; stdout is not shown.
            const reason = result.stderr.trim().split("\n").filter(Boolean).pop() ?? `exit code ${result.exitCode}`;
            throw new PulumiError(`${commandName(args)} failed: ${printable(reason.trim())}`, args, result.stderr);
        }
        return result.stdout;
    };
}

/**
 * At most `max` calls of `runner` at once; the others wait their turn, first come first served
 * (a call's time limit starts when it runs).
 */
export function limitCalls(runner: PulumiRunner, max: number): PulumiRunner {
    let running = 0;
    const waiting: (() => void)[] = [];
    return async (args, options) => {
        if (running >= max) {
            await new Promise<void>(resolve => waiting.push(resolve));
        } else {
            running++;
        }
        try {
            return await runner(args, options);
        } finally {
            const next = waiting.shift();
            if (next) {
                next(); // the slot passes on: `running` stays
            } else {
                running--;
            }
        }
    };
}

const PROJECT_DIR = path.join(import.meta.dirname, "..", "..");

/** Kills a process and everything it started: the process group it leads. */
function killGroup(pid: number): void {
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        // already gone
    }
}

/** The process groups of `pulumi` calls still running. */
const liveGroups = new Set<number>();

/** Kills every `pulumi` call still running, with everything it started. */
export function killRunningCalls(): void {
    liveGroups.forEach(killGroup);
}

// A command may end while a call it no longer waits for still runs (status reports a stack whose
// other call failed first): its detached process group would outlive the command.
process.on("exit", killRunningCalls);

/**
 * The Pulumi CLI on PATH, run in the project folder. Each call leads a process group of its own
 * (spawn's `detached`; execFile does not pass that option on, Node's lib/child_process.js), so a
 * call that times out or prints too much is killed with everything it started: a `pulumi` that is a
 * wrapper script (which does not `exec`) leaves no process behind. Rejects as execFile would:
 * the spawn error (ENOENT), ERR_CHILD_PROCESS_STDIO_MAXBUFFER, or an error with the `signal`.
 */
export function spawnPulumi(cwd = PROJECT_DIR, maxOutputBytes = PULUMI_MAX_OUTPUT_BYTES): PulumiRunner {
    return pulumiRunner((args, signal) => new Promise((resolve, reject) => {
        const child = spawn("pulumi", args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        const pid = child.pid; // undefined when the process could not be started ("error" follows)
        if (pid !== undefined) {
            liveGroups.add(pid);
        }
        let settled = false;
        const finish = (result: PulumiProcessResult | Error) => {
            if (settled) {
                return;
            }
            settled = true;
            if (pid !== undefined) {
                liveGroups.delete(pid);
                killGroup(pid); // also what a wrapper that ended left running
            }
            if (result instanceof Error) {
                reject(result);
            } else {
                resolve(result);
            }
        };
        const collect = (stream: NodeJS.ReadableStream, chunks: Buffer[]) => {
            let size = 0;
            stream.on("data", (chunk: Buffer) => {
                size += chunk.length;
                if (size > maxOutputBytes) {
                    finish(Object.assign(new RangeError(), { code: "ERR_CHILD_PROCESS_STDIO_MAXBUFFER" }));
                } else {
                    chunks.push(chunk);
                }
            });
        };
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        collect(child.stdout!, stdout);
        collect(child.stderr!, stderr);
        child.on("error", err => finish(err)); // ENOENT, EACCES: the process never ran
        child.on("close", (code, killedBy) => finish(killedBy !== null
            ? Object.assign(new Error(), { signal: killedBy })
            : { exitCode: code ?? 0, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
        // Killed by the deadline, whose error is already reported.
        signal.addEventListener("abort", () => finish(new Error()));
    }), maxOutputBytes);
}
