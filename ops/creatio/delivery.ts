/**
 * Delivering a proven secret into Creatio: the Creatio credentials from the environment, the
 * stack's credential from its outputs, the proof with Entra ID, the writes to every
 * `OAuthApplications` record and their read-back, and the stack tag. Shared by deliver and
 * rotate-now.
 */
import { OpsError, type OptionTable, USAGE_EXIT_CODE } from "../cli.ts";
import { isGuid } from "../../lib/guid.ts";
import { COLUMNS, OAUTH_APPLICATIONS, odataRoot } from "./api.ts";
import { type CreatioCredentials, CreatioError, type CreatioOutcome, type CreatioTarget, signIn } from "./client.ts";
import { type DeliveryTarget, type OAuthApplicationRecord, findTargets, quoted, readBack, sameClientId } from "./records.ts";
import { readSite } from "./runtime.ts";
import { type TokenAnswer, type TokenRequest, requestToken } from "../entra/token.ts";
import { type CommandContext } from "../io.ts";
import { printable } from "../printable.ts";
import { DELIVERED_KEY_ID_TAG, readStackTag, requireGuid, requireSecret } from "../pulumi/stack.ts";
import { Redactor } from "../redact.ts";
import { type Slot, describeSlot, slotOutputNames } from "../pulumi/secretSlot.ts";

/** Bounds the mail servers (each costs OData reads) a run looks up. */
export const MAX_MAIL_SERVERS = 20;

/** Exit codes shared with the other commands: 1 refused or a problem found, 2 usage, 3 could not reach. */
export const EXIT_BY_OUTCOME: Record<CreatioOutcome, number> = { refused: 1, malformed: 1, misconfigured: USAGE_EXIT_CODE, unreachable: 3 };

/** The environment variables of the two ways to sign in to Creatio. */
export const FORMS_VARIABLES = ["CREATIO_USERNAME", "CREATIO_PASSWORD"] as const;
export const OAUTH_VARIABLES = ["CREATIO_IDENTITY_URL", "CREATIO_API_CLIENT_ID", "CREATIO_API_CLIENT_SECRET"] as const;

/** What deliver and rotate-now read of the environment to reach Creatio, as their --help says. */
export const CREATIO_ENVIRONMENT: readonly [string, string][] = [
    ["CREATIO_SITE_URL", "required: the https address of the Creatio site the stack delivers to (its siteBaseUrl output " +
        "must be this site, so a changed stack output cannot send the credentials elsewhere)"],
    ["AZURE_TENANT_ID", "when set, the stack's tenantId output must be this tenant"],
    ["CREATIO_USERNAME, CREATIO_PASSWORD", "a Creatio user's sign-in (forms authentication); never give them as options"],
    ["CREATIO_IDENTITY_URL, CREATIO_API_CLIENT_ID, CREATIO_API_CLIENT_SECRET", "instead, an Identity Service client's " +
        "sign-in (OAuth client credentials); any one set means all three are needed"],
    ["NODE_TLS_REJECT_UNAUTHORIZED", "0 is refused: it would send the credentials over unchecked TLS; trust a private CA " +
        "with NODE_EXTRA_CA_CERTS instead"],
];

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
export interface StackCredential {
    clientId: string;
    clientSecret: string;
    tenantId: string;
    siteBaseUrl: string;
    netCore: boolean;
    clientSecretKeyId: string;
}

export function readCredential(outputs: Record<string, unknown>, stack: string, slot: Slot | undefined): StackCredential {
    const { siteBaseUrl, netCore } = readSite(outputs, stack);
    const names = slotOutputNames(slot);
    return {
        clientId: requireGuid(outputs, "clientId", stack),
        clientSecret: requireSecret(outputs, names.secret, stack),
        tenantId: requireGuid(outputs, "tenantId", stack),
        siteBaseUrl,
        netCore,
        clientSecretKeyId: requireGuid(outputs, names.keyId, stack),
    };
}

/** What a run can be given besides its CommandContext: only a test changes these. */
export interface DeliverDependencies {
    /** Waits between token attempts; a test passes one that does not wait. */
    sleep(ms: number): Promise<void>;
    requestToken(req: TokenRequest): Promise<TokenAnswer>;
}

