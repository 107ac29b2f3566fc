/**
 * `npm run -s credentials -- --stack <name> [--format env|json|creatio]`: prints a stack's
 * Client ID and Client Secret for a deploy script. The secret goes to stdout only.
 */
import { codePointName } from "../lib/configProblems.ts";
import {
    type CommandSpec, OpsError, PULUMI_ENVIRONMENT, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, defineCommand, pulumiTimeoutMs, stackOption, usageError,
} from "./cli.ts";
import { type CommandContext, runCommand } from "./io.ts";
import { type StackOutputs, readOutputsWithSecret, requireInstant, requireOutput, requireSecret } from "./pulumi/stack.ts";

export const CREDENTIAL_FORMATS = ["env", "json", "creatio"] as const;
export type CredentialFormat = typeof CREDENTIAL_FORMATS[number];

export interface Credentials {
    clientId: string;
    clientSecret: string;
    tenantId: string;
    clientSecretExpiresAt: string;
}

/** POSIX shell single quotes: the value is taken literally by `source` or `export`. */
function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function formatCredentials(c: Credentials, format: CredentialFormat): string {
    switch (format) {
        case "env":
            return [
                `CREATIO_CLIENT_ID=${shellQuote(c.clientId)}`,
                `CREATIO_CLIENT_SECRET=${shellQuote(c.clientSecret)}`,
                `CREATIO_TENANT_ID=${shellQuote(c.tenantId)}`,
                `CREATIO_CLIENT_SECRET_EXPIRES_AT=${shellQuote(c.clientSecretExpiresAt)}`,
            ].join("\n") + "\n";
        case "json":
            return JSON.stringify(c, null, 2) + "\n";
        case "creatio":
            // The field names of Creatio's mail server settings.
            return `Application (client) ID: ${c.clientId}\nClient secret: ${c.clientSecret}\n`;
    }
}

/**
 * GitHub Actions' `::add-mask::` command for a value, escaped as GitHub's toolkit escapes command
 * data (actions/toolkit, packages/core/src/command.ts: `%`, CR, LF), so that a line break or `%`
 * neither ends the command early nor changes the value. A multi-line value is also masked line
 * by line, as runners before actions/runner#1521 need and as it does since.
 */
export function githubMaskCommands(value: string): string {
    const escaped = value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
    const lines = value.split(/\r\n|\r|\n/).filter(line => line !== "");
    const extra = lines.length > 1 ? [...new Set(lines)].map(line => `::add-mask::${line.replace(/%/g, "%25")}\n`) : [];
    return [`::add-mask::${escaped}\n`, ...extra].join("");
}

/**
 * The first character of `value` that `format` cannot carry, and why. A shell variable cannot hold
 * a NUL (C strings end there); a lone surrogate cannot be written as UTF-8 (it would come out as
 * U+FFFD, another value); a Creatio settings field is typed or pasted as one line of visible text.
 * JSON carries everything as an escape.
 */
export function uncarriable(value: string, format: CredentialFormat): string | undefined {
    if (format === "json") {
        return undefined;
    }
    for (const character of value) {
        const code = codePointName(character);
        if (character === "\0") {
            return `a NUL character (U+0000), which a shell variable and a text field cannot hold`;
        }
        if (/\p{Cs}/u.test(character)) {
            return `a lone surrogate (${code}), which is not UTF-8 text`;
        }
        if (format === "creatio" && /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(character)) {
            return `the control or format character ${code}, which cannot be typed or pasted into Creatio's settings`;
        }
    }
    return undefined;
}

