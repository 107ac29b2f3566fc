/**
 * The stack configuration `pulumi up` hands the program, read from Pulumi.yaml and Pulumi.<stack>.yaml
 * without the Pulumi CLI, a backend or the network: only what this project's files use.
 *
 * Read as pulumi/pulumi reads them (sdk/go/common/workspace/loaders.go LoadProjectStackBytes): bytes
 * decoded as Go's gopkg.in/yaml.v3 v3.0.1 decodes them (readerc.go), its first document only (yaml.go
 * unmarshal), plain scalars resolved by its rules (resolve.go), merge keys and duplicate keys as its
 * decode.go handles them; keys without a namespace belong to the project (loaders.go
 * stackConfigNamespacedWithProject); each value becomes the text `config.Value` stores
 * (resource/config/object.go MarshalString) and is checked against Pulumi.yaml's declared type
 * (pkg/workspace/config.go validateStackConfigValue). Encrypted (`secure:`) values are never decrypted.
 * The YAML itself is read in stackYaml.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { shownKey, unknownKeyProblems } from "../../lib/configKeys.ts";
import { ConfigError, quoted } from "../../lib/configProblems.ts";
import { OpsError, USAGE_EXIT_CODE } from "../cli.ts";
import { printable } from "../printable.ts";
import { GoNumber, INT64, YamlRefusal, type YamlValue, decodeText as decode, isRecord, readYaml as read, valueText } from "./stackYaml.ts";

/** A failure of the plan command: an OpsError, whose exit code the command ends with. */
export class PlanError extends OpsError {
    constructor(message: string, exitCode: number) {
        super(message, exitCode);
        this.name = "PlanError";
    }
}

/** Exit code of bad configuration (the same refusals `pulumi up` gives) or of a stack plan cannot read. */
export const BAD_CONFIG_EXIT_CODE = 1;

export interface StackConfig {
    project: string;
    stack: string;
    /** The stack file's path relative to the project folder, e.g. `Pulumi.dev.yaml`. */
    stackFile: string;
    /** `<namespace>:<name>` → the text the program's `pulumi.Config` returns. */
    values: Record<string, string>;
    /** Where each value comes from: the stack file or Pulumi.yaml. */
    sources: Record<string, string>;
    /** Keys of other namespaces whose values are encrypted (`secure:`): not decrypted, not passed to the program. */
    secureKeys: string[];
    /** What the plan could not take into account, or read otherwise than the file seems to say. */
    notes: string[];
}

function refuse(message: string): never {
    throw new PlanError(message, BAD_CONFIG_EXIT_CODE);
}

/** The stackYaml reading, its refusals as the plan's (exit 1). */
function yamlRefusalsAsPlanErrors<T>(read: () => T): T {
    try {
        return read();
    } catch (err) {
        if (err instanceof YamlRefusal) {
            refuse(err.message);
        }
        throw err;
    }
}

/** A file's bytes as text, as yaml.v3 decodes them (stackYaml.ts decodeText). */
export function decodeText(bytes: Uint8Array, file: string): string {
    return yamlRefusalsAsPlanErrors(() => decode(bytes, file));
}

/** A file's text as yaml.v3 reads it into Go's `any` (stackYaml.ts readYaml). */
export function readYaml(text: string, file: string): YamlValue {
    return yamlRefusalsAsPlanErrors(() => read(text, file));
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
        throw new PlanError(`--stack ${quoted(value)} is not a stack name; allowed: ` +
            "letters, digits, hyphens, underscores and periods, 1 to 100 characters (optionally after org/project/)",
        USAGE_EXIT_CODE);
    }
    return stack;
}

/** `{secure: <text>}` anywhere inside a value (config/object.go isSecureValue). */
function containsSecure(value: YamlValue): boolean {
    if (Array.isArray(value)) {
        return value.some(containsSecure);
    }
    if (isRecord(value)) {
        const keys = Object.keys(value);
        return (keys.length === 1 && typeof value.secure === "string") || keys.some(k => containsSecure(value[k]));
    }
    return false;
}

/**
 * Parses a key that has a namespace as config.ParseKey does (resource/config/key.go): `<namespace>:<name>`,
 * or the old `<namespace>:config:<name>`.
 */
