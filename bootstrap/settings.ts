/** The bootstrap program's config: validation, pure, before any resource is declared. */
import { ConfigError, given, problem } from "../lib/configProblems";

/** Graph application permissions the CI identities hold, by what they do. */
export const APPLICATION_WRITE_PERMISSIONS = ["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"] as const;
export type ApplicationWritePermission = typeof APPLICATION_WRITE_PERMISSIONS[number];

export interface BootstrapRawConfig {
    githubRepository?: string;
    /** A JSON list of GitHub environment names. */
    deployEnvironments?: string;
    applicationPermission?: string;
}

export interface BootstrapSettings {
    /** `owner/repo`. */
    githubRepository: string;
    deployEnvironments: string[];
    applicationPermission: ApplicationWritePermission;
}

export const DEFAULT_DEPLOY_ENVIRONMENTS = ["dev", "production"];

/** Entra ID allows 20 federated credentials per application; one is the main branch's. */
const MAX_ENVIRONMENTS = 19;


export function validateBootstrapConfig(raw: BootstrapRawConfig): BootstrapSettings {
    const problems: string[] = [];
    const repo = given(raw.githubRepository);
    if (repo === undefined || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(repo)) {
        problems.push(problem("githubRepository", raw.githubRepository ?? "", "not a GitHub repository",
            "owner/name, such as contoso/creatio-m365-oauth"));
    }

    let environments = DEFAULT_DEPLOY_ENVIRONMENTS;
    const envText = given(raw.deployEnvironments);
    if (envText !== undefined) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(envText);
        } catch {
            parsed = undefined;
        }
        const valid = Array.isArray(parsed) && parsed.length >= 1 && parsed.length <= MAX_ENVIRONMENTS &&
            parsed.every(e => typeof e === "string" && /^[A-Za-z0-9_-]{1,100}$/.test(e)) &&
            new Set(parsed).size === parsed.length;
        if (valid) {
            environments = parsed as string[];
        } else {
            problems.push(problem("deployEnvironments", envText, "not a list of GitHub environment names",
                `1 to ${MAX_ENVIRONMENTS} distinct names of letters, digits, - and _, such as ["dev","production"]`));
        }
    }

    const permission = given(raw.applicationPermission) ?? "Application.ReadWrite.OwnedBy";
    if (!(APPLICATION_WRITE_PERMISSIONS as readonly string[]).includes(permission)) {
        problems.push(problem("applicationPermission", permission, "not allowed", APPLICATION_WRITE_PERMISSIONS.join(" or ")));
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        githubRepository: repo!,
        deployEnvironments: environments,
        applicationPermission: permission as ApplicationWritePermission,
    };
}

/** The OIDC subjects GitHub Actions presents for this repository. */
export const githubSubjects = {
    environment: (repo: string, environment: string) => `repo:${repo}:environment:${environment}`,
    mainBranch: (repo: string) => `repo:${repo}:ref:refs/heads/main`,
    pullRequest: (repo: string) => `repo:${repo}:pull_request`,
};
