import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CreatioOAuthApp } from "../components/creatioOAuthApp";
import { validateConfig, RawConfig } from "../lib/settings";
import { TYPES, creatioPolicies } from "../policy/rules";
import { Declared, TenantMocks, promiseOf } from "./mocks";

const NOW = new Date("2026-11-28T10:00:00Z");
const policies = creatioPolicies(() => NOW);
const byName = (name: string) => {
    const found = policies.find(p => p.name === name);
    assert.ok(found, `policy ${name}`);
    return found;
};

/** The resources the program declares for this config, as the policy engine would see them. */
async function declared(config: RawConfig): Promise<Declared[]> {
    const mocks = new TenantMocks(37);
    await pulumi.runtime.setMocks(mocks, "creatio-m365-oauth", "dev", false);
    const app = new CreatioOAuthApp("creatio", { ...validateConfig(config), now: NOW });
    await Promise.all([promiseOf(app.clientSecret), ...app.consentGrants.map(g => promiseOf(g.id))]);
    return mocks.declared;
}

const SECRET_OUTPUTS = { additionalSecretOutputs: ["value"] };
const NO_OPTIONS = { additionalSecretOutputs: [] as string[] };

/** What a resource policy reports for one resource. */
function check(policyName: string, type: string, props: Record<string, any>, opts = SECRET_OUTPUTS): string[] {
    const policy = byName(policyName) as ResourceValidationPolicy;
    const reported: string[] = [];
    const validate = policy.validateResource as (args: any, report: (m: string) => void) => void;
    validate({ type, props, urn: `urn:${type}`, name: "r", opts, stackTags: new Map() }, m => reported.push(m));
    return reported;
}

/** What a stack policy reports for a stack of these resources (children of one component). */
function checkStack(policyName: string, resources: Declared[], stackOutputs?: Record<string, unknown>): string[] {
    const component = resources.find(r => r.type === TYPES.component)!;
    const parent = { type: component.type, urn: "urn:component", name: component.name, props: component.inputs } as PolicyResource;
    const all: PolicyResource[] = resources.filter(r => r !== component).map(r => ({
        type: r.type, urn: `urn:${r.name}`, name: r.name, props: r.inputs, parent,
        opts: r.type === TYPES.password ? SECRET_OUTPUTS : NO_OPTIONS,
    } as PolicyResource));
    all.push(parent);
    if (stackOutputs) {
        all.push({ type: TYPES.stack, urn: "urn:stack", name: "dev", props: stackOutputs, opts: NO_OPTIONS } as PolicyResource);
    }
    const reported: string[] = [];
    (byName(policyName) as StackValidationPolicy).validateStack({ resources: all, stackTags: new Map() } as any,
        m => reported.push(m));
    return reported;
}

const inputsOf = (resources: Declared[], name: string) => resources.find(r => r.name === name)!.inputs;

