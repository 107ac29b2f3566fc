/**
 * The one reading of a GUID (Entra ID object, client, tenant and key ids; Creatio record ids):
 * 8-4-4-4-12 hexadecimal digits in either case, nothing before or after. Every check in the
 * project goes through readGuid, so they all accept and refuse the same texts.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The nil GUID: a GUID, but the id of no object (Creatio's empty lookup value). */
export const NIL_GUID = "00000000-0000-0000-0000-000000000000";

/** How a GUID is written, for messages. */
export const GUID_FORM = "8-4-4-4-12 hexadecimal digits";

/** A GUID to show as an example in messages (not the nil GUID, which object ids refuse). */
export const GUID_EXAMPLE = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

/** The GUID `value` holds, in lower case, or undefined when it is not one. */
export function readGuid(value: unknown): string | undefined {
    return typeof value === "string" && GUID.test(value) ? value.toLowerCase() : undefined;
}

export function isGuid(value: unknown): value is string {
    return readGuid(value) !== undefined;
}

export function isNilGuid(value: unknown): boolean {
    return readGuid(value) === NIL_GUID;
}

/** Why `value` cannot be the id of an object (not a GUID, or the nil GUID), or undefined when it can. */
export function objectIdProblem(value: unknown): string | undefined {
    const guid = readGuid(value);
    return guid === undefined ? `not a GUID (${GUID_FORM})` : guid === NIL_GUID ? "the nil GUID, the id of no object" : undefined;
}
