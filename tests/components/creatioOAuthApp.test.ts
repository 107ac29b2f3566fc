import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { CreatioOAuthApp, type CreatioOAuthAppArgs } from "../../components/creatioOAuthApp.ts";
import { validateConfig } from "../../lib/settings.ts";
import { ownership, ownersWarning } from "../../lib/owners.ts";
import { APP_CLIENT_ID, APP_OBJECT_ID, capturingWarnings, DEPLOYER_OBJECT_ID, PASSWORD_KEY_IDS, promiseOf, SP_OBJECT_ID, TENANT_ID, TENANT_PRINCIPALS, TenantMocks, withoutPromiseStacks } from "../mocks.ts";
import * as azuread from "@pulumi/azuread";

const NOW = new Date("2026-11-28T10:00:00Z");
const EXCHANGE_SP = "e0e0e0e0-0000-4000-8000-00000000e0e0";
const GRAPH_SP = "90909090-0000-4000-8000-000000009090";

/** Declares the component against fresh mocks and waits until all its children are registered. */
async function declare(config: Parameters<typeof validateConfig>[0], extra: Partial<CreatioOAuthAppArgs> = {},
    mocks = new TenantMocks(37)) {
    return withoutPromiseStacks(async () => {
        await mocks.install("creatio-m365-oauth", "dev");
        const settings = validateConfig(config);
        const app = new CreatioOAuthApp("t", { ...settings, now: NOW, ...extra });
        await Promise.all([
            promiseOf(app.clientSecret),
            promiseOf(app.tenantId),
            promiseOf(app.servicePrincipal.id),
            ...app.consentGrants.map(grant => promiseOf(grant.id)),
        ]);
        return { app, mocks };
    });
}

const COMPONENT_URN = "urn:pulumi:dev::creatio-m365-oauth::creatio:m365:CreatioOAuthApp::t";
const PROVIDER_TYPE = "pulumi:providers:azuread";

/** The tenant's mocks, also standing in for an explicit azuread provider, recording which provider each lookup went to. */
class ProviderMocks extends TenantMocks {
    readonly lookupProviders: { token: string; provider: string | undefined }[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        if (args.type === PROVIDER_TYPE) {
            return { id: `provider-id-of-${args.name}`, state: args.inputs };
        }
        return super.newResource(args);
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.lookupProviders.push({ token: args.token, provider: args.provider });
        return super.call(args);
    }
}

