/**
 * `npm run -s deliver -- --stack <name> [--mail-server <name or id>] [--dry-run]`: puts the
 * stack's Client ID and newest Client Secret into Creatio's `OAuthApplications` record, after
 * proving the secret with Entra ID, reads the record back, and records the delivered secret's key
 * id in the stack tag `creatio-delivered-key-id` (read by `status`).
 */
import {
    OpsError, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, parseCommandLine, pulumiTimeoutMs, stackOption, wholeSeconds,
} from "./cli";
import { COLUMNS, OAUTH_APPLICATIONS, isGuid, odataRoot } from "./creatioApi";
import { CreatioCredentials, CreatioError, CreatioOutcome, CreatioTarget, signIn } from "./creatioClient";
import { OAuthApplicationRecord, RecordSelectionError, findByClientId, findByMailServer, quoted, readBack } from "./creatioRecords";
import { CommandContext, runCommand } from "./io";
import { printable } from "./printable";
import { DELIVERED_KEY_ID_TAG, readOutputsWithSecret, requireOutput, requireSecret } from "./pulumiStack";
import { Redactor } from "./redact";
import { TokenAnswer, TokenRequest, authorityHostFrom, requestToken } from "./verify";


const USAGE = "npm run -s deliver -- --stack <name> [--mail-server <name or id>] [--dry-run] " +
    "[--authority-host https://login.microsoftonline.us] [--timeout-seconds 30] [--secret-wait-seconds 120] " +
    "[--pulumi-timeout-seconds 120]";

/** Exit codes shared with the other commands: 1 refused or a problem found, 2 usage, 3 could not reach. */
const EXIT_BY_OUTCOME: Record<CreatioOutcome, number> = { refused: 1, malformed: 1, misconfigured: USAGE_EXIT_CODE, unreachable: 3 };

/** The environment variables of the two ways to sign in to Creatio. */
export const FORMS_VARIABLES = ["CREATIO_USERNAME", "CREATIO_PASSWORD"] as const;
export const OAUTH_VARIABLES = ["CREATIO_IDENTITY_URL", "CREATIO_API_CLIENT_ID", "CREATIO_API_CLIENT_SECRET"] as const;

/**
 * Creatio credentials from the environment, never from flags (a flag would show in the process
 * list). The Identity Service variables win when any of them is set; a partial set is an error
 * naming what is missing.
 */
export function creatioCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): CreatioCredentials {
    const set = (name: string) => (env[name] ?? "") !== "";
    const missing = (names: readonly string[]) => names.filter(n => !set(n));
    if (OAUTH_VARIABLES.some(set)) {
        const absent = missing(OAUTH_VARIABLES);
        if (absent.length) {
            throw new OpsError(`${absent.join(" and ")} not set: the Identity Service sign-in needs all of ` +
                `${OAUTH_VARIABLES.join(", ")}`, USAGE_EXIT_CODE);
        }
        return {
            kind: "oauth",
            identityUrl: checkHttpsUrl("CREATIO_IDENTITY_URL", env.CREATIO_IDENTITY_URL!),
            clientId: env.CREATIO_API_CLIENT_ID!,
            clientSecret: env.CREATIO_API_CLIENT_SECRET!,
        };
    }
    const absent = missing(FORMS_VARIABLES);
    if (absent.length === FORMS_VARIABLES.length) {
        throw new OpsError(`no Creatio credentials: set ${FORMS_VARIABLES.join(" and ")}, or ${OAUTH_VARIABLES.join(", ")} ` +
            "(environment variables only)", USAGE_EXIT_CODE);
    }
    if (absent.length) {
        throw new OpsError(`${absent.join(" and ")} not set: the sign-in needs both ${FORMS_VARIABLES.join(" and ")}`,
            USAGE_EXIT_CODE);
    }
    return { kind: "forms", userName: env.CREATIO_USERNAME!, password: env.CREATIO_PASSWORD! };
}

function checkHttpsUrl(name: string, value: string): string {
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || url.protocol !== "https:" || url.search || url.hash || url.username || url.password) {
        throw new OpsError(`${name} ${JSON.stringify(value)} is not an https URL such as https://acme-is.creatio.com`,
            USAGE_EXIT_CODE);
    }
    return url.href.replace(/\/+$/, "");
}

