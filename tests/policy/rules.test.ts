import * as assert from "assert";
import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { CreatioOAuthApp } from "../../components/creatioOAuthApp.ts";
import { type RawConfig, validateConfig } from "../../lib/settings.ts";
import { creatioPolicies, passwordPolicies, stackPolicies, TYPES } from "../../policy/rules.ts";
import { type Declared, promiseOf, TenantMocks, withoutPromiseStacks } from "../mocks.ts";
import { DAY_MS } from "../../lib/rotation.ts";

const NOW = new Date("2026-11-28T10:00:00Z");
const policies = creatioPolicies(() => NOW);
const byName = (name: string) => {
    const found = policies.find(p => p.name === name);
    assert.ok(found, `policy ${name}`);
    return found;
};

/** What the component declares for a config: the resources, and what a stack policy sees after the update. */
interface Deployment {
    /** Resource policies see each resource's inputs. */
    resources: Declared[];
    /**
     * Stack policies see outputs (pulumi/pulumi step_generator.go AnalyzeResources: "AnalyzeStack is called on the
     * final outputs of each resource"): the state the stand-in returned, and for the component what it registered.
     */
    stack: PolicyResource[];
    /** The value of the clientSecret output. */
    clientSecret: string;
}

const SECRET_OUTPUTS = { additionalSecretOutputs: ["value"] };
const NO_OPTIONS = { additionalSecretOutputs: [] as string[] };

async function deploy(config: RawConfig): Promise<Deployment> {
    const mocks = new TenantMocks(37);
    const { clientSecret, componentOutputs } = await withoutPromiseStacks(async () => {
        await mocks.install("creatio-m365-oauth", "dev");
        const app = new CreatioOAuthApp("creatio", { ...validateConfig(config), now: NOW });
        const [secret] = await Promise.all([promiseOf(app.clientSecret), ...app.consentGrants.map(g => promiseOf(g.id))]);
        return { clientSecret: secret, componentOutputs: await mocks.outputsRegisteredBy("creatio") };
    });
    const byUrn = new Map<string, PolicyResource>();
    const stack = mocks.declared.map(d => {
        const custom = d.type !== TYPES.component;
        const resource = {
            type: d.type, urn: mocks.urns[d.name], name: d.name,
            props: custom ? d.outputs : componentOutputs,
            // The program marks a password's value secret through the provider's schema (additionalSecretOutputs).
            opts: d.type === TYPES.password ? SECRET_OUTPUTS : NO_OPTIONS,
        } as PolicyResource;
        byUrn.set(resource.urn, resource);
        return { resource, parent: mocks.parents[d.name] };
    }).map(({ resource, parent }) => Object.assign(resource, parent ? { parent: byUrn.get(parent) } : {}));
    return { resources: mocks.declared, stack, clientSecret: clientSecret as string };
}

/** The resources the program declares for this config, as resource policies see them. */
async function declared(config: RawConfig): Promise<Declared[]> {
    return (await deploy(config)).resources;
}

/** What a resource policy reports for one resource. */
function check(policyName: string, type: string, props: Record<string, any>, opts = SECRET_OUTPUTS,
    urn = `urn:${type}`, name = "r"): string[] {
    const policy = byName(policyName) as ResourceValidationPolicy;
    const reported: string[] = [];
    const validate = policy.validateResource as (args: any, report: (m: string) => void) => void;
    validate({ type, props, urn, name, opts, stackTags: new Map() }, m => reported.push(m));
    return reported;
}

/** What a stack policy reports for a deployed stack, with these stack outputs (the Stack resource's props). */
function checkStack(policyName: string, deployment: Deployment, stackOutputs?: Record<string, unknown>): string[] {
    const all = [...deployment.stack];
    if (stackOutputs) {
        all.push({ type: TYPES.stack, urn: "urn:pulumi:dev::creatio-m365-oauth::pulumi:pulumi:Stack::creatio-m365-oauth-dev",
            name: "creatio-m365-oauth-dev", props: stackOutputs, opts: NO_OPTIONS } as PolicyResource);
    }
    const reported: string[] = [];
    (byName(policyName) as StackValidationPolicy).validateStack({ resources: all, stackTags: new Map() } as any,
        m => reported.push(m));
    return reported;
}

const inputsOf = (resources: Declared[], name: string) => resources.find(r => r.name === name)!.inputs;
/** The props a stack policy sees for the resource of this name (its outputs), to alter. */
const propsOf = (deployment: Deployment, name: string) => deployment.stack.find(r => r.name === name)!.props;

