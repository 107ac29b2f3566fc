/** Reading stacks through the Pulumi CLI. */
import { GUID_FORM, isGuid, isNilGuid } from "../../lib/guid.ts";
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { printable } from "../printable.ts";
import { PulumiError, type PulumiRunner } from "./runner.ts";
import { Redactor } from "../redact.ts";

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

/**
 * The decrypted outputs of a stack, for a command that handles its client secret: from here on,
 * `redactor` removes that secret from every text the command shows.
 */
export async function readOutputsWithSecret(pulumi: PulumiRunner, stack: string, redactor: Redactor): Promise<StackOutputs> {
    const outputs = await readStackOutputs(pulumi, stack, true);
    // "[secret]" is the CLI's mask, not a secret: the typed readers refuse it by name.
    if (typeof outputs.clientSecret === "string" && outputs.clientSecret !== "" && outputs.clientSecret !== "[secret]") {
        redactor.add(outputs.clientSecret);
    }
    return outputs;
}

/** The names of the project's stacks in the current backend. */
export async function listStacks(pulumi: PulumiRunner): Promise<string[]> {
    const stacks = parseJson(await pulumi(["stack", "ls", "--json"]), "the stack list");
    if (!Array.isArray(stacks)) {
        throw new OpsError("the stack list is not a JSON array", USAGE_EXIT_CODE);
    }
    // Each entry is an object with the stack's name; an empty name would make pulumi use the selected stack.
    const unnamed = stacks.find(s => s === null || typeof s !== "object" || Array.isArray(s) ||
        typeof s.name !== "string" || s.name.trim() === "");
    if (unnamed !== undefined) {
        const text = JSON.stringify(unnamed);
        throw new OpsError(`the stack list has an entry without a stack name: ${printable(text.length > 100 ? `${text.slice(0, 100)}...` : text)}`,
            USAGE_EXIT_CODE);
    }
    return stacks.map(s => (s as { name: string }).name);
}

function missingOutput(stack: string, name: string): OpsError {
    return new OpsError(`stack "${stack}" has no output ${name}: run pulumi up for it (with this version of the program)`,
        USAGE_EXIT_CODE);
}

function badOutput(stack: string, name: string, what: string): OpsError {
    return new OpsError(`stack "${stack}" has an output ${name} that is not ${what}`, USAGE_EXIT_CODE);
}

/** A string output that must be there, or an error saying what to do. */
export function requireOutput(outputs: StackOutputs, name: string, stack: string): string {
    const value = outputs[name];
    if (value === undefined || value === null || value === "") {
        throw missingOutput(stack, name);
    }
    if (typeof value !== "string") {
        throw badOutput(stack, name, "a string");
    }
    return value;
}

/** A string output that may be missing (stacks deployed by an older version of the program). */
export function optionalOutput(outputs: StackOutputs, name: string, stack: string): string | undefined {
    return outputs[name] === undefined || outputs[name] === null ? undefined : requireOutput(outputs, name, stack);
}

/** An output holding an Entra ID object or client id: a GUID, not the nil GUID. */
export function requireGuid(outputs: StackOutputs, name: string, stack: string): string {
    const value = requireOutput(outputs, name, stack);
    if (!isGuid(value) || isNilGuid(value)) {
        throw new OpsError(`stack "${stack}" has an output ${name} that is not a GUID (${GUID_FORM}, ` +
            `not all zeros): ${printable(JSON.stringify(value))}`, USAGE_EXIT_CODE);
    }
    return value;
}

/** `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the form the program's date outputs take. */
const ISO_UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/;

/** Whether `text` is an ISO 8601 UTC instant that exists on the calendar. */
export function isIsoUtcInstant(text: string): boolean {
    const m = ISO_UTC_INSTANT.exec(text);
    if (!m) {
        return false;
    }
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    // Not Date.UTC: it reads years 0 to 99 as 1900 to 1999 (ECMA-262, MakeFullYear), setUTCFullYear does not.
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second);
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
        date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
}

/** An output holding an ISO 8601 UTC instant. */
export function requireInstant(outputs: StackOutputs, name: string, stack: string): string {
    const value = requireOutput(outputs, name, stack);
    if (!isIsoUtcInstant(value)) {
        throw new OpsError(`stack "${stack}" has an output ${name} that is not an ISO 8601 UTC instant ` +
            `(YYYY-MM-DDTHH:MM:SS[.fff]Z): ${printable(JSON.stringify(value))}`, USAGE_EXIT_CODE);
    }
    return value;
}

/** An output holding a list of strings. */
export function requireStringList(outputs: StackOutputs, name: string, stack: string): string[] {
    const value = outputs[name];
    if (value === undefined || value === null) {
        throw missingOutput(stack, name);
    }
    if (!Array.isArray(value) || !value.every(item => typeof item === "string")) {
        throw badOutput(stack, name, "a list of strings");
    }
    return value as string[];
}

/** A secret output read with --show-secrets; "[secret]" means the CLI did not decrypt it. */
export function requireSecret(outputs: StackOutputs, name: string, stack: string): string {
    const value = requireOutput(outputs, name, stack);
    if (value === "[secret]") {
        throw new OpsError(`stack "${stack}": pulumi handed back the output ${name} masked as "[secret]", not its value; ` +
            "check that this Pulumi CLI decrypts secrets with --show-secrets", USAGE_EXIT_CODE);
    }
    return value;
}

/** An optional whole number of days (1 or more). */
export function optionalWholeDays(outputs: StackOutputs, name: string, stack: string): number | undefined {
    const value = outputs[name];
    if (value === undefined || value === null) {
        return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
        throw badOutput(stack, name, "a whole number of days");
    }
    return value;
}

/**
 * The stack tag in which `deliver` records the key id of the secret it put into Creatio, and
 * `status` reads it. Pulumi's rule for tag names (pulumi/pulumi pkg/util/validation/stack.go,
 * validateStackTagName): ^[a-zA-Z0-9-_.:]{1,40}$.
 */
export const DELIVERED_KEY_ID_TAG = "creatio-delivered-key-id";

/** The value of a stack tag, or undefined when the stack has no such tag. */
export async function readStackTag(pulumi: PulumiRunner, stack: string, tag: string): Promise<string | undefined> {
    try {
        // `tag get` loads the stack without selecting it, unlike `tag ls` (pkg/cmd/pulumi/stack/stack_tag.go).
        const stdout = await pulumi(["stack", "tag", "get", tag, "--stack", stack]);
        return stdout.replace(/\r?\n$/, "");
    } catch (err) {
        if (err instanceof PulumiError && /stack tag '.*' not found for stack/.test(err.stderr)) {
            return undefined;
        }
        throw isNoStack(err) ? noSuchStack(stack) : err;
    }
}
