/**
 * Which `OAuthApplications` record gets the stack's credential, and how it is described. The
 * choice itself is pure; the lookups take anything that can run an OData query.
 */
import { isGuid, isNilGuid } from "../../lib/guid.ts";
import { COLUMNS, MAIL_SERVER, MICROSOFT_365_APP_CLASS_NAMES, OAUTH_APPLICATIONS, odataString } from "./api.ts";
import type { ODataRecord } from "./client.ts";
import { printable } from "../printable.ts";

export interface OAuthApplicationRecord {
    id: string;
    name: string;
    clientId: string;
    appClassName: string;
    /** As Creatio wrote it (an OData DateTimeOffset); compared before and after a write. */
    modifiedOn: string;
}

/** Why no single record could be chosen; the command ends with exit code 2 and this text. */
export class RecordSelectionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RecordSelectionError";
    }
}

export interface ODataReader {
    query(entitySet: string, options: { select: readonly string[]; filter?: string }): Promise<ODataRecord[]>;
}

const APPLICATION_COLUMNS = [COLUMNS.id, COLUMNS.name, COLUMNS.clientId, COLUMNS.appClassName, COLUMNS.modifiedOn] as const;

function toApplication(r: ODataRecord): OAuthApplicationRecord {
    const text = (column: string) => String(r[column] ?? "");
    return {
        id: text(COLUMNS.id), name: text(COLUMNS.name), clientId: text(COLUMNS.clientId),
        appClassName: text(COLUMNS.appClassName), modifiedOn: text(COLUMNS.modifiedOn),
    };
}

/** Text from Creatio, quoted and shown only through printable(). */
export function quoted(text: string): string {
    return JSON.stringify(printable(text));
}

/** One line per record: id, name and Client ID; never a secret (none is ever read). */
export function listApplications(records: OAuthApplicationRecord[]): string {
    if (records.length === 0) {
        return `  (no ${OAUTH_APPLICATIONS} records)`;
    }
    return records.map(r => `  ${printable(r.id)}  ${quoted(r.name)}  ClientId ${printable(r.clientId) || "(empty)"}`).join("\n");
}

/**
 * The record, if it is a Microsoft 365 mail record (its AppClassName names Creatio's Microsoft 365
 * OAuth service); otherwise a refusal naming it, so that another provider's record (Google's) is
 * never overwritten.
 */
export function requireMicrosoft365(record: OAuthApplicationRecord, source: string): OAuthApplicationRecord {
    if (MICROSOFT_365_APP_CLASS_NAMES.includes(record.appClassName)) {
        return record;
    }
    throw new RecordSelectionError(`${source} ${OAUTH_APPLICATIONS} ${printable(record.id)} ${quoted(record.name)}, whose ` +
        `AppClassName is ${quoted(record.appClassName)}, not ${MICROSOFT_365_APP_CLASS_NAMES.join(" or ")}: not a Microsoft 365 ` +
        "mail record, nothing written");
}

/**
 * The records whose ClientId is the stack's Client ID, compared without regard to letter case
 * (a Guid typed into Creatio by hand may be upper case). Creatio 8.1 keeps one record per
 * Microsoft 365 mail server, and a mailbox refreshes its token with the record it signed in with:
 * every one of them needs the secret.
 */
export function matchingClientId(records: OAuthApplicationRecord[], clientId: string): OAuthApplicationRecord[] {
    return records.filter(r => sameClientId(r.clientId, clientId));
}

/** Client IDs compared as Creatio's users type them: surrounding blanks and letter case do not count. */
export function sameClientId(stored: string, clientId: string): boolean {
    return stored.trim().toLowerCase() === clientId.toLowerCase();
}

/** A record to deliver to, and why: its ClientId, and/or the mail servers named that point to it. */
export interface DeliveryTarget {
    record: OAuthApplicationRecord;
    reasons: string[];
}

/**
 * Every record deliver writes: those whose ClientId is the stack's, plus the record each named
 * mail server points to (by name, or by id when a Guid is given), each once. Nothing chosen, or a
 * chosen record that is not a Microsoft 365 one, is an error before anything is written.
 */
