/** Reading stacks through the Pulumi CLI. */
import { OpsError, USAGE_EXIT_CODE } from "./cli";
import { PulumiError, PulumiRunner } from "./pulumiRunner";

export type StackOutputs = Record<string, unknown>;

function parseJson(text: string, what: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new OpsError(`pulumi printed something other than JSON for ${what}`, USAGE_EXIT_CODE);
    }
}

function isNoStack(err: unknown): boolean {
    return err instanceof PulumiError && /no stack named/i.test(err.stderr);
}

function noSuchStack(stack: string): OpsError {
    return new OpsError(`stack "${stack}" does not exist in this backend (pulumi stack ls lists the stacks)`,
        USAGE_EXIT_CODE);
}

/**
 * The outputs of a stack. With `showSecrets`, secret outputs are decrypted; without it they
 * read "[secret]".
 */
export async function readStackOutputs(pulumi: PulumiRunner, stack: string, showSecrets: boolean): Promise<StackOutputs> {
    const args = ["stack", "output", "--json", "--stack", stack];
    if (showSecrets) {
        args.push("--show-secrets");
    }
    let stdout: string;
    try {
        stdout = await pulumi(args);
    } catch (err) {
        throw isNoStack(err) ? noSuchStack(stack) : err;
    }
    const outputs = parseJson(stdout, `the outputs of stack "${stack}"`);
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
        throw new OpsError(`the outputs of stack "${stack}" are not a JSON object`, USAGE_EXIT_CODE);
    }
    return outputs as StackOutputs;
}

/** The names of the project's stacks in the current backend. */
export async function listStacks(pulumi: PulumiRunner): Promise<string[]> {
    const stacks = parseJson(await pulumi(["stack", "ls", "--json"]), "the stack list");
    if (!Array.isArray(stacks)) {
        throw new OpsError("the stack list is not a JSON array", USAGE_EXIT_CODE);
    }
    return stacks.map(s => String((s as { name: unknown }).name));
}

/** A string output that must be there, or an error saying what to do. */
export function requireOutput(outputs: StackOutputs, name: string, stack: string): string {
    const value = outputs[name];
    if (typeof value !== "string" || value === "") {
        throw new OpsError(`stack "${stack}" has no output ${name}: run pulumi up for it (with this version of the program)`,
            USAGE_EXIT_CODE);
    }
    return value;
}
