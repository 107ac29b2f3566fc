import * as assert from "assert";
import { type StackConfig } from "../../../ops/plan/config.ts";
import { type Evaluation, OFFSET_DEPENDENT } from "../../../ops/plan/program.ts";
import {
    APPLICATION, CONSENT_GRANT, PASSWORD, type Plan, RANDOM_INTEGER, SERVICE_PRINCIPAL, buildPlan, renderText, revealer, summaryLine,
} from "../../../ops/plan/render.ts";
import type { DeclaredResource,Placeholder } from "../../../ops/plan/tenant.ts";
import { ownersWarning } from "../../../lib/owners.ts";

const NOW = new Date("2026-06-15T12:00:00Z");

// Microsoft's documentation (GUIDE.md, Identifiers): Office 365 Exchange Online's appId and its EWS.AccessAsUser.All scope id.
const EXCHANGE = "00000002-0000-0ff1-ce00-000000000000";
const EWS_SCOPE = "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5";
// Microsoft Graph permissions reference (GUIDE.md, Identifiers): Microsoft Graph's appId.
const GRAPH = "00000003-0000-0000-c000-000000000000";
const LOOKUP_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal";

const CLIENT_ID: Placeholder = {
    value: "0e1d0000-0000-4000-a000-000000000001", name: "Client ID", text: "(Client ID, assigned by Entra ID at pulumi up)",
};
const SECRET: Placeholder = {
    value: "stand-in-secret-0000000000000001", name: "client secret", text: "(client secret, assigned by Entra ID at pulumi up; a secret)",
};

function config(more: Partial<StackConfig> = {}): StackConfig {
    return {
        project: "proj", stack: "s", stackFile: "Pulumi.s.yaml",
        values: {}, sources: {}, secureKeys: [], notes: [], ...more,
    };
}

function evaluation(more: Partial<Evaluation> = {}): Evaluation {
    return { declared: [], lookups: [], outputs: {}, placeholders: [CLIENT_ID, SECRET], messages: [], ...more };
}

function resource(type: string, name: string, inputs: Record<string, unknown>, importId?: string): DeclaredResource {
    return { type, name, inputs, custom: true, ...(importId && { importId }) };
}

const ASSIGNED = "(assigned by Entra ID at pulumi up)";
// Unset owners are the deploying identity (COMMON interface 2; docs/commands.md, the plan): named, never left blank.
const DEPLOYER = "the identity that runs pulumi up";