/** What deliver needs from the stack, read and checked once before anything is sent. */
interface StackCredential {
    clientId: string;
    clientSecret: string;
    tenantId: string;
    siteBaseUrl: string;
    netCore: boolean;
    clientSecretKeyId: string;
}

/**
 * Whether `value` is a site base URL as the program writes it: https, nothing but the origin and
 * a path, no trailing slash, no `/0`. Comparing with what the URL parser makes of it refuses
 * everything the parser would rewrite or drop: user info, query, fragment, a backslash (read as
 * a slash), a port out of range (no URL at all), a default port, upper case in the host.
 */
export function isSiteBaseUrl(value: string): boolean {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return false;
    }
    return url.protocol === "https:" && value === url.origin + url.pathname.replace(/\/$/, "") && !/\/0$/.test(url.pathname);
}

function requireGuidOutput(outputs: Record<string, unknown>, name: string, stack: string): string {
    const value = requireOutput(outputs, name, stack);
    if (!isGuid(value)) {
        throw new OpsError(`stack "${stack}" has an output ${name} that is not a GUID (8-4-4-4-12 hexadecimal digits): ` +
            quoted(value), USAGE_EXIT_CODE);
    }
    return value;
}

function readCredential(outputs: Record<string, unknown>, stack: string): StackCredential {
    const siteBaseUrl = requireOutput(outputs, "siteBaseUrl", stack);
    if (!isSiteBaseUrl(siteBaseUrl)) {
        throw new OpsError(`stack "${stack}" has an output siteBaseUrl that is not an https base URL such as ` +
            `https://acme.creatio.com (origin and path only: no user info, query, fragment, backslash, /0 or trailing slash): ` +
            quoted(siteBaseUrl), USAGE_EXIT_CODE);
    }
    if (typeof outputs.netCore !== "boolean") {
        throw new OpsError(`stack "${stack}" has no boolean output netCore: run pulumi up for it (with this version of the program)`,
            USAGE_EXIT_CODE);
    }
    return {
        clientId: requireGuidOutput(outputs, "clientId", stack),
        clientSecret: requireSecret(outputs, "clientSecret", stack),
        tenantId: requireGuidOutput(outputs, "tenantId", stack),
        siteBaseUrl,
        netCore: outputs.netCore,
        clientSecretKeyId: requireGuidOutput(outputs, "clientSecretKeyId", stack),
    };
}

/** What a run can be given besides its CommandContext: only a test changes these. */
export interface DeliverDependencies {
    /** Waits between token attempts; a test passes one that does not wait. */
    sleep(ms: number): Promise<void>;
    requestToken(req: TokenRequest): Promise<TokenAnswer>;
}

const realDependencies: DeliverDependencies = {
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    requestToken,
};

/** Seconds to wait after the n-th rejected attempt (0-based): 5, 10, 20, 30, 30, ... */
export function backoffSeconds(attempt: number): number {
    return Math.min(5 * 2 ** attempt, 30);
}

/**
 * Asks Entra ID for a token until it accepts the secret, or the wait is used up. Only a
 * rejection is retried: a fresh secret is rejected for about a minute while Entra ID replicates
 * it. An unreachable Entra ID is reported at once.
 */
async function proveSecret(req: TokenRequest, waitSeconds: number, deps: DeliverDependencies):
    Promise<{ answer: TokenAnswer; attempts: number }> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
        const answer = await deps.requestToken(req);
        if (answer.outcome !== "rejected" || waited >= waitSeconds) {
            return { answer, attempts: attempt + 1 };
        }
        const pause = Math.min(backoffSeconds(attempt), waitSeconds - waited);
        await deps.sleep(pause * 1000);
        waited += pause;
    }
}

function describeRejection(answer: Extract<TokenAnswer, { outcome: "rejected" }>): string {
    return answer.code ? `${answer.code} (${answer.meaning})` : answer.meaning;
}

