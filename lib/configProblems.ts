/** How config validation speaks: one line per problem, naming the key, its value and what is allowed. */

/** Every problem found in a stack's config; the message lists them one per line. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration, nothing was declared:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export function problem(key: string, value: unknown, what: string, allowed: string): string {
    return `${key} = ${quoted(value)}: ${what}; allowed: ${allowed}`;
}

/**
 * Characters that are not shown as themselves: control (Cc), format (Cf: bidirectional overrides,
 * zero-width characters), lone surrogates (Cs), line and paragraph separators (Zl, Zp).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/** The invisible characters in a value, in order. */
export function invisibleCharacters(value: string): string[] {
    return value.match(INVISIBLE) ?? [];
}

/** `U+202E` for a character. */
export function codePointName(character: string): string {
    return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A config value as JSON text, with every invisible character escaped as \uXXXX, so a message
 * shows what was written instead of being reordered or hidden by it.
 */
export function quoted(value: unknown): string {
    return String(JSON.stringify(value)).replace(INVISIBLE,
        c => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Empty or missing config values count as unset (the Pulumi.yaml files declare "" as their default). */
export function given(value: string | undefined): string | undefined {
    return value === undefined || value === "" ? undefined : value;
}
