/** Which CI identity signs in where, with which Microsoft Graph application permissions (pure). */
import { type BootstrapSettings, githubSubjects } from "./settings.ts";
import type { OidcSubject } from "./githubOidcIdentity.ts";

export interface CiIdentity {
    /** Resource name prefix: `ci-<environment>`. */
    name: string;
    /** The GitHub environment whose jobs sign in as this identity, and only they. */
    environment: string;
    displayName: string;
    graphPermissions: string[];
    subjects: OidcSubject[];
}

/**
 * What every CI identity holds, and nothing more. Application.ReadWrite.OwnedBy: create
 * applications and service principals and change only those it owns, passwords included
 * (Microsoft Graph, application-post-applications, serviceprincipal-post-serviceprincipals,
 * application-addpassword, application-removepassword). Application.Read.All: the lookups of the
 * Exchange Online and Microsoft Graph principals every run makes (serviceprincipal-list); Graph's
 * permissions reference now lets OwnedBy list them too, but earlier versions of that page said
 * such listings fail with 403, and a read permission adds no write. Neither can grant consent
 * (oauth2permissiongrant-post: DelegatedPermissionGrant.ReadWrite.All), add another owner
 * (application-post-owners: "Application.ReadWrite.OwnedBy will not be sufficient to add another
 * owner") or touch an application it does not own.
 */
export const CI_GRAPH_PERMISSIONS = ["Application.ReadWrite.OwnedBy", "Application.Read.All"];

/**
 * One identity per GitHub environment: each stack's `owners` lists only its own environments'
 * identities, so a job of one environment (dev, whose reviewers are optional, or an unattended
 * rotation) cannot change another stack's registration.
 */
export function ciIdentities(settings: BootstrapSettings): CiIdentity[] {
    const identity = (kind: "deploy" | "rotation", environment: string): CiIdentity => ({
        name: `ci-${environment}`,
        environment,
        displayName: `Creatio M365 OAuth ${kind} (${environment}, ${settings.githubRepository})`,
        graphPermissions: CI_GRAPH_PERMISSIONS,
        subjects: [{ name: `github-environment-${environment}`, subject: githubSubjects.environment(settings.githubSubjectPrefix, environment) }],
    });
    return [
        ...settings.deployEnvironments.map(environment => identity("deploy", environment)),
        ...settings.rotationEnvironments.map(environment => identity("rotation", environment)),
    ];
}
