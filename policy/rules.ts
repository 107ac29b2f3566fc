/**
 * The guardrails of the Creatio app registration, as Pulumi CrossGuard policies. Each check is a
 * plain function of a resource's properties, so it reads and tests like the rest of the code.
 * An app with tenant-wide consent to every mailbox must not quietly widen: any violation stops
 * the preview or the update (enforcement level mandatory).
 */
import { type PolicyResource, type ReportViolation, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import {
    type CreatioProfile,
    HANDLER_PATHS,
    permissionsFor,
    redirectUrisFor,
} from "../lib/creatioProfile.ts";
import {
    EWS_ACCESS_AS_USER_ALL,
    EXCHANGE_ONLINE,
    GRAPH_USER_READ,
    MICROSOFT_GRAPH,
} from "../lib/microsoftApis.ts";
import { DAY_MS } from "../lib/rotation.ts";
import { boundaryResourcePolicies, boundaryStackPolicies } from "./boundary.ts";
import { MAX_SECRET_ROTATION_DAYS, SIGN_IN_AUDIENCES } from "../lib/settings.ts";

export const TYPES = {
    application: "azuread:index/application:Application",
    grant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    password: "azuread:index/applicationPassword:ApplicationPassword",
    component: "creatio:m365:CreatioOAuthApp",
    stack: "pulumi:pulumi:Stack",
} as const;

/** The delegated scopes any Creatio profile may request, by API appId. */
const ALLOWED_SCOPES: Record<string, { api: string; scopes: Record<string, string> }> = {
    [EXCHANGE_ONLINE.appId]: { api: EXCHANGE_ONLINE.displayName, scopes: { [EWS_ACCESS_AS_USER_ALL.id]: EWS_ACCESS_AS_USER_ALL.value } },
    [MICROSOFT_GRAPH.appId]: { api: MICROSOFT_GRAPH.displayName, scopes: { [GRAPH_USER_READ.id]: GRAPH_USER_READ.value } },
};

/** The claim sets a consent grant may carry: the scopes of one API. */
const ALLOWED_CLAIMS = [[EWS_ACCESS_AS_USER_ALL.value], [GRAPH_USER_READ.value]];

type Check = (props: Record<string, any>, report: ReportViolation) => void;

function resourcePolicy(name: string, description: string, type: string, check: Check): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: (args, report) => {
            if (args.type === type) {
                check(args.props, report);
            }
        },
    };
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Redirect URIs Creatio's handlers answer on: https, no query, fragment or wildcard; the handler
 * right after the site, with `/0` (.NET Framework) or without it (.NET Core).
 */
function redirectUriProblem(uri: unknown): string | undefined {
    let url: URL;
    try {
        url = new URL(String(uri));
    } catch {
        return `redirect URI ${JSON.stringify(uri)} is not an absolute URL`;
    }
    if (url.protocol !== "https:") {
        return `redirect URI ${uri} is not https`;
    }
    if (String(uri).includes("*") || url.search || url.hash || url.username || url.password) {
        return `redirect URI ${uri} has a wildcard, query, fragment or user info`;
    }
    if (!HANDLER_PATHS.some(path => url.pathname.endsWith(path))) {
        return `redirect URI ${uri} is not Creatio's Microsoft 365 OAuth handler ` +
            `(${HANDLER_PATHS.join(" or ")}, after the site and, on .NET Framework, /0)`;
    }
    return undefined;
}

/** The site a handler URI belongs to: the URI without the handler and without `/0`. */
const baseOf = (uri: string) => uri.replace(/(\/0)?\/rest\/[^/]+\/ProcessAuthenticationCode$/, "");

