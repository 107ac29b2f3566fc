/** Reading stacks through the Pulumi CLI, run in the project folder. */
import { execFile } from "child_process";
import * as path from "path";
import { OpsError, USAGE_EXIT_CODE } from "./cli";

const PROJECT_DIR = path.join(__dirname, "..");

export type StackOutputs = Record<string, unknown>;

function runPulumi(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("pulumi", args, { cwd: PROJECT_DIR, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (!err) {
                resolve(stdout);
            } else if ((err as NodeJS.ErrnoException).code === "ENOENT") {
                reject(new OpsError("the Pulumi CLI (pulumi) is not on PATH: install it " +
                    "(https://www.pulumi.com/docs/install/) and sign in to the stacks' backend", USAGE_EXIT_CODE));
            } else {
                // stderr carries pulumi's own error, never stack outputs; stdout is not shown.
                const reason = stderr.trim().split("\n").filter(Boolean).pop() ?? `exit code ${err.code}`;
                reject(Object.assign(new OpsError(`pulumi ${args.slice(0, 2).join(" ")} failed: ${reason}`,
                    USAGE_EXIT_CODE), { stderr }));
            }
        });
    });
}

function parseJson(text: string, what: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new OpsError(`pulumi printed something other than JSON for ${what}`);
    }
}

/**
 * The outputs of a stack. With `showSecrets`, secret outputs are decrypted; without it they
 * read "[secret]".
 */
export async function readStackOutputs(stack: string, showSecrets: boolean): Promise<StackOutputs> {
    const args = ["stack", "output", "--json", "--stack", stack];
    if (showSecrets) {
        args.push("--show-secrets");
    }
    let stdout: string;
    try {
        stdout = await runPulumi(args);
    } catch (err) {
        if (/no stack named/i.test((err as { stderr?: string }).stderr ?? "")) {
            throw new OpsError(`stack "${stack}" does not exist in this backend (pulumi stack ls lists the stacks)`,
                USAGE_EXIT_CODE);
        }
        throw err;
    }
    const outputs = parseJson(stdout, `the outputs of stack "${stack}"`);
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
        throw new OpsError(`the outputs of stack "${stack}" are not a JSON object`);
    }
    return outputs as StackOutputs;
}

/** The names of the project's stacks in the current backend. */
export async function listStacks(): Promise<string[]> {
    const stacks = parseJson(await runPulumi(["stack", "ls", "--json"]), "the stack list");
    if (!Array.isArray(stacks)) {
        throw new OpsError("the stack list is not a JSON array");
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
