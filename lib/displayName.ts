/**
 * The `displayName` config key: the registration's name in Entra ID, shown in the portal, in
 * consent prompts and in audit logs. Pure.
 */
import { codePointName, invisibleCharacters, problem } from "./configProblems";

/** Microsoft Graph, application resource: "displayName ... Maximum length is 256 characters." */
export const MAX_DISPLAY_NAME_LENGTH = 256;

const ALLOWED = `a name of at most ${MAX_DISPLAY_NAME_LENGTH} characters without control or format characters, ` +
    "or unset for the default";

/**
 * The problems of a set displayName, which the program uses trimmed. Control and format
 * characters (a bidirectional override, a zero-width space) make a name read differently from
 * what it is, in the portal and in consent prompts.
 */
export function displayNameProblems(value: string): string[] {
    const invisible = invisibleCharacters(value);
    if (invisible.reduce((rest, c) => rest.replace(c, ""), value).trim() === "") {
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