export async function findTargets(odata: ODataReader, clientId: string, mailServers: readonly string[]): Promise<DeliveryTarget[]> {
    // All records, compared here: OData's tolower() is not proven on Creatio, and a site has
    // only a handful of OAuth applications.
    const records = (await odata.query(OAUTH_APPLICATIONS, { select: APPLICATION_COLUMNS })).map(toApplication);
    const targets = new Map<string, DeliveryTarget>();
    const add = (record: OAuthApplicationRecord, reason: string) => {
        const key = record.id.toLowerCase();
        const known = targets.get(key);
        if (known) {
            known.reasons.push(reason);
        } else {
            targets.set(key, { record, reasons: [reason] });
        }
    };
    for (const record of matchingClientId(records, clientId)) {
        requireMicrosoft365(record, `the record with ClientId ${clientId} is`);
        add(record, "ClientId matches");
    }
    for (const mailServer of mailServers) {
        const found = await findByMailServer(odata, mailServer);
        add(found.record, `mail server ${found.serverName}`);
    }
    if (targets.size === 0) {
        throw new RecordSelectionError(
            `no ${OAUTH_APPLICATIONS} record in Creatio has ClientId ${clientId}; pass --mail-server <name or id of the ` +
            `Microsoft 365 mail server> (once for each mail server) to update the record that mail server uses. Records found:\n` +
            listApplications(records));
    }
    return [...targets.values()];
}

/** The record the mail server (by name, or by id when a Guid is given) points to, and the server's name, quoted. */
export async function findByMailServer(odata: ODataReader, mailServer: string):
    Promise<{ record: OAuthApplicationRecord; serverName: string }> {
    const byId = isGuid(mailServer);
    const select = [COLUMNS.id, COLUMNS.name, COLUMNS.mailServerOAuthApplication] as const;
    const servers = await odata.query(MAIL_SERVER, {
        select,
        filter: byId ? `${COLUMNS.id} eq ${mailServer}` : `${COLUMNS.name} eq ${odataString(mailServer)}`,
    });
    if (servers.length !== 1) {
        const all = servers.length === 0 ? await odata.query(MAIL_SERVER, { select: [COLUMNS.id, COLUMNS.name] }) : servers;
        const list = all.map(s => `  ${printable(String(s[COLUMNS.id]))}  ${quoted(String(s[COLUMNS.name] ?? ""))}`).join("\n")
            || `  (no ${MAIL_SERVER} records)`;
        throw new RecordSelectionError(servers.length === 0
            ? `no ${MAIL_SERVER} in Creatio is named or has the id ${JSON.stringify(mailServer)}; pass --mail-server ` +
              `with one of these names or ids:\n${list}`
            : `${servers.length} ${MAIL_SERVER} records in Creatio are named ${JSON.stringify(mailServer)}; pass ` +
              `--mail-server with the id of one of them:\n${list}`);
    }
    const server = servers[0];
    const serverName = quoted(String(server[COLUMNS.name] ?? ""));
    const applicationId = server[COLUMNS.mailServerOAuthApplication];
    if (!isGuid(applicationId) || isNilGuid(applicationId)) {
        throw new RecordSelectionError(`${MAIL_SERVER} ${serverName} has no OAuth ` +
            `application: choose OAuth authentication in its settings in Creatio first`);
    }
    const records = (await odata.query(OAUTH_APPLICATIONS, {
        select: APPLICATION_COLUMNS, filter: `${COLUMNS.id} eq ${applicationId}`,
    })).map(toApplication);
    if (records.length !== 1) {
        throw new RecordSelectionError(`${MAIL_SERVER} ${serverName} points to ` +
            `${OAUTH_APPLICATIONS} ${applicationId}, which this Creatio user cannot read`);
    }
    return { record: requireMicrosoft365(records[0], `${MAIL_SERVER} ${serverName} points to`), serverName };
}

/** Reads the record again after the write: its ModifiedOn and ClientId show whether the write was stored. */
export async function readBack(odata: ODataReader, id: string): Promise<OAuthApplicationRecord | undefined> {
    const records = await odata.query(OAUTH_APPLICATIONS, { select: APPLICATION_COLUMNS, filter: `${COLUMNS.id} eq ${id}` });
    return records.length === 1 ? toApplication(records[0]) : undefined;
}
