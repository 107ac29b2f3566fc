/** What the operations commands share: argument errors, exit codes, and how they end. */
import { parseArgs, ParseArgsConfig } from "util";

/** A failure to report in one line on stderr, with the exit code to end with. */
export class OpsError extends Error {
    constructor(message: string, readonly exitCode = 1) {
        super(message);
        this.name = "OpsError";
    }
}

/** Exit code of a command used wrongly or pointed at a stack it cannot read. */
export const USAGE_EXIT_CODE = 2;

/** Parses the command line with Node's own parser; a bad option becomes a usage error. */
export function parseCommandLine<T extends ParseArgsConfig["options"]>(
    argv: string[], options: T, usage: string) {
    try {
        return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
        throw new OpsError(`${(err as Error).message}\nusage: ${usage}`, USAGE_EXIT_CODE);
    }
}

/**
 * Runs a command's main function and ends the process with its exit code once stdout is
 * flushed. Errors are printed as one line on stderr, never with the values being handled.
 */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>): void {
    main(process.argv.slice(2)).then(
        code => exit(code),
        (err: unknown) => {
            const known = err instanceof OpsError;
            process.stderr.write(`${name}: ${known ? err.message : String(err)}\n`);
            exit(known ? err.exitCode : 1);
        });
}

function exit(code: number): void {
    // Exit explicitly (a timed-out token request may still hold a socket) but only after
    // everything written to stdout has reached the pipe.
    process.stdout.write("", () => process.exit(code));
}
