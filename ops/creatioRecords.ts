/**
 * Which `OAuthApplications` record gets the stack's credential, and how it is described. The
 * choice itself is pure; the lookups take anything that can run an OData query.
 */
import { COLUMNS, MAIL_SERVER, OAUTH_APPLICATIONS, isGuid, odataString } from "./creatioApi";
import { ODataRecord } from "./creatioClient";

export interface OAuthApplicationRecord {
    id: string;
    name: string;
    clientId: string;
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

const APPLICATION_COLUMNS = [COLUMNS.id, COLUMNS.name, COLUMNS.clientId] as const;

function toApplication(r: ODataRecord): OAuthApplicationRecord {
    return { id: String(r[COLUMNS.id] ?? ""), name: String(r[COLUMNS.name] ?? ""), clientId: String(r[COLUMNS.clientId] ?? "") };
}

/** One line per record: id, name and Client ID; never a secret (none is ever read). */
export function listApplications(records: OAuthApplicationRecord[]): string {
    if (records.length === 0) {
        return `  (no ${OAUTH_APPLICATIONS} records)`;
    }
    return records.map(r => `  ${r.id}  ${JSON.stringify(r.name)}  ClientId ${r.clientId || "(empty)"}`).join("\n");
}

/**
 * The record whose ClientId is the stack's Client ID, compared without regard to letter case
 * (a Guid typed into Creatio by hand may be upper case).
 */
export function selectByClientId(records: OAuthApplicationRecord[], clientId: string): OAuthApplicationRecord {
    const matches = records.filter(r => r.clientId.trim().toLowerCase() === clientId.toLowerCase());
    if (matches.length === 1) {
        return matches[0];
    }
    if (matches.length === 0) {
        throw new RecordSelectionError(
            `no ${OAUTH_APPLICATIONS} record in Creatio has ClientId ${clientId}; pass --mail-server <name or id of the ` +
            `Microsoft 365 mail server> once to update the record that mail server uses. Records found:\n` +
            listApplications(records));
    }
    throw new RecordSelectionError(
        `${matches.length} ${OAUTH_APPLICATIONS} records in Creatio have ClientId ${clientId}; pass --mail-server ` +
        `<name or id of the Microsoft 365 mail server> to choose the one the mail server uses. Records found:\n` +
        listApplications(matches));
}

/** Reads every OAuthApplications record (id, name, Client ID) and picks the stack's. */
export async function findByClientId(odata: ODataReader, clientId: string): Promise<OAuthApplicationRecord> {
    // All records, compared here: OData's tolower() is not proven on Creatio, and a site has
    // only a handful of OAuth applications.
    const records = (await odata.query(OAUTH_APPLICATIONS, { select: APPLICATION_COLUMNS })).map(toApplication);
    return selectByClientId(records, clientId);
}

const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";

/** The record the mail server (by name, or by id when a Guid is given) points to. */
export async function findByMailServer(odata: ODataReader, mailServer: string): Promise<OAuthApplicationRecord> {
    const byId = isGuid(mailServer);
    const select = [COLUMNS.id, COLUMNS.name, COLUMNS.mailServerOAuthApplication] as const;
    const servers = await odata.query(MAIL_SERVER, {
        select,
        filter: byId ? `${COLUMNS.id} eq ${mailServer}` : `${COLUMNS.name} eq ${odataString(mailServer)}`,
    });
    if (servers.length !== 1) {
        const all = servers.length === 0 ? await odata.query(MAIL_SERVER, { select: [COLUMNS.id, COLUMNS.name] }) : servers;
        const list = all.map(s => `  ${String(s[COLUMNS.id])}  ${JSON.stringify(String(s[COLUMNS.name] ?? ""))}`).join("\n")
            || `  (no ${MAIL_SERVER} records)`;
        throw new RecordSelectionError(servers.length === 0
            ? `no ${MAIL_SERVER} in Creatio is named or has the id ${JSON.stringify(mailServer)}; pass --mail-server ` +
              `with one of these names or ids:\n${list}`
            : `${servers.length} ${MAIL_SERVER} records in Creatio are named ${JSON.stringify(mailServer)}; pass ` +
              `--mail-server with the id of one of them:\n${list}`);
    }
    const server = servers[0];
    const applicationId = server[COLUMNS.mailServerOAuthApplication];
    if (!isGuid(applicationId) || applicationId === EMPTY_GUID) {
        throw new RecordSelectionError(`${MAIL_SERVER} ${JSON.stringify(String(server[COLUMNS.name]))} has no OAuth ` +
            `application: choose OAuth authentication in its settings in Creatio first`);
    }
    const records = (await odata.query(OAUTH_APPLICATIONS, {
        select: APPLICATION_COLUMNS, filter: `${COLUMNS.id} eq ${applicationId}`,
    })).map(toApplication);
    if (records.length !== 1) {
        throw new RecordSelectionError(`${MAIL_SERVER} ${JSON.stringify(String(server[COLUMNS.name]))} points to ` +
            `${OAUTH_APPLICATIONS} ${applicationId}, which this Creatio user cannot read`);
    }
    return records[0];
}

/** Reads the record again after the write; its ClientId proves the write landed. */
export async function readBack(odata: ODataReader, id: string): Promise<OAuthApplicationRecord | undefined> {
    const records = await odata.query(OAUTH_APPLICATIONS, { select: APPLICATION_COLUMNS, filter: `${COLUMNS.id} eq ${id}` });
    return records.length === 1 ? toApplication(records[0]) : undefined;
}
