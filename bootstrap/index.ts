/**
 * Run once by a tenant administrator: creates the two identities the CI pipelines sign in as, each
 * with the Microsoft Graph application permissions of routine work only (no consent, no owners).
 */
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { MICROSOFT_GRAPH } from "../lib/microsoftApis";
import { GitHubOidcIdentity } from "./githubOidcIdentity";
import { ciIdentities } from "./identities";
import { validateBootstrapConfig } from "./settings";

const config = new pulumi.Config();
const settings = validateBootstrapConfig({
    githubRepository: config.get("githubRepository"),
    githubSubjectPrefix: config.get("githubSubjectPrefix"),
    deployEnvironments: config.get("deployEnvironments"),
    rotationEnvironments: config.get("rotationEnvironments"),
    applicationPermission: config.get("applicationPermission"),
    previewReadsConsentGrants: config.get("previewReadsConsentGrants"),
});

const graphPrincipal = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH.appId });
const graph = pulumi.all([graphPrincipal.objectId, graphPrincipal.appRoleIds])
    .apply(([objectId, appRoleIds]) => ({ objectId, appRoleIds }));

const [deployer, rotation] = ciIdentities(settings).map(identity =>
    new GitHubOidcIdentity(identity.name, { ...identity, graph }));

/** The repository's CI variables. */
export const tenantId = azuread.getClientConfigOutput().tenantId;
export const deployClientId = deployer.clientId;
export const rotationClientId = rotation.clientId;
/** The identities that write the Creatio registration: both belong in every stack's `owners`. */
export const deployerServicePrincipalObjectId = deployer.servicePrincipalObjectId;
export const rotationServicePrincipalObjectId = rotation.servicePrincipalObjectId;
export const ownerObjectIds = pulumi.all([deployer.servicePrincipalObjectId, rotation.servicePrincipalObjectId]);
