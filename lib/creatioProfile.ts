/**
 * What each Creatio version expects of its Entra ID app registration: the redirect URI its
 * Microsoft 365 OAuth handler listens on, and the delegated permissions it requests.
 */
import {
    ApiAccess,
    EWS_ACCESS_AS_USER_ALL,
    EXCHANGE_ONLINE,
    GRAPH_USER_READ,
    MICROSOFT_GRAPH,
} from "./microsoftApis";

/** Creatio 7.16's handler (7.16 documentation). */
export const REDIRECT_PATH_7_16 = "/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode";
/** The handler of Creatio 7.17 and later, 8.x included (7.17, 7.18 and 8.x documentation). */
export const REDIRECT_PATH_7_17 = "/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";

/**
 * - `7.16`: the 7.16 redirect path, Exchange EWS.AccessAsUser.All only.
 * - `7.17+`: the newer redirect path, Exchange EWS.AccessAsUser.All and Graph User.Read.
 * - `any`: no version given; both paths and both permissions, so one registration serves a
 *   site before and after an upgrade from 7.16.
 */
export type CreatioProfile = "7.16" | "7.17+" | "any";

/** A Creatio version as `major.minor` (further parts, such as a build number, are ignored). */
export interface CreatioVersion {
    readonly major: number;
    readonly minor: number;
}

/** Versions written as 7.16, 7.17, 7.18.0, 8, 8.1, 8.1.2.3994 and so on. */
const VERSION_PATTERN = /^(\d{1,3})(?:\.(\d{1,3}))?(?:\.\d{1,6}){0,2}$/;

/**
 * Parses a Creatio version, or returns undefined when the text is not one this program
 * supports: unparsable, older than 7.16, or a bare `7` (which could be 7.16 or 7.17).
 */
export function parseCreatioVersion(text: string): CreatioVersion | undefined {
    const match = VERSION_PATTERN.exec(text);
    if (!match) {
        return undefined;
    }
    const major = Number(match[1]);
    if (match[2] === undefined) {
        return major >= 8 ? { major, minor: 0 } : undefined;
    }
    const version = { major, minor: Number(match[2]) };
    return major > 7 || (major === 7 && version.minor >= 16) ? version : undefined;
}

export function profileFor(version: CreatioVersion | undefined): CreatioProfile {
    if (version === undefined) {
        return "any";
    }
    return version.major === 7 && version.minor === 16 ? "7.16" : "7.17+";
}

/** `base` is the site's https base URL without a trailing slash. */
export function redirectUrisFor(base: string, profile: CreatioProfile): string[] {
    switch (profile) {
        case "7.16":
            return [base + REDIRECT_PATH_7_16];
        case "7.17+":
            return [base + REDIRECT_PATH_7_17];
        case "any":
            return [base + REDIRECT_PATH_7_16, base + REDIRECT_PATH_7_17];
    }
}

export function permissionsFor(profile: CreatioProfile): ApiAccess[] {
    const exchange: ApiAccess = { api: EXCHANGE_ONLINE, scopes: [EWS_ACCESS_AS_USER_ALL] };
    if (profile === "7.16") {
        return [exchange];
    }
    return [exchange, { api: MICROSOFT_GRAPH, scopes: [GRAPH_USER_READ] }];
}
