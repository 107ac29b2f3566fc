/**
 * `npm run -s rotate-now -- --stack <name>`: replaces both password slots now, one after the
 * other, so that no secret from before stays valid, while Creatio holds a working secret at every
 * moment. First the slot Creatio does not hold (the stack tag `creatio-delivered-key-id` says
 * which it holds): replace it, prove it with Entra ID, deliver it to every record and read them
 * back. Then the other slot; then deliver the one the schedule calls newest, so that the weekly
 * rotation afterwards never leaves Creatio on an older secret. Before anything is replaced it
 * delivers the held slot again to every record (the tag tells what deliver wrote last, not what
 * someone typed in since); when that fails, nothing is replaced.
 */
import {
    type CommandSpec, OpsError, type OptionValues, PULUMI_ENVIRONMENT, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, defineCommand, pulumiTimeoutMs,
    stackOption, wholeSeconds,
} from "./cli.ts";
import { CreatioError } from "./creatio/client.ts";
import { RecordSelectionError } from "./creatio/records.ts";
import {
    CREATIO_ENVIRONMENT, DELIVERY_OPTIONS, type DeliverDependencies, EXIT_BY_OUTCOME, type StackCredential, creatioCredentialsFromEnv, deliverCredential,
    mailServersOption, readCredential, realDependencies, redactCreatioCredentials, refuseUnverifiedTls,
} from "./creatio/delivery.ts";
import { ENTRA_ENVIRONMENT, authorityHostFrom } from "./entra/token.ts";
import { type GraphRequest, NO_GRAPH_IDENTITY, graphTokenSource, listPasswordKeyIds } from "./entra/graphKeyIds.ts";
import { checkEnvironmentPins } from "./creatio/environmentPins.ts";
import { type CommandContext, runCommand } from "./io.ts";
import { PulumiError } from "./pulumi/runner.ts";
import { printable } from "./printable.ts";
import { DELIVERED_KEY_ID_TAG, type StackOutputs, readOutputsWithSecret, readStackTag, requireGuid } from "./pulumi/stack.ts";
import { Redactor } from "./redact.ts";
import { SLOTS, type Slot, readSlot } from "./pulumi/secretSlot.ts";

export const SPEC = {
    name: "rotate-now",
    summary: "replaces both client secrets of a stack now, after a leak, while Creatio holds a working secret throughout",
    usage: "npm run -s rotate-now -- --stack <name> [--mail-server <name or id>]... " +
        "[--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] [--secret-wait-seconds 120] " +
        "[--up-timeout-seconds 900] [--pulumi-timeout-seconds 120]",
    secret: "creates two new client secrets (pulumi up --replace of each password slot) and writes them into the SecretKey " +
        "column of Creatio's OAuthApplications records, as deliver does; it never prints one.",
    description: [
        "Reads the stack's outputs and its stack tag creatio-delivered-key-id, and lists the application's key ids in " +
        "Microsoft Graph (with GRAPH_ACCESS_TOKEN, or in a GitHub Actions job as the CI identity). Then: delivers the slot " +
        "Creatio holds again to every record; replaces the other slot (pulumi up --replace --target under the policy " +
        "pack), proves and delivers it; replaces the first slot; delivers the newest. Each delivery is deliver's: the " +
        "pins, the proof with Entra ID, ClientId and SecretKey written into each OAuthApplications record and read back, " +
        "the stack tag.",
        "Prints on stdout each step (lines starting ==), the key ids before and after, and whether any key id from " +
        "before is left on the application; a failure says what Creatio holds at that moment and what to run next.",
    ],
    options: {
        stack: { type: "string", value: "<name>", description: "the stack whose secrets are replaced (required)" },
        "mail-server": DELIVERY_OPTIONS["mail-server"],
        "authority-host": DELIVERY_OPTIONS["authority-host"],
        "timeout-seconds": { type: "string", default: "30", value: "<seconds>", description: "how long Entra ID, Microsoft " +
            "Graph and Creatio may take to answer one request, 1 to 300" },
        "secret-wait-seconds": DELIVERY_OPTIONS["secret-wait-seconds"],
        "up-timeout-seconds": { type: "string", default: "900", value: "<seconds>", description: "how long each pulumi up " +
            "may take, 60 to 3600" },
        ...PULUMI_TIMEOUT_OPTION,
    },
    environment: [
        ...CREATIO_ENVIRONMENT,
        ["GRAPH_ACCESS_TOKEN", "a Microsoft Graph token (Application.Read.All) to list the application's key ids with"],
        ["ARM_USE_OIDC, ARM_CLIENT_ID, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN", "without " +
            "GRAPH_ACCESS_TOKEN: in a GitHub Actions job (id-token: write), the CI identity's Graph token through GitHub's " +
            "OIDC token"],
        ...ENTRA_ENVIRONMENT,
        ...PULUMI_ENVIRONMENT,
    ],
    exitCodes: {
        0: "both slots replaced and delivered, and no key id from before is left on the application",
        1: "a step was refused (Entra ID, Creatio, pulumi up, the policy pack), or a key id from before is still listed",
        [USAGE_EXIT_CODE]: "wrong usage, no such stack, an output missing or malformed, no identity for Microsoft Graph, " +
            "Creatio credentials or CREATIO_SITE_URL missing, no record found, no pulumi CLI",
        3: "Entra ID, Microsoft Graph or Creatio could not be reached",
    },
    examples: [
        ["npm run -s rotate-now -- --stack prod", "replaces both of prod's secrets and delivers the new ones (CREATIO_* and " +
            "GRAPH_ACCESS_TOKEN exported before)"],
        ["npm run -s rotate-now -- --stack prod --mail-server 'Microsoft 365' --up-timeout-seconds 1800",
            "also writes that mail server's record, and gives each pulumi up 30 minutes"],
    ],
} as const satisfies CommandSpec;

