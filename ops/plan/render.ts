/**
 * The plan: what the program declares for a stack, read from the declared resources (type and
 * inputs) and stack outputs, with every stand-in value shown as what it stands for. Pure: built
 * from the evaluation, rendered as text or as one JSON document.
 */
import { permissionsFor } from "../../lib/creatioProfile.ts";
import { ewsDeadlineLine } from "../../lib/ewsRetirement.ts";
import { EWS_ACCESS_AS_USER_ALL, EXCHANGE_ONLINE } from "../../lib/microsoftApis.ts";
import { ownersWarning } from "../../lib/owners.ts";
import { rotationPlan, rfc3339 } from "../../lib/rotation.ts";
import { DEFAULT_SIGN_IN_AUDIENCE } from "../../lib/settings.ts";
import { type StackConfig } from "./config.ts";
import { printable } from "../printable.ts";
import { type Evaluation, OFFSET_DEPENDENT, declaredOffsetRange, declaredPeriodDays } from "./program.ts";
import { ASSIGNED, type DeclaredResource, type Placeholder, clientIdText } from "./tenant.ts";

export const APPLICATION = "azuread:index/application:Application";
export const SERVICE_PRINCIPAL = "azuread:index/servicePrincipal:ServicePrincipal";
export const CONSENT_GRANT =
    "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant";
export const PASSWORD = "azuread:index/applicationPassword:ApplicationPassword";
export const RANDOM_INTEGER = "random:index/randomInteger:RandomInteger";
const LOOKUP_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal";

export const OFFSET_TEXT = "(set at the first pulumi up: depends on the rotation offset drawn then)";
export const DEPLOYER = "the identity that runs pulumi up";

export interface DelegatedPermission {
    api: string;
    apiAppId: string;
    scope: string;
    scopeId: string;
    type: string;
}

export interface ApplicationPlan {
    resource: string;
    action: string;
    displayName: unknown;
    signInAudience: unknown;
    redirectUris: unknown;
    permissions: DelegatedPermission[];
    owners: unknown[];
    clientId: string;
    objectId: string;
    otherSettings: Record<string, unknown>;
}

export interface ServicePrincipalPlan {
    resource: string;
    action: string;
    application: unknown;
    owners: unknown[];
    objectId: string;
    otherSettings: Record<string, unknown>;
}

export interface ConsentGrantPlan {
    resource: string;
    action: string;
    api: string;
    apiAppId: string;
    consentType: string;
    claims: unknown;
    otherSettings: Record<string, unknown>;
}

export interface SecretSlotPlan {
    resource: string;
    action: string;
    displayName: unknown;
    endDate: unknown;
    keyId: string;
    value: string;
    otherSettings: Record<string, unknown>;
}

export interface RotationPlanSummary {
    periodDays: number;
    /** Each secret is valid for two periods. */
    secretLifetimeDays: number;
    /** The configured cap on a secret's lifetime (maxSecretLifetimeDays) and the secretRotationDays it lowered, if any. */
    cap: { maxSecretLifetimeDays: number; secretRotationDays: string | undefined } | undefined;
    offset: { resource: string; minDays: number; maxDays: number; drawn: string } | undefined;
    /** If the first `pulumi up` ran at the plan's instant: the earliest and latest end of its window. */
    firstRotation: { earliest: string; latest: string } | undefined;
}

export interface Plan {
    stack: string;
    project: string;
    files: string[];
    at: string;
    configuration: { key: string; value: string; from: string }[];
    notes: string[];
    /** What the program logs (pulumi up shows it too), stand-in values as what they stand for. */
    programMessages: string[];
    application: ApplicationPlan[];
    servicePrincipal: ServicePrincipalPlan[];
    consentGrants: ConsentGrantPlan[];
    rotation: RotationPlanSummary | undefined;
    secretSlots: SecretSlotPlan[];
    otherResources: { type: string; resource: string; action: string; inputs: unknown }[];
    ewsAllowListCommand: unknown;
    /** For a registration that requests EWS: the day EWS in Exchange Online ends, with the days left at the plan's instant. */
    ewsDeadline: string | undefined;
    outputs: Record<string, unknown>;
}

