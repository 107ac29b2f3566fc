const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra ID object and client ids are GUIDs: 8-4-4-4-12 hexadecimal digits. */
export function isGuid(value: unknown): value is string {
    return typeof value === "string" && GUID.test(value);
}

/** The nil GUID (all zeros) is a GUID, but the id of no object. */
export function isNilGuid(value: string): boolean {
    return /^[0-]+$/.test(value) && isGuid(value);
}
