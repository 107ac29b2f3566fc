/**
 * What each Creatio version expects of its Entra ID app registration: the redirect URI its
 * Microsoft 365 OAuth handler listens on, and the delegated permissions it requests.
 */
import {
    type ApiAccess,
    EWS_ACCESS_AS_USER_ALL,
    EXCHANGE_ONLINE,
    GRAPH_USER_READ,
    MICROSOFT_GRAPH,
} from "./microsoftApis.ts";

/**
 * Creatio's OAuth handlers, after the application root (`<site>/0` on .NET Framework, `<site>` on
 * .NET Core). Creatio 7.16's handler (7.16 documentation).
 */
export const HANDLER_PATH_7_16 = "/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode";
/** The handler of Creatio 7.17 and later, 8.x included (7.17, 7.18 and 8.x documentation; 8.1 source). */
export const HANDLER_PATH_7_17 = "/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
/** Every handler path, for checks that do not know the version. */
export const HANDLER_PATHS: readonly string[] = [HANDLER_PATH_7_16, HANDLER_PATH_7_17];

/** The application root Creatio on .NET Framework (IIS, the cloud) serves its services under. */
export const NET_FRAMEWORK_ROOT = "/0";
/** Creatio 7.16's full redirect path on .NET Framework. */
export const REDIRECT_PATH_7_16 = NET_FRAMEWORK_ROOT + HANDLER_PATH_7_16;
/** Creatio 7.17+'s full redirect path on .NET Framework. */
export const REDIRECT_PATH_7_17 = NET_FRAMEWORK_ROOT + HANDLER_PATH_7_17;

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

/**
 * Where Creatio answers for a site: `<base>/0` on .NET Framework, `<base>` itself on .NET Core /
 * .NET 6+ (Creatio builds its redirect URI from the URL the request reached it on; its CLI clio
 * does the same: `IsNetCore ? Uri : Uri + "/0"`).
 */
export function applicationRoot(base: string, netCore: boolean): string {
    return netCore ? base : base + NET_FRAMEWORK_ROOT;
}

/** The mail protocol Creatio's Microsoft 365 mail sync speaks through a registration. */
export type MailProtocol = "EWS";

/** What one profile registers. */
export interface ProfileEntry {
    /** The handlers whose redirect URIs it registers, after the application root. */
    readonly handlerPaths: readonly string[];
    /** The delegated permissions it requests and consents to. */
    readonly permissions: readonly ApiAccess[];
    /**
     * What the mailbox sync uses the token for. Every Creatio version so far syncs Microsoft 365 mail
     * through EWS (8.1 source: `resource=https://outlook.office365.com`, `/EWS/Exchange.asmx`), which
     * Exchange Online switches off for good on 2027-04-01 (lib/ewsRetirement.ts).
     */
    readonly mailProtocol: MailProtocol;
}

const EXCHANGE_EWS: ApiAccess = { api: EXCHANGE_ONLINE, scopes: [EWS_ACCESS_AS_USER_ALL] };
const GRAPH_SIGN_IN: ApiAccess = { api: MICROSOFT_GRAPH, scopes: [GRAPH_USER_READ] };

/**
 * Every profile, in one place: a Creatio version whose Microsoft 365 mail provider uses Microsoft
 * Graph, once Creatio documents its redirect path and scopes, is one more entry here.
 */
export const PROFILES: Readonly<Record<CreatioProfile, ProfileEntry>> = {
    "7.16": { handlerPaths: [HANDLER_PATH_7_16], permissions: [EXCHANGE_EWS], mailProtocol: "EWS" },
    "7.17+": { handlerPaths: [HANDLER_PATH_7_17], permissions: [EXCHANGE_EWS, GRAPH_SIGN_IN], mailProtocol: "EWS" },
    "any": { handlerPaths: [HANDLER_PATH_7_16, HANDLER_PATH_7_17], permissions: [EXCHANGE_EWS, GRAPH_SIGN_IN], mailProtocol: "EWS" },
};

/**
 * The redirect URIs of a profile. `base` is the site's https base URL without a trailing slash;
 * `netCore` drops the `/0` of .NET Framework Creatio.
 */
export function redirectUrisFor(base: string, profile: CreatioProfile, netCore = false): string[] {
    const root = applicationRoot(base, netCore);
    return PROFILES[profile].handlerPaths.map(path => root + path);
}

export function permissionsFor(profile: CreatioProfile): ApiAccess[] {
    return [...PROFILES[profile].permissions];
}
