import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { type BootstrapRawConfig, validateBootstrapConfig } from "../../bootstrap/settings.ts";
import { ConfigError } from "../../lib/configProblems.ts";
import { stacksIn } from "../../lib/stackFiles.ts";
import { TENANT_ID, TenantMocks, runProgram, withoutPromiseStacks } from "../mocks.ts";
import { BOOTSTRAP_PROGRAM, BOOTSTRAP_PROJECT, IDENTITY_IDS, ofType, runBootstrap } from "./harness.ts";

const GRAPH_SP = "90909090-0000-4000-8000-000000009090";
/** Microsoft Graph's app role ids (application permissions). */
const ROLE = {
    readAll: "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",      // Microsoft Graph permissions reference: Application.Read.All, Application
    ownedBy: "18a4783c-866b-4cc7-a460-3d5e5662c884",      // Microsoft Graph permissions reference: Application.ReadWrite.OwnedBy, Application
};
const REPO = "contoso/creatio-m365-oauth";
const STACKS_ALLOWED = "1 to 256 distinct stack names of letters, digits, - and _ (91 at most, none starting with rotation-), " +
    'such as ["dev","prod"]; or unset, to take the stacks of the repository root\'s Pulumi.<stack>.yaml files';
/** The environments of the harness's stacks dev and prod: deploy (dev, prod), then rotation (rotation-dev, rotation-prod). */
const ENVIRONMENTS = ["dev", "prod", "rotation-dev", "rotation-prod"];

const assignment = (principalObjectId: string, appRoleId: string) => ({ principalObjectId, resourceObjectId: GRAPH_SP, appRoleId });
const subjectsOf = (mocks: TenantMocks, identity: string) =>
    ofType(mocks, "applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential")
        .filter(([name]) => name.startsWith(`${identity}-`)).map(([, inputs]) => inputs.subject);