/** Shows stand-in values as what they stand for: whole values by their text, inside texts by `<name>`. */
export function revealer(placeholders: Placeholder[]): (value: unknown) => unknown {
    const byValue = new Map(placeholders.map(p => [p.value, p]));
    const reveal = (value: unknown): unknown => {
        if (value === OFFSET_DEPENDENT) {
            return OFFSET_TEXT;
        }
        if (typeof value === "string") {
            const whole = byValue.get(value);
            if (whole) {
                return whole.text;
            }
            return placeholders.reduce((text, p) => text.split(p.value).join(`<${p.name}>`), value);
        }
        if (Array.isArray(value)) {
            return value.map(reveal);
        }
        if (typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
        }
        return value;
    };
    return reveal;
}

/** A text with every stand-in value in it replaced by what it stands for, made printable. */
export function revealedText(placeholders: Placeholder[], text: string): string {
    return printable(placeholders.reduce((shown, p) => shown.split(p.value).join(p.text), text));
}

/** Inputs as `a.b.c` paths to their values, without the ones a section shows itself. */
function otherSettings(inputs: Record<string, unknown>, shown: string[], reveal: (v: unknown) => unknown): Record<string, unknown> {
    const flat: Record<string, unknown> = {};
    const walk = (value: unknown, path: string) => {
        if (shown.includes(path)) {
            return;
        }
        if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
            for (const [k, v] of Object.entries(value)) {
                walk(v, path ? `${path}.${k}` : k);
            }
            return;
        }
        flat[path] = reveal(value);
    };
    walk(inputs, "");
    return flat;
}

function actionOf(resource: DeclaredResource): string {
    return resource.importId ? `adopt (import ${resource.importId})` : "create";
}

/** The ids of the delegated scopes this program knows, by API appId and scope id. */
const KNOWN_APIS = permissionsFor("any");

function delegatedPermissions(accesses: unknown): DelegatedPermission[] {
    if (!Array.isArray(accesses)) {
        return [];
    }
    return accesses.flatMap((access: { resourceAppId?: string; resourceAccesses?: { id?: string; type?: string }[] }) => {
        const known = KNOWN_APIS.find(a => a.api.appId === access.resourceAppId);
        return (access.resourceAccesses ?? []).map(entry => ({
            api: known?.api.displayName ?? "(an API this program does not name)",
            apiAppId: String(access.resourceAppId),
            scope: known?.scopes.find(s => s.id === entry.id)?.value ?? "(a scope id this program does not name)",
            scopeId: String(entry.id),
            // Entra ID: "Scope" is a delegated permission, "Role" an application permission.
            type: entry.type === "Scope" ? "delegated" : entry.type === "Role" ? "application" : String(entry.type),
        }));
    });
}

function ownersOf(inputs: Record<string, unknown>, reveal: (v: unknown) => unknown): unknown[] {
    const owners = inputs.owners;
    // Unset owners: the deploying identity (COMMON interface 2, declared by the program).
    return Array.isArray(owners) && owners.length > 0 ? owners.map(reveal) : [DEPLOYER];
}

/**
 * A stack that leaves signInAudience to Pulumi.yaml gets today's default, multitenant; one deployed
 * while the default was single tenant changes in place (the azuread provider updates
 * sign_in_audience with the application, it does not replace it).
 */
function audienceNotes(config: StackConfig): string[] {
    const key = `${config.project}:signInAudience`;
    if (config.sources[key] !== "Pulumi.yaml" || config.values[key] !== DEFAULT_SIGN_IN_AUDIENCE) {
        return [];
    }
    return [`signInAudience is not set in ${config.stackFile}, so the default ${DEFAULT_SIGN_IN_AUDIENCE} applies; ` +
        "a registration deployed while the default was AzureADMyOrg is changed to it in place at the next pulumi up " +
        "(same application, Client ID, secrets and consent). To keep AzureADMyOrg: " +
        `pulumi config set signInAudience AzureADMyOrg --stack ${config.stack}`];
}

/**
 * The program warns when `owners` leaves out the identity that runs `pulumi up`; the plan only has
 * a stand-in for that identity, so the warning would always fire and name no one. Said once
 * instead, as what the plan cannot know, when owners is set (unset owners is the deployer itself).
 */
