/**
 * The `siteUrl` config key: a Creatio site's https base URL, taken only when it is exactly what a
 * URL parser and Entra ID will make of it. Pure.
 *
 * A URL parser (WHATWG URL Standard, which Node's `URL` and browsers follow) silently rewrites
 * many inputs: it reads `\` as `/`, drops tabs and newlines, turns a non-ASCII host into an `xn--`
 * name, numbers into IPv4 addresses, decodes percent-encoding in the host. Checking only the
 * parsed result would register a redirect URI the user never wrote, so each rewrite is refused
 * with what it does, and the value to write instead where there is a safe one.
 */
import { codePointName, problem } from "./configProblems";
import { CreatioProfile, redirectUrisFor } from "./creatioProfile";

export const SITE_URL_KEY = "siteUrl";

export const SITE_URL_ALLOWED =
    "an https base URL such as https://crm.example.com or https://crm.example.com/creatio, " +
    "without user info, query or fragment";

/** Entra ID: "You can use a maximum of 256 characters for each redirect URI" (reply-url.md). */
export const MAX_REDIRECT_URI_LENGTH = 256;

/** Entra ID: "Redirect URIs do not support special characters - ! $ ' ( ) , ;" (reply-url.md). */
const ENTRA_UNSUPPORTED = /[!$'(),;]/;

export type SiteUrlReading = { baseUrl: string } | { problem: string };

/** What the stack registers under the site: its redirect URIs depend on both. */
export interface Registration {
    profile: CreatioProfile;
    netCore: boolean;
}

/**
 * The site's base URL (no trailing slash), or one line naming the key, the value, what is wrong,
 * what is allowed and, where there is one, the value to set instead.
 *
 * @param registration what the stack registers, for the length of its redirect URIs; undefined
 *   when creatioVersion or netCore is itself refused (their own problems are reported)
 */
export function readSiteUrl(value: string, registration: Registration | undefined): SiteUrlReading {
    const inspect = (text: string) => inspectWith(text, registration);
    const finding = inspect(value);
    if ("baseUrl" in finding) {
        return finding;
    }
    // A candidate is offered as the base URL it gives, only when it passes every check itself.
    const candidate = finding.instead?.();
    const instead = candidate === undefined ? undefined : inspect(candidate);
    const hint = instead !== undefined && "baseUrl" in instead ? `; set ${SITE_URL_KEY} to ${instead.baseUrl}` : "";
    return { problem: problem(SITE_URL_KEY, value, finding.what, SITE_URL_ALLOWED) + hint };
}

/** What is wrong, and a candidate to suggest (offered only when it passes every check itself). */
type Finding = { baseUrl: string } | { what: string; instead?: () => string | undefined };

function inspectWith(value: string, registration: Registration | undefined): Finding {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return { what: "not an absolute URL" };
    }
    if (value.trim() !== value) {
        return { what: "has leading or trailing white space" };
    }
    if (url.protocol !== "https:") {
        return { what: `the scheme is ${url.protocol.slice(0, -1)}, not https` };
    }
    const authority = authorityOf(value);
    // The parser also finds user info behind extra slashes (https:///user@host), hence both.
    if (url.username !== "" || url.password !== "" || authority.includes("@")) {
        return { what: "has user info" };
    }
    if (value.includes("?")) {
        return { what: "has a query" };
    }
    if (value.includes("#")) {
        return { what: "has a fragment" };
    }
    if (/\/0(\/|$)/.test(url.pathname)) {
        return { what: "includes Creatio's /0 application path; leave it out: the program adds /0 to the redirect URIs, and omits it with netCore" };
    }
    const parsed = () => withoutOneTrailingSlash(url.origin + url.pathname);
    if (!value.startsWith("https://")) {
        return { what: 'does not start with "https://"', instead: parsed };
    }
    const character = firstUnsafeCharacter(value);
    if (character !== undefined) {
        return character;
    }
    if (value.includes("\\")) {
        return { what: "has a backslash, which URL parsers read as /" };
    }
    const encoded = /%[0-9A-Fa-f]{2}/.exec(value);
    if (value.includes("%")) {
        return {
            what: `has percent-encoding (${encoded?.[0] ?? "%"}); write the characters themselves`,
            // An encoded / or \ is part of one path segment: written out, it would split it.
            instead: /%(2F|5C)/i.test(value) ? undefined : () => decoded(value),
        };
    }
    if (value.includes("*")) {
        return { what: "has a wildcard (*)" };
    }
    const unsupported = ENTRA_UNSUPPORTED.exec(value);
    if (unsupported) {
        return { what: `has ${unsupported[0]}, which Entra ID does not support in redirect URIs` };
    }
    const host = url.hostname;
    if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host)) {
        return { what: `the host is the IP address ${host}, not a DNS name` };
    }
    const labels = host.split(".");
    if (labels.includes("")) {
        return {
            what: `has an empty label in its host ${host}`,
            instead: () => withoutOneTrailingSlash(
                `https://${labels.filter(label => label !== "").join(".")}${url.port && `:${url.port}`}${url.pathname}`),
        };
    }
    const written = `https://${authority.toLowerCase()}${value.slice("https://".length + authority.length)}`;
    const normal = url.origin + url.pathname;
    if (written !== normal && `${written}/` !== normal) {
        return { what: `is not in its normal form: URL parsers read it as ${normal}`, instead: parsed };
    }
    if (url.pathname.includes("//")) {
        return {
            what: "has an empty path segment (//)",
            instead: () => withoutOneTrailingSlash(url.origin + url.pathname.replace(/\/{2,}/g, "/")),
        };
    }
    const service = serviceSegment(url);
    if (service !== undefined) {
        return {
            what: `has the path segment ${service.segment}: it is the URL of a Creatio service or page, not the site's base URL`,
            instead: service.base === undefined ? undefined : () => url.origin + service.base,
        };
    }
    const baseUrl = withoutOneTrailingSlash(normal);
    if (registration !== undefined) {
        const { profile, netCore } = registration;
        const longest = redirectUrisFor(baseUrl, profile, netCore).reduce((a, b) => (b.length > a.length ? b : a));
        if (longest.length > MAX_REDIRECT_URI_LENGTH) {
            return {
                what: `its redirect URI ${longest} would be ${longest.length} characters, ` +
                    `over Entra ID's limit of ${MAX_REDIRECT_URI_LENGTH}`,
            };
        }
    }
    return { baseUrl };
}

