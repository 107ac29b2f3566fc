import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as random from "@pulumi/random";
import { type CreatioProfile, permissionsFor, redirectUrisFor } from "../lib/creatioProfile.ts";
import { ewsAllowListScript } from "../lib/ewsAllowList.ts";
import { type MicrosoftApi } from "../lib/microsoftApis.ts";
import { ownership } from "../lib/owners.ts";
import { type ExistingRegistration, SINGLE_TENANT_WARNING, type SignInAudience } from "../lib/settings.ts";
import { MAX_OFFSET_DAYS, type RotationPlan, SLOTS, isoDay, rfc3339, rotationPlan } from "../lib/rotation.ts";

export interface CreatioOAuthAppArgs {
    /** The Creatio site's https base URL without a trailing slash: `https://acme.creatio.com`. */
    siteBaseUrl: string;
    /**
     * Which Creatio versions to serve: it selects the redirect URIs and the delegated permissions.
     * A plain value: it decides which consent grants exist.
     */
    profile: CreatioProfile;
    /** Creatio on .NET Core / .NET 6+: redirect URIs without `/0`. */
    netCore: boolean;
    /** The account types the registration accepts. */
    signInAudience: SignInAudience;
    /** The app registration's display name. */
    displayName: string;
    /**
     * Object ids of the users or service principals owning the application and its service principal,
     * exactly. Unset or empty: the identity running `pulumi up`.
     */
    owners?: string[];
    /** The length of a rotation window in days: a new client secret every this many days. */
    secretRotationDays: number;
    /**
     * The tenant's cap on a secret's lifetime, recorded for the policy pack and the plan; the
     * period must already be within it (validateConfig lowers it).
     */
    maxSecretLifetimeDays?: number;
    /** A portal-made registration to adopt (Pulumi's `import` option) instead of creating one. */
    existing?: ExistingRegistration;
    /** The instant the rotation schedule is evaluated at. Defaults to now. */
    now?: Date;
}

/**
 * An Entra ID app registration for Creatio's Microsoft 365 email integration: the application
 * with its redirect URIs and delegated permissions, its service principal, tenant-wide admin
 * consent, and two client secrets that take turns on a fixed schedule.
 */
export class CreatioOAuthApp extends pulumi.ComponentResource {
    readonly application: azuread.Application;
    readonly servicePrincipal: azuread.ServicePrincipal;
    /** One admin-consent grant per API of the profile: Exchange Online first, then Microsoft Graph. */
    readonly consentGrants: azuread.ServicePrincipalDelegatedPermissionGrant[];
    readonly rotationOffset: random.RandomInteger;
    /** The two password slots, a and b. */
    readonly passwords: azuread.ApplicationPassword[];

    readonly clientId: pulumi.Output<string>;
    /** The newest client secret, a Pulumi secret. */
    readonly clientSecret: pulumi.Output<string>;
    readonly tenantId: pulumi.Output<string>;
    readonly redirectUris: pulumi.Output<string[]>;
    readonly applicationObjectId: pulumi.Output<string>;
    readonly servicePrincipalObjectId: pulumi.Output<string>;
    /** RFC 3339: when the newest secret expires. */
    readonly clientSecretExpiresAt: pulumi.Output<string>;
    /** RFC 3339: from when the next `pulumi up` puts a new secret in place. */
    readonly clientSecretRotatesAt: pulumi.Output<string>;
    /** The key id of the newest secret (the one `clientSecret` holds). Not secret. */
    readonly clientSecretKeyId: pulumi.Output<string>;
    /** The key id of the other slot's secret, which expires at `clientSecretRotatesAt`. */
    readonly previousClientSecretKeyId: pulumi.Output<string>;
    /**
     * Each slot on its own, whatever the schedule says, so that a command can prove and deliver one
     * slot on purpose (rotate-now replaces them one at a time): its secret (a Pulumi secret), key id
     * and end date (RFC 3339).
     */
    readonly slots: { secret: pulumi.Output<string>; keyId: pulumi.Output<string>; expiresAt: pulumi.Output<string> }[];
    /** What the stack is configured for, as recorded on the component. */
    readonly siteBaseUrl: pulumi.Output<string>;
    readonly netCore: pulumi.Output<boolean>;
    readonly signInAudience: pulumi.Output<SignInAudience>;
    readonly secretRotationDays: pulumi.Output<number>;
    /** Exchange Online PowerShell that puts this app on the tenant's EWS allow list. */
    readonly ewsAllowListScript: pulumi.Output<string>;

