import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { validateBootstrapConfig } from "../bootstrap/settings";
import { ConfigError } from "../lib/configProblems";
import { TENANT_ID, TenantMocks, promiseOf, runProgram } from "./mocks";

const PROGRAM = require.resolve("../bootstrap/index");
const GRAPH_SP = "90909090-0000-4000-8000-000000009090";
const DEPLOYER_SP = "5e5e5e5e-0000-4000-8000-000000000004";
const PREVIEW_SP = "7e7e7e7e-0000-4000-8000-000000000007";
const ROLE = {
    readAll: "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    readWriteAll: "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    ownedBy: "18a4783c-866b-4cc7-a460-3d5e5662c884",
    grants: "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
};

/** Runs bootstrap/index.ts with this config and waits until it has declared everything. */
async function run(config: Record<string, string>) {
    const mocks = new TenantMocks(0, undefined,
        { "deployer-app": "d0d0d0d0-0000-4000-8000-00000000d0d0", "preview-app": "b0b0b0b0-0000-4000-8000-00000000b0b0" },
        { "deployer-sp": DEPLOYER_SP, "preview-sp": PREVIEW_SP });
    const outputs = await runProgram<Record<string, pulumi.Output<string>>>(
        PROGRAM, "creatio-m365-oauth-bootstrap", "tenant", config, mocks);
    const values = Object.fromEntries(await Promise.all(
        Object.entries(outputs).map(async ([name, output]) => [name, await promiseOf(output)])));
    // Role assignments and federated credentials are in no output: wait for them to register.
    for (let i = 0; i < 100 && mocks.declared.length < 15; i++) {
        await new Promise(resolve => setTimeout(resolve, 10));
    }
    return { values, mocks };
}

const ofType = (mocks: TenantMocks, type: string) =>
    mocks.declared.filter(d => d.type === `azuread:index/${type}`).map(d => [d.name, d.inputs]);

