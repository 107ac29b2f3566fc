/**
 * The stack configuration exactly as `pulumi up` hands it to the Node.js program, read from
 * Pulumi.yaml and Pulumi.<stack>.yaml without the Pulumi CLI, a backend or the network.
 *
 * Mirrors pulumi/pulumi: the stack file's values become text as `config.Value` stores them
 * (sdk/go/common/resource/config/object.go `MarshalString`: strings as they are, numbers and
 * booleans and structured values as JSON, map keys sorted); Pulumi.yaml's `config:` defaults are
 * merged in for keys the stack does not set and the stack values are checked against the declared
 * types (pkg/workspace/config.go `mergeConfig`, `createConfigValue`, `validateStackConfigValue`);
 * the Node.js language host passes the result as the PULUMI_CONFIG environment variable, a JSON
 * object keyed `<namespace>:config:<name>` (sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * `constructConfig`). Secure values are never decrypted here: they are left out and reported.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** A failure of the plan command, with the exit code to end with. */
export class PlanError extends Error {
    constructor(message: string, readonly exitCode: number) {
        super(message);
        this.name = "PlanError";
    }
}

/** Exit code of bad configuration (the same refusals `pulumi up` gives). */
export const BAD_CONFIG_EXIT_CODE = 1;
/** Exit code of a usage error or a stack file that does not exist. */
export const USAGE_EXIT_CODE = 2;

export interface StackConfig {
    project: string;
    stack: string;
    /** The stack file's path relative to the project folder, e.g. `Pulumi.dev.yaml`. */
    stackFile: string;
    /** `<namespace>:<name>` → the text the program's `pulumi.Config` returns. */
    values: Record<string, string>;
    /** Where each value comes from: the stack file or Pulumi.yaml. */
    sources: Record<string, string>;
    /** Keys whose values are encrypted (`secure:`): not decrypted, not passed to the program. */
    secureKeys: string[];
    /** What the plan could not take into account. */
    notes: string[];
}

