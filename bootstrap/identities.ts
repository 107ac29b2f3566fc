/** Which CI identity signs in where, with which Microsoft Graph application permissions (pure). */
import { BootstrapSettings, githubSubjects } from "./settings";
import { OidcSubject } from "./githubOidcIdentity";

export interface CiIdentity {
    /** Resource name prefix; also part of the display name. */
    name: "deployer" | "rotation" | "preview";
    displayName: string;
    graphPermissions: string[];
    subjects: OidcSubject[];
}

/**
 * Microsoft Graph documents it as the least-privileged application permission for reading
 * oauth2PermissionGrants (oauth2permissiongrant-get, -list), and, together with
 * Application.ReadWrite.OwnedBy or .All, for adding an owner to an application (application-post-owners).
 */
export const DIRECTORY_READ_PERMISSION = "Directory.Read.All";

/**
 * The rotation identity's: it only adds and removes passwords of the Creatio application, which it
 * owns (Microsoft Graph, application-addpassword and -removepassword: Application.ReadWrite.OwnedBy).
 */
export const ROTATION_APPLICATION_PERMISSION = "Application.ReadWrite.OwnedBy";

const environmentSubjects = (prefix: string, environments: string[]) => environments.map(environment => ({
    name: `github-environment-${environment}`,
    subject: githubSubjects.environment(prefix, environment),
}));

export function ciIdentities(settings: BootstrapSettings): CiIdentity[] {
    const repo = settings.githubRepository;
    const prefix = settings.githubSubjectPrefix;
    return [
        {
            // Deploy jobs (`pulumi up` of everything), each in its GitHub environment with reviewers
            // where it matters: the only identity that may write consent grants, and the one that
            // makes the rotation identity a co-owner of the registration (`owners`), which takes
            // Application.ReadWrite.All (the default of applicationPermission; see settings.ts).
            name: "deployer",
            displayName: `Creatio M365 OAuth deployer (${repo})`,
            graphPermissions: [settings.applicationPermission, "DelegatedPermissionGrant.ReadWrite.All", "Application.Read.All", DIRECTORY_READ_PERMISSION],
            subjects: environmentSubjects(prefix, settings.deployEnvironments),
        },
        {
            // The unattended weekly rotation: a targeted `pulumi up` of the two password slots, plus
            // the lookups of the Microsoft principals every run makes. Least privilege whatever the
            // deployer holds: it owns the registration, so OwnedBy suffices.
            name: "rotation",
            displayName: `Creatio M365 OAuth rotation (${repo})`,
            graphPermissions: [ROTATION_APPLICATION_PERMISSION, "Application.Read.All"],
            subjects: environmentSubjects(prefix, settings.rotationEnvironments),
        },
        {
            // Pull request previews: reads the registration, and the consent grants an adopted
            // registration brings along (previewing their import reads them).
            name: "preview",
            displayName: `Creatio M365 OAuth preview (${repo})`,
            graphPermissions: ["Application.Read.All", ...(settings.previewReadsConsentGrants ? [DIRECTORY_READ_PERMISSION] : [])],
            subjects: [{ name: "github-pull-request", subject: githubSubjects.pullRequest(prefix) }],
        },
    ];
}