/**
 * The first path segment that only a URL inside a Creatio site has, and the site's path before it
 * where that can be told. Creatio's services sit under `<site>[/0]/rest/...` (lib/creatioProfile.ts)
 * and `<site>[/0]/ServiceModel/<name>.svc/...` (Creatio developer documentation, AuthService.svc);
 * its login page is `<site>/Login/NuiLogin.aspx` (.NET Framework; clio, ReauthExecutor). Any other
 * `.aspx` page or `.svc` service may sit at any depth. Compared without letter case, as IIS and
 * ASP.NET Core routing do.
 */
function serviceSegment(url: URL): { segment: string; base?: string } | undefined {
    const segments = url.pathname.split("/").slice(1);
    const before = (i: number) => segments.slice(0, i).map(segment => `/${segment}`).join("");
    for (const [i, segment] of segments.entries()) {
        const lower = segment.toLowerCase();
        if (lower === "rest" || lower === "servicemodel") {
            return { segment, base: before(i) };
        }
        if (lower.endsWith(".aspx") || lower.endsWith(".svc")) {
            const loginPage = i > 0 && segments[i - 1].toLowerCase() === "login" && lower.endsWith(".aspx");
            return { segment, base: loginPage ? before(i - 1) : undefined };
        }
    }
    return undefined;
}

/** The text between `https://` and the first `/`, `\`, `?` or `#`. */
function authorityOf(value: string): string {
    return /^[^:]*:\/\/([^/\\?#]*)/.exec(value)?.[1] ?? "";
}

function withoutOneTrailingSlash(url: string): string {
    return url.endsWith("/") ? url.slice(0, -1) : url;
}

function decoded(value: string): string | undefined {
    try {
        return decodeURIComponent(value);
    } catch {
        return undefined;
    }
}

/** Control characters, white space and anything not ASCII: parsers drop or rewrite them. */
function firstUnsafeCharacter(value: string): Finding | undefined {
    for (const character of value) {
        const code = character.codePointAt(0)!;
        const name = codePointName(character);
        if (code === 0x20) {
            return { what: "has a space" };
        }
        if (code < 0x20 || code === 0x7f) {
            return {
                what: `has the control character ${name}, which URL parsers drop or refuse`,
                instead: () => value.replace(/[\u0000-\u001f\u007f]/g, ""),
            };
        }
        if (code > 0x7e) {
            return { what: `has ${name}, which is not ASCII` };
        }
    }
    return undefined;
}
