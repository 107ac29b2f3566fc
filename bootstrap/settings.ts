/** The bootstrap program's config: validation, pure, before any resource is declared. */
import { ConfigError, given, problem } from "../lib/configProblems.ts";
import { MAX_STACKS, STACK_NAME, StackFilesError, deployEnvironment, rotationEnvironment } from "../lib/stackFiles.ts";

const ENVIRONMENTS_FOLLOW_STACKS = "the GitHub environments follow the stacks: stack <stack> deploys in the environment <stack> " +
    "and rotates in rotation-<stack> (docs/ci.md, \"Stacks and environments\"); list the stacks in stacks, or leave it unset to take the root's stack files";

/**
 * Keys of earlier versions that would now change nothing: refused rather than ignored, so nobody
 * believes the deployer still holds what they configured.
 */
export const REMOVED_KEYS = {
    applicationPermission: "the deployer now holds Application.ReadWrite.OwnedBy and Application.Read.All only; " +
        "an administrator grants consent and sets owners (docs/ci.md, \"Admin acts\")",
    previewReadsConsentGrants: "pull requests no longer sign in to Entra ID: there is no preview identity",
    deployEnvironments: ENVIRONMENTS_FOLLOW_STACKS,
    rotationEnvironments: ENVIRONMENTS_FOLLOW_STACKS,
} as const;

export interface BootstrapRawConfig {
    githubRepository?: string;
    /** `repo:<owner>/<repo>` or `repo:<owner>@<owner-id>/<repo>@<repo-id>`. */
    githubSubjectPrefix?: string;
    /** A JSON list of stack names; unset or `[]`: the stacks of the repository root's Pulumi.<stack>.yaml files. */
    stacks?: string;
    /** Removed (REMOVED_KEYS): refused when set. */
    deployEnvironments?: string;
    rotationEnvironments?: string;
    applicationPermission?: string;
    previewReadsConsentGrants?: string;
}

export interface BootstrapSettings {
    /** `owner/repo`. */
    githubRepository: string;
    /** What GitHub puts before `:environment:...` or `:pull_request` in this repository's OIDC subjects. */
    githubSubjectPrefix: string;
    stacks: string[];
    /** Per stack, in the stacks' order: deployEnvironment(stack). */
    deployEnvironments: string[];
    /** Per stack, in the stacks' order: rotationEnvironment(stack). */
    rotationEnvironments: string[];
}

/**
 * As many stacks as the workflows run (MAX_STACKS, GitHub's matrix limit), each with two
 * environments, each an application of its own with one federated credential: Entra ID's limit
 * of 20 federated credentials is per application (Microsoft, "Workload identity federation
 * considerations"), so it never binds here.
 */
const STACKS_ALLOWED = `1 to ${MAX_STACKS} distinct stack names of letters, digits, - and _ (91 at most, none starting with rotation-), ` +
    "such as [\"dev\",\"prod\"]; or unset, to take the stacks of the repository root's Pulumi.<stack>.yaml files";

const OWNER = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})";
const REPO = "[A-Za-z0-9._-]{1,100}";
const REPOSITORY = new RegExp(`^(${OWNER})/(${REPO})$`);
/** GitHub's classic subject prefix, or the immutable one with the owner's and repository's numeric ids after `@`. */
const SUBJECT_PREFIX = new RegExp(`^repo:(${OWNER})(?:@([1-9][0-9]*))?/(${REPO})(?:@([1-9][0-9]*))?$`);

function stackList(text: string | undefined, rootStacks: () => string[], problems: string[]): string[] {
    if (text === undefined || text.trim() === "[]") {
        let stacks: string[];
        try {
            stacks = rootStacks();
        } catch (err) {
            if (!(err instanceof StackFilesError)) {
                throw err;
            }
            problems.push(problem("stacks", text ?? "", `unset, and the root's stack files are not all stacks: ${err.message}`, STACKS_ALLOWED));
            return [];
        }
        if (stacks.length === 0) {
            problems.push(problem("stacks", text ?? "", "unset, and the repository's root has no Pulumi.<stack>.yaml file", STACKS_ALLOWED));
        }
        return stacks;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    const valid = Array.isArray(parsed) && parsed.length >= 1 && parsed.length <= MAX_STACKS &&
        parsed.every(s => typeof s === "string" && STACK_NAME.test(s) && !/^rotation-/i.test(s)) &&
        new Set(parsed.map(s => (s as string).toLowerCase())).size === parsed.length;
    if (!valid) {
        problems.push(problem("stacks", text, "not a list of this repository's stack names", STACKS_ALLOWED));
        return [];
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

/**
 * `rootStacks` lists the stacks of the repository root's Pulumi.<stack>.yaml files (stacksIn of
 * lib/stackFiles.ts); it is read only when `stacks` is unset.
 */
export function validateBootstrapConfig(raw: BootstrapRawConfig, rootStacks: () => string[]): BootstrapSettings {
    const problems: string[] = [];
    const repoText = given(raw.githubRepository);
    const repo = repoText === undefined ? null : REPOSITORY.exec(repoText);
    if (repo === null) {
        problems.push(problem("githubRepository", raw.githubRepository ?? "", "not a GitHub repository",
            "owner/name, such as contoso/creatio-m365-oauth"));
    }
    const prefix = subjectPrefix(raw.githubSubjectPrefix, repo, problems);

    const stacks = stackList(given(raw.stacks), rootStacks, problems);
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
        stacks,
        deployEnvironments: stacks.map(deployEnvironment),
        rotationEnvironments: stacks.map(rotationEnvironment),
    };
}

/** The OIDC subjects GitHub Actions presents, after the repository's subject prefix. */
export const githubSubjects = {
    /** A job that declares `environment: <name>`, whatever its event or branch. */
    environment: (prefix: string, environment: string) => `${prefix}:environment:${environment}`,
};
