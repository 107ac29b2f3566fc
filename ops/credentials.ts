/**
 * `npm run -s credentials -- --stack <name> [--format env|json|creatio]`: prints a stack's
 * Client ID and Client Secret for a deploy script. The secret goes to stdout only.
 */
import { OpsError, USAGE_EXIT_CODE, parseCommandLine } from "./cli";
import { CommandIO, runCommand } from "./io";
import { readStackOutputs, requireOutput } from "./pulumiStack";

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

const USAGE = "npm run -s credentials -- --stack <name> [--format env|json|creatio]";

export async function main(io: CommandIO): Promise<number> {
    const args = parseCommandLine(io.argv, {
        stack: { type: "string" },
        format: { type: "string", default: "env" },
    }, USAGE);
    if (!args.stack) {
        throw new OpsError(`--stack is required\nusage: ${USAGE}`, USAGE_EXIT_CODE);
    }
    const format = args.format as CredentialFormat;
    if (!CREDENTIAL_FORMATS.includes(format)) {
        throw new OpsError(`--format ${JSON.stringify(args.format)} is not one of ${CREDENTIAL_FORMATS.join(", ")}\n` +
            `usage: ${USAGE}`, USAGE_EXIT_CODE);
    }
    const outputs = await readStackOutputs(io.pulumi, args.stack, true);
    const credentials: Credentials = {
        clientId: requireOutput(outputs, "clientId", args.stack),
        clientSecret: requireOutput(outputs, "clientSecret", args.stack),
        tenantId: requireOutput(outputs, "tenantId", args.stack),
        clientSecretExpiresAt: requireOutput(outputs, "clientSecretExpiresAt", args.stack),
    };
    io.stdout(formatCredentials(credentials, format));
    return 0;
}

if (require.main === module) {
    runCommand("credentials", main);
}