export function parseConfigKey(key: string): string {
    const parts = key.split(":");
    if (parts.length === 2) {
        return key;
    }
    if (parts.length === 3 && parts[1] === "config") {
        return `${parts[0]}:${parts[2]}`;
    }
    return refuse(`could not parse ${shownKey(key)} as a configuration key ` +
        "(configuration keys should be of the form `<namespace>:<name>`)");
}

/** The declared types this project's Pulumi.yaml uses. */
type DeclaredType = "string" | "integer" | "boolean" | "array<string>";

/** sdk/go/common/workspace/project.go ValidateConfigValue, on a value as the stack file holds it. */
function ofType(type: DeclaredType, value: YamlValue): boolean {
    // config.Value: null, text, numbers and booleans are text (checkForEmptyConfig: a null is ""); lists and maps JSON.
    const text = value === null ? "" : valueText(value);
    const structured = Array.isArray(value) || isRecord(value);
    switch (type) {
        case "string":
            return !structured;
        case "integer":
            // strconv.Atoi: a sign and decimal digits within int64
            return !structured && /^[+-]?\d+$/.test(text) && BigInt(text) >= INT64[0] && BigInt(text) <= INT64[1];
        case "boolean":
            return !structured && (text === "true" || text === "false");
        case "array<string>":
            return Array.isArray(value) && value.every(item => typeof item === "string");
    }
}

interface Declaration {
    type: DeclaredType;
    default: YamlValue;
}

/** Pulumi.yaml: the project's name and its `config:` declarations, each with a type and a default, as this project writes them. */
function readProject(text: string): { project: string; declared: Map<string, Declaration> } {
    const doc = readYaml(text, "Pulumi.yaml");
    if (!isRecord(doc) || typeof doc.name !== "string" || doc.name === "") {
        refuse("Pulumi.yaml has no project name");
    }
    const declared = new Map<string, Declaration>();
    for (const [key, entry] of Object.entries(isRecord(doc.config) ? doc.config : {})) {
        const items = isRecord(entry) && isRecord(entry.items) ? entry.items.type : undefined;
        const type = isRecord(entry) ? (entry.type === "array" && items === "string" ? "array<string>" : entry.type) : undefined;
        if (!isRecord(entry) || key.includes(":") || !["string", "integer", "boolean", "array<string>"].includes(String(type)) ||
            !("default" in entry) || !ofType(type as DeclaredType, entry.default) || entry.secret !== undefined) {
            refuse(`Pulumi.yaml: config ${shownKey(key)}: plan reads declarations of the project's own keys with a type ` +
                "(string, integer, boolean or array of strings) and a default of that type, as this project's Pulumi.yaml has them");
        }
        declared.set(key, { type: type as DeclaredType, default: entry.default });
    }
    return { project: doc.name, declared };
}

/**
 * The configuration `pulumi up` would pass to the program for this stack: pure, from the text of
 * Pulumi.yaml and of the stack file. Throws pulumi's own refusals, the program's refusal of unknown keys
 * (ConfigError), and says so where plan cannot know what pulumi up would do (exit 1).
 */