function ownersNotes(evaluation: Evaluation): { notes: string[]; isStandInWarning: (message: string) => boolean } {
    const standIn = new Set(evaluation.placeholders.map(p => `warning: ${ownersWarning(p.value)}`));
    const configured = evaluation.declared
        .filter(r => r.type === APPLICATION)
        .map(r => r.inputs.owners)
        .find((owners): owners is unknown[] => Array.isArray(owners) && owners.length > 0 &&
            !owners.some(o => evaluation.placeholders.some(p => p.value === o)));
    const notes = configured === undefined ? [] : [
        `owners lists ${configured.length} object id${configured.length === 1 ? "" : "s"}. plan cannot know which identity ` +
        "will run pulumi up: if it is not among them, the azuread provider leaves it out of the owners of the application " +
        "and its service principal, and an identity with only the Microsoft Graph permission Application.ReadWrite.OwnedBy " +
        "can then no longer change them (later deploys and rotations fail). pulumi up warns when that is so, naming the " +
        "identity; with owners unset, that identity is the only owner.",
    ];
    return { notes, isStandInWarning: message => standIn.has(message) };
}

export interface PlanInput {
    config: StackConfig;
    evaluation: Evaluation;
    /** The instant the plan is made at: the first rotation is given as if `pulumi up` ran then. */
    now: Date;
}