/** A Pulumi.yaml `config:` entry (sdk/go/common/workspace/project.go `ProjectConfigType`). */
interface ProjectConfigType {
    /** The key as written in Pulumi.yaml, as the CLI's messages name it. */
    rawKey: string;
    type?: string;
    items?: ItemsType;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

interface ItemsType {
    type: string;
    items?: ItemsType;
}

/** sdk/go/common/tokens/stack_name.go `ParseStackName`: `.` and `..` are stack names too. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The stack name a `--stack` value stands for: `dev`, or the last part of `org/project/dev`
 * (stack files are named after the stack name alone, sdk/go/common/workspace/paths.go).
 */
export function stackNameOf(value: string): string {
    const parts = value.split("/");
    const stack = parts[parts.length - 1];
    // An org or project part of `.` or `..` is refused although pulumi up reads past them (only creating a
    // stack checks them, httpstate/backend.go ValidateStackName): a path-like value is not taken for a stack.
    const qualifiers = parts.slice(0, -1);
    if (parts.length > 3 || !STACK_NAME.test(stack) ||
        !qualifiers.every(part => STACK_NAME.test(part) && part !== "." && part !== "..")) {
        throw new PlanError(`--stack ${JSON.stringify(value)} is not a stack name; allowed: ` +
            "letters, digits, hyphens, underscores and periods, 1 to 100 characters (optionally after org/project/)",
        USAGE_EXIT_CODE);
    }
    return stack;
}

function parseYaml(text: string, file: string): unknown {
    try {
        // Big whole numbers stay exact, as Go's int64 keeps them.
        return parse(text, { intAsBigInt: true, uniqueKeys: true });
    } catch (err) {
        throw new PlanError(`${file} is not valid YAML: ${(err as Error).message}`, BAD_CONFIG_EXIT_CODE);
    }
}

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON as Go's encoding/json writes it: no spaces, map keys sorted, <, > and & escaped. */
export function goJson(value: unknown): string {
    const sorted = (v: unknown): unknown => {
        if (typeof v === "bigint") {
            return new RawNumber(v.toString());
        }
        if (Array.isArray(v)) {
            return v.map(sorted);
        }
        if (isMap(v)) {
            return Object.fromEntries(Object.keys(v).sort().map(k => [k, sorted(v[k])]));
        }
        return v;
    };
    const text = JSON.stringify(sorted(value), (_key, v) => (v instanceof RawNumber ? `\u0000${v.digits}\u0000` : v));
    return text
        .replace(/"\\u0000(-?\d+)\\u0000"/g, "$1")
        .replace(/[<>&\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A whole number beyond JavaScript's safe range, written with all its digits. */
class RawNumber {
    constructor(readonly digits: string) {}
}

/** `{secure: <ciphertext>}` anywhere inside a value (config/object.go `isSecureValue`). */
function containsSecure(value: unknown): boolean {
    if (Array.isArray(value)) {
        return value.some(containsSecure);
    }
    if (isMap(value)) {
        const keys = Object.keys(value);
        // One key whose `secure` is text: that key is `secure` (a parsed map has no inherited `secure`).
        if (keys.length === 1 && typeof value.secure === "string") {
            return true;
        }
        return keys.some(k => containsSecure(value[k]));
    }
    return false;
}

/** The text `pulumi up` passes for a stack file value (object.go `MarshalString`, plaintext.go `marshalText`). */
export function stackValueText(value: unknown): string {
    return typeof value === "string" ? value : goJson(value ?? null);
}

/**
 * The text `pulumi up` passes for a Pulumi.yaml default (pkg/workspace/config.go `createConfigValue`):
 * strings as they are; ints and booleans by `%v`, which is their JSON text; anything else as JSON.
 */
export function defaultValueText(value: unknown): string {
    return typeof value === "string" ? value : goJson(value);
}

/**
 * Parses a config key as pulumi/pulumi's `config.ParseKey`: `<namespace>:<name>`, or the old
 * `<namespace>:config:<name>` (either part may be empty there, as tokens.go `ParseModuleMember` allows).
 */
export function parseConfigKey(key: string): string {
    const parts = key.split(":");
    if (parts.length === 2) {
        return key;
    }
    if (parts.length === 3 && parts[1] === "config") {
        return `${parts[0]}:${parts[2]}`;
    }
    throw new PlanError(`could not parse ${key} as a configuration key ` +
        "(configuration keys should be of the form `<namespace>:<name>`)", BAD_CONFIG_EXIT_CODE);
}

/** Integers as Go's strconv.Atoi reads them: an optional sign and decimal digits, within int64. */
function isAtoiInteger(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) {
        return false;
    }
    const n = BigInt(text);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** sdk/go/common/workspace/project.go `ValidateConfigValue`. */
export function matchesConfigType(type: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            // Number.isInteger: a whole float64, as math.Trunc(f) == f; false for anything not a number.
            return typeof value === "bigint" || Number.isInteger(value) ||
                (typeof value === "string" && isAtoiInteger(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isMap(value);
        default:
            return Array.isArray(value) && items !== undefined &&
                value.every(item => matchesConfigType(items.type, items.items, item));
    }
}

/** project.go `InferFullTypeName`. */
function fullTypeName(type: string, items: ItemsType | undefined): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** Set in YAML: Go's `!= nil` (a YAML null is nil). */
function isSet<T>(value: T): value is NonNullable<T> {
    return value !== undefined && value !== null;
}

/** What project.json lets a config entry be when it is not a declaration map (YAML integers are bigints here). */
function isShorthandValue(entry: unknown): boolean {
    return typeof entry === "string" || typeof entry === "boolean" || typeof entry === "bigint" || Number.isInteger(entry) ||
        Array.isArray(entry);
}

/** The refusals of project.go `(*Project).Validate`, which loading Pulumi.yaml runs (loaders.go `LoadProjectBytes`). */
function validateProjectConfigType(key: string, namespaced: boolean, type: ProjectConfigType): void {
    const refuse = (message: string) => {
        throw new PlanError(message, BAD_CONFIG_EXIT_CODE);
    };
    if (isSet(type.default) && isSet(type.value)) {
        refuse(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    }
    if (namespaced) {
        if (type.type === "array" && !isSet(type.items)) {
            refuse(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
        }
        if (isSet(type.type) && isSet(type.default) && !matchesConfigType(type.type, type.items, type.default)) {
            refuse(`The default value specified for configuration key '${key}' is not of the expected type ` +
                `'${fullTypeName(type.type, type.items)}'`);
        }
        return;
    }
    if (isSet(type.type)) {
        refuse(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    }
    if (isSet(type.default)) {
        refuse(`Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
            "Did you mean to use the 'value' attribute instead of 'default'?");
    }
    if (!isSet(type.value)) {
        refuse(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
}

/** Pulumi.yaml's `config:` entries by full key, shorthand values rewritten (project.go `RewriteShorthandConfigValues`). */
function projectConfigTypes(project: string, config: unknown): Map<string, ProjectConfigType> {
    const types = new Map<string, ProjectConfigType>();
    if (!isMap(config)) {
        return types;
    }
    const declared: [string, ProjectConfigType][] = [];
    for (const [key, entry] of Object.entries(config)) {
        if (!isMap(entry) && !isShorthandValue(entry)) {
            // pulumi/pulumi sdk/go/common/workspace/project.json: config.additionalProperties is one of
            // string, integer, boolean, array or a declaration (checked before anything else reads the file).
            throw new PlanError(`Pulumi.yaml: config '${key}' is ${JSON.stringify(entry) ?? String(entry)}; allowed: a string, ` +
                "an integer, a boolean, a list, or a map declaring the key (pulumi refuses this file)", BAD_CONFIG_EXIT_CODE);
        }
        // project.go configKeyIsNamespacedByProject
        const namespaced = !key.includes(":") || key.startsWith(`${project}:`);
        // A shorthand is a project key's default, or another namespace's value.
        const type: ProjectConfigType = isMap(entry) ? { ...entry, rawKey: key }
            : namespaced ? { rawKey: key, default: entry } : { rawKey: key, value: entry };
        validateProjectConfigType(key, namespaced, type);
        declared.push([key, type]);
    }
    // Keys are parsed only after the whole file is valid: loaders.go runs Validate when it loads
    // Pulumi.yaml, and the keys are parsed later, when the config is merged.
    for (const [key, type] of declared) {
        types.set(key.includes(":") ? parseConfigKey(key) : `${project}:${key}`, type);
    }
    return types;
}

/**
 * The configuration `pulumi up` would pass to the program for this stack: pure, from the text of
 * Pulumi.yaml and of the stack file. Throws the CLI's own refusals (exit 1).
 */
export function stackConfigFrom(projectText: string, stackText: string, stack: string, stackFile: string): StackConfig {
    const projectDoc = parseYaml(projectText, "Pulumi.yaml");
    if (!isMap(projectDoc) || typeof projectDoc.name !== "string") {
        throw new PlanError("Pulumi.yaml has no project name", BAD_CONFIG_EXIT_CODE);
    }
    const project = projectDoc.name;
    const types = projectConfigTypes(project, projectDoc.config);

    const stackDoc = parseYaml(stackText, stackFile) ?? {};
    if (!isMap(stackDoc) || (stackDoc.config !== undefined && stackDoc.config !== null && !isMap(stackDoc.config))) {
        throw new PlanError(`${stackFile} is not a stack file: expected a map with a config: map`, BAD_CONFIG_EXIT_CODE);
    }
    const notes: string[] = [];
    if (stackDoc.environment !== undefined && stackDoc.environment !== null) {
        notes.push(`${stackFile} imports Pulumi ESC environments: their values are not read here, pulumi up adds them`);
    }

    const values: Record<string, string> = {};
    const sources: Record<string, string> = {};
    const secure = new Map<string, unknown>();
    const stackValues = new Map<string, unknown>();
    for (const [rawKey, value] of Object.entries(stackDoc.config ?? {})) {
        const key = parseConfigKey(rawKey);
        stackValues.set(key, value);
        if (containsSecure(value)) {
            secure.set(key, value);
        } else {
            values[key] = stackValueText(value);
            sources[key] = stackFile;
        }
    }

    // Defaults for keys the stack does not set; required keys without one are refused.
    const missing: string[] = [];
    for (const key of types.keys()) {
        const type = types.get(key)!;
        if (stackValues.has(key)) {
            continue;
        }
        const fallback = type.default ?? type.value;
        if (!isSet(fallback)) {
            // Only a project key can lack both (Validate), as config.go mergeConfig's namespace check says.
            missing.push(type.rawKey);
            continue;
        }
        values[key] = defaultValueText(fallback);
        sources[key] = "Pulumi.yaml";
    }
    if (missing.length > 0) {
        // pkg/workspace/config.go formatMissingKeys: 'a', 'b' and 'c'
        const quoted = missing.sort().map(k => `'${k}'`);
        const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
        throw new PlanError(`validating stack config: Stack '${stack}' is missing configuration ` +
            `${missing.length === 1 ? "value" : "values"} ${list}`, BAD_CONFIG_EXIT_CODE);
    }

    // The stack values (and defaults) against the declared types, in key order, first refusal wins.
    // Raw keys are unique (a YAML map's keys), so no two compare equal.
    const byRawKey = [...types.entries()].sort(([, a], [, b]) => (a.rawKey < b.rawKey ? -1 : 1));
    for (const [key, type] of byRawKey) {
        if (!isSet(type.type) || secure.has(key)) {
            continue;
        }
        if (type.secret) {
            throw new PlanError(`validating stack config: Stack '${stack}' with configuration key '${type.rawKey}' ` +
                "must be encrypted as it's secret", BAD_CONFIG_EXIT_CODE);
        }
        // config.Value.Object(): a stack file's null, list or map (object.go MarshalString), or a default
        // that is no string, int or bool (createConfigValue): a list, a map or a float (YAML ints are bigints here).
        const raw = stackValues.has(key) ? stackValues.get(key) : type.default ?? type.value;
        const structured = Array.isArray(raw) || isMap(raw) || raw === null ||
            (!stackValues.has(key) && typeof raw === "number");
        const content = structured ? JSON.parse(values[key]) : values[key];
        if (!matchesConfigType(type.type, type.items, content)) {
            throw new PlanError(`validating stack config: Stack '${stack}' with configuration key '${type.rawKey}' ` +
                `must be of type '${fullTypeName(type.type, type.items)}'`, BAD_CONFIG_EXIT_CODE);
        }
    }

    const secureKeys = [...secure.keys()].sort();
    for (const key of secureKeys) {
        notes.push(`${key} is encrypted (secure:) in ${stackFile}: not decrypted, so the plan runs without it`);
    }
    return { project, stack, stackFile, values, sources, secureKeys, notes };
}

/**
 * The PULUMI_CONFIG variable the Node.js language host would set: JSON, keys
 * `<namespace>:config:<name>` (pulumi-language-nodejs `constructConfig`), sorted as Go writes maps.
 */
export function pulumiConfigEnv(config: StackConfig): string {
    return goJson(Object.fromEntries(Object.entries(config.values).map(([key, value]) => {
        const at = key.indexOf(":");
        return [`${key.slice(0, at)}:config:${key.slice(at + 1)}`, value];
    })));
}

/** Reads Pulumi.yaml and the stack's file from the project folder. A missing stack file: exit 2, naming those there are. */
export function loadStackConfig(projectDir: string, stackOption: string): StackConfig {
    const stack = stackNameOf(stackOption);
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new PlanError(`no Pulumi.yaml in ${projectDir}: run the plan from the project folder`, USAGE_EXIT_CODE);
    }
    const projectText = fs.readFileSync(projectFile, "utf8");
    const projectDoc = parseYaml(projectText, "Pulumi.yaml");
    const configDir = isMap(projectDoc) && typeof projectDoc.stackConfigDir === "string" ? projectDoc.stackConfigDir : "";
    const stackFile = path.join(configDir, `Pulumi.${stack}.yaml`);
    const stackPath = path.join(projectDir, stackFile);
    if (!fs.existsSync(stackPath)) {
        const existing = fs.readdirSync(path.join(projectDir, configDir))
            // Stack names may hold periods (stack_name.go); Pulumi.yaml itself is the project file.
            .filter(f => /^Pulumi\..+\.ya?ml$/.test(f)).sort();
        throw new PlanError(`stack "${stack}" has no stack file ${stackFile}; ` +
            (existing.length > 0 ? `stack files here: ${existing.join(", ")}` : "there are no stack files here") +
            ` (create one with: pulumi stack init ${stack})`, USAGE_EXIT_CODE);
    }
    return stackConfigFrom(projectText, fs.readFileSync(stackPath, "utf8"), stack, stackFile);
}
