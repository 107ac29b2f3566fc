/**
 * The `displayName` config key: the registration's name in Entra ID, shown in the portal, in
 * consent prompts and in audit logs. Pure.
 */
import { codePointName, invisibleCharacters, problem, rendersBlank } from "./configProblems.ts";

/** Microsoft Graph, application resource: "displayName ... Maximum length is 256 characters." */
export const MAX_DISPLAY_NAME_LENGTH = 256;

const ALLOWED = `a name of at most ${MAX_DISPLAY_NAME_LENGTH} characters without control or format characters, ` +
    "or unset for the default";

/**
 * The problems of a set displayName, which the program uses trimmed. Control and format
 * characters (a bidirectional override, a zero-width space) make a name read differently from
 * what it is, in the portal and in consent prompts; a name that renders blank (white space,
 * Hangul fillers, a braille blank: configProblems.rendersBlank) is no name.
 */
export function displayNameProblems(value: string): string[] {
    const invisible = invisibleCharacters(value);
    // A name of Hangul fillers or braille blanks shows as nothing in the portal, as an empty one would.
    if (rendersBlank(value)) {
        return [problem("displayName", value, "blank", "a name with visible characters, or unset for the default")];
    }
    if (invisible.length > 0) {
        return [problem("displayName", value, `has ${codePointName(invisible[0])}, a control or format character`, ALLOWED)];
    }
    const length = value.trim().length;
    if (length > MAX_DISPLAY_NAME_LENGTH) {
        return [problem("displayName", value, `${length} characters long`, ALLOWED)];
    }
    return [];
}