describe("npm run plan: the plan built from an evaluation", () => {
    it("shows stand-ins inside objects as what they stand for, and leaves null as it is", () => {
        const reveal = revealer([CLIENT_ID]);
        assert.deepStrictEqual(reveal({ id: CLIENT_ID.value, uri: `api://${CLIENT_ID.value}`, none: null, nested: { n: 1 } }),
            { id: CLIENT_ID.text, uri: "api://<Client ID>", none: null, nested: { n: 1 } });
        assert.strictEqual(reveal(null), null);
        assert.strictEqual(reveal(OFFSET_DEPENDENT), "(set at the first pulumi up: depends on the rotation offset drawn then)");
    });

    it("lays out every section from what the program declared, looked up and exported", () => {
        const plan = buildPlan({
            now: NOW,
            config: config({
                values: { "proj:b": "1", "proj:a": "x", "aws:region": "r" },
                sources: { "proj:b": "Pulumi.s.yaml", "proj:a": "Pulumi.yaml", "aws:region": "Pulumi.s.yaml" },
                secureKeys: ["proj:apiKey", "azuread:clientSecret"],
                notes: ["a note"],
            }),
            evaluation: evaluation({
                messages: [`warning: owners leave out ${CLIENT_ID.value}`],
                declared: [
                    // A component: only groups the others; it records the rotation period.
                    { type: "creatio:index:OAuthApp", name: "component", inputs: { secretRotationDays: 30 }, custom: false },
                    resource(APPLICATION, "app", {
                        displayName: `App ${CLIENT_ID.value}`,
                        signInAudience: "AzureADMultipleOrgs",
                        requiredResourceAccesses: [
                            { resourceAppId: EXCHANGE, resourceAccesses: [
                                { id: EWS_SCOPE, type: "Scope" },
                                { id: "11111111-0000-0000-0000-000000000000", type: "Role" },
                            ] },
                            { resourceAppId: "22222222-0000-0000-0000-000000000000", resourceAccesses: [{ id: "x", type: "Other" }] },
                            { resourceAppId: GRAPH },
                        ],
                        owners: [],
                        emptyThing: {},
                        nothing: null,
                    }, "/tenants/t1/applications/app1"),
                    resource(APPLICATION, "app-web", { web: { redirectUris: "https://one" }, owners: ["o1", CLIENT_ID.value] },
                        "/applications/app2"),
                    resource(SERVICE_PRINCIPAL, "sp", { clientId: CLIENT_ID.value, owners: ["o1"], appRoleAssignmentRequired: false },
                        "/tenants/t1/servicePrincipals/sp1"),
                    resource(SERVICE_PRINCIPAL, "sp2", { clientId: CLIENT_ID.value }, "/servicePrincipals/sp2"),
                    resource(CONSENT_GRANT, "grant-user", {
                        resourceServicePrincipalObjectId: "exo-sp", servicePrincipalObjectId: "our-sp",
                        claimValues: ["EWS.AccessAsUser.All", "Other"], userObjectId: "user-1", expiry: "never",
                    }),
                    resource(CONSENT_GRANT, "grant-unlooked", { resourceServicePrincipalObjectId: "app-sp", claimValues: ["a"] }),
                    resource(CONSENT_GRANT, "grant-unknown-api", { resourceServicePrincipalObjectId: "some-sp", claimValues: ["b"] }),
                    resource(PASSWORD, "slot", {
                        displayName: "slot a", endDate: "2027-01-01T00:00:00Z", applicationId: "/applications/x", rotateWhenChanged: { w: 1 },
                    }),
                    resource(RANDOM_INTEGER, "offset", { min: 2, max: 3 }),
                    resource("random:index/randomString:RandomString", "extra", { length: 8, note: CLIENT_ID.value }),
                    { type: "pulumi:pulumi:Stack", name: "proj-s", inputs: {}, custom: false },
                ],
                lookups: [
                    { token: LOOKUP_SERVICE_PRINCIPAL, inputs: { clientId: EXCHANGE }, result: { objectId: "exo-sp" } },
                    // The tenant refused this one: no result.
                    { token: LOOKUP_SERVICE_PRINCIPAL, inputs: { clientId: "nope" } },
                    { token: "azuread:index/getApplication:getApplication", inputs: { clientId: GRAPH }, result: { objectId: "app-sp" } },
                    { token: LOOKUP_SERVICE_PRINCIPAL, inputs: { clientId: "33333333-0000-0000-0000-000000000000" },
                        result: { objectId: "some-sp" } },
                ],
                outputs: {
                    plain: { value: CLIENT_ID.value, secret: false },
                    secretValue: { value: "s3cr3t-from-program", secret: true },
                    secretStandIn: { value: SECRET.value, secret: true },
                    structured: { value: { id: CLIENT_ID.value, none: null }, secret: false },
                    ewsAllowListScript: { value: `a ${CLIENT_ID.value}\nb\n`, secret: false },
                },
            }),
        });
        assert.deepStrictEqual(plan, {
            stack: "s",
            project: "proj",
            files: ["Pulumi.yaml", "Pulumi.s.yaml"],
            at: "2026-06-15T12:00:00Z",
            configuration: [
                { key: "aws:region", value: "r", from: "Pulumi.s.yaml" },
                { key: "a", value: "x", from: "Pulumi.yaml" },
                { key: "b", value: "1", from: "Pulumi.s.yaml" },
                // Encrypted keys: named without the project's namespace like the others, never shown.
                { key: "apiKey", value: "[secure: not decrypted]", from: "Pulumi.s.yaml" },
                { key: "azuread:clientSecret", value: "[secure: not decrypted]", from: "Pulumi.s.yaml" },
            ],
            notes: ["a note"],
            programMessages: [`warning: owners leave out ${CLIENT_ID.text}`],
            application: [{
                resource: "app",
                action: "adopt (import /tenants/t1/applications/app1)",
                displayName: "App <Client ID>",
                signInAudience: "AzureADMultipleOrgs",
                redirectUris: undefined,
                permissions: [
                    { api: "Office 365 Exchange Online", apiAppId: EXCHANGE, scope: "EWS.AccessAsUser.All", scopeId: EWS_SCOPE,
                        type: "delegated" },
                    // Entra ID requiredResourceAccess: "Role" is an application permission.
                    { api: "Office 365 Exchange Online", apiAppId: EXCHANGE, scope: "(a scope id this program does not name)",
                        scopeId: "11111111-0000-0000-0000-000000000000", type: "application" },
                    { api: "(an API this program does not name)", apiAppId: "22222222-0000-0000-0000-000000000000",
                        scope: "(a scope id this program does not name)", scopeId: "x", type: "Other" },
                ],
                owners: [DEPLOYER],
                clientId: "(the adopted registration's Client ID, read at pulumi up)",
                // Only a leading /applications/ is the object id's prefix: an id of another form is shown whole.
                objectId: "/tenants/t1/applications/app1",
                otherSettings: { emptyThing: {}, nothing: null },
            }, {
                resource: "app-web",
                action: "adopt (import /applications/app2)",
                displayName: undefined,
                signInAudience: undefined,
                redirectUris: "https://one",
                permissions: [],
                owners: ["o1", CLIENT_ID.text],
                clientId: "(the adopted registration's Client ID, read at pulumi up)",
                objectId: "app2",
                otherSettings: {},
            }],
            servicePrincipal: [{
                resource: "sp",
                action: "adopt (import /tenants/t1/servicePrincipals/sp1)",
                application: CLIENT_ID.text,
                owners: ["o1"],
                objectId: "/tenants/t1/servicePrincipals/sp1",
                otherSettings: { appRoleAssignmentRequired: false },
            }, {
                resource: "sp2",
                action: "adopt (import /servicePrincipals/sp2)",
                application: CLIENT_ID.text,
                owners: [DEPLOYER],
                objectId: "sp2",
                otherSettings: {},
            }],
            consentGrants: [{
                resource: "grant-user",
                action: "create",
                api: "Office 365 Exchange Online",
                apiAppId: EXCHANGE,
                // Microsoft Graph oauth2PermissionGrant: consentType Principal grants for one user.
                consentType: "Principal (one user: user-1)",
                claims: ["EWS.AccessAsUser.All", "Other"],
                otherSettings: { expiry: "never" },
            }, {
                // Looked up, but not as a service principal: the API stays unknown.
                resource: "grant-unlooked",
                action: "create",
                api: "app-sp",
                apiAppId: "(unknown)",
                consentType: "AllPrincipals (admin consent for all users)",
                claims: ["a"],
                otherSettings: {},
            }, {
                resource: "grant-unknown-api",
                action: "create",
                api: "some-sp",
                apiAppId: "33333333-0000-0000-0000-000000000000",
                consentType: "AllPrincipals (admin consent for all users)",
                claims: ["b"],
                otherSettings: {},
            }],
            rotation: {
                periodDays: 30,
                secretLifetimeDays: 60,
                cap: undefined,
                offset: { resource: "offset", minDays: 2, maxDays: 3,
                    drawn: "once, at the first pulumi up, and kept in the stack's state" },
                // lib/rotation.ts: 30-day windows from 2024-01-01 shifted by the offset; at 2026-06-15T12:00Z the window
                // of offset 2 (from 2024-01-03) ends 900 days on, on 2026-06-21, that of offset 3 on 2026-06-22.
                firstRotation: { earliest: "2026-06-21T00:00:00Z", latest: "2026-06-22T00:00:00Z" },
            },
            secretSlots: [{
                resource: "slot",
                action: "create",
                displayName: "slot a",
                endDate: "2027-01-01T00:00:00Z",
                keyId: ASSIGNED,
                value: `[secret] ${ASSIGNED}`,
                otherSettings: { "rotateWhenChanged.w": 1 },
            }],
            otherResources: [{
                type: "random:index/randomString:RandomString", resource: "extra", action: "create",
                inputs: { length: 8, note: CLIENT_ID.text },
            }],
            ewsAllowListCommand: "a <Client ID>\nb\n",
            // The application requests Exchange's EWS.AccessAsUser.All; 2027-04-01 (FACTS.md) is 289 whole days after
            // 2026-06-15T12:00Z.
            ewsDeadline: "EWS deadline: Exchange Online switches EWS off for good on 2027-04-01 (289 days left), and Creatio's Microsoft 365 " +
                "mail sync uses EWS: watch for a Creatio version whose Microsoft 365 mail provider uses Microsoft Graph.",
            outputs: {
                plain: CLIENT_ID.text,
                // A secret the program made itself is never shown; a stand-in secret is shown as what it stands for.
                secretValue: "[secret]",
                secretStandIn: `[secret] ${SECRET.text}`,
                structured: { id: CLIENT_ID.text, none: null },
                ewsAllowListScript: "a <Client ID>\nb\n",
            },
        });
    });

    describe("owners and the identity that runs pulumi up, which the plan cannot know", () => {
        const DEPLOYER_ID: Placeholder = {
            value: "0e1d0000-0000-4000-a000-000000000009", name: "deployer", text: "(the identity that runs pulumi up)",
        };
        // lib/owners.ts: the program's warning when owners leaves the deployer's object id out
        const standInWarning = `warning: ${ownersWarning(DEPLOYER_ID.value)}`;
        const note = "owners lists 2 object ids. plan cannot know which identity will run pulumi up: if it is not among " +
            "them, the azuread provider leaves it out of the owners of the application and its service principal, and an " +
            "identity with only the Microsoft Graph permission Application.ReadWrite.OwnedBy can then no longer change them " +
            "(later deploys and rotations fail). pulumi up warns when that is so, naming the identity; with owners unset, " +
            "that identity is the only owner.";
        const planOf = (owners: string[], messages: string[]) => buildPlan({
            now: NOW, config: config(), evaluation: evaluation({
                placeholders: [CLIENT_ID, SECRET, DEPLOYER_ID], messages,
                declared: [resource(APPLICATION, "app", { owners }), resource(SERVICE_PRINCIPAL, "sp", { owners })],
            }),
        });

        it("says once, as a note, what it cannot know when owners is set, instead of the program's warning about a stand-in", () => {
            const plan = planOf(["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"],
                [standInWarning, "warning: another"]);
            assert.deepStrictEqual(plan.notes, [note]);
            assert.deepStrictEqual(plan.programMessages, ["warning: another"]);
            assert.ok(!renderText(plan).includes("does not list"), renderText(plan));
        });

        it("says nothing when owners is unset: the deploying identity is the owner", () => {
            const plan = planOf([DEPLOYER_ID.value], []);
            assert.deepStrictEqual(plan.notes, []);
            assert.deepStrictEqual(plan.application[0].owners, [DEPLOYER_ID.text]);
        });

        it("keeps a warning about owners that names a real object id", () => {
            const real = `warning: ${ownersWarning("33333333-3333-4333-8333-333333333333")}`;
            assert.deepStrictEqual(planOf(["11111111-1111-4111-8111-111111111111"], [real]).programMessages, [real]);
        });
    });

    it("gives no first rotation without an offset range, and no offset without a drawn range", () => {
        const plan = buildPlan({
            now: NOW, config: config(),
            evaluation: evaluation({
                // A random integer whose range is not numbers: the offset's range is unknown.
                declared: [resource(RANDOM_INTEGER, "offset", { min: "0" })],
                outputs: { secretRotationDays: { value: 30, secret: false } },
            }),
        });
        assert.deepStrictEqual(plan.rotation, { periodDays: 30, secretLifetimeDays: 60, cap: undefined, offset: undefined, firstRotation: undefined });
        const withoutOffset = buildPlan({
            now: NOW, config: config(), evaluation: evaluation({ outputs: { secretRotationDays: { value: 7, secret: false } } }),
        });
        assert.deepStrictEqual(withoutOffset.rotation, { periodDays: 7, secretLifetimeDays: 14, cap: undefined, offset: undefined, firstRotation: undefined });
    });

    it("has no rotation section when the program declares no period", () => {
        const plan = buildPlan({
            now: NOW, config: config(), evaluation: evaluation({ declared: [resource(RANDOM_INTEGER, "offset", { min: 0, max: 364 })] }),
        });
        assert.strictEqual(plan.rotation, undefined);
        assert.strictEqual(plan.ewsAllowListCommand, undefined);
        // No application that requests EWS: no EWS deadline.
        assert.strictEqual(plan.ewsDeadline, undefined);
        const graphOnly = buildPlan({
            now: NOW, config: config(), evaluation: evaluation({ declared: [resource(APPLICATION, "app", {
                requiredResourceAccesses: [{ resourceAppId: GRAPH, resourceAccesses: [{ id: EWS_SCOPE, type: "Scope" }] }],
            })] }),
        });
        assert.strictEqual(graphOnly.ewsDeadline, undefined);
    });
});

