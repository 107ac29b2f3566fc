/**
 * The outside world of an operations command, passed in as one parameter: a real run gets the
 * process's, a test its own (argv, environment, output, the `pulumi` runner, the clock, and an
 * extra CA for a local https stand-in).
 */
import { OpsError } from "./cli.ts";
import { printable } from "./printable.ts";
import { type PulumiRunner, spawnPulumi } from "./pulumi/runner.ts";
import { Redactor } from "./redact.ts";

export interface CommandIO {
    /** The command's arguments, without `node` and the script. */
    argv: string[];
    env: Readonly<Record<string, string | undefined>>;
    stdout(text: string): void;
    stderr(text: string): void;
    /** Runs the Pulumi CLI: resolves its stdout; rejects with an `OpsError` (exit 2), bounded in time. */
    pulumi: PulumiRunner;
    now(): Date;
    /** An extra PEM CA certificate to trust for outbound https (a test's local stand-in). */
    trustedCa?: string;
}

/**
 * What a command runs with: the outside world, with stdout and stderr passed through the run's
 * redactor. A command adds every secret it learns to `redactor` at once.
 */
export interface CommandContext extends CommandIO {
    readonly redactor: Redactor;
    /**
     * Writes to stdout past the redactor: only for the one secret `credentials` is asked to print
     * (it redacts every other value of its output itself).
     */
    stdoutWithSecret(text: string): void;
    /** Writes to stderr past the redactor: only for GitHub's `::add-mask::` line of that secret, which must carry it. */
    stderrWithSecret(text: string): void;
}

export type CommandMain = (io: CommandContext) => Promise<number>;

/** The real process: its arguments, environment, streams, clock, and the Pulumi CLI on PATH. */
export function processIO(): CommandIO {
    return {
        argv: process.argv.slice(2),
        env: process.env,
        stdout: text => { process.stdout.write(text); },
        stderr: text => { process.stderr.write(text); },
        pulumi: spawnPulumi(),
        now: () => new Date(),
    };
}

/**
 * Runs a command and returns its exit code. Everything it prints passes through a redactor of its
 * own. A failure becomes one line on stderr, prefixed with the command's name; an `OpsError`
 * carries its own exit code, anything else is 1.
 */
export async function executeCommand(name: string, main: CommandMain, world: CommandIO): Promise<number> {
    const redactor = new Redactor();
    const io: CommandContext = {
        ...world,
        redactor,
        stdout: text => world.stdout(redactor.redact(text)),
        stderr: text => world.stderr(redactor.redact(text)),
        stdoutWithSecret: text => world.stdout(text),
        stderrWithSecret: text => world.stderr(text),
    };
    try {
        return await main(io);
    } catch (err) {
        if (err instanceof OpsError) {
            io.stderr(`${name}: ${err.message}\n`);
            return err.exitCode;
        }
        // An unexpected error may carry outside text (a child process's stderr): its first line only, printable.
        io.stderr(`${name}: ${printable(String(err).split("\n")[0])}\n`);
        return 1;
    }
}

/** Runs a command in this process and ends the process with its exit code once stdout is flushed. */
export function runCommand(name: string, main: CommandMain, io: CommandIO = processIO()): void {
    void executeCommand(name, main, io).then(code => {
        // Exit explicitly (a timed-out request may still hold a socket) but only after everything
        // written to stdout has reached the pipe.
        process.stdout.write("", () => process.exit(code));
    });
}
