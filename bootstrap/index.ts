/**
 * Run once by a tenant administrator: creates the identities the CI pipelines sign in as, one per
 * GitHub environment, each with the Microsoft Graph application permissions of routine work only
 * (no consent, no owners).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { MICROSOFT_GRAPH } from "../lib/microsoftApis.ts";
import { stacksIn } from "../lib/stackFiles.ts";
import { GitHubOidcIdentity } from "./githubOidcIdentity.ts";
import { ciIdentities } from "./identities.ts";
import { validateBootstrapConfig } from "./settings.ts";

/** Declares the stack and returns its outputs: Pulumi's runtime calls the default export (see ../index.ts). */
export default function bootstrapStack() {
    const config = new pulumi.Config();
    const settings = validateBootstrapConfig({
        githubRepository: config.get("githubRepository"),
        githubSubjectPrefix: config.get("githubSubjectPrefix"),
        stacks: config.get("stacks"),
        deployEnvironments: config.get("deployEnvironments"),
        rotationEnvironments: config.get("rotationEnvironments"),
        applicationPermission: config.get("applicationPermission"),
        previewReadsConsentGrants: config.get("previewReadsConsentGrants"),
    }, () => stacksIn(path.join(import.meta.dirname, "..")));

    const graphPrincipal = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH.appId });
    const graph = pulumi.all([graphPrincipal.objectId, graphPrincipal.appRoleIds])
        .apply(([objectId, appRoleIds]) => ({ objectId, appRoleIds }));

    const identities = ciIdentities(settings).map(identity =>
        ({ environment: identity.environment, component: new GitHubOidcIdentity(identity.name, { ...identity, graph }) }));

    return {
        /** The repository's variable AZURE_TENANT_ID. */
        tenantId: azuread.getClientConfigOutput().tenantId,
        /**
         * Per GitHub environment: `clientId` goes into that environment's variable AZURE_CI_CLIENT_ID;
         * `servicePrincipalObjectId` into the `owners` of the stack that deploys (or rotates) there.
         */
        environments: pulumi.all(Object.fromEntries(identities.map(({ environment, component }) =>
            [environment, pulumi.all({ clientId: component.clientId, servicePrincipalObjectId: component.servicePrincipalObjectId })]))),
    };
}
