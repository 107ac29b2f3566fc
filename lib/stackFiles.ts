/**
 * The stacks of a repository and their GitHub environments: one rule, shared by the workflows
 * (.github/scripts/stacks.sh, which a test holds to this module) and the bootstrap.
 */
import * as fs from "fs";

/**
 * Most stacks the workflows run: one matrix job each, and GitHub runs at most 256 jobs per matrix
 * (github/docs, "Running variations of jobs in a workflow": "A matrix will generate a maximum of
 * 256 jobs per workflow run").
 */
export const MAX_STACKS = 256;

/**
 * A stack name (pulumi/pulumi sdk/go/common/tokens/stack_name.go: letters, digits, `-`, `_` and
 * `.`, 100 at most) that also names its GitHub environments as the bootstrap does (letters,
 * digits, `-` and `_`, 100 at most): no `.`, and 91 at most so that `rotation-<stack>` fits.
 */
export const STACK_NAME = /^[A-Za-z0-9_-]{1,91}$/;
// [\s\S]: a name with a line break is a stack file too (bash's glob matches it), refused by STACK_NAME.
const STACK_FILE = /^Pulumi\.([\s\S]*)\.yaml$/;

/** Where the stack deploys (deploy.yml, rotate-now.yml): the environment named as the stack. */
export const deployEnvironment = (stack: string) => stack;
/** Where the stack rotates unattended (rotation.yml): an environment of its own, without reviewers. */
export const rotationEnvironment = (stack: string) => `rotation-${stack}`;

export class StackFilesError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFilesError";
    }
}

/** A file name as a message may show it: what is not a letter, digit, `.`, `_`, `-` or space becomes `?`. */
const shown = (file: string) => file.replace(/[^A-Za-z0-9._ -]/g, "?");

/**
 * The stacks of a folder's Pulumi.<stack>.yaml files, sorted as bytes (as the script's LC_ALL=C
 * glob); refuses a file whose name is no stack name of this repository, two names that differ in
 * case only (GitHub environment names ignore case), and more than MAX_STACKS.
 */
export function stacksIn(folder: string): string[] {
    const files = fs.readdirSync(folder).filter(file => STACK_FILE.test(file))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const stacks: string[] = [];
    for (const file of files) {
        const stack = STACK_FILE.exec(file)![1];
        if (!STACK_NAME.test(stack)) {
            throw new StackFilesError(`${shown(file)} is not a stack file this repository can deploy: the name between "Pulumi." ` +
                `and ".yaml" must be 1 to 91 letters, digits, - and _ (it names the GitHub environments <stack> and ` +
                "rotation-<stack>); rename it or move it out of the root.");
        }
        if (/^rotation-/i.test(stack)) {
            throw new StackFilesError(`${file} names a stack that starts with rotation-: its deploy environment would be ` +
                `stack ${stack.slice("rotation-".length)}'s rotation environment; rename it.`);
        }
        const twin = stacks.find(seen => seen.toLowerCase() === stack.toLowerCase());
        if (twin !== undefined) {
            throw new StackFilesError(`Pulumi.${twin}.yaml and Pulumi.${stack}.yaml would share the GitHub environments ${stack} ` +
                `and rotation-${stack} (GitHub ignores case in environment names); rename one.`);
        }
        stacks.push(stack);
    }
    if (stacks.length > MAX_STACKS) {
        throw new StackFilesError(`${stacks.length} Pulumi.<stack>.yaml files, and one GitHub Actions matrix runs at most ` +
            `${MAX_STACKS} jobs; split the stacks across repositories.`);
    }
    return stacks;
}

/**
 * The one stack rotate-now asks for (stacks.sh <stack>): a stack name, not rotation-<name>, with a
 * stack file in the folder. Only that stack is checked, so that a stray file elsewhere cannot block
 * a rotation during a leak; a refusal lists the folder's files whose names pass the rule.
 */
export function stackNamed(folder: string, stack: string): string[] {
    const valid = () => fs.readdirSync(folder).map(file => STACK_FILE.exec(file)?.[1])
        .filter((name): name is string => name !== undefined && STACK_NAME.test(name))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).join(" ") || "none";
    if (!STACK_NAME.test(stack)) {
        throw new StackFilesError(`The stack given is not a stack name of this repository (1 to 91 letters, digits, - and _); the stacks are: ${valid()}`);
    }
    if (/^rotation-/i.test(stack)) {
        throw new StackFilesError(`Pulumi.${stack}.yaml names a stack that starts with rotation-: its deploy environment would be ` +
            `stack ${stack.slice("rotation-".length)}'s rotation environment; rename it.`);
    }
    if (!fs.statSync(`${folder}/Pulumi.${stack}.yaml`, { throwIfNoEntry: false })?.isFile()) {
        throw new StackFilesError(`There is no stack file Pulumi.${stack}.yaml in the repository's root; the stacks are: ${valid()}`);
    }
    return [stack];
}