describe("CreatioOAuthApp", () => {
    describe("with creatioVersion 7.16", () => {
        it("declares the application with the 7.16 redirect URI and Exchange EWS.AccessAsUser.All only", async () => {
            const { mocks } = await declare({ siteName: "acme", creatioVersion: "7.16" });
            assert.deepStrictEqual(mocks.inputsOf("t-app"), {
                displayName: "Creatio acme.creatio.com (Microsoft 365)",
                // Multitenant: Creatio 8.1 signs in through /common (BaseOffice365OAuthAuthenticator), which Entra ID refuses for single-tenant apps (AADSTS50194, FACTS.md).
                signInAudience: "AzureADMultipleOrgs",
                preventDuplicateNames: true,
                // Unset owners: the deploying identity (getClientConfig's objectId), which the provider would drop otherwise.
                owners: [DEPLOYER_OBJECT_ID],
                notes: "Managed by Pulumi (project creatio-m365-oauth, stack dev); " +
                    "change it in code, not in the portal.",
                web: {
                    redirectUris: ["https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode"],
                    implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false },
                },
                fallbackPublicClientEnabled: false,
                requiredResourceAccesses: [{
                    resourceAppId: "00000002-0000-0ff1-ce00-000000000000",
                    resourceAccesses: [{ id: "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", type: "Scope" }],
                }],
            });
        });

        it("grants admin consent on Exchange Online only", async () => {
            const { app, mocks } = await declare({ siteName: "acme", creatioVersion: "7.16" });
            assert.strictEqual(app.consentGrants.length, 1);
            assert.deepStrictEqual(mocks.inputsOf("t-consent-exchange"), {
                servicePrincipalObjectId: SP_OBJECT_ID,
                resourceServicePrincipalObjectId: EXCHANGE_SP,
                claimValues: ["EWS.AccessAsUser.All"],
            });
            assert.deepStrictEqual(mocks.declared.filter(d => d.name === "t-consent-graph"), []);
        });
    });

    describe("with creatioVersion 8.1", () => {
        it("declares the 7.17+ redirect URI, Exchange EWS.AccessAsUser.All and Graph User.Read", async () => {
            const { mocks } = await declare({ siteName: "acme", creatioVersion: "8.1" });
            const inputs = mocks.inputsOf("t-app");
            assert.deepStrictEqual(inputs.web.redirectUris,
                ["https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
            assert.deepStrictEqual(inputs.requiredResourceAccesses, [
                {
                    resourceAppId: "00000002-0000-0ff1-ce00-000000000000",
                    resourceAccesses: [{ id: "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", type: "Scope" }],
                },
                {
                    resourceAppId: "00000003-0000-0000-c000-000000000000",
                    resourceAccesses: [{ id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", type: "Scope" }],
                },
            ]);
        });

        it("grants admin consent on each API, for all users, with exactly the requested scopes", async () => {
            const { mocks } = await declare({ siteName: "acme", creatioVersion: "8.1" });
            const grants = mocks.declared.filter(d => d.type.endsWith(":ServicePrincipalDelegatedPermissionGrant"));
            assert.deepStrictEqual(grants.map(g => [g.name, g.inputs]), [
                ["t-consent-exchange", {
                    servicePrincipalObjectId: SP_OBJECT_ID,
                    resourceServicePrincipalObjectId: EXCHANGE_SP,
                    claimValues: ["EWS.AccessAsUser.All"],
                }],
                ["t-consent-graph", {
                    servicePrincipalObjectId: SP_OBJECT_ID,
                    resourceServicePrincipalObjectId: GRAPH_SP,
                    claimValues: ["User.Read"],
                }],
            ]);
            // No userObjectId anywhere: consent type AllPrincipals.
            assert.ok(grants.every(g => !("userObjectId" in g.inputs)));
        });
    });

    describe("without creatioVersion", () => {
        it("declares both redirect URIs and both permissions", async () => {
            const { mocks } = await declare({ siteUrl: "https://crm.example.com/creatio" });
            const inputs = mocks.inputsOf("t-app");
            assert.strictEqual(inputs.displayName, "Creatio crm.example.com/creatio (Microsoft 365)");
            assert.deepStrictEqual(inputs.web.redirectUris, [
                "https://crm.example.com/creatio/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
                "https://crm.example.com/creatio/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
            ]);
            assert.deepStrictEqual(inputs.requiredResourceAccesses.map((r: any) => r.resourceAppId),
                ["00000002-0000-0ff1-ce00-000000000000", "00000003-0000-0000-c000-000000000000"]);
        });
    });

    it("looks the Microsoft principals up by appId and never declares them", async () => {
        const { mocks } = await declare({ siteName: "acme" });
        assert.deepStrictEqual(
            mocks.lookups.filter(l => l.token === "azuread:index/getServicePrincipal:getServicePrincipal")
                .map(l => l.inputs),
            [{ clientId: "00000002-0000-0ff1-ce00-000000000000" }, { clientId: "00000003-0000-0000-c000-000000000000" }]);
        const principals = mocks.declared.filter(d => d.type === "azuread:index/servicePrincipal:ServicePrincipal");
        assert.deepStrictEqual(principals.map(p => p.inputs), [{ clientId: APP_CLIENT_ID, owners: [DEPLOYER_OBJECT_ID] }]);
    });

    describe("owners", () => {
        // hashicorp/terraform-provider-azuread application_resource.go and service_principal_resource.go: the caller is
        // removed from the owners after create unless it is listed (removeCallerOwner).
        it("are the deploying identity when unset, on the application and its service principal, without a warning", async () => {
            const { result: { mocks }, warnings } = await capturingWarnings(() => declare({ siteName: "acme" }));
            assert.deepStrictEqual(mocks.inputsOf("t-app").owners, [DEPLOYER_OBJECT_ID]);
            assert.deepStrictEqual(mocks.inputsOf("t-sp"), { clientId: APP_CLIENT_ID, owners: [DEPLOYER_OBJECT_ID] });
            assert.deepStrictEqual(warnings, []);
            assert.ok(mocks.lookups.some(l => l.token === "azuread:index/getClientConfig:getClientConfig"));
        });

        it("are exactly the configured list when set, without a warning when the deployer is in it", async () => {
            const owner = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
            const { result: { mocks }, warnings } = await capturingWarnings(() => declare({
                siteName: "acme", owners: JSON.stringify([owner, DEPLOYER_OBJECT_ID.toUpperCase()]),
            }));
            assert.deepStrictEqual(mocks.inputsOf("t-app").owners, [owner, DEPLOYER_OBJECT_ID]);
            assert.deepStrictEqual(mocks.inputsOf("t-sp"), { clientId: APP_CLIENT_ID, owners: [owner, DEPLOYER_OBJECT_ID] });
            assert.deepStrictEqual(warnings, []);
        });

        it("are exactly the configured list when set, with a warning when the deployer is not in it", async () => {
            const owner = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
            const { result: { mocks }, warnings } = await capturingWarnings(() =>
                declare({ siteName: "acme", owners: JSON.stringify([owner]) }));
            assert.deepStrictEqual(mocks.inputsOf("t-app").owners, [owner]);
            assert.deepStrictEqual(mocks.inputsOf("t-sp"), { clientId: APP_CLIENT_ID, owners: [owner] });
            assert.deepStrictEqual(warnings, [`warning: [runtime] ${ownersWarning(DEPLOYER_OBJECT_ID)}`]);
        });

        it("find the deployer in the list without regard to letter case (ownership, pure)", () => {
            const owner = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
            assert.deepStrictEqual(ownership([owner, DEPLOYER_OBJECT_ID], DEPLOYER_OBJECT_ID.toUpperCase()),
                { owners: [owner, DEPLOYER_OBJECT_ID] });
            assert.deepStrictEqual(ownership([owner], DEPLOYER_OBJECT_ID),
                { owners: [owner], warning: ownersWarning(DEPLOYER_OBJECT_ID) });
            assert.deepStrictEqual(ownership([], DEPLOYER_OBJECT_ID), { owners: [DEPLOYER_OBJECT_ID] });
        });

        it("warn in words that name the identity, the provider's behaviour, OwnedBy and the fix", () => {
            assert.strictEqual(ownersWarning(DEPLOYER_OBJECT_ID),
                `owners does not list the identity running pulumi up (object id ${DEPLOYER_OBJECT_ID}), so the azuread ` +
                "provider leaves it out of the owners of the application and its service principal. An identity with the " +
                "Microsoft Graph permission Application.ReadWrite.OwnedBy (and not Application.ReadWrite.All) then may no " +
                "longer change them: creating the service principal or a client secret, and every later deploy or rotation, " +
                `fail. Add ${DEPLOYER_OBJECT_ID} to owners unless another identity deploys this stack.`);
        });
    });

    describe("signInAudience and netCore", () => {
        it("declare the configured audience: multitenant when asked", async () => {
            const { mocks } = await declare({ siteName: "acme", signInAudience: "AzureADMultipleOrgs" });
            // Graph application.signInAudience value for "any organization's Entra ID tenant" (resources/application.md).
            assert.strictEqual(mocks.inputsOf("t-app").signInAudience, "AzureADMultipleOrgs");
        });

        it("declare single tenant when asked, and warn that Creatio's sign-in through /common will be refused", async () => {
            const { result: { mocks }, warnings } = await capturingWarnings(() =>
                declare({ siteName: "acme", signInAudience: "AzureADMyOrg" }));
            assert.strictEqual(mocks.inputsOf("t-app").signInAudience, "AzureADMyOrg");
            // AADSTS50194: Microsoft's error reference, for single-tenant apps called through /common (FACTS.md).
            assert.deepStrictEqual(warnings, ["warning: [runtime] signInAudience is AzureADMyOrg (single tenant): Creatio " +
                "signs mailboxes in through the common authority (login.microsoftonline.com/common), which Entra ID refuses " +
                "for a single-tenant app with AADSTS50194, unless a mailbox sign-in in Creatio has shown otherwise on this " +
                "tenant; AzureADMultipleOrgs, the default, works with both. See docs/configuration.md, Which sign-in audience."]);
            const multi = await capturingWarnings(() => declare({ siteName: "acme" }));
            assert.deepStrictEqual(multi.warnings, []);
        });

        it("declare redirect URIs without /0 for .NET Core Creatio", async () => {
            const { app, mocks } = await declare({ siteUrl: "https://crm.example.com/creatio", creatioVersion: "8.1", netCore: "true" });
            // Creatio 8.1 Office365OAuthAuthenticator under the application root; no /0 on .NET Core (clio ServiceUrlBuilder).
            const uris = ["https://crm.example.com/creatio/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"];
            assert.deepStrictEqual(mocks.inputsOf("t-app").web.redirectUris, uris);
            assert.deepStrictEqual(await promiseOf(app.redirectUris), uris);
            assert.strictEqual(await promiseOf(app.netCore), true);
        });
    });

    it("declares exactly these resources, each a child of the component", async () => {
        const { mocks } = await declare({ siteName: "acme" });
        assert.deepStrictEqual(mocks.declared.map(d => [d.type, d.name]).sort(), [
            ["azuread:index/application:Application", "t-app"],
            ["azuread:index/applicationPassword:ApplicationPassword", "t-secret-a"],
            ["azuread:index/applicationPassword:ApplicationPassword", "t-secret-b"],
            ["azuread:index/servicePrincipal:ServicePrincipal", "t-sp"],
            ["azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant", "t-consent-exchange"],
            ["azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant", "t-consent-graph"],
            ["creatio:m365:CreatioOAuthApp", "t"],
            ["random:index/randomInteger:RandomInteger", "t-rotation-offset"],
        ]);
        // Every child, the rotation offset included: a child that loses its parent changes its URN, and Pulumi
        // replaces it (a new offset would rotate every secret at once).
        const children = mocks.declared.filter(d => d.name !== "t").map(d => d.name).sort();
        assert.deepStrictEqual(children.map(name => [name, mocks.parents[name]]),
            children.map(name => [name, COMPONENT_URN]));
        assert.deepStrictEqual(children.map(name => mocks.urns[name]), children.map(name => {
            const type = mocks.declared.find(d => d.name === name)!.type;
            return `urn:pulumi:dev::creatio-m365-oauth::creatio:m365:CreatioOAuthApp$${type}::${name}`;
        }));
        assert.strictEqual(mocks.urns["t-rotation-offset"],
            "urn:pulumi:dev::creatio-m365-oauth::creatio:m365:CreatioOAuthApp$random:index/randomInteger:RandomInteger::t-rotation-offset");
        assert.strictEqual(mocks.urns.t, COMPONENT_URN);
        assert.strictEqual(mocks.parents.t, "");
    });

    describe("client secrets", () => {
        it("draws the rotation offset from 0..364 days", async () => {
            const { mocks } = await declare({ siteName: "acme" });
            assert.deepStrictEqual(mocks.inputsOf("t-rotation-offset"), { min: 0, max: 364 });
        });

        it("declares two slots with end dates from their windows (period 180, offset 37)", async () => {
            const { mocks } = await declare({ siteName: "acme" });
            const applicationId = `/applications/${APP_OBJECT_ID}`;
            assert.deepStrictEqual(mocks.inputsOf("t-secret-a"), {
                applicationId,
                displayName: "Creatio client secret a, window from 2026-01-27",
                endDate: "2027-01-22T00:00:00Z",
                rotateWhenChanged: { windowStart: "2026-01-27T00:00:00Z" },
            });
            assert.deepStrictEqual(mocks.inputsOf("t-secret-b"), {
                applicationId,
                displayName: "Creatio client secret b, window from 2026-07-26",
                endDate: "2027-07-21T00:00:00Z",
                rotateWhenChanged: { windowStart: "2026-07-26T00:00:00Z" },
            });
        });

        it("outputs the newest secret as a Pulumi secret, with its expiry and next rotation", async () => {
            const { app } = await declare({ siteName: "acme" });
            assert.strictEqual(await promiseOf(app.clientSecret), "secret-value-of-t-secret-b");
            assert.strictEqual(await pulumi.isSecret(app.clientSecret), true);
            assert.strictEqual(await promiseOf(app.clientSecretExpiresAt), "2027-07-21T00:00:00Z");
            assert.strictEqual(await promiseOf(app.clientSecretRotatesAt), "2027-01-22T00:00:00Z");
        });

        it("outputs the key ids of the newest and the previous secret, plain", async () => {
            const { app } = await declare({ siteName: "acme" });
            // Slot b holds the newest secret in this window (above); key ids are GUIDs Entra ID assigns.
            assert.strictEqual(await promiseOf(app.clientSecretKeyId), PASSWORD_KEY_IDS.b);
            assert.strictEqual(await promiseOf(app.previousClientSecretKeyId), PASSWORD_KEY_IDS.a);
            assert.strictEqual(await pulumi.isSecret(app.clientSecretKeyId), false);
            assert.strictEqual(await pulumi.isSecret(app.previousClientSecretKeyId), false);
            const next = await declare({ siteName: "acme" }, { now: new Date("2027-01-22T00:00:00Z") });
            assert.strictEqual(await promiseOf(next.app.clientSecretKeyId), PASSWORD_KEY_IDS.a);
            assert.strictEqual(await promiseOf(next.app.previousClientSecretKeyId), PASSWORD_KEY_IDS.b);
        });

        it("outputs each slot on its own: its secret as a Pulumi secret, its key id and end date plain, whatever the schedule", async () => {
            for (const now of [undefined, new Date("2027-01-22T00:00:00Z")]) {
                const { app, mocks } = await declare({ siteName: "acme" }, now && { now });
                for (const [i, letter] of ["a", "b"].entries()) {
                    const slot = app.slots[i];
                    assert.strictEqual(await promiseOf(slot.secret), `secret-value-of-t-secret-${letter}`);
                    assert.strictEqual(await pulumi.isSecret(slot.secret), true);
                    assert.strictEqual(await promiseOf(slot.keyId), PASSWORD_KEY_IDS[letter]);
                    assert.strictEqual(await pulumi.isSecret(slot.keyId), false);
                    assert.strictEqual(await promiseOf(slot.expiresAt), mocks.inputsOf(`t-secret-${letter}`).endDate);
                    assert.strictEqual(await pulumi.isSecret(slot.expiresAt), false);
                }
            }
        });

        it("switches to slot a in the next window, keeping slot b as it was", async () => {
            const { app, mocks } = await declare({ siteName: "acme" }, { now: new Date("2027-01-22T00:00:00Z") });
            assert.deepStrictEqual(mocks.inputsOf("t-secret-a").rotateWhenChanged, { windowStart: "2027-01-22T00:00:00Z" });
            assert.strictEqual(mocks.inputsOf("t-secret-a").endDate, "2028-01-17T00:00:00Z");
            assert.deepStrictEqual(mocks.inputsOf("t-secret-b").rotateWhenChanged, { windowStart: "2026-07-26T00:00:00Z" });
            assert.strictEqual(mocks.inputsOf("t-secret-b").endDate, "2027-07-21T00:00:00Z");
            assert.strictEqual(await promiseOf(app.clientSecret), "secret-value-of-t-secret-a");
            assert.strictEqual(await promiseOf(app.clientSecretExpiresAt), "2028-01-17T00:00:00Z");
            assert.strictEqual(await promiseOf(app.clientSecretRotatesAt), "2027-07-21T00:00:00Z");
        });

        it("follows secretRotationDays", async () => {
            const { mocks } = await declare({ siteName: "acme", secretRotationDays: "30" }, {}, new TenantMocks(13));
            // Windows of 30 days from 2024-01-14: 2026-11-28 lies in window 34 (slot a), 2026-10-30..2026-11-29.
            assert.deepStrictEqual(mocks.inputsOf("t-secret-a").rotateWhenChanged, { windowStart: "2026-10-30T00:00:00Z" });
            assert.strictEqual(mocks.inputsOf("t-secret-a").endDate, "2026-12-29T00:00:00Z");
            assert.deepStrictEqual(mocks.inputsOf("t-secret-b").rotateWhenChanged, { windowStart: "2026-09-30T00:00:00Z" });
            assert.strictEqual(mocks.inputsOf("t-secret-b").endDate, "2026-11-29T00:00:00Z");
        });
    });

    describe("adopting a portal-made registration", () => {
        const APP = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa";
        const SP = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";
        const EXCHANGE_GRANT = "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0";
        const GRAPH_GRANT = "9D0HkYRmV0WsR2hPzQ7tQ2E9P7-GZyRFvALjZ6eLGm0";

        it("imports the application, its service principal and both grants by their ids", async () => {
            const { app, mocks } = await declare({
                siteName: "acme", existingApplicationObjectId: APP.toUpperCase(), existingServicePrincipalObjectId: SP,
                existingExchangeConsentGrantId: EXCHANGE_GRANT, existingGraphConsentGrantId: GRAPH_GRANT,
            });
            const byName = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0]));
            assert.deepStrictEqual(mocks.declared.map(d => [d.name, d.importId]).sort(byName), [
                ["t", undefined],
                ["t-app", `/applications/${APP}`],
                ["t-consent-exchange", `/oauth2PermissionGrants/${EXCHANGE_GRANT}`],
                ["t-consent-graph", `/oauth2PermissionGrants/${GRAPH_GRANT}`],
                ["t-rotation-offset", undefined],
                ["t-secret-a", undefined],
                ["t-secret-b", undefined],
                ["t-sp", `/servicePrincipals/${SP}`],
            ]);
            // The declared inputs stay those of a new registration: differences show as a diff in the preview.
            assert.strictEqual(mocks.inputsOf("t-app").displayName, "Creatio acme.creatio.com (Microsoft 365)");
            assert.strictEqual(await promiseOf(app.applicationObjectId), APP);
            assert.strictEqual(await promiseOf(app.servicePrincipalObjectId), SP);
            assert.deepStrictEqual(mocks.inputsOf("t-consent-graph").servicePrincipalObjectId, SP);
        });

        it("creates what the config does not name: the service principal and the grants", async () => {
            const { mocks } = await declare({ siteName: "acme", existingApplicationObjectId: APP });
            assert.deepStrictEqual(mocks.declared.filter(d => d.importId).map(d => [d.name, d.importId]),
                [["t-app", `/applications/${APP}`]]);
        });

        it("never imports the passwords: new ones are created", async () => {
            const { mocks } = await declare({
                siteName: "acme", existingApplicationObjectId: APP, existingServicePrincipalObjectId: SP,
                existingExchangeConsentGrantId: EXCHANGE_GRANT,
            });
            const passwords = mocks.declared.filter(d => d.type === "azuread:index/applicationPassword:ApplicationPassword");
            assert.deepStrictEqual(passwords.map(p => [p.name, p.importId, p.inputs.applicationId]), [
                ["t-secret-a", undefined, `/applications/${APP}`],
                ["t-secret-b", undefined, `/applications/${APP}`],
            ]);
        });
    });

    it("records the configured site, profile, platform, audience, period and owners on the component for the policy pack", async () => {
        const { mocks } = await declare({
            siteName: "acme", creatioVersion: "7.16", secretRotationDays: "90", netCore: "true", signInAudience: "AzureADMultipleOrgs",
        });
        assert.deepStrictEqual(mocks.inputsOf("t"), {
            siteBaseUrl: "https://acme.creatio.com", profile: "7.16", netCore: true, signInAudience: "AzureADMultipleOrgs",
            secretRotationDays: 90, owners: [],
        });
    });

    it("records a cap on the secrets' lifetime, declares secrets within it, and refuses a period beyond it", async () => {
        const { app, mocks } = await declare({ siteName: "acme", creatioVersion: "8.1", maxSecretLifetimeDays: "90" });
        assert.deepStrictEqual(mocks.inputsOf("t"), {
            siteBaseUrl: "https://acme.creatio.com", profile: "7.17+", netCore: false, signInAudience: "AzureADMultipleOrgs",
            secretRotationDays: 45, maxSecretLifetimeDays: 90, owners: [],
        });
        assert.strictEqual(await promiseOf(app.secretRotationDays), 45);
        for (const slot of ["t-secret-a", "t-secret-b"]) {
            const days = (Date.parse(mocks.inputsOf(slot).endDate) - NOW.getTime()) / (24 * 3600 * 1000);
            assert.ok(days > 0 && days <= 90, `${slot} ends ${days} days after NOW`);
        }
        const settings = validateConfig({ siteName: "acme" });
        assert.throws(() => new CreatioOAuthApp("u", { ...settings, maxSecretLifetimeDays: 100, now: NOW }),
            { message: "CreatioOAuthApp u: secretRotationDays 180 gives secrets of up to 360 days, beyond maxSecretLifetimeDays 100" });
    });

    it("registers as its outputs the configuration and every value it exports", async () => {
        const { mocks } = await declare({ siteName: "acme", creatioVersion: "8.1" });
        const outputs = await mocks.outputsRegisteredBy("t");
        const script = outputs.ewsAllowListScript;
        assert.ok(typeof script === "string" && script.includes(APP_CLIENT_ID), "ewsAllowListScript names the Client ID");
        assert.deepStrictEqual({ ...outputs, ewsAllowListScript: "(checked above)" }, {
            siteBaseUrl: "https://acme.creatio.com",
            profile: "7.17+",
            netCore: false,
            signInAudience: "AzureADMultipleOrgs",
            secretRotationDays: 180,
            owners: [],
            clientId: APP_CLIENT_ID,
            // Registered as a Pulumi secret: the runtime's secret envelope around the value.
            clientSecret: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "secret-value-of-t-secret-b" },
            tenantId: TENANT_ID,
            redirectUris: ["https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"],
            applicationObjectId: APP_OBJECT_ID,
            servicePrincipalObjectId: SP_OBJECT_ID,
            clientSecretExpiresAt: "2027-07-21T00:00:00Z",
            clientSecretRotatesAt: "2027-01-22T00:00:00Z",
            clientSecretKeyId: PASSWORD_KEY_IDS.b,
            previousClientSecretKeyId: PASSWORD_KEY_IDS.a,
            clientSecretA: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "secret-value-of-t-secret-a" },
            clientSecretAKeyId: PASSWORD_KEY_IDS.a,
            clientSecretAExpiresAt: "2027-01-22T00:00:00Z",
            clientSecretB: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "secret-value-of-t-secret-b" },
            clientSecretBKeyId: PASSWORD_KEY_IDS.b,
            clientSecretBExpiresAt: "2027-07-21T00:00:00Z",
            ewsAllowListScript: "(checked above)",
        });
    });

    it("outputs the ids, the tenant and the redirect URIs", async () => {
        const { app } = await declare({ siteName: "acme", creatioVersion: "7.18" });
        assert.strictEqual(await promiseOf(app.clientId), APP_CLIENT_ID);
        assert.strictEqual(await promiseOf(app.tenantId), TENANT_ID);
        assert.strictEqual(await promiseOf(app.applicationObjectId), APP_OBJECT_ID);
        assert.strictEqual(await promiseOf(app.servicePrincipalObjectId), SP_OBJECT_ID);
        assert.deepStrictEqual(await promiseOf(app.redirectUris),
            ["https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
    });

    it("says the tenant needs Exchange Online when it has no Exchange Online principal", async () => {
        const withoutExchange = { ...TENANT_PRINCIPALS };
        delete withoutExchange["00000002-0000-0ff1-ce00-000000000000"];
        await assert.rejects(declare({ siteName: "acme" }, {}, new TenantMocks(37, withoutExchange)), (err: Error) => {
            // The runtime names the input the failure reached; the rest is the program's own text.
            assert.strictEqual(err.message,
                'error serializing property "resourceServicePrincipalObjectId": ' +
                "Found no service principal for Office 365 Exchange Online (appId 00000002-0000-0ff1-ce00-000000000000): " +
                "a tenant without Exchange Online has none, and Creatio's Microsoft 365 email integration needs " +
                "a tenant with Exchange Online (a licence that includes it).");
            return true;
        });
    });
});