export const applicationPolicies: ResourceValidationPolicy[] = [
    resourcePolicy("entra-app-sign-in-audience",
        "The app registration accepts work or school accounts only: of any tenant (AzureADMultipleOrgs, for Creatio's " +
        "sign-in through the common authority) or of this tenant (AzureADMyOrg); never personal Microsoft accounts.",
        TYPES.application, (props, report) => {
            if (!(SIGN_IN_AUDIENCES as readonly unknown[]).includes(props.signInAudience)) {
                report(`signInAudience is ${JSON.stringify(props.signInAudience)}; only ${SIGN_IN_AUDIENCES.join(" or ")} is allowed.`);
            }
        }),
    resourcePolicy("entra-app-redirect-uris",
        "Web redirect URIs are https URIs of Creatio's OAuth handler on one site; no SPA or mobile redirect URIs.",
        TYPES.application, (props, report) => {
            const uris = list(props.web?.redirectUris);
            if (uris.length === 0) {
                report("the application has no web redirect URI for Creatio.");
            }
            for (const uri of uris) {
                const problem = redirectUriProblem(uri);
                if (problem) {
                    report(`${problem}.`);
                }
            }
            const sites = new Set(uris.map(uri => baseOf(String(uri))));
            if (sites.size > 1) {
                report(`redirect URIs point to more than one site: ${[...sites].join(", ")}.`);
            }
            for (const [block, values] of [["singlePageApplication", props.singlePageApplication?.redirectUris],
                ["publicClient", props.publicClient?.redirectUris]] as const) {
                if (list(values).length > 0) {
                    report(`${block} redirect URIs are not allowed: ${list(values).join(", ")}.`);
                }
            }
        }),
    resourcePolicy("entra-app-no-implicit-grant-or-public-client",
        "No implicit-grant tokens and no public-client flows.",
        TYPES.application, (props, report) => {
            const implicit = props.web?.implicitGrant ?? {};
            if (implicit.accessTokenIssuanceEnabled === true || implicit.idTokenIssuanceEnabled === true) {
                report("the implicit grant is enabled; Creatio uses the authorization code flow only.");
            }
            if (props.fallbackPublicClientEnabled === true) {
                report("public-client flows are enabled (fallbackPublicClientEnabled); they are not allowed.");
            }
        }),
    resourcePolicy("entra-app-delegated-creatio-scopes-only",
        "Required access lists delegated scopes (type Scope) only, and only those Creatio uses: Exchange Online " +
        "EWS.AccessAsUser.All and Microsoft Graph User.Read.",
        TYPES.application, (props, report) => {
            for (const access of list(props.requiredResourceAccesses) as Record<string, any>[]) {
                const allowed = ALLOWED_SCOPES[access.resourceAppId];
                if (!allowed) {
                    report(`access to the API with appId ${access.resourceAppId} is not allowed; only Office 365 ` +
                        `Exchange Online (${EXCHANGE_ONLINE.appId}) and Microsoft Graph (${MICROSOFT_GRAPH.appId}).`);
                    continue;
                }
                for (const entry of list(access.resourceAccesses) as Record<string, any>[]) {
                    if (entry.type !== "Scope") {
                        report(`${allowed.api}: ${entry.id} is of type ${JSON.stringify(entry.type)}; ` +
                            "application permissions (Role) are not allowed, only delegated scopes (Scope).");
                    } else if (!(entry.id in allowed.scopes)) {
                        report(`${allowed.api}: the scope ${entry.id} is not allowed; only ` +
                            `${Object.entries(allowed.scopes).map(([id, value]) => `${value} (${id})`).join(", ")}.`);
                    }
                }
            }
        }),
    resourcePolicy("entra-app-no-inline-password",
        "Client secrets are ApplicationPassword resources with an end date, never the application's inline password block.",
        TYPES.application, (props, report) => {
            if (props.password !== undefined) {
                report("the application declares an inline password block; use the rotating ApplicationPassword slots.");
            }
        }),
];

export const grantPolicies: ResourceValidationPolicy[] = [
    resourcePolicy("consent-grant-all-principals-creatio-claims",
        "Admin consent grants are for all users (no userObjectId) and carry only EWS.AccessAsUser.All or User.Read.",
        TYPES.grant, (props, report) => {
            if (props.userObjectId !== undefined) {
                report(`the grant is for one user (${props.userObjectId}); only tenant-wide admin consent (AllPrincipals) is declared here.`);
            }
            const claims = [...list(props.claimValues)].map(String).sort();
            if (!ALLOWED_CLAIMS.some(allowed => JSON.stringify(allowed) === JSON.stringify(claims))) {
                report(`the grant's claims ${JSON.stringify(claims)} are not allowed; a grant carries ` +
                    `["${EWS_ACCESS_AS_USER_ALL.value}"] on Exchange Online or ["${GRAPH_USER_READ.value}"] on Microsoft Graph.`);
            }
        }),
];

