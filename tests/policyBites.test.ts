/**
 * The policy pack: behaviour that mutation testing found unchecked by policy.test.ts. The stack
 * is written out by hand here, as a stack policy sees it after an update (each resource's
 * outputs, its parent, the component's registered outputs).
 */
import * as assert from "assert";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TYPES, creatioPolicies, passwordPolicies, stackPolicies } from "../policy/rules";
import { DAY_MS } from "../lib/rotation";

const NOW = new Date("2026-11-28T10:00:00Z");
// The ids of lib/microsoftApis.ts, as tests/component.test.ts pins them to Microsoft's published values.
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
