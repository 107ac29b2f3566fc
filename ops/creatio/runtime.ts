/**
 * Whether a Creatio site runs on .NET Framework (application under `/0`) or on .NET Core / .NET 6+
 * (no `/0`), told apart the way Creatio's CLI `clio` does it without credentials
 * (Advance-Technologies-Foundation/clio, clio/Command/EnvironmentRuntimeDetectionService.cs,
 * `ResolveWithoutAuthentication`): an anonymous GET of each runtime's health endpoint; exactly one
 * answering 2xx decides. Otherwise (both, as .NET Framework's root application answers too, or
 * neither) the login page of each runtime decides the same way; otherwise it cannot be told.
 * Redirects are not followed (clio's HealthCheckCommand.cs: the endpoint answers 200 directly, a
 * 3xx leads to a login page that would answer 200).
 */
import * as https from "https";
import { applicationRoot } from "../../lib/creatioProfile.ts";
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { trustOptions } from "../httpsClient.ts";
import { quoted } from "./records.ts";
import { requireOutput } from "../pulumi/stack.ts";

/** clio's BuildHealthUrl and BuildUiMarkerUrl: the path under the site's base URL, per runtime. */
export const RUNTIME_PROBES = {
    netCore: { health: "/api/HealthCheck/Ping", login: "/Login/Login.html" },
    netFramework: { health: "/0/api/HealthCheck/Ping", login: "/0/Login/NuiLogin.aspx" },
} as const;

/** One probe's answer: `ok` for a 2xx; `reached` false when no HTTP answer came at all. */
export interface ProbeResult {
    url: string;
    ok: boolean;
    reached: boolean;
    /** "HTTP 200", "HTTP 302 (a redirect, not followed)", "no answer within 10 s", ... */
    detail: string;
}

export interface RuntimeProbes {
    netCore: { health: ProbeResult; login?: ProbeResult };
    netFramework: { health: ProbeResult; login?: ProbeResult };
}

/** true: .NET Core; false: .NET Framework; undefined: the answers do not tell (clio would stop). */
export function runtimeFrom(probes: RuntimeProbes): boolean | undefined {
    const decide = (core: ProbeResult | undefined, framework: ProbeResult | undefined) =>
        core && framework && core.ok !== framework.ok ? core.ok : undefined;
    return decide(probes.netCore.health, probes.netFramework.health) ??
        decide(probes.netCore.login, probes.netFramework.login);
}

/** A GET without credentials, cookies or redirects; the body is not read. Never throws. */
export function probe(url: string, timeoutMs: number, trustedCa?: string): Promise<ProbeResult> {
    return new Promise(resolve => {
        const req = https.request(url, {
            method: "GET",
            ...trustOptions(trustedCa),
            agent: false, // the socket is destroyed after the status line: nothing to keep
        }, res => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            res.destroy(); // the status is all that counts: nothing of the body is kept
            const redirect = status >= 300 && status < 400 ? " (a redirect, not followed)" : "";
            resolve({ url, ok: status >= 200 && status < 300, reached: true, detail: `HTTP ${status}${redirect}` });
        });
        const timer = setTimeout(() => {
            req.destroy();
            resolve({ url, ok: false, reached: false, detail: `no answer within ${timeoutMs / 1000} s` });
        }, timeoutMs);
        req.on("error", err => {
            clearTimeout(timer);
            resolve({ url, ok: false, reached: false, detail: `could not reach it: ${(err as NodeJS.ErrnoException).code ?? err.message}` });
        });
        req.end();
    });
}

/** Runs the health probes, and the login-page probes only when the health probes do not decide. */
export async function probeRuntime(siteBaseUrl: string, timeoutMs: number, trustedCa?: string): Promise<RuntimeProbes> {
    const get = (path: string) => probe(`${siteBaseUrl}${path}`, timeoutMs, trustedCa);
    const [coreHealth, frameworkHealth] = await Promise.all([get(RUNTIME_PROBES.netCore.health), get(RUNTIME_PROBES.netFramework.health)]);
    const probes: RuntimeProbes = { netCore: { health: coreHealth }, netFramework: { health: frameworkHealth } };
    if (runtimeFrom(probes) === undefined) {
        const [coreLogin, frameworkLogin] = await Promise.all([get(RUNTIME_PROBES.netCore.login), get(RUNTIME_PROBES.netFramework.login)]);
        probes.netCore.login = coreLogin;
        probes.netFramework.login = frameworkLogin;
    }
    return probes;
}

