/** How config validation speaks: one line per problem, naming the key, its value and what is allowed. */

/** Every problem found in a stack's config; the message lists them one per line. */
export class ConfigError extends Error {
    readonly problems: string[];

    constructor(problems: string[]) {
        super(`Invalid stack configuration, nothing was declared:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
        this.problems = problems;
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

/**
 * Characters that render as nothing or as empty space without being white space, control or
 * format characters: Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt: the Hangul
 * fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors, U+034F, U+17B4, U+17B5, ...), and
 * blank symbols outside it: U+2800 BRAILLE PATTERN BLANK, U+1D159 MUSICAL SYMBOL NULL NOTEHEAD,
 * U+16FE4 KHITAN SMALL SCRIPT FILLER.
 */
const RENDERS_BLANK = /[\p{Default_Ignorable_Code_Point}\u2800\u{1D159}\u{16FE4}]/gu;

/** Whether a value shows nothing once invisible, blank-rendering and white-space characters are left out. */
export function rendersBlank(value: string): boolean {
    return value.replace(INVISIBLE, "").replace(RENDERS_BLANK, "").trim() === "";
}

/** `U+202E` for a character. */
export function codePointName(character: string): string {
    return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A config value as JSON text, with every invisible or blank-rendering character escaped as
 * \uXXXX (each UTF-16 unit, as JSON writes them), so a message shows what was written instead of
 * being reordered or hidden by it.
 */
export function quoted(value: unknown): string {
    const escape = (c: string) => [...Array(c.length).keys()].map(i => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join("");
    return String(JSON.stringify(value)).replace(INVISIBLE, escape).replace(RENDERS_BLANK, escape);
}

/** Empty or missing config values count as unset (the Pulumi.yaml files declare "" as their default). */
export function given(value: string | undefined): string | undefined {
    return value === undefined || value === "" ? undefined : value;
}