describe("CreatioOAuthApp (bites)", () => {
    it("makes its lookups through the component's azuread provider: the deployer and the Microsoft principals of that tenant", async () => {
        const mocks = new ProviderMocks(37);
        await mocks.install("creatio-m365-oauth", "dev");
        const provider = new azuread.Provider("other-tenant", { tenantId: "11111111-0000-4000-8000-000000000011" });
        const app = new CreatioOAuthApp("t", { ...validateConfig({ siteName: "acme" }), now: NOW },
            { providers: { azuread: provider } });
        await Promise.all([promiseOf(app.clientSecret), promiseOf(app.tenantId),
            ...app.consentGrants.map(grant => promiseOf(grant.id))]);
        // A provider reference is "<provider URN>::<provider id>" (pulumi/pulumi sdk/nodejs/runtime/resource.ts: providerRef).
        const ref = "urn:pulumi:dev::creatio-m365-oauth::pulumi:providers:azuread::other-tenant::provider-id-of-other-tenant";
        assert.deepStrictEqual(mocks.lookupProviders.map(l => [l.token, l.provider]).sort(), [
            ["azuread:index/getClientConfig:getClientConfig", ref],
            ["azuread:index/getServicePrincipal:getServicePrincipal", ref],
            ["azuread:index/getServicePrincipal:getServicePrincipal", ref],
        ]);
    });

    it("makes the deployer the only owner when owners is not given at all", async () => {
        const mocks = new TenantMocks(37);
        await mocks.install("creatio-m365-oauth", "dev");
        const { owners: _unset, ...settings } = validateConfig({ siteName: "acme" });
        const { warnings } = await capturingWarnings(async () => {
            const app = new CreatioOAuthApp("t", { ...settings, now: NOW });
            await Promise.all([promiseOf(app.servicePrincipal.id), promiseOf(app.clientSecret)]);
        });
        assert.deepStrictEqual(mocks.inputsOf("t-app").owners, [DEPLOYER_OBJECT_ID]);
        assert.deepStrictEqual(mocks.inputsOf("t-sp").owners, [DEPLOYER_OBJECT_ID]);
        assert.deepStrictEqual(warnings, []);
    });
});