describe("bootstrap program", () => {
    it("gives each environment an identity of its own with the Graph application permissions of routine work only", async () => {
        const { mocks } = await runBootstrap({ githubRepository: REPO });
        assert.deepStrictEqual(ofType(mocks, "appRoleAssignment:AppRoleAssignment"), ENVIRONMENTS.flatMap(environment => [
            // Creates the registration and changes only what it owns, passwords included (Microsoft Graph,
            // application-post-applications, serviceprincipal-post-serviceprincipals, application-addpassword:
            // Application.ReadWrite.OwnedBy); the lookups of Microsoft's principals (serviceprincipal-list: Application.Read.All).
            [`ci-${environment}-graph-Application.ReadWrite.OwnedBy`, assignment(IDENTITY_IDS[`ci-${environment}`].servicePrincipal, ROLE.ownedBy)],
            [`ci-${environment}-graph-Application.Read.All`, assignment(IDENTITY_IDS[`ci-${environment}`].servicePrincipal, ROLE.readAll)],
        ]));
        assert.deepStrictEqual(ofType(mocks, "application:Application"), [
            ["ci-dev-app", { displayName: `Creatio M365 OAuth deploy (dev, ${REPO})`, signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
            ["ci-prod-app", { displayName: `Creatio M365 OAuth deploy (prod, ${REPO})`, signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
            ["ci-rotation-dev-app", { displayName: `Creatio M365 OAuth rotation (rotation-dev, ${REPO})`, signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
            ["ci-rotation-prod-app", { displayName: `Creatio M365 OAuth rotation (rotation-prod, ${REPO})`, signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
        ]);
        // OIDC only: no secret of any kind is created.
        assert.deepStrictEqual(mocks.declared.filter(d => /Password|Certificate/.test(d.type)), []);
    });

    it("grants no CI identity a permission that takes over the tenant or reads the directory", async () => {
        const { mocks } = await runBootstrap({ githubRepository: REPO });
        const granted = ofType(mocks, "appRoleAssignment:AppRoleAssignment").map(([, inputs]) => inputs.appRoleId);
        for (const [permission, id] of [
            // Microsoft Graph permissions reference, Application identifiers:
            ["Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"],            // adds secrets to every application
            ["DelegatedPermissionGrant.ReadWrite.All", "8e8e4742-1d95-4f68-9d56-6ee75648c72a"], // grants any delegated permission to any client
            ["Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"],
            ["AppRoleAssignment.ReadWrite.All", "06b708a9-e830-4db3-a914-8e69da51d44f"],
        ]) {
            assert.ok(!granted.includes(id), permission);
        }
    });

    it("lets each identity trust exactly its own environment's subject, never a pull request's", async () => {
        const { mocks } = await runBootstrap({ githubRepository: REPO });
        const credentials = ofType(mocks, "applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential");
        const common = {
            applicationId: "/applications/a0a0a0a0-0000-4000-8000-000000000002",
            issuer: "https://token.actions.githubusercontent.com", // github/docs actions/reference/security/oidc.md: iss
            audiences: ["api://AzureADTokenExchange"],            // github/docs oidc.md, "Customizing the audience value": Azure Login's default aud
        };
        assert.deepStrictEqual(credentials, ENVIRONMENTS.map(environment => {
            // github/docs oidc.md, "Filtering for a specific environment": repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME
            const subject = `repo:${REPO}:environment:${environment}`;
            return [`ci-${environment}-oidc-github-environment-${environment}`,
                { ...common, displayName: `github-environment-${environment}`, description: `GitHub Actions: ${subject}`, subject }];
        }));
        // github/docs oidc.md, "Filtering for pull_request events": repo:ORG-NAME/REPO-NAME:pull_request
        assert.ok(credentials.every(([, inputs]) => !String(inputs.subject).endsWith(":pull_request")));
    });

    it("uses the immutable subject prefix when configured", async () => {
        const prefix = "repo:contoso@123456/creatio-m365-oauth@456789";
        const { mocks } = await runBootstrap({ githubRepository: REPO, githubSubjectPrefix: prefix, stacks: '["prod"]' });
        // github/docs oidc.md, "Immutable subject claims": repo:OWNER@OWNER-ID/REPO@REPO-ID, then the context as before
        assert.deepStrictEqual(subjectsOf(mocks, "ci-prod"), ["repo:contoso@123456/creatio-m365-oauth@456789:environment:prod"]);
        assert.deepStrictEqual(subjectsOf(mocks, "ci-rotation-prod"), ["repo:contoso@123456/creatio-m365-oauth@456789:environment:rotation-prod"]);
    });

    it("outputs, per environment, the client id of its variable and the object id for its stack's owners", async () => {
        const { values } = await runBootstrap({ githubRepository: "contoso/crm" });
        assert.deepStrictEqual(values, {
            tenantId: TENANT_ID,
            environments: Object.fromEntries(ENVIRONMENTS.map(environment => [environment, {
                clientId: IDENTITY_IDS[`ci-${environment}`].clientId,
                servicePrincipalObjectId: IDENTITY_IDS[`ci-${environment}`].servicePrincipal,
            }])),
        });
    });

    it("looks Microsoft Graph up, never declares it", async () => {
        const { mocks } = await runBootstrap({ githubRepository: "contoso/crm" });
        assert.ok(mocks.lookups.some(l => l.inputs.clientId === "00000003-0000-0000-c000-000000000000"));
        assert.deepStrictEqual(ofType(mocks, "servicePrincipal:ServicePrincipal").map(([name]) => name), ENVIRONMENTS.map(e => `ci-${e}-sp`));
    });

    describe("config", () => {
        /** The root's stacks, when the config lists none. */
        const root = () => ["dev", "prod"];
        const refusal = (raw: BootstrapRawConfig, rootStacks = root) => {
            try {
                validateBootstrapConfig(raw, rootStacks);
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                return err.problems;
            }
            return assert.fail("accepted");
        };

        it("rejects what it cannot use, naming key, value and what is allowed", () => {
            assert.deepStrictEqual(refusal({
                githubRepository: "https://github.com/contoso/crm", stacks: '["prod uction"]',
            }), [
                'githubRepository = "https://github.com/contoso/crm": not a GitHub repository; allowed: owner/name, such as contoso/creatio-m365-oauth',
                `stacks = "[\\"prod uction\\"]": not a list of this repository's stack names; allowed: ${STACKS_ALLOWED}`,
            ]);
        });

        it("refuses the keys that granted the deployer tenant-wide permissions, rather than ignoring them", () => {
            assert.deepStrictEqual(refusal({
                githubRepository: "contoso/crm", applicationPermission: "Application.ReadWrite.All", previewReadsConsentGrants: "false",
            }), [
                'applicationPermission = "Application.ReadWrite.All": no longer exists: the deployer now holds Application.ReadWrite.OwnedBy ' +
                'and Application.Read.All only; an administrator grants consent and sets owners (docs/ci.md, "Admin acts"); ' +
                "allowed: nothing: pulumi config rm applicationPermission",
                'previewReadsConsentGrants = "false": no longer exists: pull requests no longer sign in to Entra ID: there is no preview identity; ' +
                "allowed: nothing: pulumi config rm previewReadsConsentGrants",
            ]);
            // Unset or empty (Pulumi.yaml's old default) is fine.
            assert.doesNotThrow(() => validateBootstrapConfig({ githubRepository: "contoso/crm", applicationPermission: "" }, root));
        });

        it("takes the classic subject prefix by default and the immutable one when given, spelled as given", () => {
            assert.strictEqual(validateBootstrapConfig({ githubRepository: "Contoso/CRM" }, root).githubSubjectPrefix, "repo:Contoso/CRM");
            assert.strictEqual(validateBootstrapConfig({ githubRepository: "Contoso/CRM", githubSubjectPrefix: "repo:Contoso@42/CRM@4242" }, root).githubSubjectPrefix,
                "repo:Contoso@42/CRM@4242");
        });

        it("refuses a subject prefix that spells the repository with other capitals than githubRepository", () => {
            // Entra ID matches federated credential subjects case-sensitively (Microsoft identity platform,
            // reference-breaking-changes: "Federated Identity Credentials now use case-sensitive matching"), so one
            // of the two spellings would give credentials GitHub's tokens never match (AADSTS7002138, Azure/login#515).
            for (const [repository, prefix, named] of [
                ["contoso/crm", "repo:Contoso@42/CRM@4242", "Contoso/CRM"],
                ["Contoso/CRM", "repo:contoso/crm", "contoso/crm"],
                ["contoso/crm", "repo:contoso/Crm", "contoso/Crm"],
            ]) {
                assert.deepStrictEqual(refusal({ githubRepository: repository, githubSubjectPrefix: prefix }), [
                    `githubSubjectPrefix = ${JSON.stringify(prefix)}: names ${named}, githubRepository ${repository}, and Entra ID ` +
                    "matches OIDC subjects case-sensitively (AADSTS7002138); allowed: githubRepository and githubSubjectPrefix " +
                    `spelled exactly as the sub_claim_prefix of gh api repos/${repository}/actions/oidc/customization/sub`,
                ]);
            }
        });

        it("refuses a subject prefix that is not this repository's", () => {
            const allowed = "allowed: repo:contoso/crm or repo:contoso@<owner id>/crm@<repository id>, as " +
                "gh api repos/contoso/crm/actions/oidc/customization/sub returns in sub_claim_prefix";
            for (const prefix of [
                "repo:fabrikam/crm",                            // another repository
                "repo:contoso@42/crm",                          // owner id without repository id
                "contoso/crm",                                  // not a subject
                "repo:contoso/crm:ref:refs/heads/main",         // a whole subject, not its prefix
                "repo:contoso@0x2a/crm@7",                      // ids are decimal numbers
            ]) {
                assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm", githubSubjectPrefix: prefix }),
                    [`githubSubjectPrefix = ${JSON.stringify(prefix)}: not a GitHub OIDC subject prefix of contoso/crm; ${allowed}`]);
            }
        });

        it("derives each stack's environments by one rule: <stack> to deploy, rotation-<stack> to rotate", () => {
            const settings = validateBootstrapConfig({ githubRepository: "contoso/crm", stacks: '["acme-prod","contoso_1"]' }, () => assert.fail("reads the root"));
            assert.deepStrictEqual([settings.stacks, settings.deployEnvironments, settings.rotationEnvironments],
                [["acme-prod", "contoso_1"], ["acme-prod", "contoso_1"], ["rotation-acme-prod", "rotation-contoso_1"]]);
        });

        it("takes the stacks of the root's stack files when stacks is unset or empty, and says when there are none", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-root-"));
            try {
                const fromFiles = () => stacksIn(dir);
                for (const file of ["Pulumi.yaml", "Pulumi.acme-prod.yaml", "Pulumi.acme-dev.yaml"]) {
                    fs.writeFileSync(path.join(dir, file), "config: {}\n");
                }
                for (const stacks of [undefined, "", "[]"]) {
                    assert.deepStrictEqual(validateBootstrapConfig({ githubRepository: "contoso/crm", stacks }, fromFiles).rotationEnvironments,
                        ["rotation-acme-dev", "rotation-acme-prod"]);
                }
                fs.writeFileSync(path.join(dir, "Pulumi.acme.prod.yaml"), "config: {}\n");
                assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm" }, fromFiles), [
                    'stacks = "": unset, and the root\'s stack files are not all stacks: Pulumi.acme.prod.yaml is not a stack file this ' +
                    'repository can deploy: the name between "Pulumi." and ".yaml" must be 1 to 91 letters, digits, - and _ (it names ' +
                    `the GitHub environments <stack> and rotation-<stack>); rename it or move it out of the root.; allowed: ${STACKS_ALLOWED}`,
                ]);
                for (const file of fs.readdirSync(dir).filter(f => f !== "Pulumi.yaml")) {
                    fs.rmSync(path.join(dir, file));
                }
                assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm", stacks: "[]" }, fromFiles), [
                    `stacks = "[]": unset, and the repository's root has no Pulumi.<stack>.yaml file; allowed: ${STACKS_ALLOWED}`,
                ]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses stacks whose environments would collide or not be environment names, and more than one matrix runs", () => {
            const many = JSON.stringify(Array.from({ length: 257 }, (_, i) => `s${i}`));
            for (const stacks of [
                '["dev","rotation-dev"]',   // rotation-dev's deploy environment is dev's rotation environment
                '["dev","Dev"]',            // GitHub environment names ignore case
                '["acme.prod"]',            // a Pulumi stack name, not an environment name here
                `["${"a".repeat(92)}"]`,    // rotation-<stack> over 100 characters
                "[]x", '[""]', "[1]",
                many,                       // github/docs, run-job-variations: "A matrix will generate a maximum of 256 jobs per workflow run."
            ]) {
                assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm", stacks }),
                    [`stacks = ${JSON.stringify(stacks)}: not a list of this repository's stack names; allowed: ${STACKS_ALLOWED}`], stacks);
            }
            assert.strictEqual(validateBootstrapConfig({ githubRepository: "contoso/crm", stacks: JSON.stringify(JSON.parse(many).slice(1)) }, root).stacks.length, 256);
        });

        it("refuses the environment lists of earlier versions: the environments follow the stacks", () => {
            const why = "no longer exists: the GitHub environments follow the stacks: stack <stack> deploys in the environment <stack> " +
                'and rotates in rotation-<stack> (docs/ci.md, "Stacks and environments"); list the stacks in stacks, or leave it unset to take ' +
                "the root's stack files";
            assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm", deployEnvironments: '["dev","production"]', rotationEnvironments: '["rotation-dev"]' }), [
                `deployEnvironments = "[\\"dev\\",\\"production\\"]": ${why}; allowed: nothing: pulumi config rm deployEnvironments`,
                `rotationEnvironments = "[\\"rotation-dev\\"]": ${why}; allowed: nothing: pulumi config rm rotationEnvironments`,
            ]);
        });

        it("declares nothing with bad config", async () => {
            const mocks = new TenantMocks();
            const refused = await withoutPromiseStacks(async () => {
                const result = await runProgram(BOOTSTRAP_PROGRAM, BOOTSTRAP_PROJECT, "tenant", {}, mocks).then(() => undefined, (err: unknown) => err);
                await pulumi.runtime.disconnect();
                return result;
            });
            assert.ok(refused instanceof ConfigError, String(refused));
            assert.deepStrictEqual(mocks.declared, []);
        });

        it("declares its keys in bootstrap/Pulumi.yaml with descriptions and the defaults the program uses", () => {
            const project = parse(fs.readFileSync(path.join(import.meta.dirname, "..", "..", "bootstrap", "Pulumi.yaml"), "utf8"));
            assert.strictEqual(project.name, BOOTSTRAP_PROJECT);
            assert.deepStrictEqual(Object.keys(project.config), [
                "githubRepository", "githubSubjectPrefix", "stacks",
            ]);
            for (const key of Object.keys(project.config)) {
                assert.ok(project.config[key].description && "default" in project.config[key], key);
            }
            // Empty: the root's stack files.
            assert.deepStrictEqual(project.config.stacks.default, []);
            assert.strictEqual(project.config.githubSubjectPrefix.default, "");
        });
    });
});
