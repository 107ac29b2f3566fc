/**
 * What the operations commands share: the exit-code table, argument errors, option checks, and
 * each command's declaration (its options, environment, exit codes, examples), from which both
 * its parser and its --help come, so the two cannot drift apart.
 */
import { parseArgs, type ParseArgsConfig } from "util";
import { closest } from "../lib/closest.ts";
import { quoted } from "../lib/configProblems.ts";
import type { CommandContext, CommandMain } from "./io.ts";
import { printable } from "./printable.ts";

/** A failure to report in one line on stderr, with the exit code to end with. */
export class OpsError extends Error {
    readonly exitCode: number;

    constructor(message: string, exitCode = 1) {
        super(message);
        this.name = "OpsError";
        this.exitCode = exitCode;
    }
}

/** Exit code of a command used wrongly or pointed at a stack or output it cannot read, or without the CLI. */
export const USAGE_EXIT_CODE = 2;

/**
 * The exit codes of every command, with what each means for all of them; a command's --help says
 * what each of its codes means for it (verify's 1 is a rejected secret, status's a stack to look at).
 */
export const EXIT_CODES = {
    0: "success: the command did what it is for",
    1: "a problem found or a refusal (by Entra ID, Creatio, the configuration or a check), or an unexpected error",
    [USAGE_EXIT_CODE]: "wrong usage: a bad option or environment variable, a stack, output or file that cannot be read, " +
        "or no pulumi CLI",
    3: "an outside system (Entra ID, Microsoft Graph, Creatio) could not be reached, or answered with a passing failure, " +
        "so nothing could be judged",
} as const;

export type ExitCode = keyof typeof EXIT_CODES;

/** What exit code 1 means for a command that has no refusal of its own: an error it did not expect, its first line on stderr. */
export const UNEXPECTED_ERROR = [1, "an unexpected error (its first line is on stderr)"] as const;

/** How long one `pulumi` call may take unless --pulumi-timeout-seconds says otherwise. */
export const DEFAULT_PULUMI_TIMEOUT_SECONDS = 120;

type Options = NonNullable<ParseArgsConfig["options"]>;

/** One option of a command: how Node's parser reads it, and how --help names and explains it. */
export interface OptionSpec {
    type: "string" | "boolean";
    multiple?: boolean;
    default?: string | boolean;
    /** The value's placeholder in --help, e.g. `<name>` or `a|b`. */
    value?: string;
    description: string;
}

export type OptionTable = Record<string, OptionSpec>;

/** The option every command that calls pulumi has: how long one `pulumi` call may take. */
export const PULUMI_TIMEOUT_OPTION = {
    "pulumi-timeout-seconds": {
        type: "string", default: String(DEFAULT_PULUMI_TIMEOUT_SECONDS), value: "<seconds>",
        description: "how long one pulumi call may take, 1 to 3600",
    },
} as const;

/** What the commands that call pulumi read of the environment: the CLI's own variables reach it untouched. */
export const PULUMI_ENVIRONMENT: readonly [string, string][] = [
    ["PATH", "where the pulumi CLI is found"],
    ["PULUMI_BACKEND_URL, PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE(_FILE), AZURE_STORAGE_*, ...",
        "read by the pulumi CLI, not by the command: the backend that holds the stack's state and its secrets provider"],
];

/**
 * A command's declaration: its --help is rendered from it, and its options are parsed with it.
 * Every text is the project's own, shown as written.
 */
export interface CommandSpec<T extends OptionTable = OptionTable> {
    /** The npm script's name. */
    name: string;
    /** What it does, in one line: the first line of --help. */
    summary: string;
    /** The one-line usage every usage error ends with. */
    usage: string;
    /** What it reads and what it prints or writes, lines as shown. */
    description: string[];
    /** Set when the command prints or writes a secret: said plainly, first. */
    secret?: string;
    options: T;
    /** Options a command no longer has, with what to give instead. */
    retired?: Record<string, string>;
    /** Environment variables it reads (or that reach the programs it runs), with what each does. */
    environment: readonly (readonly [string, string])[];
    /** The codes it ends with and what each means for it (see EXIT_CODES). */
    exitCodes: Partial<Record<ExitCode, string>>;
    /** At least two: the command line and what it does. */
    examples: readonly (readonly [string, string])[];
}