describe("bootstrap program", () => {
    it("declares the deployer and the preview identity with exactly their Graph permissions", async () => {
        const { mocks } = await run({ githubRepository: "contoso/creatio-m365-oauth" });
        assert.deepStrictEqual(ofType(mocks, "appRoleAssignment:AppRoleAssignment"), [
            ["deployer-graph-Application.ReadWrite.OwnedBy", { principalObjectId: DEPLOYER_SP, resourceObjectId: GRAPH_SP, appRoleId: ROLE.ownedBy }],
            ["deployer-graph-DelegatedPermissionGrant.ReadWrite.All", { principalObjectId: DEPLOYER_SP, resourceObjectId: GRAPH_SP, appRoleId: ROLE.grants }],
            ["deployer-graph-Application.Read.All", { principalObjectId: DEPLOYER_SP, resourceObjectId: GRAPH_SP, appRoleId: ROLE.readAll }],
            ["preview-graph-Application.Read.All", { principalObjectId: PREVIEW_SP, resourceObjectId: GRAPH_SP, appRoleId: ROLE.readAll }],
        ]);
        assert.deepStrictEqual(ofType(mocks, "application:Application"), [
            ["deployer-app", { displayName: "Creatio M365 OAuth deployer (contoso/creatio-m365-oauth)", signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
            ["preview-app", { displayName: "Creatio M365 OAuth preview (contoso/creatio-m365-oauth)", signInAudience: "AzureADMyOrg", preventDuplicateNames: true }],
        ]);
        // OIDC only: no secret of any kind is created.
        assert.deepStrictEqual(mocks.declared.filter(d => /Password|Certificate/.test(d.type)), []);
    });

    it("trusts GitHub's OIDC tokens for main, each deploy environment and pull requests", async () => {
        const { mocks } = await run({ githubRepository: "contoso/creatio-m365-oauth", deployEnvironments: '["dev","production"]' });
        const credentials = ofType(mocks, "applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential");
        const common = {
            applicationId: "/applications/a0a0a0a0-0000-4000-8000-000000000002",
            issuer: "https://token.actions.githubusercontent.com",
            audiences: ["api://AzureADTokenExchange"],
        };
        assert.deepStrictEqual(credentials, [
            ["deployer-oidc-github-main", { ...common, displayName: "github-main",
                description: "GitHub Actions: repo:contoso/creatio-m365-oauth:ref:refs/heads/main",
                subject: "repo:contoso/creatio-m365-oauth:ref:refs/heads/main" }],
            ["deployer-oidc-github-environment-dev", { ...common, displayName: "github-environment-dev",
                description: "GitHub Actions: repo:contoso/creatio-m365-oauth:environment:dev",
                subject: "repo:contoso/creatio-m365-oauth:environment:dev" }],
            ["deployer-oidc-github-environment-production", { ...common, displayName: "github-environment-production",
                description: "GitHub Actions: repo:contoso/creatio-m365-oauth:environment:production",
                subject: "repo:contoso/creatio-m365-oauth:environment:production" }],
            ["preview-oidc-github-pull-request", { ...common, displayName: "github-pull-request",
                description: "GitHub Actions: repo:contoso/creatio-m365-oauth:pull_request",
                subject: "repo:contoso/creatio-m365-oauth:pull_request" }],
        ]);
    });

    it("can grant Application.ReadWrite.All instead of OwnedBy", async () => {
        const { mocks } = await run({ githubRepository: "contoso/crm", applicationPermission: "Application.ReadWrite.All" });
        const deployerRoles = ofType(mocks, "appRoleAssignment:AppRoleAssignment")
            .filter(([name]) => String(name).startsWith("deployer-")).map(([, inputs]) => (inputs as any).appRoleId);
        assert.deepStrictEqual(deployerRoles, [ROLE.readWriteAll, ROLE.grants, ROLE.readAll]);
    });

    it("outputs what the CI variables need", async () => {
        const { values } = await run({ githubRepository: "contoso/crm" });
        assert.deepStrictEqual(values, {
            tenantId: TENANT_ID,
            deployClientId: "d0d0d0d0-0000-4000-8000-00000000d0d0",
            previewClientId: "b0b0b0b0-0000-4000-8000-00000000b0b0",
            deployerServicePrincipalObjectId: DEPLOYER_SP,
        });
    });

    it("looks Microsoft Graph up, never declares it", async () => {
        const { mocks } = await run({ githubRepository: "contoso/crm" });
        assert.ok(mocks.lookups.some(l => l.inputs.clientId === "00000003-0000-0000-c000-000000000000"));
        assert.deepStrictEqual(ofType(mocks, "servicePrincipal:ServicePrincipal").map(([name]) => name), ["deployer-sp", "preview-sp"]);
    });

    describe("config", () => {
        it("rejects what it cannot use, naming key, value and what is allowed", () => {
            try {
                validateBootstrapConfig({ githubRepository: "https://github.com/contoso/crm", deployEnvironments: '["prod uction"]', applicationPermission: "Directory.ReadWrite.All" });
                assert.fail("accepted");
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                assert.deepStrictEqual(err.problems, [
                    'githubRepository = "https://github.com/contoso/crm": not a GitHub repository; allowed: owner/name, such as contoso/creatio-m365-oauth',
                    'deployEnvironments = "[\\"prod uction\\"]": not a list of GitHub environment names; allowed: 1 to 19 distinct names of letters, digits, - and _, such as ["dev","production"]',
                    'applicationPermission = "Directory.ReadWrite.All": not allowed; allowed: Application.ReadWrite.OwnedBy or Application.ReadWrite.All',
                ]);
            }
        });

        it("declares nothing with bad config", async () => {
            const mocks = new TenantMocks();
            await assert.rejects(runProgram(PROGRAM, "creatio-m365-oauth-bootstrap", "tenant", {}, mocks), ConfigError);
            await new Promise(resolve => setTimeout(resolve, 50));
            assert.deepStrictEqual(mocks.declared, []);
        });

        it("declares its keys in bootstrap/Pulumi.yaml with descriptions and defaults", () => {
            const project = parse(fs.readFileSync(path.join(__dirname, "..", "bootstrap", "Pulumi.yaml"), "utf8"));
            assert.strictEqual(project.name, "creatio-m365-oauth-bootstrap");
            assert.deepStrictEqual(Object.keys(project.config), ["githubRepository", "deployEnvironments", "applicationPermission"]);
            for (const key of Object.keys(project.config)) {
                assert.ok(project.config[key].description && "default" in project.config[key], key);
            }
            assert.deepStrictEqual(project.config.deployEnvironments.default, ["dev", "production"]);
            assert.strictEqual(project.config.applicationPermission.default, "Application.ReadWrite.OwnedBy");
        });
    });
});