/** Lifetime checks need the current time; tests pass their own clock. */
export function passwordPolicies(now: () => Date = () => new Date()): ResourceValidationPolicy[] {
    return [{
        name: "client-secret-bounded-lifetime",
        description: "Client secrets have an explicit end date at most two rotation periods (of at most " +
            `${MAX_SECRET_ROTATION_DAYS} days) plus a day away, and their value is a secret output.`,
        enforcementLevel: "mandatory",
        validateResource: (args, report) => {
            if (args.type !== TYPES.password) {
                return;
            }
            checkLifetime(args.props, MAX_SECRET_ROTATION_DAYS, now(), report);
            if (!args.opts.additionalSecretOutputs.includes("value")) {
                report("the password's value is not declared a secret output (additionalSecretOutputs).");
            }
        },
    }];
}

function checkLifetime(props: Record<string, any>, periodDays: number, now: Date, report: ReportViolation,
    capDays?: number) {
    if (props.endDateRelative !== undefined) {
        report("endDateRelative is deprecated and moves with every run; set endDate from the rotation window.");
    }
    if (typeof props.endDate !== "string" || Number.isNaN(Date.parse(props.endDate))) {
        report(`the password has no explicit end date (endDate = ${JSON.stringify(props.endDate)}).`);
        return;
    }
    const start = typeof props.startDate === "string" && !Number.isNaN(Date.parse(props.startDate))
        ? new Date(props.startDate) : now;
    const maxDays = 2 * periodDays + 1;
    if (Date.parse(props.endDate) - start.getTime() > maxDays * DAY_MS) {
        report(`the password's end date ${props.endDate} is more than ${maxDays} days (two rotation periods of ` +
            `${periodDays} days plus a day) after ${start.toISOString()}.`);
    }
    // The tenant refuses longer secrets (CredentialInvalidLifetimeAsPerAppPolicy): no day of slack here.
    if (capDays !== undefined && Date.parse(props.endDate) - start.getTime() > capDays * DAY_MS) {
        report(`the password's end date ${props.endDate} is more than maxSecretLifetimeDays ${capDays} days after ` +
            `${start.toISOString()}.`);
    }
}

const childrenOf = (resources: PolicyResource[], parent: PolicyResource, type: string) =>
    resources.filter(r => r.type === type && r.parent?.urn === parent.urn);

/** What the CreatioOAuthApp component records (its registered outputs, which stack policies see). */
interface Configured {
    siteBaseUrl: string;
    profile: CreatioProfile;
    netCore?: boolean;
    signInAudience?: string;
    secretRotationDays: number;
    maxSecretLifetimeDays?: number;
}

/**
 * The registration, its grants and its secrets match what the stack is configured for, as the
 * CreatioOAuthApp component records it: the site, the Creatio profile, .NET Core or not, the
 * sign-in audience and the rotation period.
 */