/**
 * Where the Client ID and secret go: Creatio's Microsoft 365 mail service, authentication "OAuth 2.0", fields
 * "Application (client) ID" and "Client secret" (Creatio documentation, "Set up the MS Exchange and Microsoft 365
 * services"), kept in OAuthApplications.ClientId and SecretKey (Creatio 8.1 source, OAuthApplicationsSchema.CrtBase.cs);
 * deliver's sign-in variables: ops/creatio/delivery.ts FORMS_VARIABLES and OAUTH_VARIABLES.
 */
const IN_CREATIO = [
    "In Creatio, after pulumi up:",
    "  The Microsoft 365 mail service (authentication OAuth 2.0) takes two fields:",
    "    Application (client) ID  the stack output clientId",
    "    Client secret            the stack output clientSecret",
    "  Print both (the secret too):  npm run -s credentials -- --stack s --format creatio",
    "  Or write them into Creatio:   npm run -s deliver -- --stack s --mail-server <mail server name>",
    "    (--mail-server the first time; later runs find every OAuthApplications record that holds the Client ID.",
    "    Signs in with CREATIO_USERNAME and CREATIO_PASSWORD, or CREATIO_IDENTITY_URL, CREATIO_API_CLIENT_ID and",
    "    CREATIO_API_CLIENT_SECRET)",
];