export type SiteCheck =
    | { outcome: "match"; summary: string }
    | { outcome: "mismatch"; summary: string; problem: string }
    | { outcome: "unknown"; summary: string };

export const runtimeName = (netCore: boolean) => netCore ? ".NET Core" : ".NET Framework";

/** Each probe as `<url>: <answer>`, in the order they were made. */
export function describeProbes(probes: RuntimeProbes): string {
    return [probes.netCore.health, probes.netFramework.health, probes.netCore.login, probes.netFramework.login]
        .filter((p): p is ProbeResult => p !== undefined)
        .map(p => `${p.url}: ${p.detail}`).join("; ");
}

/**
 * The stack's `netCore` against what the site answered. On a mismatch the problem names the
 * redirect URIs that are then wrong (Creatio sends the address it was reached on, `/0` included
 * or not: Entra ID refuses any other with AADSTS50011) and the ones the site needs.
 */
export function checkSite(netCore: boolean, siteBaseUrl: string, redirectUris: readonly string[], probes: RuntimeProbes): SiteCheck {
    const found = runtimeFrom(probes);
    const answers = describeProbes(probes);
    if (found === undefined) {
        return { outcome: "unknown", summary: `cannot tell .NET Core from .NET Framework (${answers})` };
    }
    const summary = `${runtimeName(found)} (${answers})`;
    if (found === netCore) {
        return { outcome: "match", summary: `${summary}: matches netCore ${netCore}` };
    }
    const registered = applicationRoot(siteBaseUrl, netCore);
    const needed = applicationRoot(siteBaseUrl, found);
    const wrong = redirectUris.filter(uri => uri.startsWith(`${registered}/`));
    const right = wrong.map(uri => needed + uri.slice(registered.length));
    if (wrong.length === 0) {
        // Outputs of another shape (an older program): name the roots instead.
        wrong.push(`under ${registered}/`);
        right.push(`one under ${needed}/`);
    }
    return {
        outcome: "mismatch",
        summary: `${summary}: does not match netCore ${netCore}`,
        problem: `the site answers as ${runtimeName(found)}, but the stack has netCore ${netCore}: the redirect URI ` +
            `${wrong.join(" and ")} would be wrong (Creatio sends ${right.join(" and ")}; Entra ID refuses the sign-in ` +
            `with AADSTS50011), and deliver would address OData at the wrong path; set netCore ${found} and run pulumi up`,
    };
}

/**
 * Whether `value` is a site base URL as the program writes it: https, nothing but the origin and
 * a path, no trailing slash, no `/0`. Comparing with what the URL parser makes of it refuses
 * everything the parser would rewrite or drop: user info, query, fragment, a backslash (read as
 * a slash), a port out of range (no URL at all), a default port, upper case in the host.
 */
export function isSiteBaseUrl(value: string): boolean {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return false;
    }
    return url.protocol === "https:" && value === url.origin + url.pathname.replace(/\/$/, "") && !/\/0$/.test(url.pathname);
}

/** The site's base URL and runtime from the stack outputs, checked as deliver needs them. */
export function readSite(outputs: Record<string, unknown>, stack: string): { siteBaseUrl: string; netCore: boolean } {
    const siteBaseUrl = requireOutput(outputs, "siteBaseUrl", stack);
    if (!isSiteBaseUrl(siteBaseUrl)) {
        throw new OpsError(`stack "${stack}" has an output siteBaseUrl that is not an https base URL such as ` +
            `https://acme.creatio.com (origin and path only: no user info, query, fragment, backslash, /0 or trailing slash): ` +
            quoted(siteBaseUrl), USAGE_EXIT_CODE);
    }
    if (typeof outputs.netCore !== "boolean") {
        throw new OpsError(`stack "${stack}" has no boolean output netCore: run pulumi up for it (with this version of the program)`,
            USAGE_EXIT_CODE);
    }
    return { siteBaseUrl, netCore: outputs.netCore };
}
