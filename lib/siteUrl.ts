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
import { codePointName, problem } from "./configProblems.ts";
import { type CreatioProfile, redirectUrisFor } from "./creatioProfile.ts";

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
    // A candidate is offered as the base URL it gives, only when it passes every check itself. A
    // candidate with a fixable problem of its own leads to the next (a pasted page address loses its
    // fragment, then its page path): a few steps, each removing something.
    let next: Finding = finding;
    for (let step = 0; step < MAX_FIX_STEPS && "what" in next; step++) {
        const candidate = next.instead?.();
        if (candidate === undefined) {
            break;
        }
        next = inspect(candidate);
    }
    const hint = "baseUrl" in next ? `; did you mean ${next.baseUrl}?` : "";
    return { problem: problem(SITE_URL_KEY, value, finding.what, SITE_URL_ALLOWED) + hint };
}

/** The most fixes chained into one suggestion: scheme, white space, query or fragment, page path, slashes. */
const MAX_FIX_STEPS = 6;

/** A DNS name (and port) with no scheme in front, as copied from an address bar: `crm.example.com:8443/...`. */
const HOST_WITHOUT_SCHEME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?([/?#]|$)/;

/** What is wrong, and a candidate to suggest (offered only when it passes every check itself). */
type Finding = { baseUrl: string } | { what: string; instead?: () => string | undefined };

function inspectWith(value: string, registration: Registration | undefined): Finding {
    if (value.trim() !== value) {
        return { what: "has leading or trailing white space", instead: () => value.trim() };
    }
    // `crm.example.com:8443` parses as the scheme crm.example.com: a host with no scheme is named as one.
    if (!value.includes("://") && HOST_WITHOUT_SCHEME.test(value)) {
        return { what: "has no scheme (https://)", instead: () => `https://${value}` };
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return { what: "not an absolute URL" };
    }
    if (url.protocol !== "https:") {
        return {
            what: `the scheme is ${url.protocol.slice(0, -1)}, not https`,
            // Entra ID takes only https redirect URIs (outside localhost): the same site over https.
            instead: /^http:\/\//i.test(value) ? () => `https://${value.slice("http://".length)}` : undefined,
        };
    }
    const authority = authorityOf(value);
    // The parser also finds user info behind extra slashes (https:///user@host), hence both.
    if (url.username !== "" || url.password !== "" || authority.includes("@")) {
        return { what: "has user info" };
    }
    // What comes before the query or fragment: the page's address, whose base may be told from its path.
    const beforeQuery = () => value.slice(0, value.search(/[?#]/));
    if (value.includes("?")) {
        return { what: "has a query", instead: beforeQuery };
    }
    if (value.includes("#")) {
        return { what: "has a fragment", instead: beforeQuery };
    }
    const zero = /\/0(\/|$)/.exec(url.pathname);
    if (zero) {
        // /0/Shell/ is a page of the site before /0, and is named as one. Either way the site's
        // base is what comes before /0 (offered only when it passes every check itself).
        const page = serviceSegment(url);
        return page !== undefined ? servicePage(url, page) : {
            what: "includes Creatio's /0 application path; leave it out: the program adds /0 to the redirect URIs, and omits it with netCore",
            instead: () => url.origin + url.pathname.slice(0, zero.index),
        };
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
        return servicePage(url, service);
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
 * The first segments of the pages and services under a Creatio site's application path (behind
 * `/0` on .NET Framework, at the site's root on .NET Core), lower case: where the site's base URL
 * ends. Read in Creatio's own code:
 * - `rest`, `ServiceModel`, `DataService`, `identityAssertion`, `identityServiceInfo`: clio's
 *   service routes (Advance-Technologies-Foundation/clio, clio/Common/ServiceUrlBuilder.cs, such as
 *   `ServiceModel/...svc/...`, `DataService/json/SyncReply/SelectQuery`, `/rest/CreatioApiGateway/...`);
 *   Creatio 8.1's pages call `workspaceBaseUrl + "/rest/..."` (shiva01chh/CreatioDemoProject,
 *   Terrasoft.Configuration/Autogenerated/Src/CommandLineModule.CrtNUI.js);
 * - `odata`: clio's OData calls (`odata/{entity}`, MobileSectionRegistrationProbe.cs), Creatio's OData 4 root;
 * - `api`: the health check `/api/HealthCheck/Ping`, `/0/api/HealthCheck/Ping` (clio,
 *   clio/Command/EnvironmentRuntimeDetectionService.cs);
 * - `Shell`: the Freedom UI shell `/Shell/` (.NET Core), `/0/Shell/` (.NET Framework) (clio,
 *   clio/Common/BrowserSession/AuthenticatedBrowserLauncher.cs);
 * - `Nui`: the Classic UI `/Nui/ViewModule.aspx` (Creatio 8.1 source, SectionMenuModule.CrtNUI.js);
 * - `Login`: the login page `/Login/Login.html` (.NET Core), `/0/Login/NuiLogin.aspx` (.NET Framework)
 *   (clio, EnvironmentRuntimeDetectionService.cs).
 */
const CREATIO_SEGMENTS: ReadonlySet<string> = new Set([
    "rest", "servicemodel", "dataservice", "identityassertion", "identityserviceinfo", "odata", "api", "shell", "nui", "login",
]);

/** A page or service file (ASP.NET pages and handlers, WCF services, static pages): never a site's base. */
const PAGE_FILE = /\.(aspx|ashx|asmx|svc|html?)$/;

/**
 * The first path segment that only a URL inside a Creatio site has, and the site's path before it
 * (and before a `/0` in front of it) where that can be told: any other page file may sit at any
 * depth. Compared without letter case, as IIS and ASP.NET Core routing do.
 */
function serviceSegment(url: URL): { segment: string; base?: string } | undefined {
    const segments = url.pathname.split("/").slice(1);
    const before = (i: number) => segments.slice(0, i).map(segment => `/${segment}`).join("");
    for (const [i, segment] of segments.entries()) {
        const lower = segment.toLowerCase();
        if (CREATIO_SEGMENTS.has(lower)) {
            return { segment, base: before(segments[i - 1] === "0" ? i - 1 : i) };
        }
        if (PAGE_FILE.test(lower)) {
            return { segment };
        }
    }
    return undefined;
}

function servicePage(url: URL, service: { segment: string; base?: string }): Finding {
    return {
        what: `has the path segment ${service.segment}: it is the URL of a Creatio service or page, not the site's base URL`,
        instead: service.base === undefined ? undefined : () => url.origin + service.base,
    };
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