describe("policy pack", () => {
    it("is mandatory throughout", () => {
        assert.deepStrictEqual(policies.map(p => [p.name, p.enforcementLevel]), [
            ["entra-app-single-tenant", "mandatory"],
            ["entra-app-redirect-uris", "mandatory"],
            ["entra-app-no-implicit-grant-or-public-client", "mandatory"],
            ["entra-app-delegated-creatio-scopes-only", "mandatory"],
            ["entra-app-no-inline-password", "mandatory"],
            ["consent-grant-all-principals-creatio-claims", "mandatory"],
            ["client-secret-bounded-lifetime", "mandatory"],
            ["registration-matches-configuration", "mandatory"],
            ["client-secret-output-is-secret", "mandatory"],
        ]);
    });

    for (const version of ["7.16", "8.1", ""]) {
        it(`passes every resource the program declares (creatioVersion ${JSON.stringify(version)})`, async () => {
            const resources = await declared({ siteName: "acme", creatioVersion: version });
            for (const policy of policies.filter(p => "validateResource" in p)) {
                for (const r of resources) {
                    assert.deepStrictEqual(check(policy.name, r.type, r.inputs), [], `${policy.name} on ${r.name}`);
                }
            }
            const value = inputsOf(resources, "creatio-secret-a").value;
            assert.deepStrictEqual(checkStack("registration-matches-configuration", resources), []);
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", resources, { clientSecret: value }), []);
        });
    }

    describe("applications", () => {
        let app: Record<string, any>;
        before(async () => {
            app = inputsOf(await declared({ siteName: "acme" }), "creatio-app");
        });
        const appCheck = (name: string, change: Record<string, any>) => check(name, TYPES.application, { ...app, ...change });

        it("refuses other sign-in audiences", () => {
            assert.deepStrictEqual(appCheck("entra-app-single-tenant", { signInAudience: "AzureADMultipleOrgs" }),
                ['signInAudience is "AzureADMultipleOrgs"; only AzureADMyOrg (single tenant) is allowed.']);
            assert.deepStrictEqual(appCheck("entra-app-single-tenant", { signInAudience: undefined }),
                ["signInAudience is undefined; only AzureADMyOrg (single tenant) is allowed."]);
        });

        it("refuses redirect URIs that are not https Creatio handlers on one site", () => {
            const web = (redirectUris: string[]) => ({ web: { ...app.web, redirectUris } });
            const handler = "/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([`http://acme.creatio.com${handler}`])),
                [`redirect URI http://acme.creatio.com${handler} is not https.`]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web(["https://evil.example.com/callback"])),
                ["redirect URI https://evil.example.com/callback is not Creatio's Microsoft 365 OAuth handler " +
                    "(/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode or " +
                    "/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode)."]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([`https://*.creatio.com${handler}`])),
                [`redirect URI https://*.creatio.com${handler} has a wildcard, query, fragment or user info.`]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris",
                web([`https://acme.creatio.com${handler}`, `https://evil.creatio.com${handler}`])),
                ["redirect URIs point to more than one site: https://acme.creatio.com, https://evil.creatio.com."]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([])),
                ["the application has no web redirect URI for Creatio."]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", { singlePageApplication: { redirectUris: ["https://x/"] } }),
                ["singlePageApplication redirect URIs are not allowed: https://x/."]);
        });

        it("refuses the implicit grant and public clients", () => {
            assert.deepStrictEqual(appCheck("entra-app-no-implicit-grant-or-public-client",
                { web: { ...app.web, implicitGrant: { idTokenIssuanceEnabled: true } } }),
                ["the implicit grant is enabled; Creatio uses the authorization code flow only."]);
            assert.deepStrictEqual(appCheck("entra-app-no-implicit-grant-or-public-client", { fallbackPublicClientEnabled: true }),
                ["public-client flows are enabled (fallbackPublicClientEnabled); they are not allowed."]);
        });

        it("refuses application permissions, other scopes and other APIs", () => {
            const exchange = "00000002-0000-0ff1-ce00-000000000000";
            const access = (resourceAppId: string, id: string, type: string) =>
                ({ requiredResourceAccesses: [{ resourceAppId, resourceAccesses: [{ id, type }] }] });
            const policy = "entra-app-delegated-creatio-scopes-only";
            // full_access_as_app: EWS for every mailbox without a user.
            assert.deepStrictEqual(appCheck(policy, access(exchange, "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "Role")),
                ["Office 365 Exchange Online: dc890d15-9560-4a4c-9b7f-a736ec74ec40 is of type \"Role\"; " +
                    "application permissions (Role) are not allowed, only delegated scopes (Scope)."]);
            // Microsoft Graph's own EWS.AccessAsUser.All is not the Exchange one.
            assert.deepStrictEqual(appCheck(policy, access("00000003-0000-0000-c000-000000000000", "9769c687-087d-48ac-9cb3-c37dde652038", "Scope")),
                ["Microsoft Graph: the scope 9769c687-087d-48ac-9cb3-c37dde652038 is not allowed; " +
                    "only User.Read (e1fe6dd8-ba31-4d61-89e7-88639da4683d)."]);
            assert.deepStrictEqual(appCheck(policy, access("00000002-0000-0ff5-ce00-000000000000", "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", "Scope")),
                ["access to the API with appId 00000002-0000-0ff5-ce00-000000000000 is not allowed; only Office 365 " +
                    "Exchange Online (00000002-0000-0ff1-ce00-000000000000) and Microsoft Graph (00000003-0000-0000-c000-000000000000)."]);
        });

        it("refuses an inline password block", () => {
            assert.deepStrictEqual(appCheck("entra-app-no-inline-password", { password: { displayName: "x" } }),
                ["the application declares an inline password block; use the rotating ApplicationPassword slots."]);
        });
    });

    describe("consent grants", () => {
        const grant = { servicePrincipalObjectId: "sp", resourceServicePrincipalObjectId: "exo", claimValues: ["EWS.AccessAsUser.All"] };
        const policy = "consent-grant-all-principals-creatio-claims";

        it("refuses a grant for one user", () => {
            assert.deepStrictEqual(check(policy, TYPES.grant, { ...grant, userObjectId: "u1" }),
                ["the grant is for one user (u1); only tenant-wide admin consent (AllPrincipals) is declared here."]);
        });

        it("refuses other claims, and claims of two APIs together", () => {
            const allowed = 'a grant carries ["EWS.AccessAsUser.All"] on Exchange Online or ["User.Read"] on Microsoft Graph.';
            assert.deepStrictEqual(check(policy, TYPES.grant, { ...grant, claimValues: ["EWS.AccessAsUser.All", "Mail.Read"] }),
                [`the grant's claims ["EWS.AccessAsUser.All","Mail.Read"] are not allowed; ${allowed}`]);
            assert.deepStrictEqual(check(policy, TYPES.grant, { ...grant, claimValues: ["User.Read", "EWS.AccessAsUser.All"] }),
                [`the grant's claims ["EWS.AccessAsUser.All","User.Read"] are not allowed; ${allowed}`]);
        });
    });

    describe("passwords", () => {
        const policy = "client-secret-bounded-lifetime";
        const password = { applicationId: "/applications/x", endDate: "2027-07-21T00:00:00Z" };

        it("refuses a missing or relative end date", () => {
            assert.deepStrictEqual(check(policy, TYPES.password, { applicationId: "/applications/x", endDateRelative: "4320h" }), [
                "endDateRelative is deprecated and moves with every run; set endDate from the rotation window.",
                "the password has no explicit end date (endDate = undefined).",
            ]);
        });

        it("allows two periods of the longest rotation plus a day, and no more", () => {
            assert.deepStrictEqual(check(policy, TYPES.password, { ...password, endDate: "2028-11-28T10:00:00Z" }), []);
            assert.deepStrictEqual(check(policy, TYPES.password, { ...password, endDate: "2028-11-28T10:00:01Z" }), [
                "the password's end date 2028-11-28T10:00:01Z is more than 731 days (two rotation periods of 365 days " +
                "plus a day) after 2026-11-28T10:00:00.000Z.",
            ]);
        });

        it("refuses a value that is not a secret output", () => {
            assert.deepStrictEqual(check(policy, TYPES.password, password, NO_OPTIONS),
                ["the password's value is not declared a secret output (additionalSecretOutputs)."]);
        });
    });

    describe("the stack against its configuration", () => {
        it("refuses a redirect URI outside the configured site", async () => {
            const resources = await declared({ siteName: "acme", creatioVersion: "8.1" });
            const app = inputsOf(resources, "creatio-app");
            app.web.redirectUris = [...app.web.redirectUris,
                "https://other.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"];
            assert.deepStrictEqual(checkStack("registration-matches-configuration", resources), [
                "redirect URIs outside the configured site https://acme.creatio.com (creatioVersion profile 7.17+): " +
                "https://other.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode; allowed: " +
                "https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode.",
            ]);
        });

        it("refuses scopes and grants beyond the configured version's", async () => {
            const resources = await declared({ siteName: "acme", creatioVersion: "7.16" });
            const app = inputsOf(resources, "creatio-app");
            app.requiredResourceAccesses = [...app.requiredResourceAccesses, {
                resourceAppId: "00000003-0000-0000-c000-000000000000",
                resourceAccesses: [{ id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", type: "Scope" }],
            }];
            inputsOf(resources, "creatio-consent-exchange").claimValues = ["User.Read"];
            assert.deepStrictEqual(checkStack("registration-matches-configuration", resources), [
                "required access [00000002-0000-0ff1-ce00-000000000000: 3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5; " +
                "00000003-0000-0000-c000-000000000000: e1fe6dd8-ba31-4d61-89e7-88639da4683d] is not the 7.16 profile's " +
                "[00000002-0000-0ff1-ce00-000000000000: 3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5].",
                'consent grant claims ["User.Read"] are not among the 7.16 profile\'s ["EWS.AccessAsUser.All"].',
            ]);
        });

        it("refuses a secret living longer than two configured periods plus a day", async () => {
            const resources = await declared({ siteName: "acme", secretRotationDays: "30" });
            inputsOf(resources, "creatio-secret-a").endDate = "2027-01-28T10:00:01Z";
            assert.deepStrictEqual(checkStack("registration-matches-configuration", resources), [
                "the password's end date 2027-01-28T10:00:01Z is more than 61 days (two rotation periods of 30 days " +
                "plus a day) after 2026-11-28T10:00:00.000Z.",
            ]);
        });

        it("refuses a clientSecret output that is missing or not a password's value", async () => {
            const resources = await declared({ siteName: "acme" });
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", resources, { clientId: "x" }),
                ["the stack does not export clientSecret."]);
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", resources, { clientSecret: "typed-in" }),
                ["the stack's clientSecret output is not the value of a password slot."]);
        });
    });
});