export const realDependencies: DeliverDependencies = {
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
export async function proveSecret(req: TokenRequest, waitSeconds: number, deps: DeliverDependencies):
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

export function describeRejection(answer: Extract<TokenAnswer, { outcome: "rejected" }>): string {
    return answer.code ? `${answer.code} (${answer.meaning})` : answer.meaning;
}

export function render(rows: [string, string][]): string {
    return rows.map(([label, value]) => `${`${label}:`.padEnd(16)}${value}`).join("\n") + "\n";
}

/** What one delivery needs: the stack's credential, checked and pinned, and how to reach Entra ID, Creatio and pulumi. */
export interface Delivery {
    stack: string;
    /** The slot delivered, or undefined for the newest. */
    slot: Slot | undefined;
    credential: StackCredential;
    creatioCredentials: CreatioCredentials;
    mailServers: string[];
    dryRun: boolean;
    authorityHost: string;
    timeoutMs: number;
    waitSeconds: number;
    pulumi: (pulumiArgs: string[]) => Promise<string>;
    /**
     * rotate-now's: a record whose ModifiedOn did not move, while the stack tag does not name this
     * key id, stops the delivery ("cannot confirm"), since a slot is about to be revoked. deliver
     * takes it as already held (issue: a second delivery of the same secret succeeds).
     */
    requireConfirmation?: boolean;
}

/**
 * Proves the credential with Entra ID, then writes it into every Creatio record that holds the
 * Client ID (and those of the mail servers named), reads each back, and records the key id in the
 * stack tag. Prints what it did; throws an OpsError or CreatioError on what stops it.
 */
/**
 * Refuses a run with certificate checks turned off: it would send the Creatio credentials and the
 * client secret to servers it has not verified. Node's documentation (cli.md): "If value equals
 * '0', certificate validation is disabled for TLS connections."
 */
export function refuseUnverifiedTls(env: Readonly<Record<string, string | undefined>>, command: string): void {
    if (env.NODE_TLS_REJECT_UNAUTHORIZED === "0") {
        throw new OpsError(`NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks: ${command} would send the Creatio ` +
            "credentials and the client secret to servers it has not verified; unset it, and give a private CA's certificate " +
            "in NODE_EXTRA_CA_CERTS instead", USAGE_EXIT_CODE);
    }
}

/** The options deliver and rotate-now share, declared once for their parsers and their help. */
export const DELIVERY_OPTIONS = {
    "mail-server": { type: "string", multiple: true, value: "<name or id>", description: "also write the record this " +
        `Microsoft 365 mail server points to; once per mail server, at most ${MAX_MAIL_SERVERS}` },
    "authority-host": { type: "string", value: "<https url>", description: "Entra ID's sign-in host, for a national cloud; " +
        "default AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com" },
    "secret-wait-seconds": { type: "string", default: "120", value: "<seconds>", description: "how long to retry a " +
        "secret Entra ID rejects (replication), 0 to 600" },
} as const satisfies OptionTable;

/** `--mail-server`, repeatable: each name once, none empty, at most MAX_MAIL_SERVERS (a bounded number of lookups). */
export function mailServersOption(given: string[] | undefined): string[] {
    const mailServers = [...new Set(given ?? [])];
    if (mailServers.some(name => name.trim() === "")) {
        throw new OpsError("--mail-server is empty: give the name or id of Creatio's Microsoft 365 mail server", USAGE_EXIT_CODE);
    }
    if (mailServers.length > MAX_MAIL_SERVERS) {
        throw new OpsError(`--mail-server is given ${mailServers.length} times: at most ${MAX_MAIL_SERVERS} mail servers a run`,
            USAGE_EXIT_CODE);
    }
    return mailServers;
}

/** The Creatio secret, with the user it goes with (the redactor then knows the base64 of `user:secret` too). */
export function redactCreatioCredentials(redactor: Redactor, credentials: CreatioCredentials): void {
    if (credentials.kind === "forms") {
        redactor.add(credentials.password, { user: credentials.userName });
    } else {
        redactor.add(credentials.clientSecret, { user: credentials.clientId });
    }
}

export async function deliverCredential(io: CommandContext, deps: DeliverDependencies, d: Delivery): Promise<number> {
    const { stack, slot, credential, creatioCredentials, mailServers, dryRun, authorityHost, timeoutMs, waitSeconds, pulumi } = d;
    // 1. The secret works, or it is never delivered.
    const { answer, attempts } = await proveSecret({
        tenantId: credential.tenantId, clientId: credential.clientId, clientSecret: credential.clientSecret,
        authorityHost, timeoutMs, trustedCa: io.trustedCa,
    }, waitSeconds, deps);
    if (answer.outcome === "unreachable") {
        throw new OpsError(`nothing delivered: the secret could not be checked: ${answer.reason}`, 3);
    }
    if (answer.outcome === "rejected") {
        throw new OpsError(`nothing delivered: Entra ID rejects ${describeSlot(slot)}: ${describeRejection(answer)}` +
            (waitSeconds > 0 ? `, still after ${waitSeconds} s` : ""), 1);
    }

    // 2. Creatio: sign in, find every record, check them all before anything is written.
    const target: CreatioTarget = { siteBaseUrl: credential.siteBaseUrl, netCore: credential.netCore, timeoutMs, trustedCa: io.trustedCa };
    const session = await signIn(target, creatioCredentials);
    // The session's own credentials (cookies or a bearer token) are as good as the password.
    session.credentials.forEach(credential => io.redactor.add(credential));
    const targets = await findTargets(session, credential.clientId, mailServers);
    for (const { record } of targets) {
        if (!isGuid(record.id)) {
            throw new CreatioError(`${OAUTH_APPLICATIONS} answered a record without a Guid Id`, "malformed");
        }
        // The write is proven by ModifiedOn moving on: without a readable one, nothing is written.
        if (Number.isNaN(Date.parse(record.modifiedOn))) {
            throw new CreatioError(`${OAUTH_APPLICATIONS} ${record.id} has no readable ${COLUMNS.modifiedOn} ` +
                `(${quoted(record.modifiedOn)}), so a write could not be confirmed; nothing written`, "malformed");
        }
    }

    const header: [string, string][] = [
        ["Stack", stack],
        ["Creatio", `${odataRoot(credential.siteBaseUrl, credential.netCore)} (${creatioCredentials.kind === "forms"
            ? "CREATIO_USERNAME" : "CREATIO_API_CLIENT_ID"})`],
        ["Client ID", credential.clientId],
        ["Client secret", `${slot === undefined ? "" : `slot ${slot}, `}accepted by Entra ID${attempts > 1 ? ` (attempt ${attempts})` : ""}; ` +
            `key id ${credential.clientSecretKeyId}`],
    ];
    const recordRow = ({ record, reasons }: DeliveryTarget, result: string): [string, string] => ["Record",
        `${OAUTH_APPLICATIONS} ${record.id} ${quoted(record.name)} (${reasons.join(", ")}); ${COLUMNS.clientId} ` +
        `${clientIdChange(record, credential.clientId)}; ${result}`];
    // A new Client ID is a new application to Entra ID: refresh tokens are bound to the client.
    for (const { record } of targets.filter(t => t.record.clientId.trim() !== "" && !sameClientId(t.record.clientId, credential.clientId))) {
        io.stderr(`deliver: warning: ${OAUTH_APPLICATIONS} ${record.id} ${quoted(record.name)} holds another Client ID ` +
            `(${printable(record.clientId)}): with ${credential.clientId} every mailbox that signed in through it must sign in ` +
            "again in Creatio\n");
    }
    if (dryRun) {
        io.stdout(render([...header, ...targets.map(t => recordRow(t, `would write ${COLUMNS.clientId} and ${COLUMNS.secretKey}`)),
            ["Dry run", `nothing written, no stack tag set`]]));
        return 0;
    }

    // 3. Write and read back each record. A refusal or a failed read-back stops the run; a record
    // whose write cannot be confirmed does not stop the others.
    const tagCommand = `pulumi stack tag set ${DELIVERED_KEY_ID_TAG} ${credential.clientSecretKeyId} --stack ${stack}`;
    let taggedAlready: Promise<boolean> | undefined;
    const deliveredBefore = () => taggedAlready ??= readStackTag(pulumi, stack, DELIVERED_KEY_ID_TAG)
        .then(tag => tag === credential.clientSecretKeyId);
    const done: [string, string][] = [];
    const unconfirmed: string[] = [];
    // What was written before a failure is shown, so that nobody has to guess which records hold the new secret.
    const stopped = (err: unknown) => {
        if (done.length > 0) {
            io.stdout(render([...header, ...done]));
        }
        return err;
    };
    for (const t of targets) {
        const id = t.record.id;
        try {
            await session.patch(OAUTH_APPLICATIONS, id, {
                [COLUMNS.clientId]: credential.clientId,
                [COLUMNS.secretKey]: credential.clientSecret,
            });
        } catch (err) {
            throw stopped(err);
        }
        const notConfirmed = (reason: string, exitCode: number) => new OpsError(`${COLUMNS.clientId} and ${COLUMNS.secretKey} ` +
            `were written (Creatio answered 204) but could not be confirmed: ${reason}; no stack tag set. Check the record in ` +
            `Creatio, then run: ${tagCommand}`, exitCode);
        let written: OAuthApplicationRecord | undefined;
        try {
            written = await readBack(session, id);
        } catch (err) {
            throw stopped(err instanceof CreatioError ? notConfirmed(`reading ${OAUTH_APPLICATIONS} ${id} back failed: ${err.message}`,
                err.outcome === "unreachable" ? 3 : 1) : err);
        }
        if (!written) {
            throw stopped(notConfirmed(`${OAUTH_APPLICATIONS} ${id} is no longer there to be read back`, 1));
        }
        const verdict = await judgeWrite(t.record, written, credential.clientId, deliveredBefore).catch(err => {
            throw stopped(err);
        });
        if (verdict.kind === "not-stored") {
            throw stopped(new OpsError(`Creatio answered 204 but ${OAUTH_APPLICATIONS} ${id} reads back ${COLUMNS.clientId} ` +
                `${printable(written.clientId) || "(empty)"}, not ${credential.clientId}: the write was not stored as sent, no stack tag set`, 1));
        }
        if (verdict.kind === "held-unconfirmed" && d.requireConfirmation) {
            unconfirmed.push(id);
        }
        done.push(recordRow(t, verdict.text));
    }
    if (unconfirmed.length > 0) {
        throw stopped(new OpsError(`cannot confirm the write to ${OAUTH_APPLICATIONS} ${unconfirmed.join(", ")}: Creatio answered ` +
            `204 but ${COLUMNS.modifiedOn} did not move, and the stack tag ${DELIVERED_KEY_ID_TAG} does not name key id ` +
            `${credential.clientSecretKeyId}, so the record held another secret as far as can be seen; no stack tag set. Check ` +
            `the record in Creatio, then run: ${tagCommand}`, 1));
    }
    const rows: [string, string][] = [...header, ...done, ["Delivered", `${targets.length} ${targets.length === 1 ? "record" : "records"}: ` +
        `${COLUMNS.clientId} read back (${COLUMNS.secretKey} cannot be read back)`]];

    // 4. Record what Creatio holds now.
    if (taggedAlready !== undefined && await taggedAlready) {
        io.stdout(render([...rows, ["Stack tag", `${DELIVERED_KEY_ID_TAG}=${credential.clientSecretKeyId} (already set)`]]));
        return 0;
    }
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

function clientIdChange(record: OAuthApplicationRecord, clientId: string): string {
    return sameClientId(record.clientId, clientId) ? "unchanged" : `${printable(record.clientId) || "(empty)"} -> ${clientId}`;
}

/** What a write answered 204 did to a record, judged from the record read before and after it. */
export type WriteVerdict =
    | { kind: "written" | "already-held" | "held-unconfirmed"; text: string }
    | { kind: "not-stored" };

/**
 * A read-back with another Client ID: not stored. A ModifiedOn that moved (compared as text: the
 * clocks of a web farm's nodes differ), or a Client ID that changed: written. Neither moved: the
 * entity layer (probably) skipped a save that changed nothing, so the record already held these
 * values (FACTS: an unmoved ModifiedOn is no failed write when the values already match). When
 * the stack tag does not name this key id (a run stopped part way, a secret put in by hand), that
 * cannot be told from a write Creatio dropped: held, unconfirmed.
 */
export async function judgeWrite(before: OAuthApplicationRecord, after: OAuthApplicationRecord, clientId: string,
    deliveredBefore: () => Promise<boolean>): Promise<WriteVerdict> {
    if (!sameClientId(after.clientId, clientId)) {
        return { kind: "not-stored" };
    }
    if (after.modifiedOn !== before.modifiedOn || !sameClientId(before.clientId, clientId)) {
        return { kind: "written", text: `written: ${COLUMNS.modifiedOn} ${printable(after.modifiedOn)}, ${COLUMNS.clientId} read back` };
    }
    if (await deliveredBefore()) {
        return { kind: "already-held", text: `unchanged (already held): ${COLUMNS.modifiedOn} did not move, ${COLUMNS.clientId} ` +
            `read back, this key id was delivered before` };
    }
    return { kind: "held-unconfirmed", text: `unchanged (already held, as far as can be seen): ${COLUMNS.modifiedOn} did not move ` +
        `(${printable(after.modifiedOn)}), ${COLUMNS.clientId} read back; this key id was not recorded as delivered before, and a ` +
        "write Creatio did not store would look the same" };
}

