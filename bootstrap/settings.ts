/** The bootstrap program's config: validation, pure, before any resource is declared. */
import { ConfigError, given, problem } from "../lib/configProblems";

/**
 * Keys of earlier versions that would now change nothing: refused rather than ignored, so nobody
 * believes the deployer still holds what they configured.
 */
export const REMOVED_KEYS = {
    applicationPermission: "the deployer now holds Application.ReadWrite.OwnedBy and Application.Read.All only; " +
        "an administrator grants consent and sets owners (docs/ci.md, \"Admin acts\")",
    previewReadsConsentGrants: "pull requests no longer sign in to Entra ID: there is no preview identity",
} as const;

export interface BootstrapRawConfig {
    githubRepository?: string;
    /** `repo:<owner>/<repo>` or `repo:<owner>@<owner-id>/<repo>@<repo-id>`. */
    githubSubjectPrefix?: string;
    /** A JSON list of GitHub environment names. */
    deployEnvironments?: string;
    /** A JSON list of GitHub environment names. */
    rotationEnvironments?: string;
    /** Removed (REMOVED_KEYS): refused when set. */
    applicationPermission?: string;
    previewReadsConsentGrants?: string;
}

export interface BootstrapSettings {
    /** `owner/repo`. */
    githubRepository: string;
    /** What GitHub puts before `:environment:...` or `:pull_request` in this repository's OIDC subjects. */
    githubSubjectPrefix: string;
    deployEnvironments: string[];
    rotationEnvironments: string[];
}

export const DEFAULT_DEPLOY_ENVIRONMENTS = ["dev", "production"];
export const DEFAULT_ROTATION_ENVIRONMENTS = ["rotation-dev", "rotation-prod"];

/**
 * Each environment is an application of its own in the tenant, with one federated credential (Entra
 * ID allows 20 per application: Microsoft, "Workload identity federation considerations"); 20
 * stacks a repository keep the tenant's count and the workflows' matrices small.
 */
const MAX_ENVIRONMENTS = 20;

const OWNER = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})";
const REPO = "[A-Za-z0-9._-]{1,100}";
const REPOSITORY = new RegExp(`^(${OWNER})/(${REPO})$`);
/** GitHub's classic subject prefix, or the immutable one with the owner's and repository's numeric ids after `@`. */
const SUBJECT_PREFIX = new RegExp(`^repo:(${OWNER})(?:@([1-9][0-9]*))?/(${REPO})(?:@([1-9][0-9]*))?$`);

function environmentList(key: string, text: string | undefined, fallback: string[], problems: string[]): string[] {
    if (text === undefined) {
        return fallback;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    const valid = Array.isArray(parsed) && parsed.length >= 1 && parsed.length <= MAX_ENVIRONMENTS &&
        parsed.every(e => typeof e === "string" && /^[A-Za-z0-9_-]{1,100}$/.test(e)) &&
        new Set(parsed).size === parsed.length;
    if (!valid) {
        problems.push(problem(key, text, "not a list of GitHub environment names",
            `1 to ${MAX_ENVIRONMENTS} distinct names of letters, digits, - and _, such as ${JSON.stringify(fallback)}`));
        return fallback;
    }
    return parsed as string[];
}

/**
 * The subject prefix must name the configured repository, spelled the same: Entra ID matches a
 * federated credential's subject case-sensitively (Microsoft identity platform, "Federated Identity
 * Credentials now use case-sensitive matching"), although GitHub itself does not care about case.
 * Owner and repository ids come together or not at all.
 */
function subjectPrefix(raw: string | undefined, repo: RegExpExecArray | null, problems: string[]): string {
    const text = given(raw);
    if (repo === null) {
        return text ?? "";
    }
    const [, owner, name] = repo;
    if (text === undefined) {
        return `repo:${owner}/${name}`;
    }
    const match = SUBJECT_PREFIX.exec(text);
    const namesRepository = match !== null &&
        match[1].toLowerCase() === owner.toLowerCase() && match[3].toLowerCase() === name.toLowerCase() &&
        (match[2] === undefined) === (match[4] === undefined);
    if (!namesRepository) {
        problems.push(problem("githubSubjectPrefix", text, `not a GitHub OIDC subject prefix of ${owner}/${name}`,
            `repo:${owner}/${name} or repo:${owner}@<owner id>/${name}@<repository id>, as ` +
            `gh api repos/${owner}/${name}/actions/oidc/customization/sub returns in sub_claim_prefix`));
    } else if (match[1] !== owner || match[3] !== name) {
        problems.push(problem("githubSubjectPrefix", text,
            `names ${match[1]}/${match[3]}, githubRepository ${owner}/${name}, and Entra ID matches OIDC subjects case-sensitively (AADSTS7002138)`,
            "githubRepository and githubSubjectPrefix spelled exactly as the sub_claim_prefix of " +
            `gh api repos/${owner}/${name}/actions/oidc/customization/sub`));
    }
    return text;
}

export function validateBootstrapConfig(raw: BootstrapRawConfig): BootstrapSettings {
    const problems: string[] = [];
    const repoText = given(raw.githubRepository);
    const repo = repoText === undefined ? null : REPOSITORY.exec(repoText);
    if (repo === null) {
        problems.push(problem("githubRepository", raw.githubRepository ?? "", "not a GitHub repository",
            "owner/name, such as contoso/creatio-m365-oauth"));
    }
    const prefix = subjectPrefix(raw.githubSubjectPrefix, repo, problems);

    const deployEnvironments = environmentList("deployEnvironments", given(raw.deployEnvironments), DEFAULT_DEPLOY_ENVIRONMENTS, problems);
    const rotationEnvironments = environmentList("rotationEnvironments", given(raw.rotationEnvironments), DEFAULT_ROTATION_ENVIRONMENTS, problems);
    // A shared environment would let the unattended rotation use the deploy environment's secrets
    // and protection, or the deploy identity sign in where the rotation runs without a reviewer.
    const shared = rotationEnvironments.filter(e => deployEnvironments.includes(e));
    if (shared.length > 0) {
        problems.push(problem("rotationEnvironments", JSON.stringify(rotationEnvironments), `shares ${shared.join(", ")} with deployEnvironments`,
            "environments of their own, without reviewers, such as [\"rotation-dev\",\"rotation-prod\"]"));
    }

    for (const [key, why] of Object.entries(REMOVED_KEYS)) {
        const value = given(raw[key as keyof typeof REMOVED_KEYS]);
        if (value !== undefined) {
            problems.push(problem(key, value, `no longer exists: ${why}`, `nothing: pulumi config rm ${key}`));
        }
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        githubRepository: repoText!,
        githubSubjectPrefix: prefix,
        deployEnvironments,
        rotationEnvironments,
    };
}

/** The OIDC subjects GitHub Actions presents, after the repository's subject prefix. */
export const githubSubjects = {
    /** A job that declares `environment: <name>`, whatever its event or branch. */
    environment: (prefix: string, environment: string) => `${prefix}:environment:${environment}`,
};
