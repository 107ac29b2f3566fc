import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { DEFAULT_DEPLOY_ENVIRONMENTS, DEFAULT_ROTATION_ENVIRONMENTS, validateBootstrapConfig } from "../../bootstrap/settings";
import { ConfigError } from "../../lib/configProblems";
import { TENANT_ID, TenantMocks, runProgram } from "../mocks";
import { BOOTSTRAP_PROGRAM, BOOTSTRAP_PROJECT, IDENTITY_IDS, ofType, runBootstrap, withNativeStackTraces } from "./harness";

const GRAPH_SP = "90909090-0000-4000-8000-000000009090";
/** Microsoft Graph's app role ids (application permissions). */
const ROLE = {
    readAll: "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",      // Microsoft Graph permissions reference: Application.Read.All, Application
    ownedBy: "18a4783c-866b-4cc7-a460-3d5e5662c884",      // Microsoft Graph permissions reference: Application.ReadWrite.OwnedBy, Application
};
const REPO = "contoso/creatio-m365-oauth";
/** The default environments: deploy (dev, production), then rotation (rotation-dev, rotation-prod). */
const ENVIRONMENTS = ["dev", "production", "rotation-dev", "rotation-prod"];

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
            ["ci-production-app", { displayName: `Creatio M365 OAuth deploy (production, ${REPO})`, signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
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
        const { mocks } = await runBootstrap({ githubRepository: REPO, githubSubjectPrefix: prefix, deployEnvironments: '["production"]', rotationEnvironments: '["rotation-prod"]' });
        // github/docs oidc.md, "Immutable subject claims": repo:OWNER@OWNER-ID/REPO@REPO-ID, then the context as before
        assert.deepStrictEqual(subjectsOf(mocks, "ci-production"), ["repo:contoso@123456/creatio-m365-oauth@456789:environment:production"]);
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
        const refusal = (raw: Parameters<typeof validateBootstrapConfig>[0]) => {
            try {
                validateBootstrapConfig(raw);
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                return err.problems;
            }
            return assert.fail("accepted");
        };

        it("rejects what it cannot use, naming key, value and what is allowed", () => {
            assert.deepStrictEqual(refusal({
                githubRepository: "https://github.com/contoso/crm", deployEnvironments: '["prod uction"]',
            }), [
                'githubRepository = "https://github.com/contoso/crm": not a GitHub repository; allowed: owner/name, such as contoso/creatio-m365-oauth',
                'deployEnvironments = "[\\"prod uction\\"]": not a list of GitHub environment names; allowed: 1 to 20 distinct names of letters, digits, - and _, such as ["dev","production"]',
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
            assert.doesNotThrow(() => validateBootstrapConfig({ githubRepository: "contoso/crm", applicationPermission: "" }));
        });

        it("takes the classic subject prefix by default and the immutable one when given, spelled as given", () => {
            assert.strictEqual(validateBootstrapConfig({ githubRepository: "Contoso/CRM" }).githubSubjectPrefix, "repo:Contoso/CRM");
            assert.strictEqual(validateBootstrapConfig({ githubRepository: "Contoso/CRM", githubSubjectPrefix: "repo:Contoso@42/CRM@4242" }).githubSubjectPrefix,
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

        it("refuses rotation environments shared with deploy environments, and more than 20 of either", () => {
            assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm", rotationEnvironments: '["rotation-dev","production"]' }), [
                'rotationEnvironments = "[\\"rotation-dev\\",\\"production\\"]": shares production with deployEnvironments; allowed: environments of their own, without reviewers, such as ["rotation-dev","rotation-prod"]',
            ]);
            // Microsoft, "Workload identity federation considerations": at most 20 federated identity credentials per application.
            const many = JSON.stringify(Array.from({ length: 21 }, (_, i) => `r${i}`));
            assert.deepStrictEqual(refusal({ githubRepository: "contoso/crm", rotationEnvironments: many }), [
                `rotationEnvironments = ${JSON.stringify(many)}: not a list of GitHub environment names; allowed: 1 to 20 distinct names of letters, digits, - and _, such as ["rotation-dev","rotation-prod"]`,
            ]);
        });

        it("declares nothing with bad config", async () => {
            const mocks = new TenantMocks();
            await withNativeStackTraces(async () => {
                await assert.rejects(runProgram(BOOTSTRAP_PROGRAM, BOOTSTRAP_PROJECT, "tenant", {}, mocks), ConfigError);
                await pulumi.runtime.disconnect();
            });
            assert.deepStrictEqual(mocks.declared, []);
        });

        it("declares its keys in bootstrap/Pulumi.yaml with descriptions and the defaults the program uses", () => {
            const project = parse(fs.readFileSync(path.join(__dirname, "..", "..", "bootstrap", "Pulumi.yaml"), "utf8"));
            assert.strictEqual(project.name, BOOTSTRAP_PROJECT);
            assert.deepStrictEqual(Object.keys(project.config), [
                "githubRepository", "githubSubjectPrefix", "deployEnvironments", "rotationEnvironments",
            ]);
            for (const key of Object.keys(project.config)) {
                assert.ok(project.config[key].description && "default" in project.config[key], key);
            }
            assert.deepStrictEqual(project.config.deployEnvironments.default, DEFAULT_DEPLOY_ENVIRONMENTS);
            assert.deepStrictEqual(project.config.rotationEnvironments.default, DEFAULT_ROTATION_ENVIRONMENTS);
            assert.strictEqual(project.config.githubSubjectPrefix.default, "");
        });
    });
});