export function stackConfigFrom(projectText: string, stackText: string, stack: string, stackFile: string): StackConfig {
    const { project, declared } = readProject(projectText);
    const doc = readYaml(stackText, stackFile) ?? {};
    if (!isRecord(doc) || (doc.config !== undefined && doc.config !== null && !isRecord(doc.config))) {
        refuse(`${stackFile} is not a stack file: expected a map with a config: map`);
    }
    const notes: string[] = [];
    if (doc.environment !== undefined && doc.environment !== null) {
        notes.push(`${stackFile} imports Pulumi ESC environments: their values are not read here, pulumi up adds them`);
    }

    // loaders.go stackConfigNamespacedWithProject: a key without a colon is the project's; then config.ParseKey.
    const written = new Map<string, string>();
    const stackValues = new Map<string, YamlValue>();
    for (const [rawKey, value] of Object.entries(isRecord(doc.config) ? doc.config : {})) {
        const key = rawKey.includes(":") ? parseConfigKey(rawKey) : `${project}:${rawKey}`;
        const other = written.get(key);
        if (other !== undefined) {
            // Both land in one Go map (loaders.go, config/map.go Map.UnmarshalYAML): which value stays is not defined.
            refuse(`${stackFile} sets ${shownKey(key)} twice, as ${shownKey(other)} and as ${shownKey(rawKey)}: pulumi up keeps ` +
                "one of them, and which one is not defined; keep one");
        }
        written.set(key, rawKey);
        stackValues.set(key, value);
    }

    const unknown = unknownKeyProblems(stackValues.keys(), project, [...declared.keys()]);
    if (unknown.length > 0) {
        throw new ConfigError(unknown);
    }

    const values: Record<string, string> = {};
    const sources: Record<string, string> = {};
    const secureKeys: string[] = [];
    for (const [key, value] of stackValues) {
        if (containsSecure(value)) {
            if (key.startsWith(`${project}:`)) {
                refuse(`${shownKey(key)} is set, but encrypted (secure:) in ${stackFile}: plan cannot read it, so it cannot ` +
                    "show what pulumi up would do with it; pulumi preview decrypts it");
            }
            secureKeys.push(key);
            continue;
        }
        values[key] = value === null ? "" : valueText(value);
        sources[key] = stackFile;
        if (value === null) {
            // loaders.go checkForEmptyConfig: pulumi up warns and passes "".
            notes.push(`${shownKey(key)} has no value in ${stackFile}: pulumi up passes "" for it (and warns)`);
        } else if (value instanceof GoNumber && value.text !== value.source) {
            notes.push(`${shownKey(key)} is written ${quoted(value.source)} unquoted, a YAML number: pulumi up passes ` +
                `${quoted(value.text)}; quote it if you meant the text`);
        }
    }
    for (const [name, declaration] of declared) {
        const key = `${project}:${name}`;
        if (!stackValues.has(key)) {
            // pkg/workspace/config.go mergeConfig and createConfigValue: the default, as text.
            values[key] = valueText(declaration.default);
            sources[key] = "Pulumi.yaml";
        }
    }

    // validateStackConfigValues: the declared keys in sorted order, the first refusal wins.
    for (const name of [...declared.keys()].sort()) {
        const key = `${project}:${name}`;
        const { type } = declared.get(name)!;
        if (stackValues.has(key) && !ofType(type, stackValues.get(key)!)) {
            refuse(`validating stack config: Stack '${stack}' with configuration key '${name}' must be of type '${type}'`);
        }
    }

    secureKeys.sort();
    for (const key of secureKeys) {
        notes.push(`${shownKey(key)} is encrypted (secure:) in ${stackFile}: not decrypted, so the plan runs without it`);
    }
    return { project, stack, stackFile, values, sources, secureKeys, notes };
}

/** Reads Pulumi.yaml and the stack's file from the project folder. A missing stack file: exit 2, naming those there are. */
export function loadStackConfig(projectDir: string, stackOption: string): StackConfig {
    const stack = stackNameOf(stackOption);
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new PlanError(`no Pulumi.yaml in ${projectDir}: run the plan from the project folder`, USAGE_EXIT_CODE);
    }
    const projectText = decodeText(fs.readFileSync(projectFile), "Pulumi.yaml");
    const projectDoc = readYaml(projectText, "Pulumi.yaml");
    const configDir = isRecord(projectDoc) && typeof projectDoc.stackConfigDir === "string" ? projectDoc.stackConfigDir : "";
    const stackFile = path.join(configDir, `Pulumi.${stack}.yaml`);
    const stackPath = path.join(projectDir, stackFile);
    if (!fs.existsSync(stackPath)) {
        const existing = fs.readdirSync(path.join(projectDir, configDir))
            // Stack names may hold periods (stack_name.go); Pulumi.yaml itself is the project file, and a stack
            // file takes the project file's extension (workspace/paths.go DetectProjectStackPath: filepath.Ext(projPath)).
            .filter(f => /^Pulumi\..+\.yaml$/.test(f)).sort();
        throw new PlanError(`stack "${stack}" has no stack file ${stackFile}; ` +
            (existing.length > 0 ? `stack files here: ${printable(existing.join(", "))}` : "there are no stack files here") +
            ` (create one with: pulumi stack init ${stack})`, USAGE_EXIT_CODE);
    }
    return stackConfigFrom(projectText, decodeText(fs.readFileSync(stackPath), stackFile), stack, stackFile);
}