/** A plan with every section, written out as buildPlan gives it. */
function fullPlan(): Plan {
    return {
        stack: "s", project: "proj", files: ["Pulumi.yaml", "Pulumi.s.yaml"], at: "2026-06-15T12:00:00Z",
        configuration: [{ key: "siteName", value: "acme", from: "Pulumi.s.yaml" }, { key: "aws:region", value: "r", from: "Pulumi.yaml" },
            { key: "siteUrl", value: "", from: "Pulumi.yaml" }, { key: "netCore", value: "false", from: "Pulumi.yaml" },
            { key: "displayName", value: "a\u001b[2Jb", from: "Pulumi.s.yaml" }],
        notes: ["a note"],
        programMessages: ["warning: one", "info: two"],
        application: [{
            resource: "app", action: "create", displayName: "App", signInAudience: "AzureADMyOrg", redirectUris: "https://one",
            permissions: [{ api: "Office 365 Exchange Online", apiAppId: EXCHANGE, scope: "EWS.AccessAsUser.All", scopeId: EWS_SCOPE,
                type: "delegated" }],
            owners: ["o1", "o2"], clientId: ASSIGNED, objectId: ASSIGNED, otherSettings: { "web.x": false },
        }],
        servicePrincipal: [{
            resource: "sp", action: "create", application: "(Client ID)", owners: ["o1", "o2"], objectId: ASSIGNED,
            otherSettings: { appRoleAssignmentRequired: false },
        }],
        consentGrants: [{
            resource: "grant", action: "create", api: "Office 365 Exchange Online", apiAppId: EXCHANGE,
            consentType: "AllPrincipals (admin consent for all users)", claims: ["A", "B"], otherSettings: { expiry: "never" },
        }],
        rotation: {
            periodDays: 30, secretLifetimeDays: 60, cap: { maxSecretLifetimeDays: 61, secretRotationDays: "90" },
            offset: { resource: "offset", minDays: 2, maxDays: 3, drawn: "once" },
            firstRotation: { earliest: "2026-06-21T00:00:00Z", latest: "2026-06-22T00:00:00Z" },
        },
        secretSlots: [{
            resource: "secret-a", action: "create", displayName: "slot a", endDate: "2027-01-01T00:00:00Z", keyId: ASSIGNED,
            value: `[secret] ${ASSIGNED}`, otherSettings: { "rotateWhenChanged.windowStart": "w" },
        }],
        otherResources: [{ type: "random:index/randomString:RandomString", resource: "extra", action: "create", inputs: { length: 8 } }],
        ewsAllowListCommand: "first line\nsecond line\n",
        ewsDeadline: "EWS deadline: a line",
        outputs: { clientId: "(Client ID)", ewsAllowListScript: "first line\nsecond line\n", n: 3, netCore: false, uris: ["u1", "u2"] },
    };
}