/** What Node's parser returns for a command's options. */
export type OptionValues<T extends OptionTable> = ReturnType<typeof parseArgs<{ options: T }>>["values"];

/**
 * Text in lines of at most `width` columns (a longer word stays whole), the first starting at
 * column `start`, the others after `indent`.
 */
function wrap(text: string, width: number, indent: string, start = 0): string {
    const lines: string[] = [];
    let line = "";
    let column = start;
    for (const word of text.split(" ")) {
        if (line !== "" && line !== indent && column + line.length + 1 + word.length > width) {
            lines.push(line);
            line = indent + word;
            column = 0;
        } else {
            line = line === "" || line === indent ? line + word : `${line} ${word}`;
        }
    }
    lines.push(line);
    return lines.join("\n");
}

const HELP_WIDTH = 100;

/** A table of two columns: names, then their meaning wrapped beside them. */
function table(rows: readonly (readonly [string, string])[]): string[] {
    const width = Math.min(34, Math.max(...rows.map(([name]) => name.length)) + 2);
    return rows.map(([name, meaning]) => {
        const head = `  ${name}`;
        const pad = head.length + 2 > width + 2 ? `${head}\n${" ".repeat(width + 2)}` : head.padEnd(width + 2);
        return pad + wrap(meaning, HELP_WIDTH, " ".repeat(width + 2), width + 2);
    });
}

/** An option as --help shows it: `--name <value>`, `...` when it may be given again. */
export function optionSynopsis(name: string, option: OptionSpec): string {
    const value = option.type === "string" ? ` ${option.value ?? "<value>"}` : "";
    return `--${name}${value}${option.multiple ? " ..." : ""}`;
}

/** The command's --help: what it does, reads and prints, its options, environment, exit codes and examples. */
export function renderHelp(spec: CommandSpec): string {
    const options = Object.entries(spec.options).map(([name, option]): [string, string] => [optionSynopsis(name, option),
        option.description + (option.default !== undefined && option.default !== false ? ` (default ${option.default})` : "")]);
    const lines = [
        `${spec.name}: ${spec.summary}`,
        "",
        `Usage: ${spec.usage}`,
        "(npm passes a command only what follows --; npm run -s keeps npm's own lines out of the output)",
        "",
        ...(spec.secret === undefined ? [] : [wrap(`SECRET: ${spec.secret}`, HELP_WIDTH, "  "), ""]),
        ...spec.description.flatMap((paragraph, i) => [...(i > 0 ? [""] : []), wrap(paragraph, HELP_WIDTH, "")]),
        "",
        "Options:",
        ...table([...options, ["-h, --help", "print this help and exit 0; nothing else is read or checked"]]),
        "",
        "Environment:",
        ...(spec.environment.length === 0 ? ["  (none read)"] : table(spec.environment)),
        "",
        "Exit codes:",
        // Any command ends with 1 on an error it does not expect (ops/io.ts executeCommand): said where the command has no 1 of its own.
        ...table(Object.entries({ [UNEXPECTED_ERROR[0]]: UNEXPECTED_ERROR[1], ...spec.exitCodes }).map(([code, meaning]) => [code, meaning!])),
        "",
        "Examples:",
        ...spec.examples.flatMap(([line, what]) => [`  ${line}`, `      ${wrap(what, HELP_WIDTH, "      ", 6)}`]),
    ];
    return lines.join("\n") + "\n";
}

/** True when the command line asks for help: `--help` or `-h` anywhere before a `--`, whatever else it holds. */
export function wantsHelp(argv: readonly string[]): boolean {
    const end = argv.indexOf("--");
    return (end === -1 ? argv : argv.slice(0, end)).some(arg => arg === "--help" || arg === "-h");
}