describe("policy pack", () => {
    it("opens each violation with its rule's description, which says what the rule holds", () => {
        // @pulumi/policy server.js makeReportViolationFun: the message is the description, a newline, then what was found;
        // pulumi prints that message under the rule's name (pulumi/pulumi pkg/engine/events.go policyViolationEvent).
        assert.deepStrictEqual(policies.map(p => [p.name, p.description]), [
            ["entra-app-sign-in-audience",
                "The app registration accepts work or school accounts only: of any tenant (AzureADMultipleOrgs, for " +
                    "Creatio's sign-in through the common authority) or of this tenant (AzureADMyOrg); never personal " +
                    "Microsoft accounts."],
            ["entra-app-redirect-uris",
                "Web redirect URIs are https URIs of Creatio's OAuth handler on one site; no SPA or mobile redirect URIs."],
            ["entra-app-no-implicit-grant-or-public-client",
                "No implicit-grant tokens and no public-client flows."],
            ["entra-app-delegated-creatio-scopes-only",
                "Required access lists delegated scopes (type Scope) only, and only those Creatio uses: Exchange " +
                    "Online EWS.AccessAsUser.All and Microsoft Graph User.Read."],
            ["entra-app-no-inline-password",
                "Client secrets are ApplicationPassword resources with an end date, never the application's inline " +
                    "password block."],
            ["consent-grant-all-principals-creatio-claims",
                "Admin consent grants are for all users (no userObjectId) and carry only EWS.AccessAsUser.All or " +
                    "User.Read."],
            ["client-secret-bounded-lifetime",
                "Client secrets have an explicit end date at most two rotation periods (of at most 365 days) plus a " +
                    "day away, and their value is a secret output."],
            ["registration-matches-configuration",
                "Exactly the redirect URIs of the configured Creatio site, version and platform; the configured " +
                    "sign-in audience; scopes and consent only those of the configured Creatio version; secrets within " +
                    "two configured rotation periods plus a day, and within maxSecretLifetimeDays when set."],
            ["client-secret-output-is-secret",
                "The stack exports clientSecret taken from a password slot, whose value is a secret output."],
            ["declared-resource-types-only",
                "The stack declares only the resource types of CreatioOAuthApp (application, service principal, " +
                    "consent grants, two passwords, the rotation offset), the component, the stack and their providers: " +
                    "no federated credential, certificate, owner, app role assignment or any other type."],
            ["resources-inside-the-component",
                "Each Entra ID resource and the rotation offset is a child of a CreatioOAuthApp, under the name the " +
                    "component gives it; the component is a child of the stack and records the stack's configuration."],
            ["redirect-uris-on-the-configured-site",
                "Every redirect URI of the application is one of the configured Creatio site's (siteBaseUrl, " +
                    "creatioVersion, netCore as the component records them)."],
            ["owners-as-configured",
                "The application and its service principal have exactly the configured owners (or, with owners " +
                    "unset, only the identity running pulumi up)."],
            ["registration-reach",
                "One CreatioOAuthApp; every resource of a declared type; the passwords on this stack's application, " +
                    "the service principal of this application, consent grants for this service principal only, owners " +
                    "as configured."],
        ]);
    });

    it("is mandatory throughout", () => {
        assert.deepStrictEqual(policies.map(p => [p.name, p.enforcementLevel]), [
            ["entra-app-sign-in-audience", "mandatory"],
            ["entra-app-redirect-uris", "mandatory"],
            ["entra-app-no-implicit-grant-or-public-client", "mandatory"],
            ["entra-app-delegated-creatio-scopes-only", "mandatory"],
            ["entra-app-no-inline-password", "mandatory"],
            ["consent-grant-all-principals-creatio-claims", "mandatory"],
            ["client-secret-bounded-lifetime", "mandatory"],
            ["registration-matches-configuration", "mandatory"],
            ["client-secret-output-is-secret", "mandatory"],
            ["declared-resource-types-only", "mandatory"],
            ["resources-inside-the-component", "mandatory"],
            ["redirect-uris-on-the-configured-site", "mandatory"],
            ["owners-as-configured", "mandatory"],
            ["registration-reach", "mandatory"],
        ]);
    });

    const configs: RawConfig[] = [
        { siteName: "acme", creatioVersion: "7.16" },
        { siteName: "acme", creatioVersion: "8.1" },
        { siteName: "acme", creatioVersion: "" },
        { siteUrl: "https://crm.example.com/creatio", creatioVersion: "8.1", netCore: "true" },
        { siteUrl: "https://crm.example.com/creatio", netCore: "true", signInAudience: "AzureADMultipleOrgs" },
        { siteName: "acme", creatioVersion: "7.16", signInAudience: "AzureADMultipleOrgs" },
    ];
    for (const config of configs) {
        it(`passes every resource and the stack the program declares (${JSON.stringify(config)})`, async () => {
            const deployment = await deploy(config);
            // In the order the engine checks them: the component before its children.
            const urnOf = (name: string) => deployment.stack.find(s => s.name === name)!.urn;
            for (const r of deployment.resources) {
                for (const policy of policies.filter(p => "validateResource" in p)) {
                    assert.deepStrictEqual(check(policy.name, r.type, r.inputs, SECRET_OUTPUTS, urnOf(r.name), r.name), [],
                        `${policy.name} on ${r.name}`);
                }
            }
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), []);
            // The clientSecret output as the program exports it: the newest password's value (an output, not an input).
            assert.match(deployment.clientSecret, /^secret-value-of-creatio-secret-[ab]$/);
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", deployment,
                { clientSecret: deployment.clientSecret }), []);
        });
    }

    describe("applications", () => {
        let app: Record<string, any>;
        before(async () => {
            app = inputsOf(await declared({ siteName: "acme" }), "creatio-app");
        });
        const appCheck = (name: string, change: Record<string, any>) => check(name, TYPES.application, { ...app, ...change });

        it("allows the two work-or-school audiences and refuses every other", () => {
            const policy = "entra-app-sign-in-audience";
            assert.deepStrictEqual(appCheck(policy, { signInAudience: "AzureADMyOrg" }), []);
            assert.deepStrictEqual(appCheck(policy, { signInAudience: "AzureADMultipleOrgs" }), []);
            // The other values Graph knows (resources/application.md, signInAudience values) take personal accounts.
            for (const audience of ["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount", "azureadmyorg"]) {
                assert.deepStrictEqual(appCheck(policy, { signInAudience: audience }),
                    [`signInAudience is "${audience}"; only AzureADMyOrg or AzureADMultipleOrgs is allowed.`]);
            }
            assert.deepStrictEqual(appCheck(policy, { signInAudience: undefined }),
                ["signInAudience is undefined; only AzureADMyOrg or AzureADMultipleOrgs is allowed."]);
        });

        it("refuses redirect URIs that are not https Creatio handlers on one site", () => {
            const web = (redirectUris: string[]) => ({ web: { ...app.web, redirectUris } });
            const handler = "/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([`http://acme.creatio.com${handler}`])),
                [`redirect URI http://acme.creatio.com${handler} is not https.`]);
            const notHandler = (uri: string) => `redirect URI ${uri} is not Creatio's Microsoft 365 OAuth handler ` +
                "(/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode or " +
                "/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode, after the site and, on .NET Framework, /0).";
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web(["https://evil.example.com/callback"])),
                [notHandler("https://evil.example.com/callback")]);
            // The handler must end the path: nothing may follow it.
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([`https://acme.creatio.com${handler}/evil`])),
                [notHandler(`https://acme.creatio.com${handler}/evil`)]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([`https://*.creatio.com${handler}`])),
                [`redirect URI https://*.creatio.com${handler} has a wildcard, query, fragment or user info.`]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris",
                web([`https://acme.creatio.com${handler}`, `https://evil.creatio.com${handler}`])),
                ["redirect URIs point to more than one site: https://acme.creatio.com, https://evil.creatio.com."]);
            // Both forms (.NET Framework with /0, .NET Core without), also on a site with a path: the handler ends the path.
            for (const uris of [
                ["https://crm.example.com/creatio/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"],
                ["https://crm.example.com/creatio/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"],
                ["https://crm.example.com/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
                    "https://crm.example.com/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"],
            ]) {
                assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web(uris)), [], uris.join());
            }
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", web([])),
                ["the application has no web redirect URI for Creatio."]);
            assert.deepStrictEqual(appCheck("entra-app-redirect-uris", { singlePageApplication: { redirectUris: ["https://x/"] } }),
                ["singlePageApplication redirect URIs are not allowed: https://x/."]);
        });

        it("refuses the implicit grant and public clients", () => {
            assert.deepStrictEqual(appCheck("entra-app-no-implicit-grant-or-public-client",
                { web: { ...app.web, implicitGrant: { accessTokenIssuanceEnabled: true, idTokenIssuanceEnabled: false } } }),
                ["the implicit grant is enabled; Creatio uses the authorization code flow only."]);
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
            // One foreign Exchange scope: Microsoft Graph's User.Read id requested from Exchange Online.
            assert.deepStrictEqual(appCheck(policy, access(exchange, "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "Scope")),
                ["Office 365 Exchange Online: the scope e1fe6dd8-ba31-4d61-89e7-88639da4683d is not allowed; " +
                    "only EWS.AccessAsUser.All (3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5)."]);
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
            assert.deepStrictEqual(check(policy, TYPES.grant, grant), []);
            assert.deepStrictEqual(check(policy, TYPES.grant, { ...grant, claimValues: ["User.Read"] }), []);
            assert.deepStrictEqual(check(policy, TYPES.grant, { ...grant, claimValues: ["Mail.Read"] }),
                [`the grant's claims ["Mail.Read"] are not allowed; ${allowed}`]);
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
            const deployment = await deploy({ siteName: "acme", creatioVersion: "8.1" });
            const app = propsOf(deployment, "creatio-app");
            app.web.redirectUris = [...app.web.redirectUris,
                "https://other.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"];
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), [
                "redirect URIs outside the configured site https://acme.creatio.com (creatioVersion profile 7.17+, " +
                ".NET Framework): https://other.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode; allowed: " +
                "https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode.",
            ]);
        });

        it("wants exactly the configured redirect URIs: one missing is refused", async () => {
            const deployment = await deploy({ siteName: "acme" });
            const app = propsOf(deployment, "creatio-app");
            app.web.redirectUris = app.web.redirectUris.slice(1);
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), [
                "redirect URIs of the configured site https://acme.creatio.com (creatioVersion profile any, .NET Framework) " +
                "are missing: https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode.",
            ]);
        });

        it("holds a .NET Core stack to the URIs without /0, and a .NET Framework stack to those with it", async () => {
            const core = await deploy({ siteUrl: "https://crm.example.com/creatio", creatioVersion: "8.1", netCore: "true" });
            const withZero = "https://crm.example.com/creatio/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
            const withoutZero = "https://crm.example.com/creatio/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
            propsOf(core, "creatio-app").web.redirectUris = [withZero];
            assert.deepStrictEqual(checkStack("registration-matches-configuration", core), [
                "redirect URIs outside the configured site https://crm.example.com/creatio (creatioVersion profile 7.17+, " +
                `.NET Core): ${withZero}; allowed: ${withoutZero}.`,
                "redirect URIs of the configured site https://crm.example.com/creatio (creatioVersion profile 7.17+, .NET Core) " +
                `are missing: ${withoutZero}.`,
            ]);
            const framework = await deploy({ siteUrl: "https://crm.example.com/creatio", creatioVersion: "8.1" });
            propsOf(framework, "creatio-app").web.redirectUris = [withoutZero];
            assert.deepStrictEqual(checkStack("registration-matches-configuration", framework), [
                "redirect URIs outside the configured site https://crm.example.com/creatio (creatioVersion profile 7.17+, " +
                `.NET Framework): ${withoutZero}; allowed: ${withZero}.`,
                "redirect URIs of the configured site https://crm.example.com/creatio (creatioVersion profile 7.17+, " +
                `.NET Framework) are missing: ${withZero}.`,
            ]);
        });

        it("refuses a multitenant application where the stack is configured single tenant", async () => {
            const deployment = await deploy({ siteName: "acme", signInAudience: "AzureADMyOrg" });
            assert.strictEqual(propsOf(deployment, "creatio").signInAudience, "AzureADMyOrg");
            propsOf(deployment, "creatio-app").signInAudience = "AzureADMultipleOrgs";
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), [
                'signInAudience is "AzureADMultipleOrgs", but the stack is configured for AzureADMyOrg.',
            ]);
            // A component that records no audience (an older program's) counts as single tenant, not as today's default.
            const unrecorded = await deploy({ siteName: "acme" });
            assert.strictEqual(propsOf(unrecorded, "creatio").signInAudience, "AzureADMultipleOrgs");
            assert.deepStrictEqual(checkStack("registration-matches-configuration", unrecorded), []);
            delete propsOf(unrecorded, "creatio").signInAudience;
            assert.deepStrictEqual(checkStack("registration-matches-configuration", unrecorded), [
                'signInAudience is "AzureADMultipleOrgs", but the stack is configured for AzureADMyOrg.',
            ]);
            const multi = await deploy({ siteName: "acme", signInAudience: "AzureADMultipleOrgs" });
            assert.deepStrictEqual(checkStack("registration-matches-configuration", multi), []);
        });

        it("refuses scopes and grants beyond the configured version's", async () => {
            const deployment = await deploy({ siteName: "acme", creatioVersion: "7.16" });
            const app = propsOf(deployment, "creatio-app");
            app.requiredResourceAccesses = [...app.requiredResourceAccesses, {
                resourceAppId: "00000003-0000-0000-c000-000000000000",
                resourceAccesses: [{ id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", type: "Scope" }],
            }];
            propsOf(deployment, "creatio-consent-exchange").claimValues = ["User.Read"];
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), [
                "required access [00000002-0000-0ff1-ce00-000000000000: 3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5; " +
                "00000003-0000-0000-c000-000000000000: e1fe6dd8-ba31-4d61-89e7-88639da4683d] is not the 7.16 profile's " +
                "[00000002-0000-0ff1-ce00-000000000000: 3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5].",
                'consent grant claims ["User.Read"] are not among the 7.16 profile\'s ["EWS.AccessAsUser.All"].',
            ]);
        });

        it("refuses a secret living longer than two configured periods plus a day", async () => {
            const deployment = await deploy({ siteName: "acme", secretRotationDays: "30" });
            propsOf(deployment, "creatio-secret-a").endDate = "2027-01-28T10:00:01Z";
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), [
                "the password's end date 2027-01-28T10:00:01Z is more than 61 days (two rotation periods of 30 days " +
                "plus a day) after 2026-11-28T10:00:00.000Z.",
            ]);
        });

        it("refuses a secret living longer than maxSecretLifetimeDays, without the day of slack", async () => {
            // NOW is 2026-11-28T10:00Z; a 61-day cap gives 30-day periods (lib/rotation.ts cappedPeriodDays).
            const deployment = await deploy({ siteName: "acme", maxSecretLifetimeDays: "61" });
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), []);
            propsOf(deployment, "creatio-secret-a").endDate = "2027-01-28T10:00:00Z";
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), []);
            propsOf(deployment, "creatio-secret-a").endDate = "2027-01-28T10:00:01Z";
            assert.deepStrictEqual(checkStack("registration-matches-configuration", deployment), [
                "the password's end date 2027-01-28T10:00:01Z is more than 61 days (two rotation periods of 30 days " +
                "plus a day) after 2026-11-28T10:00:00.000Z.",
                "the password's end date 2027-01-28T10:00:01Z is more than maxSecretLifetimeDays 61 days after 2026-11-28T10:00:00.000Z.",
            ]);
            const capped = await deploy({ siteName: "acme", maxSecretLifetimeDays: "60" });
            propsOf(capped, "creatio-secret-a").endDate = "2027-01-27T10:00:01Z";
            // 60 days: periods of 30, so only the cap is passed.
            assert.deepStrictEqual(checkStack("registration-matches-configuration", capped), [
                "the password's end date 2027-01-27T10:00:01Z is more than maxSecretLifetimeDays 60 days after 2026-11-28T10:00:00.000Z.",
            ]);
        });

        it("refuses a clientSecret output that is missing or not a password's value", async () => {
            const deployment = await deploy({ siteName: "acme" });
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", deployment, { clientId: "x" }),
                ["the stack does not export clientSecret."]);
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", deployment, { clientSecret: "typed-in" }),
                ["the stack's clientSecret output is not the value of a password slot."]);
        });

        it("refuses a password whose value is not a secret output", async () => {
            const deployment = await deploy({ siteName: "acme" });
            const slotA = deployment.stack.find(r => r.name === "creatio-secret-a")!;
            (slotA as { opts: unknown }).opts = NO_OPTIONS;
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", deployment,
                { clientSecret: deployment.clientSecret }),
                ["the password's value is not declared a secret output (additionalSecretOutputs)."]);
        });
    });
});

