import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";

/** One federated credential: GitHub Actions runs with this subject may sign in as the identity. */
export interface OidcSubject {
    /** Unique per identity; letters, digits, - and _. */
    name: string;
    subject: string;
}

export interface GitHubOidcIdentityArgs {
    displayName: string;
    /** Microsoft Graph application permissions (app role values) granted to the identity. */
    graphPermissions: string[];
    /** The tenant's Microsoft Graph service principal: its object id and app role ids by value. */
    graph: pulumi.Output<{ objectId: string; appRoleIds: Record<string, string> }>;
    subjects: OidcSubject[];
}

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/**
 * An Entra ID application that GitHub Actions signs in as through OIDC workload identity
 * federation (no secret exists), holding exactly the Graph application permissions given.
 */
export class GitHubOidcIdentity extends pulumi.ComponentResource {
    readonly application: azuread.Application;
    readonly servicePrincipal: azuread.ServicePrincipal;
    readonly roleAssignments: azuread.AppRoleAssignment[];
    readonly federatedCredentials: azuread.ApplicationFederatedIdentityCredential[];
    readonly clientId: pulumi.Output<string>;
    readonly servicePrincipalObjectId: pulumi.Output<string>;

    constructor(name: string, args: GitHubOidcIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("creatio:bootstrap:GitHubOidcIdentity", name, {}, opts);

        this.application = new azuread.Application(`${name}-app`, {
            displayName: args.displayName,
            signInAudience: "AzureADMyOrg",
            preventDuplicateNames: true,
        }, { parent: this });

        this.servicePrincipal = new azuread.ServicePrincipal(`${name}-sp`, {
            clientId: this.application.clientId,
        }, { parent: this });

        // App role assignments are what "Grant admin consent" does for application permissions.
        this.roleAssignments = args.graphPermissions.map(permission =>
            new azuread.AppRoleAssignment(`${name}-graph-${permission}`, {
                principalObjectId: this.servicePrincipal.objectId,
                resourceObjectId: args.graph.objectId,
                appRoleId: args.graph.appRoleIds.apply(ids => {
                    const id = ids[permission];
                    if (id === undefined) {
                        throw new Error(`Microsoft Graph has no application permission named ${permission}`);
                    }
                    return id;
                }),
            }, { parent: this }));

        this.federatedCredentials = args.subjects.map(({ name: credential, subject }) =>
            new azuread.ApplicationFederatedIdentityCredential(`${name}-oidc-${credential}`, {
                applicationId: this.application.id,
                displayName: credential,
                description: `GitHub Actions: ${subject}`,
                issuer: GITHUB_ISSUER,
                audiences: [TOKEN_EXCHANGE_AUDIENCE],
                subject,
            }, { parent: this }));

        this.clientId = this.application.clientId;
        this.servicePrincipalObjectId = this.servicePrincipal.objectId;
        this.registerOutputs({ clientId: this.clientId, servicePrincipalObjectId: this.servicePrincipalObjectId });
    }
}