/** A value as a shell would take it back: bare when plain, else in JSON's double quotes. */
function shellWord(value: string): string {
    return /^[\w.,:/@%+=<>|-]+$/.test(value) ? value : JSON.stringify(value);
}

/** `--a`, `--a and --b`, `--a, --b and --c`. */
function listed(names: string[]): string {
    const flags = names.map(name => `--${name}`);
    return flags.length === 1 ? flags[0] : `${flags.slice(0, -1).join(", ")} and ${flags[flags.length - 1]}`;
}

/**
 * `npm run -s plan --stack dev`, without `--`: npm takes `--stack` for its own configuration and
 * passes the command only `dev`. npm's documentation (docs/content/commands/npm-run.md): "Any
 * positional arguments are passed to the specified script. Use `--` to pass `-`-prefixed flags and
 * options which would otherwise be parsed by npm." npm hands its non-default configuration to the
 * script as `npm_config_<name, - as _>` (@npmcli/config lib/set-envs.js), from the command line but
 * also from every .npmrc and the environment; a key it does not know followed by a value becomes
 * `true`, the value "is being parsed as a normal command line argument" (@npmcli/config
 * lib/index.js, unknownHandler). So an `npm_config_<option>` is only a sign: ignored when the
 * command line gives the option itself, and named (with the command line that was meant) when the
 * command line fails without it (a stray value, a missing option), or, for a boolean option, at
 * once: a `--dry-run` npm took must never let a real delivery run.
 */
function npmTookOptions(spec: CommandSpec, argv: readonly string[], env: Readonly<Record<string, string | undefined>>,
    when: "before" | "positional" | { missing: string }): OpsError | undefined {
    const retired = Object.keys(spec.retired ?? {}).map(name => [name, undefined]);
    const known: Record<string, OptionSpec | undefined> = { ...spec.options, ...Object.fromEntries(retired) };
    const end = argv.indexOf("--");
    const typed = end === -1 ? argv : argv.slice(0, end);
    const taken = Object.keys(known).filter(name => (env[`npm_config_${name.replace(/-/g, "_")}`] ?? "") !== "" &&
        !typed.some(arg => arg === `--${name}` || arg.startsWith(`--${name}=`)));
    const triggered = when === "positional" ? taken.length > 0
        : when === "before" ? taken.some(name => known[name]?.type === "boolean")
        : taken.includes(when.missing);
    if (!triggered) {
        return undefined;
    }
    const firstOption = argv.findIndex(arg => arg.startsWith("-"));
    const loose = [...(firstOption === -1 ? argv : argv.slice(0, firstOption))];
    const rest = firstOption === -1 ? [] : argv.slice(firstOption);
    const meant = taken.flatMap(name => {
        const value = env[`npm_config_${name.replace(/-/g, "_")}`]!;
        if (known[name]?.type === "boolean" || (known[name] === undefined && value === "true")) {
            return [`--${name}`];
        }
        // A value npm did not know to give the option came to the command as an argument of its own.
        const given = value === "true" ? (loose.shift() ?? known[name]?.value ?? "<value>") : value;
        return [`--${name}`, shellWord(printable(given))];
    });
    return new OpsError(`npm took ${listed(taken)} for itself: put -- before the command's options: ` +
        `npm run -s ${spec.name} -- ${[...meant, ...[...loose, ...rest].map(arg => shellWord(printable(arg)))].join(" ")}`, USAGE_EXIT_CODE);
}

/** A usage error of the command line itself, with its kind, so that npm's part in it can be named. */
class CommandLineError extends OpsError {
    readonly kind: "positional" | { missing: string } | "other";

    constructor(message: string, kind: "positional" | { missing: string } | "other") {
        super(message, USAGE_EXIT_CODE);
        this.kind = kind;
    }
}

/**
 * The command line read against the command's declaration: its values, or a usage error that says
 * what to type instead (the closest option to an unknown one, the `--` npm needs, a retired
 * option's replacement). --help is the caller's, before this.
 */