export function buildPlan({ config, evaluation, now }: PlanInput): Plan {
    const reveal = revealer(evaluation.placeholders);
    const of = (type: string) => evaluation.declared.filter(r => r.type === type);
    const custom = new Set([APPLICATION, SERVICE_PRINCIPAL, CONSENT_GRANT, PASSWORD, RANDOM_INTEGER]);
    const prefix = `${config.project}:`;

    const principalApis = new Map<unknown, string>();
    for (const lookup of evaluation.lookups) {
        if (lookup.token === LOOKUP_SERVICE_PRINCIPAL && lookup.result) {
            principalApis.set(lookup.result.objectId, String(lookup.inputs.clientId));
        }
    }

    const period = declaredPeriodDays(evaluation);
    const capDays = evaluation.declared.map(r => r.inputs.maxSecretLifetimeDays).find(v => typeof v === "number");
    const range = declaredOffsetRange(evaluation);
    const offsetResource = of(RANDOM_INTEGER)[0];
    let firstRotation: RotationPlanSummary["firstRotation"];
    if (period !== undefined && range !== undefined) {
        const ends = [];
        for (let offset = range.min; offset <= range.max; offset++) {
            ends.push(rotationPlan(now, period, offset).rotatesAt.getTime());
        }
        firstRotation = {
            earliest: rfc3339(new Date(Math.min(...ends))),
            latest: rfc3339(new Date(Math.max(...ends))),
        };
    }

    const requestsEws = of(APPLICATION).some(r => delegatedPermissions(r.inputs.requiredResourceAccesses)
        .some(p => p.apiAppId === EXCHANGE_ONLINE.appId && p.scopeId === EWS_ACCESS_AS_USER_ALL.id));

    const outputs: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(evaluation.outputs)) {
        const shown = reveal(output.value);
        outputs[name] = output.secret ? `[secret] ${shown === output.value ? "" : String(shown)}`.trim() : shown;
    }

    const owners = ownersNotes(evaluation);

    return {
        stack: config.stack,
        project: config.project,
        files: ["Pulumi.yaml", config.stackFile],
        at: rfc3339(now),
        configuration: [
            ...Object.keys(config.values).sort().map(key => ({
                key: key.startsWith(prefix) ? key.slice(prefix.length) : key,
                value: config.values[key],
                from: config.sources[key],
            })),
            ...config.secureKeys.map(key => ({
                key: key.startsWith(prefix) ? key.slice(prefix.length) : key,
                value: "[secure: not decrypted]",
                from: config.stackFile,
            })),
        ],
        notes: [...config.notes, ...audienceNotes(config), ...owners.notes],
        programMessages: evaluation.messages
            .filter(message => !owners.isStandInWarning(message))
            .map(message => revealedText(evaluation.placeholders, message)),
        application: of(APPLICATION).map(r => ({
            resource: r.name,
            action: actionOf(r),
            displayName: reveal(r.inputs.displayName),
            signInAudience: reveal(r.inputs.signInAudience),
            redirectUris: reveal((r.inputs.web as { redirectUris?: unknown } | undefined)?.redirectUris),
            permissions: delegatedPermissions(r.inputs.requiredResourceAccesses),
            owners: ownersOf(r.inputs, reveal),
            clientId: r.importId ? clientIdText(r.importId) : `(${ASSIGNED})`,
            objectId: r.importId ? r.importId.replace(/^\/applications\//, "") : `(${ASSIGNED})`,
            otherSettings: otherSettings(r.inputs,
                ["displayName", "signInAudience", "web.redirectUris", "requiredResourceAccesses", "owners"], reveal),
        })),
        servicePrincipal: of(SERVICE_PRINCIPAL).map(r => ({
            resource: r.name,
            action: actionOf(r),
            application: reveal(r.inputs.clientId),
            owners: ownersOf(r.inputs, reveal),
            objectId: r.importId ? r.importId.replace(/^\/servicePrincipals\//, "") : `(${ASSIGNED})`,
            otherSettings: otherSettings(r.inputs, ["clientId", "owners"], reveal),
        })),
        consentGrants: of(CONSENT_GRANT).map(r => {
            const appId = principalApis.get(r.inputs.resourceServicePrincipalObjectId) ?? "(unknown)";
            return {
                resource: r.name,
                action: actionOf(r),
                api: KNOWN_APIS.find(a => a.api.appId === appId)?.api.displayName ?? String(reveal(r.inputs.resourceServicePrincipalObjectId)),
                apiAppId: appId,
                // A grant without a user is Graph's consentType AllPrincipals: "Grant admin consent".
                consentType: r.inputs.userObjectId === undefined
                    ? "AllPrincipals (admin consent for all users)"
                    : `Principal (one user: ${String(reveal(r.inputs.userObjectId))})`,
                claims: reveal(r.inputs.claimValues),
                otherSettings: otherSettings(r.inputs,
                    ["resourceServicePrincipalObjectId", "servicePrincipalObjectId", "claimValues", "userObjectId"], reveal),
            };
        }),
        rotation: period === undefined ? undefined : {
            periodDays: period,
            secretLifetimeDays: 2 * period,
            cap: typeof capDays !== "number" ? undefined : {
                maxSecretLifetimeDays: capDays,
                secretRotationDays: config.values[`${config.project}:secretRotationDays`],
            },
            offset: range && offsetResource && {
                resource: offsetResource.name,
                minDays: range.min,
                maxDays: range.max,
                drawn: "once, at the first pulumi up, and kept in the stack's state",
            },
            firstRotation,
        },
        secretSlots: of(PASSWORD).map(r => ({
            resource: r.name,
            action: actionOf(r),
            displayName: reveal(r.inputs.displayName),
            endDate: reveal(r.inputs.endDate),
            keyId: `(${ASSIGNED})`,
            value: `[secret] (${ASSIGNED})`,
            otherSettings: otherSettings(r.inputs, ["displayName", "endDate", "applicationId"], reveal),
        })),
        otherResources: evaluation.declared
            .filter(r => r.custom && !custom.has(r.type))
            .map(r => ({ type: r.type, resource: r.name, action: actionOf(r), inputs: reveal(r.inputs) })),
        ewsAllowListCommand: outputs.ewsAllowListScript,
        ewsDeadline: requestsEws ? ewsDeadlineLine(now) : undefined,
        outputs,
    };
}

/** A value for people: text as it is, numbers and booleans bare, lists by their items; made printable. */
function show(value: unknown): string {
    if (typeof value === "string") {
        return printable(value);
    }
    if (Array.isArray(value) && value.every(v => typeof v !== "object" || v === null)) {
        return value.length === 0 ? "(none)" : value.map(show).join(", ");
    }
    return printable(String(JSON.stringify(value)));
}

function settingsLines(settings: Record<string, unknown>, indent: string): string[] {
    return Object.entries(settings).map(([path, value]) => `${indent}${path}: ${show(value)}`);
}

/**
 * The portal's "Supported account types" for a signInAudience (Microsoft, "Validation differences by
 * supported account types", MicrosoftDocs/entra-docs docs/identity-platform/supported-accounts-validation.md).
 */
const ACCOUNT_TYPES: Record<string, string> = {
    AzureADMyOrg: "Accounts in this organizational directory only (Single tenant)",
    AzureADMultipleOrgs: "Accounts in any organizational directory (Any Microsoft Entra directory - Multitenant)",
};

/** "1 app registration", "2 client secrets". */
function count(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/**
 * The last line: how many resources pulumi up would create and adopt, by kind. The rotation offset
 * is a resource of the stack's state only (random provider), nothing in Entra ID.
 */
export function summaryLine(plan: Plan): string {
    const kinds: [string, { action: string }[]][] = [
        ["app registration", plan.application],
        ["service principal", plan.servicePrincipal],
        ["admin consent grant", plan.consentGrants],
        ["client secret", plan.secretSlots],
        ["rotation offset (in the stack's state only)", plan.rotation?.offset ? [{ action: "create" }] : []],
        ["other resource", plan.otherResources],
    ];
    const phrase = (adopted: boolean) => {
        const parts = kinds
            .map(([what, items]) => [what, items.filter(i => i.action.startsWith("adopt") === adopted).length] as const)
            .filter(([, n]) => n > 0);
        const total = parts.reduce((sum, [, n]) => sum + n, 0);
        return total === 0 ? undefined : { total, list: parts.map(([what, n]) => count(n, what)).join(", ") };
    };
    const created = phrase(false);
    const adopted = phrase(true);
    const sentences = [
        created && `Would create ${count(created.total, "resource")}: ${created.list}.`,
        adopted && `Would adopt ${count(adopted.total, "existing resource")} (import, nothing created in their place): ${adopted.list}.`,
    ].filter((s): s is string => s !== undefined);
    return sentences.length > 0 ? sentences.join(" ") : "Would create nothing.";
}

/**
 * Where the Client ID and secret go in Creatio: the Microsoft 365 mail service's "Application
 * (client) ID" and "Client secret" fields, authentication "OAuth 2.0" (Creatio documentation, "Set
 * up the MS Exchange and Microsoft 365 services"), stored in the OAuthApplications record the mail
 * server points to, columns ClientId and SecretKey (Creatio 8.1 source, OAuthApplicationsSchema.CrtBase.cs).
 */
function creatioLines(plan: Plan): string[] {
    const stack = plan.stack;
    return [
        "In Creatio, after pulumi up:",
        "  The Microsoft 365 mail service (authentication OAuth 2.0) takes two fields:",
        "    Application (client) ID  the stack output clientId",
        "    Client secret            the stack output clientSecret",
        `  Print both (the secret too):  npm run -s credentials -- --stack ${stack} --format creatio`,
        `  Or write them into Creatio:   npm run -s deliver -- --stack ${stack} --mail-server <mail server name>`,
        "    (--mail-server the first time; later runs find every OAuthApplications record that holds the Client ID.",
        "    Signs in with CREATIO_USERNAME and CREATIO_PASSWORD, or CREATIO_IDENTITY_URL, CREATIO_API_CLIENT_ID and",
        "    CREATIO_API_CLIENT_SECRET)",
    ];
}

/**
 * The plan for people: the same content as the JSON form, under the names the Entra admin center
 * gives things (App registrations: Authentication, API permissions, Grant admin consent,
 * Certificates & secrets; Enterprise applications), the provider's property names beside them.
 */
export function renderText(plan: Plan): string {
    const lines: string[] = [];
    const add = (...more: string[]) => lines.push(...more);
    add(`Plan of stack "${plan.stack}" (project ${plan.project}) from ${plan.files.join(" and ")}, at ${plan.at}.`,
        "Nothing was sent anywhere: the Entra ID tenant was stood in for. Values marked",
        `"${ASSIGNED}" exist only after pulumi up.`, "");
    add("Configuration (as pulumi up passes it to the program):");
    const width = Math.max(...plan.configuration.map(c => c.key.length));
    for (const c of plan.configuration) {
        const value = c.value === "" ? "(not set)" : show(c.value);
        add(`  ${printable(c.key).padEnd(width)}  ${value}  (${c.from})`);
    }
    for (const note of plan.notes) {
        add(`  Note: ${note}`);
    }
    if (plan.programMessages.length > 0) {
        add("", "Messages from the program (pulumi up shows them too):", ...plan.programMessages.map(m => `  ${m}`));
    }
    for (const app of plan.application) {
        const audience = show(app.signInAudience);
        add("", `App registration ${app.resource}: ${app.action}`,
            `  Display name:             ${show(app.displayName)}`,
            `  Supported account types:  ${ACCOUNT_TYPES[audience] ? `${ACCOUNT_TYPES[audience]}, ` : ""}signInAudience ${audience}`,
            "  Authentication, Redirect URIs (Web):");
        for (const uri of Array.isArray(app.redirectUris) ? app.redirectUris : [app.redirectUris]) {
            add(`    ${show(uri)}`);
        }
        add("  API permissions:");
        for (const p of app.permissions) {
            const type = p.type === "delegated" ? "Delegated" : p.type === "application" ? "Application" : p.type;
            add(`    ${p.api}: ${p.scope}, ${type} (API ${p.apiAppId}, permission ${p.scopeId})`);
        }
        add(`  Owners:                   ${app.owners.map(show).join(", ")}`,
            `  Application (client) ID:  ${app.clientId}`,
            `  Object ID:                ${app.objectId}`,
            "  Other settings (the azuread provider's names):", ...settingsLines(app.otherSettings, "    "));
    }
    for (const sp of plan.servicePrincipal) {
        add("", `Enterprise application (service principal) ${sp.resource}: ${sp.action}`,
            `  Of the application: ${show(sp.application)}`,
            `  Owners:             ${sp.owners.map(show).join(", ")}`,
            `  Object ID:          ${sp.objectId}`, ...settingsLines(sp.otherSettings, "  "));
    }
    for (const grant of plan.consentGrants) {
        const consent = grant.consentType.startsWith("AllPrincipals")
            ? "for all users of the tenant (consentType AllPrincipals)" : grant.consentType;
        add("", `Grant admin consent ${grant.resource}: ${grant.action}`,
            `  API:          ${grant.api} (${grant.apiAppId}), looked up in the tenant, never created`,
            `  Consent:      ${consent}`,
            `  Permissions:  ${Array.isArray(grant.claims) ? grant.claims.map(show).join(" ") : show(grant.claims)}`,
            ...settingsLines(grant.otherSettings, "  "));
    }
    if (plan.rotation) {
        const r = plan.rotation;
        add("", "Client secret rotation:",
            `  Period:          ${r.periodDays} days; each secret is valid for ${r.secretLifetimeDays} days`);
        if (r.cap) {
            const asked = r.cap.secretRotationDays;
            add(`  Lifetime cap:    ${r.cap.maxSecretLifetimeDays} days (maxSecretLifetimeDays): ` +
                (asked !== undefined && asked !== String(r.periodDays)
                    ? `the period is lowered from secretRotationDays ${asked} to ${r.periodDays} days`
                    : "the period is within it"));
        }
        if (r.offset) {
            add(`  Offset:          ${r.offset.minDays} to ${r.offset.maxDays} days (${r.offset.resource}), ` +
                `drawn ${r.offset.drawn}`);
        }
        if (r.firstRotation) {
            add(`  First rotation:  between ${r.firstRotation.earliest} and ${r.firstRotation.latest} ` +
                `(if the first pulumi up runs at ${plan.at})`);
        }
    }
    for (const slot of plan.secretSlots) {
        add("", `Certificates & secrets, client secret ${slot.resource}: ${slot.action}`,
            `  Description:  ${show(slot.displayName)}`,
            `  Expires:      ${show(slot.endDate)}`,
            `  Secret ID:    ${slot.keyId}`,
            `  Value:        ${slot.value}`, ...settingsLines(slot.otherSettings, "  "));
    }
    for (const other of plan.otherResources) {
        add("", `${other.type} ${other.resource}: ${other.action}`, `  ${show(other.inputs)}`);
    }
    if (typeof plan.ewsAllowListCommand === "string") {
        add("", "EWS allow list: after pulumi up, an Exchange administrator runs in Exchange Online PowerShell:",
            ...plan.ewsAllowListCommand.replace(/\n$/, "").split("\n").map(line => `  ${line}`));
    }
    if (plan.ewsDeadline !== undefined) {
        add("", plan.ewsDeadline);
    }
    add("", "Stack outputs:");
    for (const [name, value] of Object.entries(plan.outputs)) {
        add(`  ${name}: ${name === "ewsAllowListScript" ? "(the EWS allow list command above)" : show(value)}`);
    }
    add("", ...creatioLines(plan), "", summaryLine(plan));
    return lines.join("\n") + "\n";
}
