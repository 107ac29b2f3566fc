/**
 * `npm run -s deliver -- --stack <name> [--mail-server <name or id>] [--dry-run]`: puts the
 * stack's Client ID and newest Client Secret into Creatio's `OAuthApplications` record, after
 * proving the secret with Entra ID, reads the record back, and records the delivered secret's key
 * id in the stack tag `creatio-delivered-key-id` (read by `status`).
 */
import {
    type CommandSpec, OpsError, type OptionValues, PULUMI_ENVIRONMENT, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, defineCommand, pulumiTimeoutMs, stackOption,
    wholeSeconds,
} from "./cli.ts";
import { CreatioError } from "./creatio/client.ts";
import { RecordSelectionError } from "./creatio/records.ts";
import {
    CREATIO_ENVIRONMENT, DELIVERY_OPTIONS, type DeliverDependencies, EXIT_BY_OUTCOME, creatioCredentialsFromEnv, deliverCredential, readCredential, realDependencies,
    mailServersOption, redactCreatioCredentials, refuseUnverifiedTls,
} from "./creatio/delivery.ts";
import { checkEnvironmentPins } from "./creatio/environmentPins.ts";
import { ENTRA_ENVIRONMENT, authorityHostFrom } from "./entra/token.ts";
import { type CommandContext, runCommand } from "./io.ts";
import { readOutputsWithSecret } from "./pulumi/stack.ts";
import { Redactor } from "./redact.ts";
import { slotOption } from "./pulumi/secretSlot.ts";


export const SPEC = {
    name: "deliver",
    summary: "puts a stack's Client ID and newest Client Secret into Creatio's OAuthApplications records",
    usage: "npm run -s deliver -- --stack <name> [--slot a|b] [--mail-server <name or id>]... [--dry-run] " +
        "[--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] [--secret-wait-seconds 120] " +
        "[--pulumi-timeout-seconds 120]",
    secret: "sends the stack's client secret to Creatio (over checked TLS) and writes it into the SecretKey column of " +
        "Creatio's OAuthApplications records; it never prints it.",
    description: [
        "Reads the stack's outputs with pulumi stack output --json --show-secrets and checks them; the stack's siteBaseUrl " +
        "must be CREATIO_SITE_URL's site (and tenantId AZURE_TENANT_ID's, when set) before anything is sent. Then it proves " +
        "the secret with Entra ID (a rejection is retried for --secret-wait-seconds: a new secret takes about a minute to " +
        "replicate), signs in to Creatio with the CREATIO_* credentials, and finds every OAuthApplications record that " +
        "holds the stack's Client ID, plus the record each --mail-server points to.",
        "Writes into Creatio: ClientId and SecretKey of each of those records (the Microsoft 365 ones only), then reads " +
        "each back; then records the delivered secret's key id in the stack tag creatio-delivered-key-id (pulumi stack tag " +
        "set), which status reads. With --dry-run it writes nothing and sets no tag. Prints on stdout the stack, Creatio's " +
        "address, the Client ID, Entra ID's answer and one line per record; no secret.",
    ],
    options: {
        stack: { type: "string", value: "<name>", description: "the stack whose credential is delivered (required)" },
        slot: { type: "string", value: "a|b", description: "deliver that password slot's secret instead of the newest" },
        "mail-server": DELIVERY_OPTIONS["mail-server"],
        "dry-run": { type: "boolean", default: false, description: "prove the secret and find the records, write nothing" },
        "authority-host": DELIVERY_OPTIONS["authority-host"],
        "timeout-seconds": { type: "string", default: "30", value: "<seconds>", description: "how long Entra ID and Creatio " +
            "may take to answer one request, 1 to 300" },
        "secret-wait-seconds": DELIVERY_OPTIONS["secret-wait-seconds"],
        ...PULUMI_TIMEOUT_OPTION,
    },
    environment: [...CREATIO_ENVIRONMENT, ...ENTRA_ENVIRONMENT, ...PULUMI_ENVIRONMENT],
    exitCodes: {
        0: "delivered and read back, or the dry run done",
        1: "refused: the stack's site or tenant is not the pinned one, Entra ID rejects the secret, Creatio refused the " +
            "sign-in or the write, a write could not be confirmed, or the stack tag was not recorded",
        [USAGE_EXIT_CODE]: "wrong usage, no such stack, an output missing or malformed, Creatio credentials or " +
            "CREATIO_SITE_URL missing, NODE_TLS_REJECT_UNAUTHORIZED=0, an untrusted Creatio certificate, no record found, " +
            "no pulumi CLI",
        3: "Entra ID or Creatio could not be reached (for a write: it may or may not be stored)",
    },
    examples: [
        ["CREATIO_SITE_URL=https://acme.creatio.com npm run -s deliver -- --stack prod --mail-server 'Microsoft 365' --dry-run",
            "shows which records would get the new secret (CREATIO_USERNAME and CREATIO_PASSWORD exported before)"],
        ["npm run -s deliver -- --stack prod", "writes prod's newest secret into every record that holds its Client ID"],
    ],
} as const satisfies CommandSpec;

export function deliverCommand(deps: DeliverDependencies = realDependencies) {
    return defineCommand(SPEC, async (io, args) => {
        // Every secret the run learns goes in here: no output or error leaves with one of them in its text.
        const redactor = io.redactor;
        try {
            return await deliver(io, args, deps, redactor);
        } catch (err) {
            if (err instanceof CreatioError) {
                throw redactor.redactError(new OpsError(err.message, EXIT_BY_OUTCOME[err.outcome]));
            }
            if (err instanceof RecordSelectionError) {
                throw redactor.redactError(new OpsError(err.message, USAGE_EXIT_CODE));
            }
            throw redactor.redactError(err);
        }
    });
}

async function deliver(io: CommandContext, args: OptionValues<typeof SPEC.options>, deps: DeliverDependencies,
    redactor: Redactor): Promise<number> {
    const stack = stackOption(args.stack, SPEC.usage);
    refuseUnverifiedTls(io.env, "deliver");
    const slot = slotOption(args.slot);
    const mailServers = mailServersOption(args["mail-server"]);
    const authorityHost = authorityHostFrom(args["authority-host"], io.env);
    const timeoutMs = wholeSeconds("timeout-seconds", args["timeout-seconds"]!, 1, 300) * 1000;
    const waitSeconds = wholeSeconds("secret-wait-seconds", args["secret-wait-seconds"]!, 0, 600);
    const pulumiTimeout = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);
    const pulumi = (pulumiArgs: string[]) => io.pulumi(pulumiArgs, { timeoutMs: pulumiTimeout });
    const creatioCredentials = creatioCredentialsFromEnv(io.env);
    redactCreatioCredentials(redactor, creatioCredentials);
    const dryRun = args["dry-run"]!;

    const outputs = await readOutputsWithSecret(pulumi, stack, redactor);
    const credential = readCredential(outputs, stack, slot);
    // Before anything is sent: a changed stack output must not pick where the credentials go.
    checkEnvironmentPins(stack, credential, io.env);

    return deliverCredential(io, deps, {
        stack, slot, credential, creatioCredentials, mailServers, dryRun, authorityHost, timeoutMs, waitSeconds, pulumi,
    });
}

export const main = deliverCommand();

if (import.meta.main) {
    runCommand("deliver", main);
}
