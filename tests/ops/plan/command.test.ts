import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, planCommand } from "../../../ops/plan/command";
import { CommandIO, executeCommand } from "../../../ops/io";
import { runInProcess } from "../../fakes/commands";
import { PlanError, goJson, loadStackConfig, pulumiConfigEnv, stackConfigFrom } from "../../../ops/plan/config";
import { contrastingOffset } from "../../../ops/plan/program";
import { PLACEHOLDER_GUID_PREFIX } from "../../../ops/plan/tenant";
import { ownersWarning } from "../../../lib/owners";
import { rotationPlan } from "../../../lib/rotation";

const ROOT = path.resolve(__dirname, "..", "..", "..");
/** A fixed instant for the plan: the first rotation is given as if `pulumi up` ran then. */
const NOW = new Date("2026-06-15T12:00:00Z");

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** The outside world of a plan run: no environment, a fixed clock, and a pulumi that must not be called. */
function planIO(argv: string[], stdout: (text: string) => void, stderr: (text: string) => void, env: CommandIO["env"] = {}): CommandIO {
    return {
        argv, env, now: () => NOW, stdout, stderr,
        pulumi: async args => assert.fail(`plan ran pulumi ${args.join(" ")}`),
    };
}

/** Runs the plan in this process; what reaches the process's own stdout or stderr meanwhile goes to `leaked`. */
async function planAndLeaks(argv: string[], projectDir = ROOT): Promise<Run & { leaked: string }> {
    let stdout = "";
    let stderr = "";
    let leaked = "";
    const writers = { out: process.stdout.write, err: process.stderr.write };
    const leak = (chunk: unknown, ...rest: unknown[]) => {
        leaked += String(chunk);
        const done = rest.find(r => typeof r === "function") as (() => void) | undefined;
        done?.();
        return true;
    };
    process.stdout.write = leak as typeof process.stdout.write;
    process.stderr.write = leak as typeof process.stderr.write;
    try {
        const code = await executeCommand("plan", planCommand({ projectDir, program: path.join(ROOT, "index.ts") }),
            planIO(argv, text => { stdout += text; }, text => { stderr += text; }));
        return { code, stdout, stderr, leaked };
    } finally {
        process.stdout.write = writers.out;
        process.stderr.write = writers.err;
    }
}

async function plan(argv: string[], projectDir = ROOT): Promise<Run> {
    const { code, stdout, stderr, leaked } = await planAndLeaks(argv, projectDir);
    assert.strictEqual(leaked, "", "the plan wrote to the process's own stdout or stderr");
    return { code, stdout, stderr };
}