describe("policy rules: one behaviour at a time", () => {
    /**
     * The policy pack: behaviour that mutation testing found unchecked by policy.test.ts. The stack
     * is written out by hand here, as a stack policy sees it after an update (each resource's
     * outputs, its parent, the component's registered outputs).
     */
    const NOW = new Date("2026-11-28T10:00:00Z");
    // The ids of lib/microsoftApis.ts, as tests/components/creatioOAuthApp.test.ts pins them to Microsoft's published values.
    const EXCHANGE = "00000002-0000-0ff1-ce00-000000000000";
    const EWS_SCOPE = "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5";
    const GRAPH = "00000003-0000-0000-c000-000000000000";
    const USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
    const SITE = "https://acme.creatio.com";
    const URI_7_17 = `${SITE}/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode`;

    const PREFIX = "urn:pulumi:dev::creatio-m365-oauth::";
    const STACK_URN = `${PREFIX}pulumi:pulumi:Stack::creatio-m365-oauth-dev`;
    const COMPONENT_URN = `${PREFIX}creatio:m365:CreatioOAuthApp::creatio`;
    const childUrn = (type: string, name: string) => `${PREFIX}creatio:m365:CreatioOAuthApp$${type}::${name}`;

    const SECRET_OUTPUTS = { additionalSecretOutputs: ["value"] };
    const NO_OPTIONS = { additionalSecretOutputs: [] as string[] };

    function resource(type: string, urn: string, props: Record<string, any>, parent?: PolicyResource,
        opts = NO_OPTIONS): PolicyResource {
        return { type, urn, name: urn.split("::").at(-1)!, props, opts, ...(parent && { parent }) } as unknown as PolicyResource;
    }

    /** A Creatio 7.17+ stack on .NET Framework, single tenant, 180 days, as the program leaves it. */
    function stack(): { all: PolicyResource[]; byName: (name: string) => PolicyResource } {
        const root = resource(TYPES.stack, STACK_URN, { clientSecret: "value-b" });
        const component = resource(TYPES.component, COMPONENT_URN, {
            siteBaseUrl: SITE, profile: "7.17+", netCore: false, signInAudience: "AzureADMyOrg", secretRotationDays: 180,
        }, root);
        const app = resource(TYPES.application, childUrn(TYPES.application, "creatio-app"), {
            signInAudience: "AzureADMyOrg",
            web: { redirectUris: [URI_7_17], implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false } },
            requiredResourceAccesses: [
                { resourceAppId: EXCHANGE, resourceAccesses: [{ id: EWS_SCOPE, type: "Scope" }] },
                { resourceAppId: GRAPH, resourceAccesses: [{ id: USER_READ, type: "Scope" }] },
            ],
        }, component);
        const grants = [["creatio-consent-exchange", "EWS.AccessAsUser.All"], ["creatio-consent-graph", "User.Read"]]
            .map(([name, claim]) => resource(TYPES.grant, childUrn(TYPES.grant, name), { claimValues: [claim] }, component));
        const passwords = ["a", "b"].map(slot => resource(TYPES.password, childUrn(TYPES.password, `creatio-secret-${slot}`),
            { endDate: slot === "a" ? "2027-01-22T00:00:00Z" : "2027-07-21T00:00:00Z", value: `value-${slot}` }, component, SECRET_OUTPUTS));
        const all = [root, component, app, ...grants, ...passwords];
        return { all, byName: name => all.find(r => r.name === name)! };
    }

    /** What a stack policy reports, each message with the URN it is reported against. */
    function checkStack(policyName: string, resources: PolicyResource[], now = () => NOW): [string, string | undefined][] {
        const policy = stackPolicies(now).find(p => p.name === policyName) as StackValidationPolicy;
        const reported: [string, string | undefined][] = [];
        policy.validateStack({ resources, stackTags: new Map() } as any, (message, urn) => reported.push([message, urn]));
        return reported;
    }

    /** What a resource policy of `policies` reports for one resource. */
    function check(policies: ResourceValidationPolicy[], name: string, type: string, props: Record<string, any>): string[] {
        const policy = policies.find(p => p.name === name)!;
        const reported: string[] = [];
        (policy.validateResource as (args: any, report: (m: string) => void) => void)(
            { type, props, urn: `urn:${type}`, name: "r", opts: SECRET_OUTPUTS, stackTags: new Map() }, m => reported.push(m));
        return reported;
    }

    const resourcePolicies = creatioPolicies(() => NOW).filter(p => "validateResource" in p) as ResourceValidationPolicy[];

    describe("policy pack (bites)", () => {
        it("passes the hand-written stack as is", () => {
            const { all } = stack();
            assert.deepStrictEqual(checkStack("registration-matches-configuration", all), []);
            assert.deepStrictEqual(checkStack("client-secret-output-is-secret", all), []);
        });

        describe("applications", () => {
            it("refuses an application without a web block, and one whose redirect URI is not a URL", () => {
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-redirect-uris", TYPES.application, {}),
                    ["the application has no web redirect URI for Creatio."]);
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-no-implicit-grant-or-public-client", TYPES.application, {}), []);
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-redirect-uris", TYPES.application,
                    { web: { redirectUris: ["acme.creatio.com/0/rest"] } }),
                ['redirect URI "acme.creatio.com/0/rest" is not an absolute URL.']);
            });

            it("takes a site whose own path ends like a handler as one site (the handler is cut from the end only)", () => {
                const site = `${SITE}/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode`;
                const uris = [`${site}/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode`,
                    `${site}/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode`];
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-redirect-uris", TYPES.application, { web: { redirectUris: uris } }), []);
                const other = "https://evil.example.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode";
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-redirect-uris", TYPES.application,
                    { web: { redirectUris: [uris[0], other] } }),
                [`redirect URIs point to more than one site: ${site}, https://evil.example.com.`]);
            });

            it("lists every refused SPA or public-client redirect URI", () => {
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-redirect-uris", TYPES.application, {
                    web: { redirectUris: [URI_7_17] }, publicClient: { redirectUris: ["https://x/", "ms-app://y"] },
                }), ["publicClient redirect URIs are not allowed: https://x/, ms-app://y."]);
            });

            it("says which scopes an API allows", () => {
                assert.deepStrictEqual(check(resourcePolicies, "entra-app-delegated-creatio-scopes-only", TYPES.application, {
                    requiredResourceAccesses: [{ resourceAppId: GRAPH, resourceAccesses: [{ id: EWS_SCOPE, type: "Scope" }] }],
                }), [`Microsoft Graph: the scope ${EWS_SCOPE} is not allowed; only User.Read (${USER_READ}).`]);
            });
        });

        describe("password lifetime", () => {
            const lifetime = (props: Record<string, any>) =>
                check(passwordPolicies(() => NOW), "client-secret-bounded-lifetime", TYPES.password, props);

            it("refuses an end date that is not a date, or not text", () => {
                assert.deepStrictEqual(lifetime({ endDate: "next year" }),
                    ['the password has no explicit end date (endDate = "next year").']);
                // Date.parse(2027) reads the number as the year 2027: a number must still be refused.
                assert.deepStrictEqual(lifetime({ endDate: 2027 }), ["the password has no explicit end date (endDate = 2027)."]);
            });

            it("counts the lifetime from the password's start date when it has one", () => {
                // 732 days after the start, but less than 731 days after NOW.
                assert.deepStrictEqual(lifetime({ startDate: "2026-01-01T00:00:00Z", endDate: "2028-01-03T00:00:00Z" }), [
                    "the password's end date 2028-01-03T00:00:00Z is more than 731 days (two rotation periods of 365 days " +
                    "plus a day) after 2026-01-01T00:00:00.000Z.",
                ]);
                assert.deepStrictEqual(lifetime({ startDate: "2026-01-01T00:00:00Z", endDate: "2028-01-02T00:00:00Z" }), []);
            });

            it("counts from now when the start date is not a date", () => {
                assert.deepStrictEqual(lifetime({ startDate: "soon", endDate: "2028-11-28T10:00:01Z" }), [
                    "the password's end date 2028-11-28T10:00:01Z is more than 731 days (two rotation periods of 365 days " +
                    "plus a day) after 2026-11-28T10:00:00.000Z.",
                ]);
                // Date.parse(2026) reads the year 2026, new Date(2026) an instant of 1970: a start date that is not text counts from now.
                assert.deepStrictEqual(lifetime({ startDate: 2026, endDate: "2028-11-28T10:00:01Z" }), [
                    "the password's end date 2028-11-28T10:00:01Z is more than 731 days (two rotation periods of 365 days " +
                    "plus a day) after 2026-11-28T10:00:00.000Z.",
                ]);
            });

            it("uses the real clock by default, in the pack and in each group", () => {
                const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
                for (const policies of [creatioPolicies(), passwordPolicies()]) {
                    assert.deepStrictEqual(check(policies as ResourceValidationPolicy[], "client-secret-bounded-lifetime",
                        TYPES.password, { endDate: inDays(730) }), []);
                    const far = check(policies as ResourceValidationPolicy[], "client-secret-bounded-lifetime", TYPES.password,
                        { endDate: inDays(732) });
                    assert.strictEqual(far.length, 1);
                    assert.match(far[0], /^the password's end date \S+ is more than 731 days /);
                }
                const { all, byName } = stack();
                byName("creatio-secret-a").props.endDate = inDays(362);
                const policy = stackPolicies().find(p => p.name === "registration-matches-configuration") as StackValidationPolicy;
                const reported: string[] = [];
                policy.validateStack({ resources: all, stackTags: new Map() } as any, m => reported.push(m));
                assert.strictEqual(reported.length, 1);
                assert.match(reported[0], /^the password's end date \S+ is more than 361 days \(two rotation periods of 180 days/);
            });
        });

        describe("the stack against its configuration", () => {
            it("reports a secret's lifetime against the password's own URN", () => {
                const { all, byName } = stack();
                byName("creatio-secret-a").props.endDate = "2027-11-25T10:00:01Z";
                assert.deepStrictEqual(checkStack("registration-matches-configuration", all), [[
                    "the password's end date 2027-11-25T10:00:01Z is more than 361 days (two rotation periods of 180 days " +
                    "plus a day) after 2026-11-28T10:00:00.000Z.",
                    childUrn(TYPES.password, "creatio-secret-a"),
                ]]);
            });

            it("holds only the component's own children to its configuration", () => {
                const { all } = stack();
                const root = all[0];
                // Another application of the same program, outside the component: not Creatio's.
                const foreign = resource(TYPES.application, `${PREFIX}azuread:index/application:Application::ci`, {
                    signInAudience: "AzureADMultipleOrgs", web: { redirectUris: ["https://ci.example.com/callback"] },
                }, root);
                const unparented = resource(TYPES.grant, `${PREFIX}${TYPES.grant}::other`, { claimValues: ["Mail.Read"] });
                assert.deepStrictEqual(checkStack("registration-matches-configuration", [...all, foreign, unparented]), []);
            });

            it("compares required access without regard to order, and lists the ids sorted", () => {
                const { all, byName } = stack();
                const app = byName("creatio-app").props;
                app.requiredResourceAccesses = [...app.requiredResourceAccesses].reverse();
                assert.deepStrictEqual(checkStack("registration-matches-configuration", all), []);
                app.requiredResourceAccesses = [
                    { resourceAppId: GRAPH, resourceAccesses: [{ id: USER_READ, type: "Scope" }] },
                    { resourceAppId: EXCHANGE, resourceAccesses: [{ id: EWS_SCOPE, type: "Scope" }, { id: "0000aaaa", type: "Scope" }] },
                ];
                assert.deepStrictEqual(checkStack("registration-matches-configuration", all), [[
                    `required access [${EXCHANGE}: 0000aaaa, ${EWS_SCOPE}; ${GRAPH}: ${USER_READ}] is not the 7.17+ profile's ` +
                    `[${EXCHANGE}: ${EWS_SCOPE}; ${GRAPH}: ${USER_READ}].`,
                    childUrn(TYPES.application, "creatio-app"),
                ]]);
            });

            it("lists a grant's claims sorted, and every claim set the profile allows", () => {
                const { all, byName } = stack();
                byName("creatio-consent-graph").props.claimValues = ["User.Read", "EWS.AccessAsUser.All"];
                assert.deepStrictEqual(checkStack("registration-matches-configuration", all), [[
                    'consent grant claims ["EWS.AccessAsUser.All","User.Read"] are not among the 7.17+ profile\'s ' +
                    '["EWS.AccessAsUser.All"], ["User.Read"].',
                    childUrn(TYPES.grant, "creatio-consent-graph"),
                ]]);
            });

            it("lists every foreign and every missing redirect URI", () => {
                const { all, byName } = stack();
                const component = byName("creatio").props;
                component.profile = "any";
                const m365 = `${SITE}/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode`;
                const foreign = ["https://a.example.com/x", "https://b.example.com/y"];
                byName("creatio-app").props.web = { redirectUris: foreign };
                const app = childUrn(TYPES.application, "creatio-app");
                assert.deepStrictEqual(checkStack("registration-matches-configuration", all).slice(0, 2), [
                    [`redirect URIs outside the configured site ${SITE} (creatioVersion profile any, .NET Framework): ` +
                        `${foreign.join(", ")}; allowed: ${m365}, ${URI_7_17}.`, app],
                    [`redirect URIs of the configured site ${SITE} (creatioVersion profile any, .NET Framework) are missing: ` +
                        `${m365}, ${URI_7_17}.`, app],
                ]);
                delete byName("creatio-app").props.web;
                assert.deepStrictEqual(checkStack("registration-matches-configuration", all)[0], [
                    `redirect URIs of the configured site ${SITE} (creatioVersion profile any, .NET Framework) are missing: ` +
                    `${m365}, ${URI_7_17}.`, app]);
            });
        });

        describe("the clientSecret output", () => {
            it("is not asked for when the stack resource is not among the resources", () => {
                const { all } = stack();
                assert.deepStrictEqual(checkStack("client-secret-output-is-secret", all.slice(1)), []);
            });

            it("is not asked for of a stack without passwords", () => {
                const root = resource(TYPES.stack, STACK_URN, { clientId: "x" });
                assert.deepStrictEqual(checkStack("client-secret-output-is-secret", [root]), []);
            });

            it("is reported against the stack", () => {
                const { all } = stack();
                all[0].props.clientSecret = "typed-in";
                assert.deepStrictEqual(checkStack("client-secret-output-is-secret", all),
                    [["the stack's clientSecret output is not the value of a password slot.", STACK_URN]]);
            });
        });
    });
});
