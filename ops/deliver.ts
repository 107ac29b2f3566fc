/**
 * `npm run -s deliver -- --stack <name> [--mail-server <name or id>] [--dry-run]`: puts the
 * stack's Client ID and newest Client Secret into Creatio's `OAuthApplications` record, after
 * proving the secret with Entra ID, reads the record back, and records the delivered secret's key
 * id in the stack tag `creatio-delivered-key-id` (read by `status`).
 */
import { OpsError, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, parseCommandLine, pulumiTimeoutMs, stackOption, wholeSeconds } from "./cli";
import { CreatioError } from "./creatio/client";
import { RecordSelectionError } from "./creatio/records";
import {
    DeliverDependencies, EXIT_BY_OUTCOME, creatioCredentialsFromEnv, deliverCredential, readCredential, realDependencies,
    mailServersOption, redactCreatioCredentials, refuseUnverifiedTls,
} from "./creatio/delivery";
import { checkEnvironmentPins } from "./creatio/environmentPins";
import { authorityHostFrom } from "./entra/token";
import { CommandContext, runCommand } from "./io";
import { readOutputsWithSecret } from "./pulumi/stack";
import { Redactor } from "./redact";
import { SLOT_OPTION, slotOption } from "./pulumi/secretSlot";


const USAGE = "npm run -s deliver -- --stack <name> [--slot a|b] [--mail-server <name or id>]... [--dry-run] " +
    "[--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] [--secret-wait-seconds 120] " +
    "[--pulumi-timeout-seconds 120]";

export function deliverCommand(deps: DeliverDependencies = realDependencies): (io: CommandContext) => Promise<number> {
    return async io => {
        // Every secret the run learns goes in here: no output or error leaves with one of them in its text.
        const redactor = io.redactor;
        try {
            return await deliver(io, deps, redactor);
        } catch (err) {
            if (err instanceof CreatioError) {
                throw redactor.redactError(new OpsError(err.message, EXIT_BY_OUTCOME[err.outcome]));
            }
            if (err instanceof RecordSelectionError) {
                throw redactor.redactError(new OpsError(err.message, USAGE_EXIT_CODE));
            }
            throw redactor.redactError(err);
        }
    };
}

async function deliver(io: CommandContext, deps: DeliverDependencies, redactor: Redactor): Promise<number> {
    const args = parseCommandLine(io.argv, {
        "stack": { type: "string" },
        "mail-server": { type: "string", multiple: true },
        "dry-run": { type: "boolean", default: false },
        "authority-host": { type: "string" },
        "timeout-seconds": { type: "string", default: "30" },
        "secret-wait-seconds": { type: "string", default: "120" },
        ...SLOT_OPTION,
        ...PULUMI_TIMEOUT_OPTION,
    }, USAGE);
    const stack = stackOption(args.stack, USAGE);
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

if (require.main === module) {
    runCommand("deliver", main);
}