    constructor(name: string, args: CreatioOAuthAppArgs, opts?: pulumi.ComponentResourceOptions) {
        // What the stack was configured for, recorded on the component so that the policy pack can
        // hold the registration to it.
        // The stack policies see the component's registered outputs, so they are registered again below.
        const configured = {
            siteBaseUrl: args.siteBaseUrl,
            profile: args.profile,
            netCore: args.netCore,
            signInAudience: args.signInAudience,
            secretRotationDays: args.secretRotationDays,
            ...(args.maxSecretLifetimeDays !== undefined && { maxSecretLifetimeDays: args.maxSecretLifetimeDays }),
            owners: args.owners ?? [],
        };
        if (args.maxSecretLifetimeDays !== undefined && 2 * args.secretRotationDays > args.maxSecretLifetimeDays) {
            throw new Error(`CreatioOAuthApp ${name}: secretRotationDays ${args.secretRotationDays} gives secrets of up to ` +
                `${2 * args.secretRotationDays} days, beyond maxSecretLifetimeDays ${args.maxSecretLifetimeDays}`);
        }
        super("creatio:m365:CreatioOAuthApp", name, configured, opts);
        if (args.signInAudience === "AzureADMyOrg") {
            pulumi.log.warn(SINGLE_TENANT_WARNING, this);
        }
        const clientConfig = azuread.getClientConfigOutput({ parent: this });
        const owners = clientConfig.objectId.apply(deployer => {
            const decided = ownership(args.owners ?? [], deployer);
            if (decided.warning !== undefined) {
                pulumi.log.warn(decided.warning, this);
            }
            return decided.owners;
        });
        const redirectUris = redirectUrisFor(args.siteBaseUrl, args.profile, args.netCore);
        const permissions = permissionsFor(args.profile);
        const existing = args.existing;

        this.application = new azuread.Application(`${name}-app`, {
            displayName: args.displayName,
            signInAudience: args.signInAudience,
            preventDuplicateNames: true,
            owners,
            notes: `Managed by Pulumi (project ${pulumi.getProject()}, stack ${pulumi.getStack()}); ` +
                "change it in code, not in the portal.",
            web: {
                redirectUris,
                implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false },
            },
            fallbackPublicClientEnabled: false,
            requiredResourceAccesses: permissions.map(({ api, scopes }) => ({
                resourceAppId: api.appId,
                resourceAccesses: scopes.map(scope => ({ id: scope.id, type: "Scope" })),
            })),
        }, { parent: this, import: existing && `/applications/${existing.applicationObjectId}` });

        this.servicePrincipal = new azuread.ServicePrincipal(`${name}-sp`, {
            clientId: this.application.clientId,
            owners,
        }, {
            parent: this,
            import: existing?.servicePrincipalObjectId && `/servicePrincipals/${existing.servicePrincipalObjectId}`,
        });

        // No userObjectId: the grant's consent type is AllPrincipals, i.e. "Grant admin consent".
        // Adopting a grant made with the portal's button avoids the 409 its twin would meet.
        this.consentGrants = permissions.map(({ api, scopes }) => {
            const grantId = existing?.consentGrantIds[api.key];
            return new azuread.ServicePrincipalDelegatedPermissionGrant(`${name}-consent-${api.key}`, {
                servicePrincipalObjectId: this.servicePrincipal.objectId,
                resourceServicePrincipalObjectId: lookUpServicePrincipal(api, this),
                claimValues: scopes.map(scope => scope.value),
            }, { parent: this, import: grantId && `/oauth2PermissionGrants/${grantId}` });
        });

        // A stable per-stack shift of the rotation windows, so stacks do not all rotate on one day.
        this.rotationOffset = new random.RandomInteger(`${name}-rotation-offset`, {
            min: 0,
            max: MAX_OFFSET_DAYS,
        }, { parent: this });
        const now = args.now ?? new Date();
        const plan: pulumi.Output<RotationPlan> = this.rotationOffset.result.apply(
            offset => rotationPlan(now, args.secretRotationDays, offset));