/** The policy pack folder of this checkout, as every `pulumi up` in CI passes it (docs/ci.md). */
const POLICY_PACK = "policy";

/** The project (Pulumi.yaml) and the component's name (index.ts): they make the slots' URNs. */
export const PROJECT = "creatio-m365-oauth";
export const COMPONENT_NAME = "creatio";

/** The URN of a password slot, as `pulumi up --replace` and `--target` take it. */
export function slotUrn(stack: string, slot: Slot): string {
    return `urn:pulumi:${stack}::${PROJECT}::creatio:m365:CreatioOAuthApp$azuread:index/applicationPassword:ApplicationPassword::` +
        `${COMPONENT_NAME}-secret-${slot}`;
}

const other = (slot: Slot): Slot => (slot === "a" ? "b" : "a");

/** The slots' key ids, and which slot the schedule calls newest. */
function readKeyIds(outputs: StackOutputs, stack: string): { keyIds: Record<Slot, string>; newest: Slot } {
    const keyIds = { a: readSlot(outputs, stack, "a").clientSecretKeyId, b: readSlot(outputs, stack, "b").clientSecretKeyId };
    const newestKeyId = requireGuid(outputs, "clientSecretKeyId", stack);
    const newest = SLOTS.find(slot => keyIds[slot] === newestKeyId);
    if (newest === undefined) {
        throw new OpsError(`stack "${stack}": clientSecretKeyId ${newestKeyId} is neither slot's key id ` +
            `(clientSecretAKeyId ${keyIds.a}, clientSecretBKeyId ${keyIds.b})`, USAGE_EXIT_CODE);
    }
    return { keyIds, newest };
}

/** A step's failure, said with what Creatio holds at that moment and what to run next. */
function stoppedAt(err: unknown, what: string): OpsError {
    const exitCode = err instanceof CreatioError ? EXIT_BY_OUTCOME[err.outcome]
        : err instanceof RecordSelectionError ? USAGE_EXIT_CODE
            : err instanceof OpsError ? err.exitCode : 1;
    return new OpsError(`${(err as Error).message}. ${what}`, exitCode);
}

export function rotateNowCommand(deps: DeliverDependencies = realDependencies) {
    return defineCommand(SPEC, async (io, args) => {
        // Every secret the run learns goes in here: no output or error leaves with one of them in its text.
        const redactor = io.redactor;
        try {
            return await rotateNow(io, args, deps, redactor);
        } catch (err) {
            throw redactor.redactError(err);
        }
    });
}