function render(rows: [string, string][]): string {
    return rows.map(([label, value]) => `${`${label}:`.padEnd(16)}${value}`).join("\n") + "\n";
}

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
        "mail-server": { type: "string" },
        "dry-run": { type: "boolean", default: false },
        "authority-host": { type: "string" },
        "timeout-seconds": { type: "string", default: "30" },
        "secret-wait-seconds": { type: "string", default: "120" },
        ...PULUMI_TIMEOUT_OPTION,
    }, USAGE);
    const stack = stackOption(args.stack, USAGE);
    // Node's documentation (cli.md): "If value equals '0', certificate validation is disabled for TLS connections."
    if (io.env.NODE_TLS_REJECT_UNAUTHORIZED === "0") {
        throw new OpsError("NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks: deliver would send the Creatio " +
            "credentials and the client secret to servers it has not verified; unset it, and give a private CA's certificate " +
            "in NODE_EXTRA_CA_CERTS instead", USAGE_EXIT_CODE);
    }
    if (args["mail-server"] !== undefined && args["mail-server"].trim() === "") {
        throw new OpsError("--mail-server is empty: give the name or id of Creatio's Microsoft 365 mail server", USAGE_EXIT_CODE);
    }
    const authorityHost = authorityHostFrom(args["authority-host"], io.env);
    const timeoutMs = wholeSeconds("timeout-seconds", args["timeout-seconds"]!, 1, 300) * 1000;
    const waitSeconds = wholeSeconds("secret-wait-seconds", args["secret-wait-seconds"]!, 0, 600);
    const pulumiTimeout = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);
    const pulumi = (pulumiArgs: string[]) => io.pulumi(pulumiArgs, { timeoutMs: pulumiTimeout });
    const creatioCredentials = creatioCredentialsFromEnv(io.env);
    if (creatioCredentials.kind === "forms") {
        redactor.add(creatioCredentials.password, { user: creatioCredentials.userName });
    } else {
        redactor.add(creatioCredentials.clientSecret, { user: creatioCredentials.clientId });
    }
    const dryRun = args["dry-run"]!;

    const outputs = await readOutputsWithSecret(pulumi, stack, redactor);
    const credential = readCredential(outputs, stack);

    // 1. The secret works, or it is never delivered.
    const { answer, attempts } = await proveSecret({
        tenantId: credential.tenantId, clientId: credential.clientId, clientSecret: credential.clientSecret,
        authorityHost, timeoutMs, trustedCa: io.trustedCa,
    }, waitSeconds, deps);
    if (answer.outcome === "unreachable") {
        throw new OpsError(`nothing delivered: the secret could not be checked: ${answer.reason}`, 3);
    }
    if (answer.outcome === "rejected") {
        throw new OpsError(`nothing delivered: Entra ID rejects the stack's newest secret: ${describeRejection(answer)}` +
            (waitSeconds > 0 ? `, still after ${waitSeconds} s` : ""), 1);
    }

    // 2. Creatio: sign in, find the record.
    const target: CreatioTarget = { siteBaseUrl: credential.siteBaseUrl, netCore: credential.netCore, timeoutMs, trustedCa: io.trustedCa };
    const session = await signIn(target, creatioCredentials);
    session.credentials.forEach(credential => redactor.add(credential));
    const record = args["mail-server"] !== undefined
        ? await findByMailServer(session, args["mail-server"])
        : await findByClientId(session, credential.clientId);
    if (!isGuid(record.id)) {
        throw new CreatioError(`${OAUTH_APPLICATIONS} answered a record without a Guid Id`, "malformed");
    }
    // The write is proven by ModifiedOn moving on: without a readable one, nothing is written.
    if (Number.isNaN(Date.parse(record.modifiedOn))) {
        throw new CreatioError(`${OAUTH_APPLICATIONS} ${record.id} has no readable ${COLUMNS.modifiedOn} ` +
            `(${quoted(record.modifiedOn)}), so a write could not be confirmed; nothing written`, "malformed");
    }

    const clientIdChange = record.clientId.trim().toLowerCase() === credential.clientId.toLowerCase()
        ? `${credential.clientId} (unchanged)`
        : `${printable(record.clientId) || "(empty)"} -> ${credential.clientId}`;
    const rows: [string, string][] = [
        ["Stack", stack],
        ["Creatio", `${odataRoot(credential.siteBaseUrl, credential.netCore)} (${creatioCredentials.kind === "forms"
            ? "CREATIO_USERNAME" : "CREATIO_API_CLIENT_ID"})`],
        ["Record", `${OAUTH_APPLICATIONS} ${record.id} ${quoted(record.name)}`],
        ["Client ID", clientIdChange],
        ["Client secret", `accepted by Entra ID${attempts > 1 ? ` (attempt ${attempts})` : ""}; key id ${credential.clientSecretKeyId}`],
    ];
    if (dryRun) {
        io.stdout(render([...rows,
            ["Dry run", `would write ${COLUMNS.clientId} and ${COLUMNS.secretKey}; nothing written, no stack tag set`]]));
        return 0;
    }

    // 3. Write, read back.
    await session.patch(OAUTH_APPLICATIONS, record.id, {
        [COLUMNS.clientId]: credential.clientId,
        [COLUMNS.secretKey]: credential.clientSecret,
    });
    const tagCommand = `pulumi stack tag set ${DELIVERED_KEY_ID_TAG} ${credential.clientSecretKeyId} --stack ${stack}`;
    const unconfirmed = (reason: string, exitCode: number) => new OpsError(`${COLUMNS.clientId} and ${COLUMNS.secretKey} ` +
        `were written (Creatio answered 204) but could not be confirmed: ${reason}; no stack tag set. Check the record in ` +
        `Creatio, then run: ${tagCommand}`, exitCode);
    let written: OAuthApplicationRecord | undefined;
    try {
        written = await readBack(session, record.id);
    } catch (err) {
        if (err instanceof CreatioError) {
            throw unconfirmed(`reading ${OAUTH_APPLICATIONS} ${record.id} back failed: ${err.message}`,
                err.outcome === "unreachable" ? 3 : 1);
        }
        throw err;
    }
    if (!written) {
        throw unconfirmed(`${OAUTH_APPLICATIONS} ${record.id} is no longer there to be read back`, 1);
    }
    // SecretKey cannot be read back: only ModifiedOn moving on shows that Creatio stored the write.
    if (!(Date.parse(written.modifiedOn) > Date.parse(record.modifiedOn))) {
        throw new OpsError(`Creatio answered 204 but the record did not change: ${OAUTH_APPLICATIONS} ${record.id} reads back ` +
            `${COLUMNS.modifiedOn} ${quoted(written.modifiedOn)} (before the write: ${quoted(record.modifiedOn)}); the write ` +
            "was not stored, no stack tag set", 1);
    }
    if (written.clientId.trim().toLowerCase() !== credential.clientId.toLowerCase()) {
        throw new OpsError(`Creatio answered 204 but ${OAUTH_APPLICATIONS} ${record.id} reads back ${COLUMNS.clientId} ` +
            `${printable(written.clientId) || "(empty)"}, not ${credential.clientId}: the write was not stored as sent, no stack tag set`, 1);
    }
    rows.push(["Delivered", `${COLUMNS.clientId} and ${COLUMNS.secretKey} written; record changed (${COLUMNS.modifiedOn} ` +
        `${printable(written.modifiedOn)}), ${COLUMNS.clientId} read back (${COLUMNS.secretKey} cannot be read back)`]);

    // 4. Record what Creatio holds now.
    try {
        await pulumi(["stack", "tag", "set", DELIVERED_KEY_ID_TAG, credential.clientSecretKeyId, "--stack", stack]);
    } catch (err) {
        io.stdout(render(rows));
        throw new OpsError(`delivered, but the stack tag ${DELIVERED_KEY_ID_TAG} could not be recorded ` +
            `(${(err as Error).message}); run: ${tagCommand}`, 1);
    }
    io.stdout(render([...rows, ["Stack tag", `${DELIVERED_KEY_ID_TAG}=${credential.clientSecretKeyId}`]]));
    return 0;
}

export const main = deliverCommand();

if (require.main === module) {
    runCommand("deliver", main);
}
