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