describe("npm run plan: the plan as text", () => {
    it("shows every section of a plan", () => {
        assert.strictEqual(renderText(fullPlan()), [
            'Plan of stack "s" (project proj) from Pulumi.yaml and Pulumi.s.yaml, at 2026-06-15T12:00:00Z.',
            "Nothing was sent anywhere: the Entra ID tenant was stood in for. Values marked",
            '"assigned by Entra ID at pulumi up" exist only after pulumi up.',
            "",
            "Configuration (as pulumi up passes it to the program):",
            // Numbers, booleans and text bare; an empty value is said to be unset; a terminal escape is not passed on
            "  siteName     acme  (Pulumi.s.yaml)",
            "  aws:region   r  (Pulumi.yaml)",
            "  siteUrl      (not set)  (Pulumi.yaml)",
            "  netCore      false  (Pulumi.yaml)",
            "  displayName  a\uFFFD[2Jb  (Pulumi.s.yaml)",
            "  Note: a note",
            "",
            "Messages from the program (pulumi up shows them too):",
            "  warning: one",
            "  info: two",
            "",
            // The Entra admin center's names: App registrations with its Authentication, API permissions and
            // Certificates & secrets pages, "Grant admin consent for <tenant>" (Creatio 8.1 documentation, "Set up OAuth
            // authentication for Microsoft Office 365"; GUIDE.md, the portal steps)
            "App registration app: create",
            "  Display name:             App",
            // MicrosoftDocs/entra-docs supported-accounts-validation.md: Supported account types <-> signInAudience
            "  Supported account types:  Accounts in this organizational directory only (Single tenant), signInAudience AzureADMyOrg",
            "  Authentication, Redirect URIs (Web):",
            "    https://one",
            "  API permissions:",
            `    Office 365 Exchange Online: EWS.AccessAsUser.All, Delegated (API ${EXCHANGE}, permission ${EWS_SCOPE})`,
            "  Owners:                   o1, o2",
            `  Application (client) ID:  ${ASSIGNED}`,
            `  Object ID:                ${ASSIGNED}`,
            "  Other settings (the azuread provider's names):",
            "    web.x: false",
            "",
            "Enterprise application (service principal) sp: create",
            "  Of the application: (Client ID)",
            "  Owners:             o1, o2",
            `  Object ID:          ${ASSIGNED}`,
            "  appRoleAssignmentRequired: false",
            "",
            "Grant admin consent grant: create",
            `  API:          Office 365 Exchange Online (${EXCHANGE}), looked up in the tenant, never created`,
            "  Consent:      for all users of the tenant (consentType AllPrincipals)",
            "  Permissions:  A B",
            "  expiry: never",
            "",
            "Client secret rotation:",
            "  Period:          30 days; each secret is valid for 60 days",
            "  Lifetime cap:    61 days (maxSecretLifetimeDays): the period is lowered from secretRotationDays 90 to 30 days",
            "  Offset:          2 to 3 days (offset), drawn once",
            "  First rotation:  between 2026-06-21T00:00:00Z and 2026-06-22T00:00:00Z (if the first pulumi up runs at 2026-06-15T12:00:00Z)",
            "",
            "Certificates & secrets, client secret secret-a: create",
            "  Description:  slot a",
            "  Expires:      2027-01-01T00:00:00Z",
            `  Secret ID:    ${ASSIGNED}`,
            `  Value:        [secret] ${ASSIGNED}`,
            "  rotateWhenChanged.windowStart: w",
            "",
            "random:index/randomString:RandomString extra: create",
            '  {"length":8}',
            "",
            "EWS allow list: after pulumi up, an Exchange administrator runs in Exchange Online PowerShell:",
            "  first line",
            "  second line",
            "",
            "EWS deadline: a line",
            "",
            "Stack outputs:",
            "  clientId: (Client ID)",
            "  ewsAllowListScript: (the EWS allow list command above)",
            "  n: 3",
            "  netCore: false",
            "  uris: u1, u2",
            "",
            ...IN_CREATIO,
            "",
            "Would create 6 resources: 1 app registration, 1 service principal, 1 admin consent grant, 1 client secret, " +
            "1 rotation offset (in the stack's state only), 1 other resource.",
            "",
        ].join("\n"));
    });

    it("sums up what would be created and what adopted, by kind", () => {
        const adopted = fullPlan();
        adopted.application[0].action = "adopt (import /applications/x)";
        adopted.servicePrincipal[0].action = "adopt (import /servicePrincipals/y)";
        assert.strictEqual(summaryLine(adopted), "Would create 4 resources: 1 admin consent grant, 1 client secret, " +
            "1 rotation offset (in the stack's state only), 1 other resource. Would adopt 2 existing resources (import, " +
            "nothing created in their place): 1 app registration, 1 service principal.");
        const twoSecrets = { ...fullPlan(), otherResources: [], secretSlots: [...fullPlan().secretSlots, ...fullPlan().secretSlots] };
        assert.strictEqual(summaryLine(twoSecrets), "Would create 6 resources: 1 app registration, 1 service principal, " +
            "1 admin consent grant, 2 client secrets, 1 rotation offset (in the stack's state only).");
        assert.strictEqual(summaryLine({ ...fullPlan(), application: [], servicePrincipal: [], consentGrants: [], secretSlots: [],
            rotation: undefined, otherResources: [] }), "Would create nothing.");
    });

    it("leaves out the parts a plan does not have", () => {
        const plan: Plan = {
            ...fullPlan(), notes: [], programMessages: [], application: [], servicePrincipal: [], consentGrants: [],
            rotation: { periodDays: 7, secretLifetimeDays: 14, cap: undefined, offset: undefined, firstRotation: undefined },
            otherResources: [], ewsAllowListCommand: undefined, ewsDeadline: undefined, outputs: {},
        };
        const end = ["", ...IN_CREATIO, "", "Would create 1 resource: 1 client secret.", ""].join("\n");
        const tail = [
            "",
            "Client secret rotation:",
            "  Period:          7 days; each secret is valid for 14 days",
            "",
            "Certificates & secrets, client secret secret-a: create",
        ].join("\n");
        const text = renderText(plan);
        assert.ok(text.includes(`  displayName  a\uFFFD[2Jb  (Pulumi.s.yaml)\n${tail}`), text);
        assert.ok(text.endsWith(`\nStack outputs:\n${end}`), text);
        const noRotation = renderText({ ...plan, rotation: undefined, secretSlots: [] });
        assert.ok(noRotation.endsWith(`  displayName  a\uFFFD[2Jb  (Pulumi.s.yaml)\n\nStack outputs:\n` +
            end.replace("Would create 1 resource: 1 client secret.", "Would create nothing.")), noRotation);
    });
});
