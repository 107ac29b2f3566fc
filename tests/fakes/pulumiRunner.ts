/**
 * The Pulumi CLI in-process for tests: the same runner wrapper as a real run (timeout, failure
 * mapping) around the CLI emulation of pulumiCli.cjs instead of a process.
 */
import { type PulumiProcessResult, type PulumiRunner, pulumiRunner } from "../../ops/pulumi/runner.ts";
import { type FakeBackendState, type FakeStackState, emulate } from "./pulumiCli.cjs";

export type FakeStack = FakeStackState;

export interface FakePulumiOptions {
    /** false: no `pulumi` executable (the runner fails as with ENOENT). */
    installed?: boolean;
    /** The selected stack, used when `--stack` is missing or empty. */
    current?: string;
    /**
     * Answers a call instead of the emulation: a result, "hang" to never answer, or an error the
     * process ended with (`killedBy`, `printedTooMuch`).
     */
    answer?: (args: string[]) => PulumiProcessResult | "hang" | Error | undefined;
}

export interface FakePulumi {
    run: PulumiRunner;
    /** The command lines received, in order. */
    calls: string[][];
    /** The backend's state; `stack tag set` changes it. */
    state: FakeBackendState;
}

export function fakePulumi(stacks: Record<string, FakeStack>, options: FakePulumiOptions = {}): FakePulumi {
    const state: FakeBackendState = { stacks: structuredClone(stacks), current: options.current };
    const calls: string[][] = [];
    const run = pulumiRunner((args, signal) => {
        calls.push([...args]);
        if (options.installed === false) {
            return Promise.reject(Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" }));
        }
        const answer = options.answer?.(args);
        if (answer instanceof Error) {
            return Promise.reject(answer);
        }
        if (answer === "hang") {
            return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
        }
        return Promise.resolve(answer ?? emulate(args, state));
    });
    return { run, calls, state };
}

/**
 * The error execFile gives for a process ended by a signal: code null, the signal's name, and the
 * whole stderr in the message (Node's lib/child_process.js, exithandler).
 */
export function killedBy(signal: NodeJS.Signals, args: string[], stderr: string): Error {
    return Object.assign(new Error(`Command failed: pulumi ${args.join(" ")}\n${stderr}`), { code: null, killed: false, signal });
}

/** The error execFile gives once stdout or stderr passes maxBuffer (Node's ERR_CHILD_PROCESS_STDIO_MAXBUFFER). */
export function printedTooMuch(): Error {
    return Object.assign(new RangeError("stdout maxBuffer length exceeded"), { code: "ERR_CHILD_PROCESS_STDIO_MAXBUFFER" });
}
