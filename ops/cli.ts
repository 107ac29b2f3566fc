/** What the operations commands share: argument errors, exit codes, option checks. */
import { parseArgs, ParseArgsConfig } from "util";
import { printable } from "./printable";

/** A failure to report in one line on stderr, with the exit code to end with. */
export class OpsError extends Error {
    constructor(message: string, readonly exitCode = 1) {
        super(message);
        this.name = "OpsError";
    }
}

/** Exit code of a command used wrongly or pointed at a stack or output it cannot read, or without the CLI. */
export const USAGE_EXIT_CODE = 2;

/** How long one `pulumi` call may take unless --pulumi-timeout-seconds says otherwise. */
export const DEFAULT_PULUMI_TIMEOUT_SECONDS = 120;

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The option every command has: how long one `pulumi` call may take. */
export const PULUMI_TIMEOUT_OPTION = {
    "pulumi-timeout-seconds": { type: "string", default: String(DEFAULT_PULUMI_TIMEOUT_SECONDS) },
} as const;

/**
 * Parses the command line with Node's own parser; a bad option, or an option that takes one
 * value given twice, becomes a usage error.
 */
export function parseCommandLine<T extends Options>(argv: string[], options: T, usage: string) {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
    } catch (err) {
        throw usageError((err as Error).message, usage);
    }
    const seen = new Set<string>();
    for (const token of parsed.tokens ?? []) {
        if (token.kind === "option" && !options[token.name]?.multiple) {
            if (seen.has(token.name)) {
                throw usageError(`--${token.name} is given more than once: give it once`, usage);
            }
            seen.add(token.name);
        }
    }
    return parsed.values;
}

/**
 * A usage error in one line, like every error: the problem, then how the command is called. The
 * message may quote what was typed (Node's parser does), so it is made printable.
 */
export function usageError(message: string, usage: string): OpsError {
    return new OpsError(`${printable(message)} (usage: ${usage})`, USAGE_EXIT_CODE);
}

/** A whole number of seconds within bounds, or a usage error naming the option and the value. */
export function wholeSeconds(option: string, text: string, min: number, max: number): number {
    if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
        throw new OpsError(`--${option} ${JSON.stringify(text)} is not a whole number of seconds from ${min} to ${max}`,
            USAGE_EXIT_CODE);
    }
    return Number(text);
}

/** `--pulumi-timeout-seconds`: 1 s to one hour. */
export function pulumiTimeoutMs(text: string): number {
    return wholeSeconds("pulumi-timeout-seconds", text, 1, 3600) * 1000;
}

/** A `--stack` value: a name, never empty (an empty name would make pulumi use the selected stack). */
export function stackOption(value: string | undefined, usage: string): string {
    if (value === undefined) {
        throw usageError("--stack is required", usage);
    }
    if (value.trim() === "") {
        throw usageError(`--stack ${JSON.stringify(value)} is empty: name the stack`, usage);
    }
    return value;
}
