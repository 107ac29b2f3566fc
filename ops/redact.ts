/**
 * Keeping a secret out of anything printed. Every command's stdout and stderr pass through the
 * run's `Redactor` (ops/io.ts, executeCommand); a command adds each secret as soon as it learns it.
 *
 * A secret comes back from the outside in more forms than its own: a form body or a URL echoed by
 * a server (percent-encoded, with upper- or lower-case hex, `+` for a space, some characters left
 * as they are: `encodeURIComponent` keeps `~ ( ) ! * '`, a form encoder does not), a JSON string
 * (`\"`, `\/`, `\u007e`), an HTTP Basic header (base64 of `user:password`), and text that
 * `printable` has already made safe (a tab shown as U+FFFD). The redactor matches each character of
 * the secret in any of those forms, so a mix of them is found too.
 */
import { OpsError } from "./cli.ts";

export const REDACTED = "[redacted]";

/** What `printable` replaces with U+FFFD (ops/printable.ts). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The two JSON escapes of a character besides \uXXXX (RFC 8259 section 7; `\/` is allowed for "/"). */
const JSON_SHORT: Readonly<Record<string, string>> = {
    "\"": "\\\"", "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
};

function escapeRegExp(text: string): string {
    return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** A hex digit in either case (`[aA]`), any other character as itself (one character). */
function anyCaseHex(character: string): string {
    return /[a-f]/i.test(character) ? `[${character.toLowerCase()}${character.toUpperCase()}]` : escapeRegExp(character);
}

/** The pattern of `text` percent-encoded byte by byte (UTF-8), hex digits in either case. */
function percentEncoded(text: string): string {
    return [...Buffer.from(text, "utf8")]
        .map(byte => `%${[...byte.toString(16).padStart(2, "0")].map(anyCaseHex).join("")}`)
        .join("");
}

/** The JSON escapes of one character (a code point): \uXXXX per UTF-16 unit, and the short form. */
function jsonEscapes(character: string): string[] {
    const units = [...Array(character.length).keys()].map(i => character.charCodeAt(i).toString(16).padStart(4, "0"));
    return [units.map(unit => `\\u${unit}`).join(""), ...(JSON_SHORT[character] ? [JSON_SHORT[character]] : [])];
}

/**
 * One character of a secret in every form it can take on the way out, as a regular expression:
 * itself, a JSON escape, percent-encoded, `+` for a space; each of these once more percent-encoded
 * character by character (a JSON string inside a URL, a URL inside another: %257E); U+FFFD where
 * printable() has replaced it.
 */
function characterPattern(character: string): string {
    const percent = [...Buffer.from(character, "utf8")].map(byte => `%${byte.toString(16).padStart(2, "0")}`).join("");
    const escapes = [...jsonEscapes(character), percent, ...(character === " " ? ["+"] : [])];
    const alternatives = [
        `${escapeRegExp(character)}|${percentEncoded(character)}`,
        ...escapes.map(escape => [...escape].map(c => `(?:${anyCaseHex(c)}|${percentEncoded(c)})`).join("")),
        ...(UNPRINTABLE.test(character) ? ["\uFFFD"] : []),
    ];
    return `(?:${alternatives.join("|")})`;
}

/** Base64 and base64url of `text`, padding optional. */
function base64Patterns(text: string): string[] {
    const plain = Buffer.from(text, "utf8").toString("base64").replace(/=+$/, "");
    const url = Buffer.from(text, "utf8").toString("base64url");
    return [...new Set([plain, url])].map(form => `${escapeRegExp(form)}=*`);
}

/** Form encoding of a Basic header's parts (RFC 6749 section 2.3.1 encodes client id and secret first). */
function formEncoded(text: string): string {
    return new URLSearchParams({ v: text }).toString().slice(2);
}

/**
 * The characters every form of a secret has at least one of, but the secret as it is and its
 * base64: `%` (percent-encoded), `\` (a JSON escape), `+` (a form-encoded space), U+FFFD
 * (printable()'s stand-in).
 */
const ENCODING = /[%\\+\uFFFD]/u;

export class Redactor {
    /** Each pattern, and what of it text without ENCODING can match: the secret as it is (a base64 pattern is itself). */
    private readonly patterns = new Map<string, string>();
    private every: RegExp | undefined;
    private literal: RegExp | undefined;

    /**
     * A secret to remove from everything printed from now on. `user`: the name it is sent with,
     * for the base64 of `user:secret` an HTTP Basic header carries.
     */
    add(secret: string, options: { user?: string } = {}): void {
        if (secret === "") {
            return;
        }
        const encoded = [...base64Patterns(secret)];
        if (options.user !== undefined) {
            encoded.push(...base64Patterns(`${options.user}:${secret}`),
                ...base64Patterns(`${formEncoded(options.user)}:${formEncoded(secret)}`));
        }
        for (const pattern of encoded) {
            this.patterns.set(pattern, pattern);
        }
        this.patterns.set([...secret].map(characterPattern).join(""), escapeRegExp(secret));
        this.every = this.literal = undefined;
    }

    /**
     * The text with every secret replaced. Every place where a secret starts is found, also inside
     * another match, and overlapping matches become one [redacted]: replacing only the leftmost of
     * two overlapping secrets would leave the other's tail. Text without ENCODING is matched with
     * the secrets' own characters alone, in the same order: the same matches, without compiling the
     * pattern of every form (10 ms or more per run, for most of what a command prints).
     */
    redact(text: string): string {
        if (this.patterns.size === 0) {
            return text;
        }
        let pattern: RegExp;
        if (ENCODING.test(text)) {
            pattern = this.every ??= this.combined(pattern => pattern);
        } else {
            pattern = this.literal ??= this.combined(pattern => this.patterns.get(pattern)!);
        }
        let result = "";
        let start = 0; // of the text not yet copied
        let end: number | undefined; // of the [redacted] being made
        for (const match of text.matchAll(pattern)) {
            if (end !== undefined && match.index >= end) {
                result += REDACTED;
                start = end;
                end = undefined;
            }
            if (end === undefined) {
                result += text.slice(start, match.index);
            }
            end = Math.max(end ?? 0, match.index + match[1].length);
        }
        return end === undefined ? result + text.slice(start) : result + REDACTED + text.slice(end);
    }

    /**
     * One expression that finds, at every place, the longest pattern that starts there (a
     * lookahead, so that the search goes on inside it). Longer patterns first: one secret that
     * contains another is removed whole.
     */
    private combined(part: (pattern: string) => string): RegExp {
        const ordered = [...this.patterns.keys()].sort((a, b) => b.length - a.length);
        return new RegExp(`(?=(${ordered.map(part).join("|")}))`, "gu");
    }

    /** The same error with the secret removed from its message (an OpsError keeps its exit code). */
    redactError(err: unknown): unknown {
        if (err instanceof OpsError) {
            const clean = this.redact(err.message);
            return clean === err.message ? err : new OpsError(clean, err.exitCode);
        }
        if (err instanceof Error) {
            return new Error(this.redact(err.message));
        }
        return new Error(this.redact(String(err)));
    }
}
