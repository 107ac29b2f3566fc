import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../../lib/configProblems.ts";
import { PlanError, loadStackConfig, parseConfigKey, stackConfigFrom, stackNameOf } from "../../../ops/plan/config.ts";

/** Asserts a PlanError with exactly this message and exit code. */
function refuses(run: () => unknown, message: string, exitCode = 1): void {
    assert.throws(run, (err: Error) => {
        assert.ok(err instanceof PlanError, String(err));
        assert.strictEqual(err.name, "PlanError");
        assert.strictEqual(err.message, message);
        assert.strictEqual((err as PlanError).exitCode, exitCode);
        return true;
    });
}

/** A Pulumi.yaml with declarations as this project writes them. */
const PROJECT = ["name: proj", "runtime: nodejs", "config:",
    "  name: {type: string, default: ''}",
    "  count: {type: integer, default: 180}",
    "  flag: {type: boolean, default: false}",
    "  list: {type: array, items: {type: string}, default: []}",
].join("\n");
const stackOf = (...lines: string[]) => ["config:", ...lines.map(l => `  ${l}`)].join("\n");
const configOf = (projectText: string, stackText: string) => stackConfigFrom(projectText, stackText, "s", "Pulumi.s.yaml");

/** A project folder holding these files (a name with a slash makes the folder). */
function folderWith(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-config-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

describe("plan: the stack config, refusal by refusal", () => {
    describe("--stack names", () => {
        const notAStackName = (value: string) => `--stack ${JSON.stringify(value)} is not a stack name; allowed: ` +
            "letters, digits, hyphens, underscores and periods, 1 to 100 characters (optionally after org/project/)";

        it("takes what tokens.ParseStackName takes, the last part of org/project/stack", () => {
            // sdk/go/common/tokens/stack_name.go: ^[A-Za-z0-9_.-]*, 1 to 100 characters, "." and ".." included
            for (const name of ["dev", "a.b_c-D9", "x".repeat(100), ".", ".."]) {
                assert.strictEqual(stackNameOf(name), name);
            }
            // httpstate/backend.go parseStackName: stack, owner/stack, owner/project/stack
            assert.strictEqual(stackNameOf("acme/dev"), "dev");
            assert.strictEqual(stackNameOf("acme/proj/dev"), "dev");
        });

        it("refuses the rest, exit 2", () => {
            // stack_name.go: no other character, at most 100; backend.go: at most three parts
            for (const value of ["x".repeat(101), "dev!", "!dev", "de v", "", "a/b/c/d", "acme/", "/dev", "./dev", "../dev",
                "acme/../dev", "acme/./dev", "a!/dev", "acme/p!/dev"]) {
                refuses(() => stackNameOf(value), notAStackName(value), 2);
            }
        });
    });

    describe("config keys", () => {
        it("reads <namespace>:<name> and <namespace>:config:<name> as config.ParseKey does", () => {
            // sdk/go/common/resource/config/key.go ParseKey; tokens.go ParseModuleMember allows empty parts
            assert.strictEqual(parseConfigKey("a:b"), "a:b");
            assert.strictEqual(parseConfigKey("a:config:b"), "a:b");
            assert.strictEqual(parseConfigKey(":config:b"), ":b");
            assert.strictEqual(parseConfigKey("a:config:"), "a:");
            for (const key of ["a:module:b", "a:config:b:c", "a::b"]) {
                refuses(() => parseConfigKey(key),
                    `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
            }
        });

        it("takes a key without a namespace as the project's, as pulumi up does", () => {
            // sdk/go/common/workspace/loaders.go stackConfigNamespacedWithProject: `name` becomes `<project>:name`
            const config = configOf(PROJECT, stackOf("name: a", "proj:count: 7", "proj:config:flag: true", "aws:region: x"));
            assert.deepStrictEqual(config.values, {
                "proj:name": "a", "proj:count": "7", "proj:flag": "true", "aws:region": "x", "proj:list": "[]",
            });
            assert.deepStrictEqual(config.sources["proj:name"], "Pulumi.s.yaml");
        });

        it("refuses one key written twice, which pulumi up would pick from at random", () => {
            // loaders.go stackConfigNamespacedWithProject and resource/config/map.go Map.UnmarshalYAML fill one Go map
            refuses(() => configOf(PROJECT, stackOf("name: a", "proj:name: b")), "Pulumi.s.yaml sets proj:name twice, " +
                "as name and as proj:name: pulumi up keeps one of them, and which one is not defined; keep one");
            refuses(() => configOf(PROJECT, stackOf("proj:config:name: a", '"proj:name": b')), "Pulumi.s.yaml sets proj:name twice, " +
                "as proj:config:name and as proj:name: pulumi up keeps one of them, and which one is not defined; keep one");
        });

        it("refuses a key of the project that Pulumi.yaml does not declare, as the program does", () => {
            assert.throws(() => configOf(PROJECT, stackOf("nmae: a", "proj:colour:", "other:nmae: x")), (err: Error) => {
                assert.ok(err instanceof ConfigError, String(err));
                // lib/configKeys.ts unknownKeyProblems, which index.ts runs on pulumi.runtime.allConfig()
                assert.deepStrictEqual(err.problems, [
                    "proj:colour is not a config key of this project; allowed: the keys Pulumi.yaml declares: name, count, flag, list",
                    "proj:nmae is not a config key of this project (did you mean name?); allowed: the keys Pulumi.yaml declares: " +
                        "name, count, flag, list",
                ]);
                return true;
            });
        });

        it("refuses an encrypted value of a key of the project, which plan cannot read, and never shows it", () => {
            refuses(() => configOf(PROJECT, stackOf("name: {secure: v1:c2VjcmV0}")), "proj:name is set, but encrypted (secure:) " +
                "in Pulumi.s.yaml: plan cannot read it, so it cannot show what pulumi up would do with it; pulumi preview decrypts it");
            assert.throws(() => configOf(PROJECT, stackOf("nmae: {secure: v1:c2VjcmV0}")), (err: Error) =>
                err instanceof ConfigError && !err.message.includes("c2VjcmV0") && err.problems[0].startsWith("proj:nmae is not"));
        });

        it("shows a key holding control characters escaped", () => {
            refuses(() => configOf(PROJECT, stackOf('"\\e[2Jx": 1', '"proj:\\e[2Jx": 2')), "Pulumi.s.yaml sets " +
                '"proj:\\u001b[2Jx" twice, as "\\u001b[2Jx" and as "proj:\\u001b[2Jx": pulumi up keeps one of them, and which one ' +
                "is not defined; keep one");
        });
    });

    describe("YAML (the reading itself: tests/ops/plan/stackYaml.test.ts)", () => {
        it("refuses text that is no YAML, naming the file, exit 1", () => {
            assert.throws(() => configOf("name: [proj", "config: {}"), (err: Error) =>
                err instanceof PlanError && err.exitCode === 1 && err.message.startsWith("Pulumi.yaml is not valid YAML: "));
            assert.throws(() => configOf(PROJECT, "config: {a"), (err: Error) =>
                err instanceof PlanError && err.exitCode === 1 && err.message.startsWith("Pulumi.s.yaml is not valid YAML: "));
        });

        it("refuses a Pulumi.yaml without a project name and a stack file that is no map of config", () => {
            refuses(() => configOf("runtime: nodejs", "config: {}"), "Pulumi.yaml has no project name");
            refuses(() => configOf("name: 5", "config: {}"), "Pulumi.yaml has no project name");
            refuses(() => configOf("- name", "config: {}"), "Pulumi.yaml has no project name");
            for (const text of ["- a", "config: [a]", "config: a"]) {
                refuses(() => configOf(PROJECT, text), "Pulumi.s.yaml is not a stack file: expected a map with a config: map");
            }
            // An empty stack file or an empty config: is no config (pulumi stack init writes none).
            assert.deepStrictEqual(configOf(PROJECT, "").notes, []);
            assert.deepStrictEqual(configOf(PROJECT, "config:\nenvironment:\n").values["proj:name"], "");
        });
    });

    describe("numbers, timestamps and tags in stack values", () => {
        it("passes the number's text and says so when it differs from what is written", () => {
            const config = configOf(PROJECT, stackOf("name: 8.10", "count: 017", "x:other: 1_80"));
            assert.deepStrictEqual([config.values["proj:name"], config.values["proj:count"]], ["8.1", "15"]);
            assert.deepStrictEqual(config.notes, [
                'proj:name is written "8.10" unquoted, a YAML number: pulumi up passes "8.1"; quote it if you meant the text',
                'proj:count is written "017" unquoted, a YAML number: pulumi up passes "15"; quote it if you meant the text',
                'x:other is written "1_80" unquoted, a YAML number: pulumi up passes "180"; quote it if you meant the text',
            ]);
        });

        it("refuses what pulumi up cannot pass as written: NaN, infinities, timestamps", () => {
            // object.go MarshalString: json.Marshal refuses NaN and infinities
            refuses(() => configOf(PROJECT, stackOf("count: .inf")), 'Pulumi.s.yaml: config.count is ".inf" unquoted, a YAML NaN ' +
                "or infinity, which pulumi up cannot store (json: unsupported value); quote it for the text");
            // resolve.go parseTimestamp, then object.go unmarshalObject: time.Time's String()
            refuses(() => configOf(PROJECT, stackOf("name: 2026-01-02")), 'Pulumi.s.yaml: config.name is "2026-01-02" unquoted, ' +
                "a YAML timestamp, which pulumi up passes as Go's time text (such as \"2026-01-02 00:00:00 +0000 UTC\"), not as " +
                "written; quote it for the text");
        });

        it("reads quoted, block and !!str scalars as text", () => {
            // decode.go scalar: indicatedString, or a !!str tag
            const config = configOf(PROJECT, stackOf("name: '017'", "x:a: \"8.10\"", "x:b: !!str 1_80", "x:c: |-\n    017"));
            assert.deepStrictEqual(["proj:name", "x:a", "x:b", "x:c"].map(k => config.values[k]), ["017", "8.10", "1_80", "017"]);
            assert.deepStrictEqual(config.notes, []);
            refuses(() => configOf(PROJECT, stackOf("count: !!int 5")),
                'Pulumi.s.yaml: line 2: the YAML tag "tag:yaml.org,2002:int" is one plan does not read; write the value without it');
        });
    });

    describe("the stack values against the declared types", () => {
        // pkg/workspace/config.go validateStackConfigValue; sdk/go/common/workspace/project.go ValidateConfigValue
        const mustBe = (key: string, type: string) =>
            `validating stack config: Stack 's' with configuration key '${key}' must be of type '${type}'`;

        it("reads integers as strconv.Atoi does: a sign and decimal digits within int64", () => {
            for (const text of ['"+12"', '"-12"', '"0012"', "9223372036854775807", "1e2"]) {
                assert.ok(configOf(PROJECT, stackOf(`count: ${text}`)).values["proj:count"] !== undefined);
            }
            for (const text of ['"12a"', '"1_000"', '"0x10"', "1.5", "9223372036854775808", "[1]", "''", "", "true"]) {
                refuses(() => configOf(PROJECT, stackOf(`count: ${text}`)), mustBe("count", "integer"));
            }
        });

        it("takes true and false for a boolean, written or quoted, and no other word", () => {
            assert.strictEqual(configOf(PROJECT, stackOf('flag: "false"')).values["proj:flag"], "false");
            for (const text of ["yes", "1", "[true]"]) {
                refuses(() => configOf(PROJECT, stackOf(`flag: ${text}`)), mustBe("flag", "boolean"));
            }
        });

        it("takes a list of text for an array of strings, and any scalar for a string", () => {
            assert.strictEqual(configOf(PROJECT, stackOf("list: [b, '1']")).values["proj:list"], '["b","1"]');
            for (const text of ["a", "[1]", "[a, ~]", "{a: b}"]) {
                refuses(() => configOf(PROJECT, stackOf(`list: ${text}`)), mustBe("list", "array<string>"));
            }
            assert.strictEqual(configOf(PROJECT, stackOf("name: true")).values["proj:name"], "true");
            refuses(() => configOf(PROJECT, stackOf("name: [a]")), mustBe("name", "string"));
        });

        it("passes an empty value as the empty text, with pulumi's warning as a note", () => {
            // loaders.go checkForEmptyConfig: a null is "" (yaml.v3 decode.go null leaves config.Value empty)
            const config = configOf(PROJECT, stackOf("name:"));
            assert.strictEqual(config.values["proj:name"], "");
            assert.deepStrictEqual(config.notes, ['proj:name has no value in Pulumi.s.yaml: pulumi up passes "" for it (and warns)']);
        });

        it("checks the keys in the order of their names in Pulumi.yaml, the first refusal wins", () => {
            // validateStackConfigValues: sort.Strings of the Pulumi.yaml keys
            refuses(() => configOf(PROJECT, stackOf("name: [x]", "count: x", "flag: x", "list: x")), mustBe("count", "integer"));
            refuses(() => configOf(PROJECT, stackOf("name: [x]", "flag: x", "list: x")), mustBe("flag", "boolean"));
        });
    });

    describe("Pulumi.yaml", () => {
        it("takes each declared key's default as text", () => {
            // pkg/workspace/config.go createConfigValue: %v of a string, int or bool; JSON of the rest
            assert.deepStrictEqual(configOf(PROJECT, "").values, { "proj:name": "", "proj:count": "180", "proj:flag": "false", "proj:list": "[]" });
            assert.deepStrictEqual(Object.values(configOf(PROJECT, "").sources), Array(4).fill("Pulumi.yaml"));
        });

        it("refuses declarations this project does not write, which plan does not read", () => {
            for (const entry of ["n: 5", "n: {type: string}", "n: {type: object, default: {}}", "n: {type: integer, default: x}",
                "n: {type: array, items: {type: integer}, default: []}", "n: {type: string, default: '', secret: true}",
                "aws:region: {value: x}"]) {
                refuses(() => configOf(`name: proj\nconfig:\n  ${entry}\n`, ""), `Pulumi.yaml: config ${entry.split(":")[0] === "aws" ? "aws:region" : "n"}: ` +
                    "plan reads declarations of the project's own keys with a type (string, integer, boolean or array of strings) " +
                    "and a default of that type, as this project's Pulumi.yaml has them");
            }
        });
    });

    describe("encrypted values of other namespaces", () => {
        // sdk/go/common/resource/config/object.go isSecureValue: a map of exactly {secure: <string>}, anywhere in the value
        it("finds {secure: <text>} inside lists and maps, notes them and passes no value", () => {
            const config = configOf(PROJECT, stackOf(
                "z:list: [a, {secure: v1:x}]",
                "a:nested: {p: 1, q: {secure: v1:y}}",
                "m:two: {secure: v1:x, other: 1}",
                "m:number: {secure: 5}",
            ));
            assert.deepStrictEqual(config.secureKeys, ["a:nested", "z:list"]);
            assert.deepStrictEqual(config.notes, [
                "a:nested is encrypted (secure:) in Pulumi.s.yaml: not decrypted, so the plan runs without it",
                "z:list is encrypted (secure:) in Pulumi.s.yaml: not decrypted, so the plan runs without it",
            ]);
            assert.deepStrictEqual([config.values["m:two"], config.values["m:number"], config.values["z:list"]],
                ['{"other":1,"secure":"v1:x"}', '{"secure":5}', undefined]);
        });
    });

    describe("loading from the project folder", () => {
        it("refuses a folder without Pulumi.yaml, exit 2", () => {
            const dir = folderWith({});
            refuses(() => loadStackConfig(dir, "dev"), `no Pulumi.yaml in ${dir}: run the plan from the project folder`, 2);
        });

        it("refuses a Pulumi.yaml that is no YAML before looking for the stack file", () => {
            const dir = folderWith({ "Pulumi.yaml": "name: [x" });
            assert.throws(() => loadStackConfig(dir, "dev"), (err: Error) =>
                err instanceof PlanError && err.exitCode === 1 && err.message.startsWith("Pulumi.yaml is not valid YAML: "));
        });

        it("reads the stack file from stackConfigDir", () => {
            // sdk/go/common/workspace/paths.go DetectProjectStackPath: <stackConfigDir>/Pulumi.<stack>.yaml
            const dir = folderWith({ "Pulumi.yaml": "name: proj\nstackConfigDir: stacks\n", "stacks/Pulumi.dev.yaml": stackOf("other:a: 1") });
            const config = loadStackConfig(dir, "dev");
            assert.strictEqual(config.stackFile, path.join("stacks", "Pulumi.dev.yaml"));
            assert.deepStrictEqual(config.sources, { "other:a": path.join("stacks", "Pulumi.dev.yaml") });
        });

        it("says when there are no stack files at all, exit 2", () => {
            const dir = folderWith({ "Pulumi.yaml": "name: proj\n", "old-Pulumi.a.yaml": "", "Pulumi.b.yaml.bak": "", "Pulumi.yml": "" });
            refuses(() => loadStackConfig(dir, "qa"), 'stack "qa" has no stack file Pulumi.qa.yaml; ' +
                "there are no stack files here (create one with: pulumi stack init qa)", 2);
        });

        it("names the stack files sorted, exit 2", () => {
            const dir = folderWith({ "Pulumi.yaml": "name: proj\n", "Pulumi.z.yaml": "", "Pulumi.m.yml": "", "Pulumi.a.yaml": "" });
            refuses(() => loadStackConfig(dir, "qa"), 'stack "qa" has no stack file Pulumi.qa.yaml; ' +
                // Pulumi.m.yml is no stack file of a project whose file is Pulumi.yaml (pulumi/pulumi sdk/go/common/workspace/paths.go
                // DetectProjectStackPath: the stack file takes filepath.Ext(projPath)).
                "stack files here: Pulumi.a.yaml, Pulumi.z.yaml (create one with: pulumi stack init qa)", 2);
        });
    });
});