export function parseCommand<T extends OptionTable>(spec: CommandSpec<T>, argv: string[],
    env: Readonly<Record<string, string | undefined>>): OptionValues<T> {
    const npm = npmTookOptions(spec, argv, env, "before");
    if (npm !== undefined) {
        throw npm;
    }
    const end = argv.indexOf("--");
    for (const arg of end === -1 ? argv : argv.slice(0, end)) {
        const name = /^--([^=]+)/.exec(arg)?.[1];
        if (name !== undefined && spec.retired?.[name] !== undefined && !(name in spec.options)) {
            throw usageError(`--${name} is no longer an option: ${spec.retired[name]}`, spec.usage);
        }
    }
    try {
        return parseCommandLine(argv, spec.options as Options, spec.usage, spec) as OptionValues<T>;
    } catch (err) {
        throw (err instanceof CommandLineError && err.kind === "positional" && npmTookOptions(spec, argv, env, "positional")) || err;
    }
}

/**
 * A command made of its declaration and its work: `--help` prints the help and ends with 0 before
 * anything else is read; otherwise the command line is parsed, then the work runs with its values.
 */
export function defineCommand<T extends OptionTable>(spec: CommandSpec<T>,
    run: (io: CommandContext, args: OptionValues<T>) => Promise<number>): CommandMain & { spec: CommandSpec<T> } {
    const main = async (io: CommandContext) => {
        if (wantsHelp(io.argv)) {
            io.stdout(renderHelp(spec));
            return 0;
        }
        const args = parseCommand(spec, io.argv, io.env);
        try {
            return await run(io, args);
        } catch (err) {
            // A required option missing, that npm took for itself: say so.
            const kind = err instanceof CommandLineError ? err.kind : undefined;
            throw (typeof kind === "object" && npmTookOptions(spec, io.argv, io.env, kind)) || err;
        }
    };
    return Object.assign(main, { spec });
}

/**
 * Parses the command line with Node's own parser; a bad option, or an option that takes one
 * value given twice, becomes a usage error.
 */
export function parseCommandLine<T extends Options>(argv: string[], options: T, usage: string, spec?: CommandSpec) {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
    } catch (err) {
        const positional = (err as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL";
        throw new CommandLineError(usageError(parseProblem(err as NodeJS.ErrnoException, Object.keys(options), spec), usage).message,
            positional ? "positional" : "other");
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

/** Node's parser's complaint, with the hint that makes it actionable: the closest option, the `--` npm needs. */
function parseProblem(err: NodeJS.ErrnoException, names: string[], spec?: CommandSpec): string {
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
        const typed = /^Unknown option '-{1,2}([^'=]*)/.exec(err.message)?.[1];
        const near = typed === undefined ? undefined : closest(typed, [...names, "help"]);
        return near === undefined ? err.message : `${err.message}: did you mean --${near}?`;
    }
    if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
        const loose = /^Unexpected argument '([^']*)'/.exec(err.message)?.[1] ?? "";
        return `Unexpected argument '${loose}': ${spec?.name ?? "the command"} takes options only. npm keeps the options ` +
            "before a -- for itself and passes on what follows them: put -- before the command's options";
    }
    return err.message;
}

/**
 * A usage error in one line, like every error: the problem, then how the command is called and where to read more. The
 * message may quote what was typed (Node's parser does), so it is made printable.
 */
export function usageError(message: string, usage: string): OpsError {
    return new OpsError(`${printable(message)} (usage: ${usage}; --help says more)`, USAGE_EXIT_CODE);
}

/** A whole number of seconds within bounds, or a usage error naming the option and the value. */
export function wholeSeconds(option: string, text: string, min: number, max: number): number {
    if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
        throw new OpsError(`--${option} ${quoted(text)} is not a whole number of seconds from ${min} to ${max}`,
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
        throw new CommandLineError(usageError("--stack is required", usage).message, { missing: "stack" });
    }
    if (value.trim() === "") {
        throw usageError(`--stack ${quoted(value)} is empty: name the stack`, usage);
    }
    return value;
}
