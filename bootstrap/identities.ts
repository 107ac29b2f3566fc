/** Which CI identity signs in where, with which Microsoft Graph application permissions (pure). */
import { BootstrapSettings, githubSubjects } from "./settings";
import { OidcSubject } from "./githubOidcIdentity";

export interface CiIdentity {
    /** Resource name prefix; also part of the display name. */
    name: "deployer" | "rotation";
    displayName: string;
    graphPermissions: string[];
    subjects: OidcSubject[];
}

/**
 * What every routine CI identity holds, and nothing more. Application.ReadWrite.OwnedBy: create
 * applications and service principals and change only those it owns, passwords included
 * (Microsoft Graph, application-post-applications, serviceprincipal-post-serviceprincipals,
 * application-addpassword, application-removepassword). Application.Read.All: the lookups of the
 * Exchange Online and Microsoft Graph principals every run makes (serviceprincipal-list).
 * Neither can grant consent (oauth2permissiongrant-post: DelegatedPermissionGrant.ReadWrite.All),
 * add another owner (application-post-owners: "Application.ReadWrite.OwnedBy will not be
 * sufficient to add another owner") or touch an application it does not own.
 */
export const ROUTINE_GRAPH_PERMISSIONS = ["Application.ReadWrite.OwnedBy", "Application.Read.All"];

const environmentSubjects = (prefix: string, environments: string[]) => environments.map(environment => ({
    name: `github-environment-${environment}`,
    subject: githubSubjects.environment(prefix, environment),
}));

export function ciIdentities(settings: BootstrapSettings): CiIdentity[] {
    const repo = settings.githubRepository;
    const prefix = settings.githubSubjectPrefix;
    return [
        {
            // Deploy jobs from main (`pulumi up`), each in its GitHub environment. Consent and owners
            // are an administrator's first `pulumi up` of a stack; this identity then owns the
            // registration and keeps it as configured.
            name: "deployer",
            displayName: `Creatio M365 OAuth deployer (${repo})`,
            graphPermissions: ROUTINE_GRAPH_PERMISSIONS,
            subjects: environmentSubjects(prefix, settings.deployEnvironments),
        },
        {
            // The unattended weekly rotation: a targeted `pulumi up` of the two password slots. Same
            // permissions, its own identity: it trusts only the rotation environments, which have
            // no reviewers, and can be revoked on its own.
            name: "rotation",
            displayName: `Creatio M365 OAuth rotation (${repo})`,
            graphPermissions: ROUTINE_GRAPH_PERMISSIONS,
            subjects: environmentSubjects(prefix, settings.rotationEnvironments),
        },
    ];
}
