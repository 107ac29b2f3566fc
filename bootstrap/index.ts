/**
 * Run once by a tenant administrator: creates the two identities the CI pipelines sign in as,
 * each with exactly the Microsoft Graph application permissions the main program needs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { MICROSOFT_GRAPH } from "../lib/microsoftApis";
import { GitHubOidcIdentity } from "./githubOidcIdentity";
import { githubSubjects, validateBootstrapConfig } from "./settings";

const config = new pulumi.Config();
const settings = validateBootstrapConfig({
    githubRepository: config.get("githubRepository"),
    deployEnvironments: config.get("deployEnvironments"),
    applicationPermission: config.get("applicationPermission"),
});
const repo = settings.githubRepository;

const graphPrincipal = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH.appId });
const graph = pulumi.all([graphPrincipal.objectId, graphPrincipal.appRoleIds])
    .apply(([objectId, appRoleIds]) => ({ objectId, appRoleIds }));

/** Writes the registration: pushes to main (rotation) and deploy jobs in the GitHub environments. */
const deployer = new GitHubOidcIdentity("deployer", {
    displayName: `Creatio M365 OAuth deployer (${repo})`,
    graphPermissions: [settings.applicationPermission, "DelegatedPermissionGrant.ReadWrite.All", "Application.Read.All"],
    graph,
    subjects: [
        { name: "github-main", subject: githubSubjects.mainBranch(repo) },
        ...settings.deployEnvironments.map(env => ({ name: `github-environment-${env}`, subject: githubSubjects.environment(repo, env) })),
    ],
});

/** Reads only: previews of pull requests. */
const previewer = new GitHubOidcIdentity("preview", {
    displayName: `Creatio M365 OAuth preview (${repo})`,
    graphPermissions: ["Application.Read.All"],
    graph,
    subjects: [{ name: "github-pull-request", subject: githubSubjects.pullRequest(repo) }],
});

/** The repository's CI variables. */
export const tenantId = azuread.getClientConfigOutput().tenantId;
export const deployClientId = deployer.clientId;
export const previewClientId = previewer.clientId;
/** Add to the main program's `owners` when the deployer has Application.ReadWrite.OwnedBy. */
export const deployerServicePrincipalObjectId = deployer.servicePrincipalObjectId;