export const SPEC = {
    name: "credentials",
    summary: "prints a stack's Client ID and Client Secret, for a deploy script or for typing into Creatio",
    usage: "npm run -s credentials -- --stack <name> [--format env|json|creatio] [--pulumi-timeout-seconds 120]",
    secret: "prints the stack's client secret, as it is, on stdout. Send stdout only where the secret may go (a " +
        "variable, a pipe into your deploy script), never into a log.",
    description: [
        "Reads the stack's outputs with pulumi stack output --json --show-secrets (the pulumi CLI on PATH, signed in to " +
        "the stack's backend) and checks every one it prints (clientId, clientSecret, tenantId, clientSecretExpiresAt) " +
        "before printing anything.",
        "Prints on stdout: --format env, shell assignments CREATIO_CLIENT_ID, CREATIO_CLIENT_SECRET, CREATIO_TENANT_ID " +
        "and CREATIO_CLIENT_SECRET_EXPIRES_AT in single quotes (for source or eval); --format json, one JSON object " +
        "{clientId, clientSecret, tenantId, clientSecretExpiresAt}; --format creatio, the two lines of Creatio's mail " +
        "server settings (Application (client) ID, Client secret). Every other value passes the redactor; errors go to " +
        "stderr without the secret.",
    ],
    options: {
        stack: { type: "string", value: "<name>", description: "the stack whose outputs are printed (required)" },
        format: { type: "string", default: "env", value: "env|json|creatio", description: "what to print: shell assignments, " +
            "a JSON object, or the two fields of Creatio's mail server settings" },
        ...PULUMI_TIMEOUT_OPTION,
    },
    environment: [
        ["GITHUB_ACTIONS", "when true, the secret's ::add-mask:: command goes to stderr first, so the runner masks it in " +
            "every later log line"],
        ...PULUMI_ENVIRONMENT,
    ],
    exitCodes: {
        0: "printed",
        [USAGE_EXIT_CODE]: "wrong usage, no such stack, an output missing or malformed (also [secret] instead of a value), " +
            "a value the format cannot carry, no pulumi CLI, or pulumi timed out",
    },
    examples: [
        ["eval \"$(npm run -s credentials -- --stack prod)\"", "sets CREATIO_CLIENT_ID, CREATIO_CLIENT_SECRET, ... in this shell"],
        ["npm run -s credentials -- --stack prod --format json | your-deploy-script", "hands the credentials to a program as JSON"],
    ],
} as const satisfies CommandSpec;

/** Reads and checks every output the command prints, once, before printing anything. */
export function credentialsFrom(outputs: StackOutputs, stack: string): Credentials {
    return {
        clientId: requireOutput(outputs, "clientId", stack),
        clientSecret: requireSecret(outputs, "clientSecret", stack),
        tenantId: requireOutput(outputs, "tenantId", stack),
        clientSecretExpiresAt: requireInstant(outputs, "clientSecretExpiresAt", stack),
    };
}

export const main = defineCommand(SPEC, async (io: CommandContext, args) => {
    const stack = stackOption(args.stack, SPEC.usage);
    const format = args.format as CredentialFormat;
    if (!CREDENTIAL_FORMATS.includes(format)) {
        throw usageError(`--format ${JSON.stringify(args.format)} is not one of ${CREDENTIAL_FORMATS.join(", ")}`, SPEC.usage);
    }
    const timeoutMs = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);
    const redactor = io.redactor;
    const outputs = await readOutputsWithSecret(pulumiArgs => io.pulumi(pulumiArgs, { timeoutMs }), stack, redactor);
    let credentials: Credentials;
    try {
        credentials = credentialsFrom(outputs, stack);
    } catch (err) {
        throw redactor.redactError(err);
    }
    for (const [name, value] of Object.entries(credentials)) {
        const why = uncarriable(value, format);
        if (why !== undefined) {
            throw new OpsError(`stack "${stack}": the output ${name} holds ${why}; --format ${format} cannot print it ` +
                "as it is (--format json can)", USAGE_EXIT_CODE);
        }
    }
    if (io.env.GITHUB_ACTIONS === "true") {
        // On stderr: the runner reads commands there too, and stdout is often captured (never reaching the runner)
        // or parsed (--format json), where an extra line would break it. Before the secret is printed, and past
        // the redactor, which would otherwise blank the very value the runner is to mask.
        io.stderrWithSecret(githubMaskCommands(credentials.clientSecret));
    }
    // The secret is the one value printed as it is; every other one passes the redactor first (a
    // clientId output holding the secret is shown redacted).
    io.stdoutWithSecret(formatCredentials({
        clientId: redactor.redact(credentials.clientId),
        clientSecret: credentials.clientSecret,
        tenantId: redactor.redact(credentials.tenantId),
        clientSecretExpiresAt: redactor.redact(credentials.clientSecretExpiresAt),
    }, format));
    return 0;
});

if (import.meta.main) {
    runCommand("credentials", main);
}
