/**
 * Stack configuration: validation and the settings derived from it. Pure: it runs before any
 * resource is declared, so a stack with bad config creates nothing.
 */
import { ConfigError, given, problem, quoted } from "./configProblems.ts";
import { displayNameProblems } from "./displayName.ts";
import { GUID_EXAMPLE, isGuid, objectIdProblem, readGuid } from "./guid.ts";
import { cappedPeriodDays } from "./rotation.ts";
import { type Registration, readSiteUrl } from "./siteUrl.ts";

export { ConfigError };
import { type CreatioProfile, parseCreatioVersion, permissionsFor, profileFor } from "./creatioProfile.ts";
import { EXCHANGE_ONLINE, MICROSOFT_GRAPH } from "./microsoftApis.ts";

/** Config values as Pulumi hands them over: text, structured values as JSON, empty when unset. */
export interface RawConfig {
    siteName?: string;
    siteUrl?: string;
    creatioVersion?: string;
    /** `true` or `false`. */
    netCore?: string;
    signInAudience?: string;
    displayName?: string;
    /** A JSON list of object ids. */
    owners?: string;
    secretRotationDays?: string;
    /** A whole number of days; `0` (Pulumi.yaml's default) is no cap. */
    maxSecretLifetimeDays?: string;
    existingApplicationObjectId?: string;
    existingServicePrincipalObjectId?: string;
    existingExchangeConsentGrantId?: string;
    existingGraphConsentGrantId?: string;
}

/** The config keys, in the order they are documented. */
export const CONFIG_KEYS: readonly (keyof RawConfig)[] = [
    "siteName",
    "siteUrl",
    "creatioVersion",
    "netCore",
    "signInAudience",
    "displayName",
    "owners",
    "secretRotationDays",
    "maxSecretLifetimeDays",
    "existingApplicationObjectId",
    "existingServicePrincipalObjectId",
    "existingExchangeConsentGrantId",
    "existingGraphConsentGrantId",
];

/** A registration made in the portal, to adopt with Pulumi's `import` option instead of creating it. */
export interface ExistingRegistration {
    applicationObjectId: string;
    /** Absent: the registration has no service principal yet, and one is created. */
    servicePrincipalObjectId?: string;
    /** The id of each admin-consent grant to adopt, by API key (`exchange`, `graph`); absent ones are created. */
    consentGrantIds: Record<string, string>;
}

/**
 * The account types the registration accepts (Graph `application.signInAudience`). Only the two
 * that are work or school accounts: multitenant, the default, because Creatio signs mailboxes in
 * through the `common` authority, which Entra ID refuses for single-tenant apps (AADSTS50194); or
 * single tenant as Creatio documents it (see docs/configuration.md, "Which sign-in audience").
 */
export const SIGN_IN_AUDIENCES = ["AzureADMyOrg", "AzureADMultipleOrgs"] as const;
export type SignInAudience = typeof SIGN_IN_AUDIENCES[number];
export const DEFAULT_SIGN_IN_AUDIENCE: SignInAudience = "AzureADMultipleOrgs";

/** What `pulumi up` (and `plan`) warn about a stack that chose the single-tenant audience. */
export const SINGLE_TENANT_WARNING = "signInAudience is AzureADMyOrg (single tenant): Creatio signs mailboxes in through " +
    "the common authority (login.microsoftonline.com/common), which Entra ID refuses for a single-tenant app with " +
    "AADSTS50194, unless a mailbox sign-in in Creatio has shown otherwise on this tenant; AzureADMultipleOrgs, the " +
    "default, works with both. See docs/configuration.md, Which sign-in audience.";

export interface Settings {
    /** `https://acme.creatio.com` or the configured siteUrl, without a trailing slash. */
    siteBaseUrl: string;
    profile: CreatioProfile;
    /** Creatio on .NET Core / .NET 6+: its URLs have no `/0`. */
    netCore: boolean;
    signInAudience: SignInAudience;
    displayName: string;
    owners: string[];
    /** The rotation period in force: secretRotationDays, lowered to half of maxSecretLifetimeDays when that is set. */
    secretRotationDays: number;
    /** The tenant's cap on a client secret's lifetime, when configured. */
    maxSecretLifetimeDays?: number;
    existing?: ExistingRegistration;
}

