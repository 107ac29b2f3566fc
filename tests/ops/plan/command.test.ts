import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { main, planCommand } from "../../../ops/plan/command.ts";
import { type CommandIO, executeCommand } from "../../../ops/io.ts";
import { runInProcess } from "../../fakes/commands.ts";
import { PlanError, loadStackConfig, stackConfigFrom } from "../../../ops/plan/config.ts";
import { contrastingOffset } from "../../../ops/plan/program.ts";
import { PLACEHOLDER_GUID_PREFIX } from "../../../ops/plan/tenant.ts";
import { ownersWarning } from "../../../lib/owners.ts";
import { rotationPlan } from "../../../lib/rotation.ts";
import { exampleProject, exampleStack, repositoryCopy } from "../../exampleStacks.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
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
async function planAndLeaks(argv: string[], projectDir = exampleProject()): Promise<Run & { leaked: string }> {
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

async function plan(argv: string[], projectDir = exampleProject()): Promise<Run> {
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
        it("hands the dev stack's values and Pulumi.yaml's defaults to the program", () => {
            const config = loadStackConfig(exampleProject(), "dev");
            // pkg/workspace/config.go createConfigValue: defaults "" as is, 180 as "180", [] as JSON;
            // sdk/go/common/resource/config/object.go MarshalString: a YAML 180 as "180".
            assert.deepStrictEqual(config.values, {
                "creatio-m365-oauth:creatioVersion": "8.1",
                "creatio-m365-oauth:displayName": "",
                "creatio-m365-oauth:existingApplicationObjectId": "",
                "creatio-m365-oauth:existingExchangeConsentGrantId": "",
                "creatio-m365-oauth:existingGraphConsentGrantId": "",
                "creatio-m365-oauth:existingServicePrincipalObjectId": "",
                "creatio-m365-oauth:maxSecretLifetimeDays": "0",
                "creatio-m365-oauth:netCore": "false",
                "creatio-m365-oauth:owners": "[]",
                "creatio-m365-oauth:secretRotationDays": "180",
                "creatio-m365-oauth:signInAudience": "AzureADMultipleOrgs",
                "creatio-m365-oauth:siteName": "acme-dev",
                "creatio-m365-oauth:siteUrl": "",
            });
            assert.deepStrictEqual(config.secureKeys, []);
        });

        const PROJECT = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");

        it("says that values of Pulumi ESC environments are not read", () => {
            const config = stackConfigFrom(PROJECT, "environment:\n  - acme/dev\nconfig:\n  siteName: acme\n", "s", "Pulumi.s.yaml");
            assert.deepStrictEqual(config.notes,
                ["Pulumi.s.yaml imports Pulumi ESC environments: their values are not read here, pulumi up adds them"]);
        });

        const refusals: [string, string, string][] = [
            ["a word for an integer", "secretRotationDays: often",
                // pkg/workspace/config.go validateStackConfigValue; cmd/pulumi/operations/up.go wraps it
                "validating stack config: Stack 's' with configuration key 'secretRotationDays' must be of type 'integer'"],
            ["a text that is no boolean", "netCore: yes",
                // go-yaml/yaml v3.0.1 resolve.go: yes is text; project.go ValidateConfigValue: "true" or "false"
                "validating stack config: Stack 's' with configuration key 'netCore' must be of type 'boolean'"],
            ["a text for a list", "owners: a",
                // workspace/project.go InferFullTypeName
                "validating stack config: Stack 's' with configuration key 'owners' must be of type 'array<string>'"],
            ["a key of a module other than config", "creatio-m365-oauth:module:siteName: acme",
                // sdk/go/common/resource/config/key.go ParseKey
                "could not parse creatio-m365-oauth:module:siteName as a configuration key (configuration keys should be of the form `<namespace>:<name>`)"],
        ];
        for (const [what, line, message] of refusals) {
            it(`refuses ${what} as pulumi up does`, () => {
                assert.throws(() => stackConfigFrom(PROJECT, `config:\n  siteName: acme\n  ${line}\n`, "s", "Pulumi.s.yaml"),
                    (err: Error) => err instanceof PlanError && err.exitCode === 1 && err.message === message);
            });
        }

        it("accepts an integer written as text, as strconv.Atoi reads it", () => {
            // workspace/project.go ValidateConfigValue: strings that parse as integers are integers
            const config = stackConfigFrom(PROJECT, "config:\n  secretRotationDays: '90'\n", "s", "Pulumi.s.yaml");
            assert.strictEqual(config.values["creatio-m365-oauth:secretRotationDays"], "90");
        });
    });

    describe("stack files as pulumi up reads them", () => {
        const allowed = "allowed: the keys Pulumi.yaml declares: siteName, siteUrl, creatioVersion, netCore, signInAudience, " +
            "displayName, owners, secretRotationDays, maxSecretLifetimeDays, existingApplicationObjectId, " +
            "existingServicePrincipalObjectId, existingExchangeConsentGrantId, existingGraphConsentGrantId";

        it("plans keys written without the project's prefix, as pulumi up takes them", async () => {
            // sdk/go/common/workspace/loaders.go stackConfigNamespacedWithProject
            const dir = projectWith({ "Pulumi.short.yaml": "config:\n  siteName: acme\n  creatioVersion: '7.16'\n" });
            const run = await plan(["--stack", "short", "--format", "json"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            assert.deepStrictEqual(JSON.parse(run.stdout).application[0].redirectUris,
                ["https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode"]);
        });

        it("refuses misspelt keys with the closest declared one, as the program does, exit 1", async () => {
            const dir = projectWith({ "Pulumi.typo.yaml": "config:\n  sitename: acme\n  creatio-m365-oauth:creatioVerison: '8.1'\n" +
                "  secretRotationDay: 90\n  azuread:environment: global\n" });
            const run = await plan(["--stack", "typo"], dir);
            assert.deepStrictEqual(run, { code: 1, stdout: "", stderr: [
                "Invalid stack configuration, nothing was declared:",
                `  - creatio-m365-oauth:creatioVerison is not a config key of this project (did you mean creatioVersion?); ${allowed}`,
                `  - creatio-m365-oauth:secretRotationDay is not a config key of this project (did you mean secretRotationDays?); ${allowed}`,
                `  - creatio-m365-oauth:sitename is not a config key of this project (did you mean siteName?); ${allowed}`,
                "",
            ].join("\n") });
        });

        it("says that an encrypted siteUrl cannot be read instead of asking for one, exit 1", async () => {
            const dir = projectWith({ "Pulumi.enc.yaml": "config:\n  siteUrl:\n    secure: v1:c2VjcmV0Y2lwaGVy\n" });
            const run = await plan(["--stack", "enc"], dir);
            assert.deepStrictEqual(run, { code: 1, stdout: "", stderr: "plan: creatio-m365-oauth:siteUrl is set, but encrypted " +
                "(secure:) in Pulumi.enc.yaml: plan cannot read it, so it cannot show what pulumi up would do with it; " +
                "pulumi preview decrypts it\n" });
        });

        it("plans a UTF-16 stack file as Windows PowerShell 5.1's > writes it", async () => {
            // go-yaml/yaml v3.0.1 readerc.go yaml_parser_determine_encoding: UTF-16 LE after its byte order mark
            const dir = projectWith({});
            fs.writeFileSync(path.join(dir, "Pulumi.ps.yaml"), Buffer.from("\ufeffconfig:\r\n  siteName: acme\r\n", "utf16le"));
            const run = await plan(["--stack", "ps", "--format", "json"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            assert.strictEqual(JSON.parse(run.stdout).outputs.siteBaseUrl, "https://acme.creatio.com");
        });

        it("plans an unquoted creatioVersion 8.10 as the 8.1 pulumi up passes, and says so", async () => {
            // go-yaml/yaml v3.0.1 resolve.go: 8.10 is the float 8.1; resource/config/object.go MarshalString: "8.1"
            const dir = projectWith({ "Pulumi.num.yaml": "config:\n  siteName: acme\n  creatioVersion: 8.10\n" });
            const run = await plan(["--stack", "num"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            assert.ok(run.stdout.includes('  creatioVersion                    8.1  (Pulumi.num.yaml)\n'), run.stdout);
            assert.ok(run.stdout.includes('  Note: creatio-m365-oauth:creatioVersion is written "8.10" unquoted, a YAML number: ' +
                'pulumi up passes "8.1"; quote it if you meant the text\n'), run.stdout);
        });

        it("shows keys of other namespaces printable", async () => {
            const dir = projectWith({ "Pulumi.esc.yaml": 'config:\n  siteName: acme\n  "azuread:\\e[2J\\u202e": x\n' });
            const run = await plan(["--stack", "esc"], dir);
            assert.strictEqual(run.code, 0, run.stderr);
            assert.ok(!/[\u001b\u202e]/.test(run.stdout), run.stdout);
            assert.ok(run.stdout.includes("  azuread:\ufffd[2J\ufffd"), run.stdout);
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
                "  creatioVersion                    8.1  (Pulumi.dev.yaml)",
                "  displayName                       (not set)  (Pulumi.yaml)",
                "  existingApplicationObjectId       (not set)  (Pulumi.yaml)",
                "  existingExchangeConsentGrantId    (not set)  (Pulumi.yaml)",
                "  existingGraphConsentGrantId       (not set)  (Pulumi.yaml)",
                "  existingServicePrincipalObjectId  (not set)  (Pulumi.yaml)",
                "  maxSecretLifetimeDays             0  (Pulumi.yaml)",
                "  netCore                           false  (Pulumi.yaml)",
                "  owners                            []  (Pulumi.yaml)",
                "  secretRotationDays                180  (Pulumi.dev.yaml)",
                "  signInAudience                    AzureADMultipleOrgs  (Pulumi.yaml)",
                "  siteName                          acme-dev  (Pulumi.dev.yaml)",
                "  siteUrl                           (not set)  (Pulumi.yaml)",
                // hashicorp/terraform-provider-azuread application_resource.go: sign_in_audience is not ForceNew, and
                // applicationResourceUpdate sends it in the application's PATCH.
                "  Note: signInAudience is not set in Pulumi.dev.yaml, so the default AzureADMultipleOrgs applies; a registration " +
                "deployed while the default was AzureADMyOrg is changed to it in place at the next pulumi up (same application, " +
                "Client ID, secrets and consent). To keep AzureADMyOrg: pulumi config set signInAudience AzureADMyOrg --stack dev",
                "",
                "App registration creatio-app: create",
                "  Display name:             Creatio acme-dev.creatio.com (Microsoft 365)",
                // Multitenant: Creatio 8.1 signs in through /common, refused for single-tenant apps (AADSTS50194, FACTS.md);
                // the portal's words: MicrosoftDocs/entra-docs supported-accounts-validation.md
                "  Supported account types:  Accounts in any organizational directory (Any Microsoft Entra directory - Multitenant), " +
                "signInAudience AzureADMultipleOrgs",
                "  Authentication, Redirect URIs (Web):",
                // Creatio 8.1 source Office365OAuthAuthenticator + .NET Framework /0 (FACTS.md, shiva01chh/CreatioDemoProject)
                "    https://acme-dev.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
                "  API permissions:",
                // appId and scope id: Microsoft's documentation (GUIDE.md, Identifiers)
                "    Office 365 Exchange Online: EWS.AccessAsUser.All, Delegated (API 00000002-0000-0ff1-ce00-000000000000, " +
                "permission 3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5)",
                // Microsoft Graph permissions reference, User.Read (GUIDE.md, Identifiers)
                "    Microsoft Graph: User.Read, Delegated (API 00000003-0000-0000-c000-000000000000, permission " +
                "e1fe6dd8-ba31-4d61-89e7-88639da4683d)",
                "  Owners:                   the identity that runs pulumi up",
                "  Application (client) ID:  (assigned by Entra ID at pulumi up)",
                "  Object ID:                (assigned by Entra ID at pulumi up)",
                "  Other settings (the azuread provider's names):",
                "    fallbackPublicClientEnabled: false",
                "    notes: Managed by Pulumi (project creatio-m365-oauth, stack dev); change it in code, not in the portal.",
                "    preventDuplicateNames: true",
                "    web.implicitGrant.accessTokenIssuanceEnabled: false",
                "    web.implicitGrant.idTokenIssuanceEnabled: false",
                "",
                "Enterprise application (service principal) creatio-sp: create",
                "  Of the application: (Client ID, assigned by Entra ID at pulumi up)",
                "  Owners:             the identity that runs pulumi up",
                "  Object ID:          (assigned by Entra ID at pulumi up)",
                "",
                "Grant admin consent creatio-consent-exchange: create",
                "  API:          Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000), looked up in the tenant, never created",
                // Microsoft Graph oauth2PermissionGrant: consentType AllPrincipals when no principal is given
                "  Consent:      for all users of the tenant (consentType AllPrincipals)",
                "  Permissions:  EWS.AccessAsUser.All",
                "",
                "Grant admin consent creatio-consent-graph: create",
                "  API:          Microsoft Graph (00000003-0000-0000-c000-000000000000), looked up in the tenant, never created",
                "  Consent:      for all users of the tenant (consentType AllPrincipals)",
                "  Permissions:  User.Read",
                "",
                "Client secret rotation:",
                "  Period:          180 days; each secret is valid for 360 days",
                "  Offset:          0 to 364 days (creatio-rotation-offset), drawn once, at the first pulumi up, and kept in the stack's state",
                // lib/rotation.ts: windows start at midnight UTC; the soonest window end after 2026-06-15T12:00Z is the
                // next midnight, the latest is 180 days after today's midnight
                "  First rotation:  between 2026-06-16T00:00:00Z and 2026-12-12T00:00:00Z (if the first pulumi up runs at 2026-06-15T12:00:00Z)",
                "",
                "Certificates & secrets, client secret creatio-secret-a: create",
                `  Description:  ${OFFSET}`,
                `  Expires:      ${OFFSET}`,
                "  Secret ID:    (assigned by Entra ID at pulumi up)",
                "  Value:        [secret] (assigned by Entra ID at pulumi up)",
                `  rotateWhenChanged.windowStart: ${OFFSET}`,
                "",
                "Certificates & secrets, client secret creatio-secret-b: create",
                `  Description:  ${OFFSET}`,
                `  Expires:      ${OFFSET}`,
                "  Secret ID:    (assigned by Entra ID at pulumi up)",
                "  Value:        [secret] (assigned by Entra ID at pulumi up)",
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
                "  redirectUris: https://acme-dev.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
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
                // Creatio documentation, "Set up the MS Exchange and Microsoft 365 services": OAuth 2.0, the fields
                // "Application (client) ID" and "Client secret"; deliver's variables: ops/creatio/delivery.ts
                "In Creatio, after pulumi up:",
                "  The Microsoft 365 mail service (authentication OAuth 2.0) takes two fields:",
                "    Application (client) ID  the stack output clientId",
                "    Client secret            the stack output clientSecret",
                "  Print both (the secret too):  npm run -s credentials -- --stack dev --format creatio",
                "  Or write them into Creatio:   npm run -s deliver -- --stack dev --mail-server <mail server name>",
                "    (--mail-server the first time; later runs find every OAuthApplications record that holds the Client ID.",
                "    Signs in with CREATIO_USERNAME and CREATIO_PASSWORD, or CREATIO_IDENTITY_URL, CREATIO_API_CLIENT_ID and",
                "    CREATIO_API_CLIENT_SECRET)",
                "",
                "Would create 7 resources: 1 app registration, 1 service principal, 2 admin consent grants, 2 client secrets, " +
                "1 rotation offset (in the stack's state only).",
                "",
            ].join("\n"));
        });

        it("gives prod as one JSON document that parses back to the same plan", async () => {
            const run = await plan(["--stack", "prod", "--format", "json"]);
            assert.strictEqual(run.code, 0, run.stderr);
            const doc = JSON.parse(run.stdout);
            // Indented by two, one line ending the document, as a file or a pipe expects it.
            assert.strictEqual(run.stdout, JSON.stringify(doc, null, 2) + "\n");
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
            for (const [argv, projectDir] of [[["--stack", "dev"], exampleProject()], [["--stack", "prod", "--format", "json"], exampleProject()],
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
        it("says once that it cannot know the deploying identity when owners is set, and does not warn about a stand-in", async () => {
            const dir = projectWith({ "Pulumi.owners.yaml": OWNERS_STACK });
            // The program's warning (lib/owners.ts) compares the owners with the deployer's object id, which the plan
            // only stands in for: it would always fire, naming no one.
            const note = "owners lists 1 object id. plan cannot know which identity will run pulumi up: if it is not among " +
                "them, the azuread provider leaves it out of the owners of the application and its service principal, and an " +
                "identity with only the Microsoft Graph permission Application.ReadWrite.OwnedBy can then no longer change them " +
                "(later deploys and rotations fail). pulumi up warns when that is so, naming the identity; with owners unset, " +
                "that identity is the only owner.";
            const text = await planAndLeaks(["--stack", "owners"], dir);
            assert.strictEqual(text.code, 0, text.stderr);
            assert.strictEqual(text.leaked, "");
            assert.strictEqual(text.stderr, "");
            assert.strictEqual(text.stdout.split(note).length - 1, 1, text.stdout);
            assert.ok(text.stdout.includes(`\n  Note: ${note}\n`), text.stdout);
            assert.ok(!text.stdout.includes("does not list"), text.stdout);
            assert.ok(!text.stdout.includes("Messages from the program"), text.stdout);
            const json = JSON.parse((await plan(["--stack", "owners", "--format", "json"], dir)).stdout);
            assert.deepStrictEqual(json.programMessages, []);
            assert.deepStrictEqual(json.notes.filter((n: string) => n.startsWith("owners")), [note]);
            const dev = JSON.parse((await plan(["--stack", "dev", "--format", "json"])).stdout);
            assert.deepStrictEqual(dev.programMessages, []);
            assert.deepStrictEqual(dev.notes.filter((n: string) => n.startsWith("owners")), []);
            // pulumi up still warns, with the real object id (the program is unchanged)
            assert.ok(ownersWarning("x").startsWith("owners does not list the identity running pulumi up (object id x)"));
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
            const program = path.join(dir, "failing.mjs");
            fs.writeFileSync(program, [
                `import azuread from ${JSON.stringify(pathToFileURL(path.join(ROOT, "node_modules/@pulumi/azuread/index.js")).href)};`,
                "export default () => ({ out: azuread.getClientConfigOutput().objectId.apply(id => {",
                "    throw new Error(`no access for ${id}\\nsecond line`);",
                "}) });",
            ].join("\n"));
            let stderr = "";
            const code = await executeCommand("plan", planCommand({ projectDir: dir, program }),
                planIO(["--stack", "fails"], () => undefined, text => { stderr += text; }));
            assert.strictEqual(code, 1);
            assert.strictEqual(stderr, "plan: the program failed: no access for (a value assigned by Entra ID at pulumi up)\n");
        });

        it("refuses a program whose module does not export default the function that declares the stack", async () => {
            // An ES module is evaluated once per process: the plan's two evaluations call the function instead.
            const dir = projectWith({ "Pulumi.named.yaml": OWNERS_STACK });
            const program = path.join(dir, "named.mjs");
            fs.writeFileSync(program, "export const clientId = 'x';\n");
            let stderr = "";
            const code = await executeCommand("plan", planCommand({ projectDir: dir, program }),
                planIO(["--stack", "named"], () => undefined, text => { stderr += text; }));
            assert.strictEqual(code, 1);
            assert.strictEqual(stderr, `plan: the program failed: ${program} does not export default the function that declares the stack\n`);
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
                "works with both. See docs/configuration.md, Which sign-in audience.\n"), run.stdout);
            assert.ok(run.stdout.includes("  Supported account types:  Accounts in this organizational directory only (Single tenant), " +
                "signInAudience AzureADMyOrg\n"), run.stdout);
            assert.ok(!run.stdout.includes("Note: signInAudience"), run.stdout);
            // Set in the stack file, the default's value needs no upgrade note either.
            const multiDir = projectWith({
                "Pulumi.multi.yaml": "config:\n  creatio-m365-oauth:siteName: acme\n  creatio-m365-oauth:signInAudience: AzureADMultipleOrgs\n",
            });
            const multi = await plan(["--stack", "multi"], multiDir);
            assert.strictEqual(multi.code, 0, multi.stderr);
            assert.ok(multi.stdout.includes("  signInAudience                    AzureADMultipleOrgs  (Pulumi.multi.yaml)\n"), multi.stdout);
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
            assert.ok(run.stdout.includes("  azuread:clientSecret              [secure: not decrypted]  (Pulumi.sec.yaml)\n"), run.stdout);
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
                // Not Pulumi.b.yml: a stack file takes the project file's extension, Pulumi.yaml's here
                // (pulumi/pulumi sdk/go/common/workspace/paths.go DetectProjectStackPath: filepath.Ext(projPath)).
                "stack files here: Pulumi.my.stack.yaml (create one with: pulumi stack init qa)\n");
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
        it("reads this project's folder and plans with its own program, at the time it runs", async function () {
            this.timeout(60000);
            // The project's own folder: a stack it has no file for is named with that folder's file name.
            const missing = await runInProcess("plan", main, ["--stack", "no-such-stack-x"], {});
            assert.strictEqual(missing.code, 2);
            assert.ok(missing.stderr.startsWith('plan: stack "no-such-stack-x" has no stack file Pulumi.no-such-stack-x.yaml; '), missing.stderr);
            // The project's own program: the same plan as index.ts named explicitly, at the same instant.
            const before = Date.now();
            const run = await runInProcess("plan", planCommand({ projectDir: exampleProject() }), ["--stack", "dev", "--format", "json"], {});
            const after = Date.now();
            assert.strictEqual(run.code, 0, run.stderr);
            assert.deepStrictEqual(run.pulumiCalls, []);
            const doc = JSON.parse(run.stdout);
            const at = Date.parse(doc.at);
            assert.ok(at >= Math.floor(before / 1000) * 1000 && at <= after, doc.at);
            const named = await runInProcess("plan", planCommand({ projectDir: exampleProject(), program: path.join(ROOT, "index.ts") }),
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
        it("shows a stack name's control and bidirectional characters escaped, not raw (C1 CSI U+009B, RLO U+202E)", async () => {
            const run = await plan(["--stack", "a\u009b2J\u202eb"]);
            assert.strictEqual(run.code, 2);
            assert.ok(run.stderr.startsWith('plan: --stack "a\\u009b2J\\u202eb" is not a stack name'), run.stderr);
            assert.ok(!/[\u0080-\u009f\u202e\ufffd]/.test(run.stderr), run.stderr);
            const blank = await plan(["--stack", "\u2028"]);
            assert.ok(blank.stderr.startsWith('plan: --stack "\\u2028" is empty: name the stack'), blank.stderr);
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

    it("runs from a fresh clone with one stack of the user's own, with npm run -s plan, without the Pulumi CLI", function () {
        this.timeout(60000);
        const clone = repositoryCopy({ "Pulumi.acme-dev.yaml": exampleStack("dev") });
        try {
            const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PULUMI_")));
            env.PATH = [path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter);
            const result = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "acme-dev"], {
                cwd: clone.root, env, encoding: "utf8", timeout: 50000,
            });
            assert.strictEqual(result.status, 0, result.stderr);
            assert.ok(result.stdout.startsWith('Plan of stack "acme-dev" (project creatio-m365-oauth) from Pulumi.yaml and Pulumi.acme-dev.yaml'), result.stdout);
            assert.ok(result.stdout.includes("    https://acme-dev.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode\n"));
        } finally {
            clone.remove();
        }
    });
});