        this.passwords = SLOTS.map(slot => {
            const letter = "ab"[slot];
            const secret = plan.apply(p => p.slots[slot]);
            return new azuread.ApplicationPassword(`${name}-secret-${letter}`, {
                applicationId: this.application.id,
                displayName: secret.apply(s => `Creatio client secret ${letter}, window from ${isoDay(s.window.start)}`),
                endDate: secret.apply(s => rfc3339(s.endDate)),
                rotateWhenChanged: { windowStart: secret.apply(s => rfc3339(s.window.start)) },
            }, { parent: this });
        });
        const [a, b] = this.passwords;

        this.clientId = this.application.clientId;
        this.clientSecret = pulumi.secret(pulumi.all([plan, a.value, b.value])
            .apply(([p, valueA, valueB]) => (p.newestSlot === 0 ? valueA : valueB)));
        this.tenantId = clientConfig.tenantId;
        this.redirectUris = pulumi.output(redirectUris);
        this.applicationObjectId = this.application.objectId;
        this.servicePrincipalObjectId = this.servicePrincipal.objectId;
        this.clientSecretExpiresAt = pulumi.all([plan, a.endDate, b.endDate])
            .apply(([p, endA, endB]) => (p.newestSlot === 0 ? endA : endB));
        this.clientSecretRotatesAt = plan.apply(p => rfc3339(p.rotatesAt));
        this.clientSecretKeyId = pulumi.all([plan, a.keyId, b.keyId])
            .apply(([p, keyA, keyB]) => (p.newestSlot === 0 ? keyA : keyB));
        this.previousClientSecretKeyId = pulumi.all([plan, a.keyId, b.keyId])
            .apply(([p, keyA, keyB]) => (p.newestSlot === 0 ? keyB : keyA));
        this.slots = this.passwords.map(p => ({ secret: pulumi.secret(p.value), keyId: p.keyId, expiresAt: p.endDate }));
        this.siteBaseUrl = pulumi.output(args.siteBaseUrl);
        this.netCore = pulumi.output(args.netCore);
        this.signInAudience = pulumi.output(args.signInAudience);
        this.secretRotationDays = pulumi.output(args.secretRotationDays);
        this.ewsAllowListScript = this.clientId.apply(ewsAllowListScript);

        this.registerOutputs({
            ...configured,
            clientId: this.clientId,
            clientSecret: this.clientSecret,
            tenantId: this.tenantId,
            redirectUris: this.redirectUris,
            applicationObjectId: this.applicationObjectId,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
            clientSecretExpiresAt: this.clientSecretExpiresAt,
            clientSecretRotatesAt: this.clientSecretRotatesAt,
            clientSecretKeyId: this.clientSecretKeyId,
            previousClientSecretKeyId: this.previousClientSecretKeyId,
            ...slotOutputs(this.slots),
            ewsAllowListScript: this.ewsAllowListScript,
        });
    }
}

/** The per-slot outputs by name: `clientSecretA`, `clientSecretAKeyId`, `clientSecretAExpiresAt`, the same for B. */
export function slotOutputs(slots: CreatioOAuthApp["slots"]): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(slots.flatMap((slot, i) => {
        const letter = "AB"[i];
        return [[`clientSecret${letter}`, slot.secret], [`clientSecret${letter}KeyId`, slot.keyId],
            [`clientSecret${letter}ExpiresAt`, slot.expiresAt]];
    }));
}

/**
 * The object id of a Microsoft API's service principal in the tenant: looked up, never created
 * or adopted (adopting one with `useExisting` would delete it on destroy). The promise form of
 * the lookup is used so that a failure can say what it means for Creatio.
 */
function lookUpServicePrincipal(api: MicrosoftApi, parent: pulumi.Resource): pulumi.Output<string> {
    return pulumi.output(azuread.getServicePrincipal({ clientId: api.appId }, { parent }).then(
        sp => sp.objectId,
        (err: unknown) => {
            const reason = err instanceof Error ? err.message : String(err);
            throw new Error(`Found no service principal for ${api.displayName} (appId ${api.appId}): ` +
                `${api.missingHint}.` + (reason ? ` The lookup said: ${reason}` : ""));
        }));
}