export const DEFAULT_SECRET_ROTATION_DAYS = 180;
export const MIN_SECRET_ROTATION_DAYS = 7;
export const MAX_SECRET_ROTATION_DAYS = 365;

/** Two rotation periods of the shortest and the longest length: what a cap on a secret's lifetime may be. */
export const MIN_SECRET_LIFETIME_DAYS = 2 * MIN_SECRET_ROTATION_DAYS;
export const MAX_SECRET_LIFETIME_DAYS = 2 * MAX_SECRET_ROTATION_DAYS;

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const SITE_NAME_ALLOWED =
    "one DNS label of a-z, 0-9 and hyphens, 1 to 63 characters, not starting or ending with a hyphen";

/** For a pasted `acme.creatio.com` or `https://acme.creatio.com/`, the site name `acme`. */
function siteNameInside(value: string): string | undefined {
    const host = value.toLowerCase().replace(/^[a-z]+:\/\//, "").split(/[/?#]/)[0].split(":")[0];
    const match = /^([^.]+)\.creatio\.com\.?$/.exec(host);
    return match && DNS_LABEL.test(match[1]) ? match[1] : undefined;
}

function checkSiteName(value: string, problems: string[]): string | undefined {
    const name = value.toLowerCase();
    if (DNS_LABEL.test(name)) {
        return name;
    }
    const pasted = siteNameInside(value);
    let hint = "";
    if (pasted !== undefined) {
        hint = `; set siteName to ${pasted}`;
    } else if (/[.:/]/.test(value)) {
        hint = "; for a site that is not on creatio.com, unset siteName and set siteUrl to its https base URL";
    }
    problems.push(problem("siteName", value, "not a site name", SITE_NAME_ALLOWED) + hint);
    return undefined;
}

function checkSiteUrl(value: string, registration: Registration | undefined, problems: string[]): string | undefined {
    const reading = readSiteUrl(value, registration);
    if ("problem" in reading) {
        problems.push(reading.problem);
        return undefined;
    }
    return reading.baseUrl;
}

/** Ids of oauth2PermissionGrants: base64url text, 43 characters in practice. */
const GRANT_ID = /^[A-Za-z0-9_-]{20,100}$/;

function checkExisting(raw: RawConfig, profile: CreatioProfile | undefined, problems: string[]): ExistingRegistration | undefined {
    const app = given(raw.existingApplicationObjectId);
    const sp = given(raw.existingServicePrincipalObjectId);
    const grants: [string, string, string | undefined][] = [
        ["existingExchangeConsentGrantId", EXCHANGE_ONLINE.key, given(raw.existingExchangeConsentGrantId)],
        ["existingGraphConsentGrantId", MICROSOFT_GRAPH.key, given(raw.existingGraphConsentGrantId)],
    ];
    const guidAllowed = `the Object ID shown on the Overview page in the portal, such as ${GUID_EXAMPLE}`;
    const objectIds: [string, string | undefined][] = [
        ["existingApplicationObjectId", app],
        ["existingServicePrincipalObjectId", sp],
    ];
    for (const [key, value] of objectIds) {
        if (value === undefined) {
            continue;
        }
        const why = objectIdProblem(value);
        if (why !== undefined) {
            problems.push(problem(key, value, why, guidAllowed));
        }
    }
    if (app !== undefined && sp !== undefined && app.toLowerCase() === sp.toLowerCase()) {
        problems.push(`existingApplicationObjectId and existingServicePrincipalObjectId are both ${quoted(app)}; ` +
            "allowed: the service principal's own Object ID (Enterprise applications), which differs from its application's");
    }
    if (sp !== undefined && app === undefined) {
        problems.push(problem("existingServicePrincipalObjectId", sp, "set without existingApplicationObjectId",
            "a service principal only together with its application"));
    }
    const [exchangeGrant, graphGrant] = grants.map(([, , value]) => value);
    if (exchangeGrant !== undefined && exchangeGrant === graphGrant) {
        problems.push(`existingExchangeConsentGrantId and existingGraphConsentGrantId are both ${quoted(exchangeGrant)}; ` +
            "allowed: each the id of its own API's grant (one grant holds the scopes of one API)");
    }
    const consentGrantIds: Record<string, string> = {};
    for (const [key, api, value] of grants) {
        if (value === undefined) {
            continue;
        }
        if (!GRANT_ID.test(value)) {
            problems.push(problem(key, value, "not a delegated permission grant id",
                "the id of an oauth2PermissionGrant, 20 to 100 letters, digits, - and _"));
        } else if (sp === undefined) {
            problems.push(problem(key, value, "set without existingServicePrincipalObjectId",
                "a consent grant only together with the service principal it belongs to"));
        } else if (profile !== undefined && !permissionsFor(profile).some(access => access.api.key === api)) {
            problems.push(problem(key, value, "creatioVersion 7.16 declares no Microsoft Graph grant",
                "unset, or a creatioVersion that uses Microsoft Graph (7.17 or later, or unset)"));
        } else {
            consentGrantIds[api] = value;
        }
    }
    if (app === undefined || !isGuid(app)) {
        return undefined;
    }
    return {
        applicationObjectId: readGuid(app)!,
        servicePrincipalObjectId: readGuid(sp),
        consentGrantIds,
    };
}

function checkCreatioVersion(value: string, problems: string[]): CreatioProfile | undefined {
    const version = parseCreatioVersion(value);
    if (version === undefined) {
        problems.push(problem("creatioVersion", value, "not a supported Creatio version",
            "7.16, 7.17, 7.18, 8 or later (such as 8.1 or 8.1.2), or unset for both the 7.16 and the 7.17+ settings"));
        return undefined;
    }
    return profileFor(version);
}

const SIGN_IN_AUDIENCE_ALLOWED = "AzureADMultipleOrgs (multitenant, the default, for Creatio's sign-in through the " +
    "common authority) or AzureADMyOrg (single tenant, as Creatio documents it), written exactly so";

function checkSignInAudience(value: string, problems: string[]): SignInAudience | undefined {
    const audience = SIGN_IN_AUDIENCES.find(allowed => allowed === value);
    if (audience !== undefined) {
        return audience;
    }
    // Graph compares the value exactly; say which one was meant when only the letter case differs.
    const meant = SIGN_IN_AUDIENCES.find(allowed => allowed.toLowerCase() === value.trim().toLowerCase());
    problems.push(problem("signInAudience", value, "not a supported sign-in audience", SIGN_IN_AUDIENCE_ALLOWED) +
        (meant === undefined ? "" : `; set signInAudience to ${meant}`));
    return undefined;
}

function checkNetCore(value: string, problems: string[]): boolean | undefined {
    if (value === "true" || value === "false") {
        return value === "true";
    }
    problems.push(problem("netCore", value, "not a boolean",
        "true for Creatio on .NET Core / .NET 6+ (no /0 in its URLs), false (the default) for .NET Framework and Creatio's cloud"));
    return undefined;
}

function checkSecretRotationDays(value: string, problems: string[]): number | undefined {
    const days = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
    if (days >= MIN_SECRET_ROTATION_DAYS && days <= MAX_SECRET_ROTATION_DAYS) {
        return days;
    }
    problems.push(problem("secretRotationDays", value, "not a valid rotation period",
        `a whole number of days from ${MIN_SECRET_ROTATION_DAYS} to ${MAX_SECRET_ROTATION_DAYS}`));
    return undefined;
}

/** `0` means no cap, as Pulumi.yaml's default gives it. */
function checkMaxSecretLifetimeDays(value: string, problems: string[]): number | undefined | null {
    const days = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
    if (days === 0) {
        return undefined;
    }
    if (days >= MIN_SECRET_LIFETIME_DAYS && days <= MAX_SECRET_LIFETIME_DAYS) {
        return days;
    }
    problems.push(problem("maxSecretLifetimeDays", value, "not a valid secret lifetime",
        `0 (no cap, the default) or a whole number of days from ${MIN_SECRET_LIFETIME_DAYS} to ${MAX_SECRET_LIFETIME_DAYS}: ` +
        "the longest lifetime the tenant's app management policy allows a client secret; each secret lives two rotation " +
        `periods of ${MIN_SECRET_ROTATION_DAYS} to ${MAX_SECRET_ROTATION_DAYS} days`));
    return null;
}

/** Entra ID service limits: "A maximum of 100 users and service principals can be owners of a single application." */
const MAX_OWNERS = 100;

function checkOwners(value: string, problems: string[]): string[] {
    let list: unknown;
    try {
        list = JSON.parse(value);
    } catch {
        list = undefined;
    }
    if (!Array.isArray(list)) {
        problems.push(problem("owners", value, "not a list",
            "a list of object ids, set with: pulumi config set --path 'owners[0]' <object id>"));
        return [];
    }
    const owners: string[] = [];
    list.forEach((owner: unknown, i) => {
        const why = objectIdProblem(owner);
        if (why !== undefined) {
            problems.push(problem(`owners[${i}]`, owner, why, `the Object ID of a user or service principal, such as ${GUID_EXAMPLE}`));
        } else {
            owners.push(readGuid(owner)!);
        }
    });
    const distinct = [...new Set(owners)];
    if (distinct.length > MAX_OWNERS) {
        problems.push(`owners lists ${distinct.length} different object ids; allowed: at most ${MAX_OWNERS}, ` +
            "Entra ID's limit of owners of one application");
    }
    return distinct;
}

/**
 * Validates the raw stack config and derives the settings. Throws a ConfigError naming every
 * bad key, its value and what is allowed.
 */
export function validateConfig(raw: RawConfig): Settings {
    const problems: string[] = [];
    const siteName = given(raw.siteName);
    const siteUrl = given(raw.siteUrl);

    // The version and the runtime decide the redirect URIs whose length siteUrl is checked for;
    // their problems are listed after the site's.
    const versionProblems: string[] = [];
    const version = given(raw.creatioVersion);
    const profile = version === undefined ? profileFor(undefined) : checkCreatioVersion(version, versionProblems);

    const netCoreText = given(raw.netCore);
    const netCore = netCoreText === undefined ? false : checkNetCore(netCoreText, versionProblems);

    let siteBaseUrl: string | undefined;
    if (siteName === undefined && siteUrl === undefined) {
        problems.push("siteName or siteUrl must be set: siteName for a Creatio cloud site " +
            "(acme for https://acme.creatio.com), siteUrl for the https base URL of any other site");
    } else if (siteName !== undefined && siteUrl !== undefined) {
        problems.push(`siteName = ${quoted(siteName)} and siteUrl = ${quoted(siteUrl)} ` +
            "are both set; allowed: only one of them, siteName for a *.creatio.com site, siteUrl for any other");
    } else if (siteName !== undefined) {
        const name = checkSiteName(siteName, problems);
        siteBaseUrl = name && `https://${name}.creatio.com`;
    } else {
        siteBaseUrl = checkSiteUrl(siteUrl!,
            profile !== undefined && netCore !== undefined ? { profile, netCore } : undefined, problems);
    }
    problems.push(...versionProblems);

    const audienceText = given(raw.signInAudience);
    const signInAudience = audienceText === undefined ? DEFAULT_SIGN_IN_AUDIENCE : checkSignInAudience(audienceText, problems);

    const rotation = given(raw.secretRotationDays);
    const secretRotationDays = rotation === undefined
        ? DEFAULT_SECRET_ROTATION_DAYS
        : checkSecretRotationDays(rotation, problems);

    const lifetimeText = given(raw.maxSecretLifetimeDays);
    const maxSecretLifetimeDays = lifetimeText === undefined ? undefined : checkMaxSecretLifetimeDays(lifetimeText, problems);

    const ownersText = given(raw.owners);
    const owners = ownersText === undefined ? [] : checkOwners(ownersText, problems);

    const existing = checkExisting(raw, profile, problems);

    const displayNameText = given(raw.displayName);
    if (displayNameText !== undefined) {
        problems.push(...displayNameProblems(displayNameText));
    }

    if (problems.length > 0 || siteBaseUrl === undefined || profile === undefined || secretRotationDays === undefined ||
        netCore === undefined || signInAudience === undefined || maxSecretLifetimeDays === null) {
        throw new ConfigError(problems);
    }
    return {
        siteBaseUrl,
        profile,
        netCore,
        signInAudience,
        displayName: displayNameText?.trim() ?? defaultDisplayName(siteBaseUrl),
        owners,
        secretRotationDays: cappedPeriodDays(secretRotationDays, maxSecretLifetimeDays),
        ...(maxSecretLifetimeDays !== undefined && { maxSecretLifetimeDays }),
        ...(existing && { existing }),
    };
}

/** `Creatio acme.creatio.com (Microsoft 365)`: the site without its scheme. */
export function defaultDisplayName(siteBaseUrl: string): string {
    return `Creatio ${siteBaseUrl.replace(/^https:\/\//, "")} (Microsoft 365)`;
}