export function stackPolicies(now: () => Date = () => new Date()): StackValidationPolicy[] {
    return [
        {
            name: "registration-matches-configuration",
            description: "Exactly the redirect URIs of the configured Creatio site, version and platform; the configured " +
                "sign-in audience; scopes and consent only those of the configured Creatio version; secrets within two " +
                "configured rotation periods plus a day, and within maxSecretLifetimeDays when set.",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                for (const component of args.resources.filter(r => r.type === TYPES.component)) {
                    const { siteBaseUrl, profile, netCore, signInAudience, secretRotationDays, maxSecretLifetimeDays } =
                        component.props as Configured;
                    // Unrecorded (a component of an older program) means .NET Framework and single tenant, never
                    // wider, whatever the default of today's program is.
                    const platform = netCore === true ? ".NET Core" : ".NET Framework";
                    const audience = signInAudience ?? "AzureADMyOrg";
                    const expectedUris = redirectUrisFor(siteBaseUrl, profile, netCore === true);
                    const expectedScopes = permissionsFor(profile)
                        .map(({ api, scopes }) => ({ appId: api.appId, ids: scopes.map(s => s.id), claims: scopes.map(s => s.value) }));
                    for (const app of childrenOf(args.resources, component, TYPES.application)) {
                        if (app.props.signInAudience !== audience) {
                            report(`signInAudience is ${JSON.stringify(app.props.signInAudience)}, but the stack is configured ` +
                                `for ${audience}.`, app.urn);
                        }
                        const uris = list(app.props.web?.redirectUris).map(String);
                        const foreign = uris.filter(uri => !expectedUris.includes(uri));
                        if (foreign.length > 0) {
                            report(`redirect URIs outside the configured site ${siteBaseUrl} (creatioVersion profile ` +
                                `${profile}, ${platform}): ${foreign.join(", ")}; allowed: ${expectedUris.join(", ")}.`, app.urn);
                        }
                        const missing = expectedUris.filter(uri => !uris.includes(uri));
                        if (missing.length > 0) {
                            report(`redirect URIs of the configured site ${siteBaseUrl} (creatioVersion profile ${profile}, ` +
                                `${platform}) are missing: ${missing.join(", ")}.`, app.urn);
                        }
                        // Entra ID keeps these as sets: compare them without regard to order.
                        const requested = (list(app.props.requiredResourceAccesses) as Record<string, any>[])
                            .map(a => `${a.resourceAppId}: ${list(a.resourceAccesses).map((e: any) => e.id).sort().join(", ")}`)
                            .sort();
                        const want = expectedScopes.map(({ appId, ids }) => `${appId}: ${[...ids].sort().join(", ")}`).sort();
                        if (JSON.stringify(requested) !== JSON.stringify(want)) {
                            report(`required access [${requested.join("; ")}] is not the ${profile} profile's ` +
                                `[${want.join("; ")}].`, app.urn);
                        }
                    }
                    const allowedClaims = expectedScopes.map(s => JSON.stringify([...s.claims].sort()));
                    for (const grant of childrenOf(args.resources, component, TYPES.grant)) {
                        const claims = JSON.stringify(list(grant.props.claimValues).map(String).sort());
                        if (!allowedClaims.includes(claims)) {
                            report(`consent grant claims ${claims} are not among the ${profile} profile's ` +
                                `${allowedClaims.join(", ")}.`, grant.urn);
                        }
                    }
                    for (const password of childrenOf(args.resources, component, TYPES.password)) {
                        checkLifetime(password.props, secretRotationDays, now(),
                            (message, urn) => report(message, urn ?? password.urn), maxSecretLifetimeDays);
                    }
                }
            },
        },
        {
            name: "client-secret-output-is-secret",
            description: "The stack exports clientSecret taken from a password slot, whose value is a secret output.",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                const passwords = args.resources.filter(r => r.type === TYPES.password);
                for (const password of passwords) {
                    if (!password.opts.additionalSecretOutputs.includes("value")) {
                        report("the password's value is not declared a secret output (additionalSecretOutputs).", password.urn);
                    }
                }
                const stack = args.resources.find(r => r.type === TYPES.stack);
                if (stack === undefined || passwords.length === 0) {
                    return;
                }
                if (!("clientSecret" in stack.props)) {
                    report("the stack does not export clientSecret.", stack.urn);
                } else if (!passwords.some(p => p.props.value === stack.props.clientSecret)) {
                    report("the stack's clientSecret output is not the value of a password slot.", stack.urn);
                }
            },
        },
    ];
}

/** Every policy of the pack. */
export function creatioPolicies(now: () => Date = () => new Date()) {
    return [...applicationPolicies, ...grantPolicies, ...passwordPolicies(now), ...stackPolicies(now),
        ...boundaryResourcePolicies(), ...boundaryStackPolicies()];
}