/** A project folder with this project's Pulumi.yaml and the given stack files. */
function projectWith(stackFiles: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const [name, text] of Object.entries(stackFiles)) {
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

/** A stack whose owners leave the deploying identity out. */
const OWNERS_STACK = "config:\n  creatio-m365-oauth:siteName: acme\n  creatio-m365-oauth:owners:\n    - 11111111-1111-4111-8111-111111111111\n";

const OFFSET = "(set at the first pulumi up: depends on the rotation offset drawn then)";

describe("npm run plan", () => {
    describe("the stack config as pulumi up passes it", () => {
        it("hands the dev stack's values and Pulumi.yaml's defaults to the program as PULUMI_CONFIG", () => {
            const config = loadStackConfig(ROOT, "dev");
            // pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go constructConfig: JSON, keys
            // <namespace>:config:<name>; pkg/workspace/config.go createConfigValue: defaults "" as is, 180 as "180",
            // [] as JSON; sdk/go/common/resource/config/object.go MarshalString: a YAML 180 as "180".
            assert.strictEqual(pulumiConfigEnv(config), "{" + [
                '"creatio-m365-oauth:config:creatioVersion":"8.1"',
                '"creatio-m365-oauth:config:displayName":""',
                '"creatio-m365-oauth:config:existingApplicationObjectId":""',
                '"creatio-m365-oauth:config:existingExchangeConsentGrantId":""',
                '"creatio-m365-oauth:config:existingGraphConsentGrantId":""',
                '"creatio-m365-oauth:config:existingServicePrincipalObjectId":""',
                '"creatio-m365-oauth:config:maxSecretLifetimeDays":"0"',
                '"creatio-m365-oauth:config:netCore":"false"',
                '"creatio-m365-oauth:config:owners":"[]"',
                '"creatio-m365-oauth:config:secretRotationDays":"180"',
                '"creatio-m365-oauth:config:signInAudience":"AzureADMultipleOrgs"',
                '"creatio-m365-oauth:config:siteName":"acme-dev"',
                '"creatio-m365-oauth:config:siteUrl":""',
            ].join(",") + "}");
            assert.deepStrictEqual(config.secureKeys, []);
        });

        const PROJECT = [
            "name: proj",
            "runtime: nodejs",
            "config:",
            "  name: {type: string, default: ''}",
            "  count: {type: integer, default: 180}",
            "  flag: {type: boolean, default: false}",
            "  list: {type: array, items: {type: string}, default: []}",
            "  plain: hello",
            "  required: {type: string}",
            "  azuread:environment: public",
        ].join("\n");
        const stack = (...lines: string[]) => ["config:", "  proj:required: x", ...lines.map(l => `  ${l}`)].join("\n");

        it("turns stack values and defaults into text the way the CLI does", () => {
            const config = stackConfigFrom(PROJECT, stack(
                "proj:count: 7",
                "proj:flag: true",
                "proj:list: [b, a]",
                'proj:config:name: "<a&b>"',
                "proj:obj: {z: 1, a: [true, null, 12345678901234567890]}",
                "aws:region: us-east-1",
                "azuread:clientSecret: {secure: v1:Zm9vYmFy}",
            ), "s", "Pulumi.s.yaml");
            assert.deepStrictEqual(config.values, {
                "proj:required": "x",
                "proj:count": "7", // config/object.go MarshalString: numbers as JSON
                "proj:flag": "true", // booleans as JSON
                "proj:list": '["b","a"]', // structured values as JSON
                "proj:name": "<a&b>", // config/key.go ParseKey: <namespace>:config:<name> is <namespace>:<name>; strings as they are
                "proj:obj": '{"a":[true,null,12345678901234567890],"z":1}', // Go's encoding/json: map keys sorted, int64 exact
                "aws:region": "us-east-1",
                "proj:plain": "hello", // workspace/project.go RewriteShorthandConfigValues: a project key's shorthand is its default
                "azuread:environment": "public", // ... another namespace's shorthand is its value
            });
            assert.deepStrictEqual(config.secureKeys, ["azuread:clientSecret"]);
            assert.deepStrictEqual(config.notes,
                ["azuread:clientSecret is encrypted (secure:) in Pulumi.s.yaml: not decrypted, so the plan runs without it"]);
        });

        it("says that values of Pulumi ESC environments are not read", () => {
            const config = stackConfigFrom(PROJECT, "environment:\n  - acme/dev\n" + stack(), "s", "Pulumi.s.yaml");
            assert.deepStrictEqual(config.notes,
                ["Pulumi.s.yaml imports Pulumi ESC environments: their values are not read here, pulumi up adds them"]);
        });

        it("writes JSON as Go's encoding/json does", () => {
            // Go's encoding/json escapes <, > and & (HTMLEscape) and sorts map keys.
            assert.strictEqual(goJson({ b: "<&>", a: [1, 2.5] }), '{"a":[1,2.5],"b":"\\u003c\\u0026\\u003e"}');
        });

        const refusals: [string, string, string][] = [
            ["a word for an integer", stack("proj:count: abc"),
                // pkg/workspace/config.go validateStackConfigValue; cmd/pulumi/operations/up.go wraps it
                "validating stack config: Stack 's' with configuration key 'count' must be of type 'integer'"],
            ["a text that is no boolean", stack("proj:flag: yes"),
                "validating stack config: Stack 's' with configuration key 'flag' must be of type 'boolean'"],
            ["a text for a list", stack("proj:list: a"),
                // workspace/project.go InferFullTypeName
                "validating stack config: Stack 's' with configuration key 'list' must be of type 'array<string>'"],
            ["an empty value", stack("proj:name:"),
                // config/object.go: a YAML null is the JSON text null, not a string
                "validating stack config: Stack 's' with configuration key 'name' must be of type 'string'"],
            ["a missing required key", "config: {}",
                // pkg/workspace/config.go missingStackConfigurationKeysError
                "validating stack config: Stack 's' is missing configuration value 'required'"],
            ["a key without namespace", stack("count: 7"),
                // sdk/go/common/resource/config/key.go ParseKey
                "could not parse count as a configuration key (configuration keys should be of the form `<namespace>:<name>`)"],
        ];
        for (const [what, stackText, message] of refusals) {
            it(`refuses ${what} as pulumi up does`, () => {
                assert.throws(() => stackConfigFrom(PROJECT, stackText, "s", "Pulumi.s.yaml"),
                    (err: Error) => err instanceof PlanError && err.exitCode === 1 && err.message === message);
            });
        }

        it("accepts an integer written as text, as strconv.Atoi reads it", () => {
            // workspace/project.go ValidateConfigValue: strings that parse as integers are integers
            const config = stackConfigFrom(PROJECT, stack('proj:count: "12"'), "s", "Pulumi.s.yaml");
            assert.strictEqual(config.values["proj:count"], "12");
        });

        it("names every missing key as the CLI does", () => {
            const project = PROJECT.replace("  name: {type: string, default: ''}", "  name: {type: string}");
            assert.throws(() => stackConfigFrom(project, "config: {}", "s", "Pulumi.s.yaml"), (err: Error) =>
                err.message === "validating stack config: Stack 's' is missing configuration values 'name' and 'required'");
        });
    });

    describe("the plan of the example stacks", () => {
        it("prints what pulumi up would register for dev, with assigned values shown as such", async () => {
            const run = await plan(["--stack", "dev"]);
            assert.strictEqual(run.stderr, "");
            assert.strictEqual(run.code, 0);
            assert.strictEqual(run.stdout, [
                'Plan of stack "dev" (project creatio-m365-oauth) from Pulumi.yaml and Pulumi.dev.yaml, at 2026-06-15T12:00:00Z.',
                "Nothing was sent anywhere: the Entra ID tenant was stood in for. Values marked",
                '"assigned by Entra ID at pulumi up" exist only after pulumi up.',
                "",
                "Configuration (as pulumi up passes it to the program):",
                '  creatioVersion                    "8.1"  (Pulumi.dev.yaml)',
                '  displayName                       ""  (Pulumi.yaml)',
                '  existingApplicationObjectId       ""  (Pulumi.yaml)',
                '  existingExchangeConsentGrantId    ""  (Pulumi.yaml)',
                '  existingGraphConsentGrantId       ""  (Pulumi.yaml)',
                '  existingServicePrincipalObjectId  ""  (Pulumi.yaml)',
                '  maxSecretLifetimeDays             "0"  (Pulumi.yaml)',
                '  netCore                           "false"  (Pulumi.yaml)',
                '  owners                            "[]"  (Pulumi.yaml)',
                '  secretRotationDays                "180"  (Pulumi.dev.yaml)',
                '  signInAudience                    "AzureADMultipleOrgs"  (Pulumi.yaml)',
                '  siteName                          "acme-dev"  (Pulumi.dev.yaml)',
                '  siteUrl                           ""  (Pulumi.yaml)',
                // hashicorp/terraform-provider-azuread application_resource.go: sign_in_audience is not ForceNew, and
                // applicationResourceUpdate sends it in the application's PATCH.
                "  Note: signInAudience is not set in Pulumi.dev.yaml, so the default AzureADMultipleOrgs applies; a registration " +
                "deployed while the default was AzureADMyOrg is changed to it in place at the next pulumi up (same application, " +
                "Client ID, secrets and consent). To keep AzureADMyOrg: pulumi config set signInAudience AzureADMyOrg --stack dev",
                "",
                "Application creatio-app: create",
                "  Display name:      Creatio acme-dev.creatio.com (Microsoft 365)",
                // Multitenant: Creatio 8.1 signs in through /common, refused for single-tenant apps (AADSTS50194, FACTS.md)
                "  Sign-in audience:  AzureADMultipleOrgs",
                "  Redirect URIs:",
                // Creatio 8.1 source Office365OAuthAuthenticator + .NET Framework /0 (FACTS.md, shiva01chh/CreatioDemoProject)
                "    https://acme-dev.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
                "  Permissions:",
                // appId and scope id: Microsoft's documentation (GUIDE.md, Identifiers)
                "    Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000): EWS.AccessAsUser.All (3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5), delegated",
                // Microsoft Graph permissions reference, User.Read (GUIDE.md, Identifiers)
                "    Microsoft Graph (00000003-0000-0000-c000-000000000000): User.Read (e1fe6dd8-ba31-4d61-89e7-88639da4683d), delegated",
                "  Owners:            the identity that runs pulumi up",
                "  Client ID:         (assigned by Entra ID at pulumi up)",
                "  Object ID:         (assigned by Entra ID at pulumi up)",
                "  Other settings:",
                "    fallbackPublicClientEnabled: false",
                "    notes: Managed by Pulumi (project creatio-m365-oauth, stack dev); change it in code, not in the portal.",
                "    preventDuplicateNames: true",
                "    web.implicitGrant.accessTokenIssuanceEnabled: false",
                "    web.implicitGrant.idTokenIssuanceEnabled: false",
                "",
                "Service principal creatio-sp: create",
                "  Of the application: (Client ID, assigned by Entra ID at pulumi up)",
                "  Owners:             the identity that runs pulumi up",
                "  Object ID:          (assigned by Entra ID at pulumi up)",
                "",
                "Admin consent creatio-consent-exchange: create",
                "  API:      Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000), looked up in the tenant, never created",
                // Microsoft Graph oauth2PermissionGrant: consentType AllPrincipals when no principal is given
                "  Consent:  AllPrincipals (admin consent for all users)",
                "  Claims:   EWS.AccessAsUser.All",
                "",
                "Admin consent creatio-consent-graph: create",
                "  API:      Microsoft Graph (00000003-0000-0000-c000-000000000000), looked up in the tenant, never created",
                "  Consent:  AllPrincipals (admin consent for all users)",
                "  Claims:   User.Read",
                "",
                "Client secret rotation:",
                "  Period:          180 days; each secret is valid for 360 days",
                "  Offset:          0 to 364 days (creatio-rotation-offset), drawn once, at the first pulumi up, and kept in the stack's state",
                // lib/rotation.ts: windows start at midnight UTC; the soonest window end after 2026-06-15T12:00Z is the
                // next midnight, the latest is 180 days after today's midnight
                "  First rotation:  between 2026-06-16T00:00:00Z and 2026-12-12T00:00:00Z (if the first pulumi up runs at 2026-06-15T12:00:00Z)",
                "",
                "Secret slot creatio-secret-a: create",
                `  Display name:  ${OFFSET}`,
                `  End date:      ${OFFSET}`,
                "  Key id:        (assigned by Entra ID at pulumi up)",
                "  Value:         [secret] (assigned by Entra ID at pulumi up)",
                `  rotateWhenChanged.windowStart: ${OFFSET}`,
                "",
                "Secret slot creatio-secret-b: create",
                `  Display name:  ${OFFSET}`,
                `  End date:      ${OFFSET}`,
                "  Key id:        (assigned by Entra ID at pulumi up)",
                "  Value:         [secret] (assigned by Entra ID at pulumi up)",
                `  rotateWhenChanged.windowStart: ${OFFSET}`,
                "",
                "EWS allow list: after pulumi up, an Exchange administrator runs in Exchange Online PowerShell:",
                "  ./scripts/Grant-CreatioEwsAccess.ps1 -AppId '<Client ID>'",
                "",
                // 2027-04-01 (FACTS.md: Microsoft's Exchange team) is 289 whole days after 2026-06-15T12:00Z.
                "EWS deadline: Exchange Online switches EWS off for good on 2027-04-01 (289 days left), and Creatio's Microsoft " +
                "365 mail sync uses EWS: watch for a Creatio version whose Microsoft 365 mail provider uses Microsoft Graph.",
                "",
                "Stack outputs:",
                "  clientId: (Client ID, assigned by Entra ID at pulumi up)",
                `  clientSecret: [secret] ${OFFSET}`,
                "  tenantId: (the tenant of the identity that runs pulumi up)",
                '  redirectUris: ["https://acme-dev.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]',
                "  applicationObjectId: (application object id, assigned by Entra ID at pulumi up)",
                "  servicePrincipalObjectId: (service principal object id, assigned by Entra ID at pulumi up)",
                `  clientSecretExpiresAt: ${OFFSET}`,
                `  clientSecretRotatesAt: ${OFFSET}`,
                // which slot is the newest depends on the offset; each slot's key id is assigned by Entra ID
                `  clientSecretKeyId: ${OFFSET}`,
                `  previousClientSecretKeyId: ${OFFSET}`,
                "  clientSecretA: [secret] (client secret of creatio-secret-a, assigned by Entra ID at pulumi up; a secret)",
                "  clientSecretAKeyId: (key id of creatio-secret-a, assigned by Entra ID at pulumi up)",
                `  clientSecretAExpiresAt: ${OFFSET}`,
                "  clientSecretB: [secret] (client secret of creatio-secret-b, assigned by Entra ID at pulumi up; a secret)",
                "  clientSecretBKeyId: (key id of creatio-secret-b, assigned by Entra ID at pulumi up)",
                `  clientSecretBExpiresAt: ${OFFSET}`,
                "  siteBaseUrl: https://acme-dev.creatio.com",
                "  netCore: false",
                "  signInAudience: AzureADMultipleOrgs",
                "  secretRotationDays: 180",
                "  ewsAllowListScript: (the EWS allow list command above)",
                "",
            ].join("\n"));
        });

        it("gives prod as one JSON document that parses back to the same plan", async () => {
            const run = await plan(["--stack", "prod", "--format", "json"]);
            assert.strictEqual(run.code, 0, run.stderr);
            const doc = JSON.parse(run.stdout);
            assert.strictEqual(doc.stack, "prod");
            assert.deepStrictEqual(doc.files, ["Pulumi.yaml", "Pulumi.prod.yaml"]);
            assert.deepStrictEqual(doc.configuration.filter((c: { from: string }) => c.from === "Pulumi.prod.yaml"), [
                { key: "creatioVersion", value: "8.1", from: "Pulumi.prod.yaml" },
                { key: "secretRotationDays", value: "180", from: "Pulumi.prod.yaml" },
                { key: "siteName", value: "acme", from: "Pulumi.prod.yaml" },
            ]);
            assert.deepStrictEqual(doc.application, [{
                resource: "creatio-app",
                action: "create",
                displayName: "Creatio acme.creatio.com (Microsoft 365)",
                signInAudience: "AzureADMultipleOrgs", // Creatio 8.1 signs in through /common (FACTS.md, AADSTS50194)
                // Creatio 8.1 source, Office365OAuthAuthenticator on .NET Framework (FACTS.md)
                redirectUris: ["https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"],
                permissions: [
                    // Microsoft's documentation (GUIDE.md, Identifiers)
                    { api: "Office 365 Exchange Online", apiAppId: "00000002-0000-0ff1-ce00-000000000000",
                        scope: "EWS.AccessAsUser.All", scopeId: "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", type: "delegated" },
                    { api: "Microsoft Graph", apiAppId: "00000003-0000-0000-c000-000000000000",
                        scope: "User.Read", scopeId: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", type: "delegated" },
                ],
                owners: ["the identity that runs pulumi up"],
                clientId: "(assigned by Entra ID at pulumi up)",
                objectId: "(assigned by Entra ID at pulumi up)",
                otherSettings: {
                    fallbackPublicClientEnabled: false,
                    notes: "Managed by Pulumi (project creatio-m365-oauth, stack prod); change it in code, not in the portal.",
                    preventDuplicateNames: true,
                    "web.implicitGrant.accessTokenIssuanceEnabled": false,
                    "web.implicitGrant.idTokenIssuanceEnabled": false,
                },
            }]);
            assert.match(doc.ewsDeadline, /^EWS deadline: Exchange Online switches EWS off for good on 2027-04-01 \(289 days left\)/);
            assert.deepStrictEqual(doc.consentGrants.map((g: Record<string, unknown>) => [g.resource, g.apiAppId, g.consentType, g.claims]), [
                ["creatio-consent-exchange", "00000002-0000-0ff1-ce00-000000000000", "AllPrincipals (admin consent for all users)", ["EWS.AccessAsUser.All"]],
                ["creatio-consent-graph", "00000003-0000-0000-c000-000000000000", "AllPrincipals (admin consent for all users)", ["User.Read"]],
            ]);
            assert.deepStrictEqual(doc.rotation, {
                periodDays: 180,
                secretLifetimeDays: 360,
                offset: { resource: "creatio-rotation-offset", minDays: 0, maxDays: 364,
                    drawn: "once, at the first pulumi up, and kept in the stack's state" },
                // lib/rotation.ts over the offsets 0..364 at 2026-06-15T12:00Z
                firstRotation: { earliest: "2026-06-16T00:00:00Z", latest: "2026-12-12T00:00:00Z" },
            });
            assert.deepStrictEqual(doc.secretSlots.map((s: Record<string, unknown>) => [s.resource, s.endDate, s.value]), [
                ["creatio-secret-a", OFFSET, "[secret] (assigned by Entra ID at pulumi up)"],
                ["creatio-secret-b", OFFSET, "[secret] (assigned by Entra ID at pulumi up)"],
            ]);
            assert.strictEqual(doc.ewsAllowListCommand, "./scripts/Grant-CreatioEwsAccess.ps1 -AppId '<Client ID>'");
            assert.strictEqual(doc.outputs.clientId, "(Client ID, assigned by Entra ID at pulumi up)");
            assert.deepStrictEqual(doc.otherResources, []);
        });

        it("never prints a stand-in value as if it were real, on stdout or stderr", async () => {
            const dir = projectWith({ "Pulumi.owners.yaml": OWNERS_STACK });
            for (const [argv, projectDir] of [[["--stack", "dev"], ROOT], [["--stack", "prod", "--format", "json"], ROOT],
                [["--stack", "owners"], dir], [["--stack", "owners", "--format", "json"], dir]] as const) {
                const run = await planAndLeaks([...argv], projectDir);
                assert.strictEqual(run.code, 0, run.stderr);
                for (const text of [run.stdout, run.stderr, run.leaked]) {
                    assert.ok(!text.includes(PLACEHOLDER_GUID_PREFIX), text);
                    assert.ok(!text.includes("stand-in-secret"), text);
                }
            }
        });
    });

    describe("other stacks", () => {
        it("shows the program's warning about owners once, in the plan, with the deployer named as such", async () => {
            const dir = projectWith({ "Pulumi.owners.yaml": OWNERS_STACK });
            // lib/owners.ts: the program's pulumi.log.warn, which pulumi up shows as a warning
            const warning = `warning: ${ownersWarning("the identity that runs pulumi up")}`;
            const text = await planAndLeaks(["--stack", "owners"], dir);
            assert.strictEqual(text.code, 0, text.stderr);
            assert.strictEqual(text.leaked, "");
            assert.strictEqual(text.stderr, "");
            assert.strictEqual(text.stdout.split(warning).length - 1, 1, text.stdout);
            assert.ok(text.stdout.includes(`\nMessages from the program (pulumi up shows them too):\n  ${warning}\n`), text.stdout);
            const json = await plan(["--stack", "owners", "--format", "json"], dir);
            assert.deepStrictEqual(JSON.parse(json.stdout).programMessages, [warning]);
            const dev = await plan(["--stack", "dev", "--format", "json"]);
            assert.deepStrictEqual(JSON.parse(dev.stdout).programMessages, []);
        });

        it("shows an adopted registration with the ids the config gives, and the configured owners", async () => {
            const dir = projectWith({
                "Pulumi.adopt.yaml": [
                    "config:",
                    "  creatio-m365-oauth:siteUrl: https://crm.example.com/creatio",
                    "  creatio-m365-oauth:creatioVersion: '7.16'",
                    "  creatio-m365-oauth:existingApplicationObjectId: aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa",
                    "  creatio-m365-oauth:owners:",
                    "    - 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                ].join("\n"),
            });
            const run = await plan(["--stack", "adopt", "--format", "json"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            const doc = JSON.parse(run.stdout);
            const [app] = doc.application;
            assert.strictEqual(app.action, "adopt (import /applications/aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa)");
            assert.strictEqual(app.objectId, "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa");
            // An adopted registration keeps its Client ID: every place that shows it says so.
            const adoptedClientId = "(the adopted registration's Client ID, read at pulumi up)";
            assert.strictEqual(app.clientId, adoptedClientId);
            assert.strictEqual(doc.servicePrincipal[0].application, adoptedClientId);
            assert.strictEqual(doc.outputs.clientId, adoptedClientId);
            // Creatio 7.16 documentation: Microsoft365OAuthAuthenticator, Exchange only (GUIDE.md)
            assert.deepStrictEqual(app.redirectUris,
                ["https://crm.example.com/creatio/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode"]);
            assert.deepStrictEqual(app.permissions.map((p: { scope: string }) => p.scope), ["EWS.AccessAsUser.All"]);
            assert.deepStrictEqual(app.owners, ["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]);
            assert.deepStrictEqual(doc.servicePrincipal[0].owners, ["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]);
            assert.deepStrictEqual(doc.consentGrants.map((g: { resource: string }) => g.resource), ["creatio-consent-exchange"]);
        });

        it("reports a failing program by its first line, without stand-in values", async () => {
            const dir = projectWith({ "Pulumi.fails.yaml": OWNERS_STACK });
            const program = path.join(dir, "failing.js");
            fs.writeFileSync(program, [
                `const azuread = require(${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/azuread"))});`,
                "exports.out = azuread.getClientConfigOutput().objectId.apply(id => {",
                "    throw new Error(`no access for ${id}\\nsecond line`);",
                "});",
            ].join("\n"));
            let stderr = "";
            const code = await executeCommand("plan", planCommand({ projectDir: dir, program }),
                planIO(["--stack", "fails"], () => undefined, text => { stderr += text; }));
            assert.strictEqual(code, 1);
            assert.strictEqual(stderr, "plan: the program failed: no access for (a value assigned by Entra ID at pulumi up)\n");
        });

        it("warns of a single-tenant stack that Creatio's sign-in through /common will be refused, without the upgrade note", async () => {
            const dir = projectWith({
                "Pulumi.single.yaml": "config:\n  creatio-m365-oauth:siteName: acme\n  creatio-m365-oauth:signInAudience: AzureADMyOrg\n",
            });
            const run = await plan(["--stack", "single"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            // AADSTS50194: Microsoft's error reference, single-tenant apps called through /common (FACTS.md).
            assert.ok(run.stdout.includes("\nMessages from the program (pulumi up shows them too):\n" +
                "  warning: signInAudience is AzureADMyOrg (single tenant): Creatio signs mailboxes in through the common " +
                "authority (login.microsoftonline.com/common), which Entra ID refuses for a single-tenant app with AADSTS50194, " +
                "unless a mailbox sign-in in Creatio has shown otherwise on this tenant; AzureADMultipleOrgs, the default, " +
                "works with both. See the README, Which sign-in audience.\n"), run.stdout);
            assert.ok(run.stdout.includes("  Sign-in audience:  AzureADMyOrg\n"), run.stdout);
            assert.ok(!run.stdout.includes("Note: signInAudience"), run.stdout);
            // Set in the stack file, the default's value needs no upgrade note either.
            const multiDir = projectWith({
                "Pulumi.multi.yaml": "config:\n  creatio-m365-oauth:siteName: acme\n  creatio-m365-oauth:signInAudience: AzureADMultipleOrgs\n",
            });
            const multi = await plan(["--stack", "multi"], multiDir);
            assert.strictEqual(multi.code, 0, multi.stderr);
            assert.ok(multi.stdout.includes('  signInAudience                    "AzureADMultipleOrgs"  (Pulumi.multi.yaml)\n'), multi.stdout);
            assert.ok(!multi.stdout.includes("Note: signInAudience"), multi.stdout);
            assert.ok(!multi.stdout.includes("Messages from the program"), multi.stdout);
        });

        it("shows a cap on the secrets' lifetime and the rotation period it lowers", async () => {
            const dir = projectWith({
                "Pulumi.capped.yaml": "config:\n  creatio-m365-oauth:siteName: acme\n  creatio-m365-oauth:maxSecretLifetimeDays: 90\n",
            });
            const run = await plan(["--stack", "capped"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            // lib/rotation.ts: each secret lives two periods, so a 90-day cap allows 45-day periods.
            assert.ok(run.stdout.includes("\nClient secret rotation:\n" +
                "  Period:          45 days; each secret is valid for 90 days\n" +
                "  Lifetime cap:    90 days (maxSecretLifetimeDays): the period is lowered from secretRotationDays 180 to 45 days\n"),
            run.stdout);
            const json = JSON.parse((await plan(["--stack", "capped", "--format", "json"], dir)).stdout);
            assert.deepStrictEqual(json.rotation.cap, { maxSecretLifetimeDays: 90, secretRotationDays: "180" });
            assert.strictEqual(json.outputs.secretRotationDays, 45);
        });

        it("leaves encrypted values encrypted and says so", async () => {
            const dir = projectWith({
                "Pulumi.sec.yaml": "config:\n  creatio-m365-oauth:siteName: acme\n  azuread:clientSecret:\n    secure: v1:c2VjcmV0Y2lwaGVy\n",
            });
            const run = await plan(["--stack", "sec"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            assert.ok(run.stdout.includes("  Note: azuread:clientSecret is encrypted (secure:) in Pulumi.sec.yaml: " +
                "not decrypted, so the plan runs without it\n"), run.stdout);
            assert.ok(run.stdout.includes('  azuread:clientSecret              "[secure: not decrypted]"  (Pulumi.sec.yaml)\n'), run.stdout);
            assert.ok(!run.stdout.includes("c2VjcmV0Y2lwaGVy"));
        });

        it("refuses bad values with the program's own error, exit 1, before printing a plan", async () => {
            const dir = projectWith({
                "Pulumi.bad.yaml": "config:\n  creatio-m365-oauth:siteName: acme.creatio.com\n  creatio-m365-oauth:secretRotationDays: 3\n",
            });
            const run = await plan(["--stack", "bad"], dir);
            assert.strictEqual(run.code, 1);
            assert.strictEqual(run.stdout, "");
            // The program's ConfigError (lib/configProblems.ts, lib/settings.ts), as pulumi up reports it
            assert.strictEqual(run.stderr, [
                "Invalid stack configuration, nothing was declared:",
                '  - siteName = "acme.creatio.com": not a site name; allowed: one DNS label of a-z, 0-9 and hyphens, ' +
                    "1 to 63 characters, not starting or ending with a hyphen; set siteName to acme",
                '  - secretRotationDays = "3": not a valid rotation period; allowed: a whole number of days from 7 to 365',
                "",
            ].join("\n"));
        });

        it("refuses a value of the wrong type as the CLI does, before the program runs", async () => {
            const dir = projectWith({ "Pulumi.bad.yaml": "config:\n  creatio-m365-oauth:siteName: acme\n  creatio-m365-oauth:secretRotationDays: often\n" });
            const run = await plan(["--stack", "bad"], dir);
            assert.strictEqual(run.code, 1);
            // pulumi/pulumi pkg/workspace/config.go validateStackConfigValue, wrapped by cmd/pulumi/operations/up.go
            assert.strictEqual(run.stderr,
                "plan: validating stack config: Stack 'bad' with configuration key 'secretRotationDays' must be of type 'integer'\n");
        });

        it("names the stack files there are when the stack has none, exit 2", async () => {
            const run = await plan(["--stack", "qa"]);
            assert.strictEqual(run.code, 2);
            assert.strictEqual(run.stdout, "");
            assert.strictEqual(run.stderr, 'plan: stack "qa" has no stack file Pulumi.qa.yaml; ' +
                "stack files here: Pulumi.dev.yaml, Pulumi.prod.yaml (create one with: pulumi stack init qa)\n");
        });

        it("names stack files whose stack name has a period among those there are", async () => {
            const dir = projectWith({ "Pulumi.my.stack.yaml": OWNERS_STACK, "Pulumi.b.yml": OWNERS_STACK });
            const run = await plan(["--stack", "qa"], dir);
            assert.strictEqual(run.code, 2);
            assert.strictEqual(run.stderr, 'plan: stack "qa" has no stack file Pulumi.qa.yaml; ' +
                "stack files here: Pulumi.b.yml, Pulumi.my.stack.yaml (create one with: pulumi stack init qa)\n");
        });

        it("reads the stack file of a fully qualified stack name", async () => {
            // sdk/go/common/workspace/paths.go ProjectStackPath: the file is named after the stack name alone
            const run = await plan(["--stack", "acme-org/creatio-m365-oauth/dev", "--format", "json"]);
            assert.strictEqual(run.code, 0, run.stderr);
            assert.strictEqual(JSON.parse(run.stdout).stack, "dev");
        });
    });

    describe("usage", () => {
        const usage = " (usage: npm run -s plan -- --stack <name> [--format text|json]; --help says more)\n";
        it("plans this project's stack with its own program, at the time it runs", async function () {
            this.timeout(60000);
            const before = Date.now();
            const run = await runInProcess("plan", main, ["--stack", "dev", "--format", "json"], {});
            const after = Date.now();
            assert.strictEqual(run.code, 0, run.stderr);
            assert.deepStrictEqual(run.pulumiCalls, []);
            const doc = JSON.parse(run.stdout);
            const at = Date.parse(doc.at);
            assert.ok(at >= Math.floor(before / 1000) * 1000 && at <= after, doc.at);
            // The same plan as the program and project named explicitly, at the same instant.
            const named = await runInProcess("plan", planCommand({ projectDir: ROOT, program: path.join(ROOT, "index.ts") }),
                ["--stack", "dev", "--format", "json"], {}, { now: new Date(at) });
            assert.strictEqual(run.stdout, named.stdout);
        });
        it("refuses --json, which --format json replaced, exit 2", async () => {
            assert.deepStrictEqual(await plan(["--stack", "dev", "--json"]),
                { code: 2, stdout: "", stderr: `plan: --json is no longer an option: use --format json${usage}` });
        });
        it("refuses a --format it does not have, exit 2", async () => {
            assert.deepStrictEqual(await plan(["--stack", "dev", "--format", "yaml"]),
                { code: 2, stdout: "", stderr: `plan: --format "yaml" is not one of text, json${usage}` });
        });
        it("prints the text plan with --format text, as without --format", async function () {
            this.timeout(60000);
            const text = await plan(["--stack", "dev", "--format", "text"]);
            assert.strictEqual(text.code, 0, text.stderr);
            assert.ok(text.stdout.startsWith('Plan of stack "dev"'), text.stdout.slice(0, 40));
            assert.strictEqual(text.stdout, (await plan(["--stack", "dev"])).stdout);
        });
        it("requires --stack, exit 2", async () => {
            assert.deepStrictEqual(await plan([]), { code: 2, stdout: "", stderr: `plan: --stack is required${usage}` });
        });
        it("refuses unknown options, exit 2", async () => {
            const run = await plan(["--stack", "dev", "--yes"]);
            assert.strictEqual(run.code, 2);
            assert.ok(run.stderr.startsWith("plan: Unknown option '--yes'"), run.stderr);
            assert.ok(run.stderr.endsWith(usage), run.stderr);
        });
        it("refuses --stack given twice instead of planning the last one, exit 2", async () => {
            assert.deepStrictEqual(await plan(["--stack", "dev", "--stack", "prod"]),
                { code: 2, stdout: "", stderr: `plan: --stack is given more than once: give it once${usage}` });
        });
        it("refuses an empty --stack, exit 2", async () => {
            assert.deepStrictEqual(await plan(["--stack", ""]),
                { code: 2, stdout: "", stderr: `plan: --stack "" is empty: name the stack${usage}` });
        });
        it("refuses a stack name that is no stack name, exit 2", async () => {
            const run = await plan(["--stack", "../etc"]);
            assert.strictEqual(run.code, 2);
            // sdk/go/common/tokens/stack_name.go ParseStackName: alphanumerics, hyphens, underscores, periods
            assert.ok(run.stderr.startsWith('plan: --stack "../etc" is not a stack name'), run.stderr);
        });
    });

    describe("offset-dependent values", () => {
        it("compares offset 0 with one that moves the newest secret to the other slot when any offset does", () => {
            for (const instant of [NOW, new Date("2026-01-01T00:00:00Z"), new Date("2027-03-03T23:59:59Z")]) {
                for (const period of [7, 30, 180, 365]) {
                    const offset = contrastingOffset(period, { min: 0, max: 364 }, instant);
                    const slotsDiffer = Array.from({ length: 365 }, (_, o) => rotationPlan(instant, period, o).newestSlot)
                        .some(slot => slot !== rotationPlan(instant, period, 0).newestSlot);
                    const a = rotationPlan(instant, period, 0);
                    const b = rotationPlan(instant, period, offset);
                    assert.notStrictEqual(a.current.start.getTime(), b.current.start.getTime());
                    assert.strictEqual(a.newestSlot !== b.newestSlot, slotsDiffer, `${instant.toISOString()} ${period}`);
                }
            }
        });
    });

    it("runs from a fresh clone with npm run -s plan, without the Pulumi CLI", function () {
        this.timeout(60000);
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PULUMI_")));
        env.PATH = [path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter);
        const result = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "dev"], {
            cwd: ROOT, env, encoding: "utf8", timeout: 50000,
        });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.ok(result.stdout.startsWith('Plan of stack "dev" (project creatio-m365-oauth)'), result.stdout);
        assert.ok(result.stdout.includes("    https://acme-dev.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode\n"));
    });
});
