/**
 * Running the Pulumi CLI: a bounded call that resolves stdout, or rejects with one clear line
 * (exit 2). The process-spawning runner and the tests' in-process stand-in share everything but
 * the spawning, so both fail the same way.
 */
import { execFile } from "child_process";
import * as path from "path";
import { DEFAULT_PULUMI_TIMEOUT_SECONDS, OpsError, USAGE_EXIT_CODE } from "./cli";
import { printable } from "./printable";

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
    constructor(message: string, readonly args: readonly string[], readonly stderr: string) {
        super(message, USAGE_EXIT_CODE);
        this.name = "PulumiError";
    }
}

/** The CLI is missing or does not answer: nothing about any stack can be known. */
export class PulumiUnavailableError extends OpsError {
    constructor(message: string) {
        super(message, USAGE_EXIT_CODE);
        this.name = "PulumiUnavailableError";
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
        return new PulumiUnavailableError(NO_CLI);
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

const PROJECT_DIR = path.join(__dirname, "..");

/** The Pulumi CLI on PATH, run in the project folder; a call that times out kills the process. */
export function spawnPulumi(cwd = PROJECT_DIR, maxOutputBytes = PULUMI_MAX_OUTPUT_BYTES): PulumiRunner {
    return pulumiRunner((args, signal) => new Promise((resolve, reject) => {
        const child = execFile("pulumi", args, { cwd, maxBuffer: maxOutputBytes, killSignal: "SIGKILL" },
            (err, stdout, stderr) => {
                if (!err) {
                    resolve({ exitCode: 0, stdout, stderr });
                } else if (typeof err.code === "number") {
                    resolve({ exitCode: err.code, stdout, stderr });
                } else {
                    reject(err); // ENOENT, too much output, a signal, or killed by the deadline (already reported)
                }
            });
        // Not execFile's `signal` option: execFile hands it to spawn without its killSignal, so an abort
        // would send only SIGTERM, which a hung CLI may ignore (Node's lib/child_process.js).
        signal.addEventListener("abort", () => child.kill("SIGKILL"));
    }), maxOutputBytes);
}