async function rotateNow(io: CommandContext, args: OptionValues<typeof SPEC.options>, deps: DeliverDependencies,
    redactor: Redactor): Promise<number> {
    const stack = stackOption(args.stack, SPEC.usage);
    refuseUnverifiedTls(io.env, "rotate-now");
    const mailServers = mailServersOption(args["mail-server"]);
    const authorityHost = authorityHostFrom(args["authority-host"], io.env);
    const timeoutMs = wholeSeconds("timeout-seconds", args["timeout-seconds"]!, 1, 300) * 1000;
    const waitSeconds = wholeSeconds("secret-wait-seconds", args["secret-wait-seconds"]!, 0, 600);
    const upTimeoutMs = wholeSeconds("up-timeout-seconds", args["up-timeout-seconds"]!, 60, 3600) * 1000;
    const pulumiTimeout = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);
    const pulumi = (pulumiArgs: string[]) => io.pulumi(pulumiArgs, { timeoutMs: pulumiTimeout });
    const creatioCredentials = creatioCredentialsFromEnv(io.env);
    redactCreatioCredentials(redactor, creatioCredentials);

    const step = (text: string) => io.stdout(`== ${text}\n`);
    /** The stack's outputs now, checked and pinned before any secret goes anywhere. */
    const read = async () => {
        const outputs = await readOutputsWithSecret(pulumi, stack, redactor);
        const credentials = Object.fromEntries(SLOTS.map(slot => [slot, readCredential(outputs, stack, slot)])) as Record<Slot, StackCredential>;
        // Before anything is sent: a changed stack output must not pick where the credentials go.
        checkEnvironmentPins(stack, credentials.a, io.env);
        return { credentials, applicationObjectId: requireGuid(outputs, "applicationObjectId", stack), ...readKeyIds(outputs, stack) };
    };
    const deliver = (slot: Slot | undefined, credential: StackCredential) => deliverCredential(io, deps, {
        stack, slot, credential, creatioCredentials, mailServers, dryRun: false, authorityHost, timeoutMs, waitSeconds, pulumi,
        // A slot is revoked next: a write that cannot be told from one Creatio dropped stops the run.
        requireConfirmation: true,
    });
    const replace = async (slot: Slot) => {
        const urn = slotUrn(stack, slot);
        await io.pulumi(["up", "--stack", stack, "--policy-pack", POLICY_PACK, "--replace", urn, "--target", urn, "--yes",
            "--skip-preview", "--suppress-outputs", "--suppress-progress"], { timeoutMs: upTimeoutMs }).catch(err => {
            // An update that ran and failed (Entra ID or the policy pack refused) is a refusal, not a usage error.
            throw err instanceof PulumiError ? new OpsError(err.message, 1) : err;
        });
    };

    const before = await read();
    // The application's key ids before anything changes, as Microsoft Graph lists them: also a password added
    // outside this program. Without an identity to ask, or an answer, nothing is replaced.
    const graph: GraphRequest = { authorityHost, tenantId: before.credentials.a.tenantId, timeoutMs, trustedCa: io.trustedCa };
    if (io.env.GRAPH_ACCESS_TOKEN) {
        redactor.add(io.env.GRAPH_ACCESS_TOKEN);
    }
    const graphToken = graphTokenSource(io.env, graph, secret => redactor.add(secret));
    if (graphToken === undefined) {
        throw new OpsError(`${NO_GRAPH_IDENTITY}; nothing was replaced`, USAGE_EXIT_CODE);
    }
    const listed = await listPasswordKeyIds(graphToken, before.applicationObjectId, graph).catch(err => {
        throw stoppedAt(err, "Nothing was replaced.");
    });
    const beforeKeyIds = [...new Set([before.keyIds.a, before.keyIds.b, ...listed].map(k => k.toLowerCase()))];
    const tag = await readStackTag(pulumi, stack, DELIVERED_KEY_ID_TAG);
    let held = SLOTS.find(slot => before.keyIds[slot] === tag);

    // 0. Every record holds a known, working slot before any slot is replaced. The stack tag says which slot
    // deliver wrote last, but a record written by hand or a new mail server may hold another: deliver it again.
    if (held === undefined) {
        held = before.newest;
        step(`Creatio's slot is not known (stack tag ${DELIVERED_KEY_ID_TAG} ${tag === undefined ? "not set" : `names ${printable(tag)}`}): ` +
            `delivering the newest, slot ${held}, to every record before anything is replaced`);
    } else {
        step(`Creatio holds slot ${held} (key id ${before.keyIds[held]}): delivering it again to every record before anything is replaced`);
    }
    await deliver(held, before.credentials[held]).catch(err => {
        throw stoppedAt(err, "Nothing was replaced; Creatio holds what it held before. Run rotate-now again once Entra ID " +
            "accepts that secret and Creatio can be reached.");
    });
    const free = other(held);

    // 1. The slot Creatio does not hold.
    step(`Replacing slot ${free}, which Creatio does not hold`);
    await replace(free).catch(err => {
        throw stoppedAt(err, `Slot ${free} may or may not be replaced; Creatio still holds slot ${held}, which works. Run ` +
            "rotate-now again.");
    });
    const afterFree = await read();
    step(`Proving and delivering the new slot ${free} (key id ${afterFree.keyIds[free]})`);
    await deliver(free, afterFree.credentials[free]).catch(err => {
        throw stoppedAt(err, `Slot ${free} was replaced but not delivered to every record; every record still holds slot ` +
            `${held}'s secret, which works (it was not replaced), or the new slot ${free}'s. Once Creatio can be reached, run ` +
            `npm run -s deliver -- --stack ${stack} --slot ${free}, then rotate-now again.`);
    });

    // 2. The slot Creatio held until now.
    step(`Replacing slot ${held}, which Creatio no longer holds`);
    await replace(held).catch(err => {
        throw stoppedAt(err, `Creatio holds the new slot ${free}, which works; slot ${held} still has its secret from before. ` +
            "Run rotate-now again.");
    });
    const after = await read();
    step(`Proving and delivering the newest, slot ${after.newest} (key id ${after.keyIds[after.newest]})`);
    await deliver(undefined, after.credentials[after.newest]).catch(err => {
        throw stoppedAt(err, `Both slots are replaced and Creatio holds the new slot ${free}, which works. Once Creatio can be ` +
            `reached, run npm run -s deliver -- --stack ${stack}, so that the weekly rotation does not leave it on an older secret.`);
    });

    // 3. No key id from before is left on the application (Microsoft Graph), nor in the slots.
    const now = await listPasswordKeyIds(graphToken, after.applicationObjectId, graph).catch(err => {
        throw stoppedAt(err, "Both slots are replaced and delivered; check the application's key ids yourself (docs/leak-runbook.md).");
    });
    const slotsNow = [after.keyIds.a, after.keyIds.b].map(k => k.toLowerCase());
    io.stdout([
        `Key ids before: ${beforeKeyIds.join(", ")} (slots a ${before.keyIds.a}, b ${before.keyIds.b}, and Microsoft Graph)`,
        `Key ids now:    ${now.join(", ")} (Microsoft Graph; slots a ${after.keyIds.a}, b ${after.keyIds.b})`,
        "",
    ].join("\n"));
    const left = beforeKeyIds.filter(keyId => now.includes(keyId) || slotsNow.includes(keyId));
    if (left.length > 0) {
        // A slot's own key id from before: pulumi replaced it, but Graph still lists it (replication) or the delete failed.
        const oldSlots = left.filter(keyId => [before.keyIds.a, before.keyIds.b].map(k => k.toLowerCase()).includes(keyId));
        const foreign = left.filter(keyId => !oldSlots.includes(keyId) && !slotsNow.includes(keyId));
        throw new OpsError(`key id ${left.join(", ")} from before is still on application ${after.applicationObjectId}` +
            (oldSlots.length > 0 ? `: ${oldSlots.join(", ")} was a slot of this stack, which pulumi replaced; Microsoft Graph may ` +
                "not have caught up yet: list the key ids again in a minute (docs/leak-runbook.md), and remove it if it stays" : "") +
            (foreign.length > 0 ? `${oldSlots.length > 0 ? ";" : ":"} ${foreign.join(", ")} is no slot of this stack, added outside ` +
                `this program; remove it (az ad app credential delete --id ${after.credentials.a.clientId} --key-id ${foreign[0]}) ` +
                "and look for who added it in Entra ID's audit log" : ""), 1);
    }
    io.stdout("No key id from before is left on the application.\n");
    return 0;
}

export const main = rotateNowCommand();

if (import.meta.main) {
    runCommand("rotate-now", main);
}
