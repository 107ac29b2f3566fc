import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanError, defaultValueText, loadStackConfig, matchesConfigType, parseConfigKey, stackConfigFrom, stackNameOf } from "../../../ops/plan/config";

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

const project = (...config: string[]) => ["name: proj", "runtime: nodejs", "config:", ...config.map(l => `  ${l}`)].join("\n");
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
            for (const key of ["a:module:b", "a:config:b:c", "a", "a::b"]) {
                refuses(() => parseConfigKey(key),
                    `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
            }
        });
    });

    describe("YAML", () => {
        it("refuses text that is no YAML, naming the file, exit 1", () => {
            assert.throws(() => configOf("name: [proj", "config: {}"), (err: Error) =>
                err instanceof PlanError && err.exitCode === 1 && err.message.startsWith("Pulumi.yaml is not valid YAML: "));
            assert.throws(() => configOf(project(), "config: {a"), (err: Error) =>
                err instanceof PlanError && err.exitCode === 1 && err.message.startsWith("Pulumi.s.yaml is not valid YAML: "));
        });

        it("refuses a key given twice, as gopkg.in/yaml.v3 does", () => {
            // go-yaml/yaml (v3) decode.go mapping: "mapping key %#v already defined at line %d"
            assert.throws(() => configOf(project(), "config:\n  proj:a: x\n  proj:a: y\n"), (err: Error) =>
                err instanceof PlanError && err.exitCode === 1 && err.message.startsWith("Pulumi.s.yaml is not valid YAML: "));
        });

        it("refuses a Pulumi.yaml without a project name and a stack file that is no map of config", () => {
            refuses(() => configOf("runtime: nodejs", "config: {}"), "Pulumi.yaml has no project name");
            refuses(() => configOf("name: 5", "config: {}"), "Pulumi.yaml has no project name");
            refuses(() => configOf("- name", "config: {}"), "Pulumi.yaml has no project name");
            for (const text of ["- a", "config: [a]", "config: a"]) {
                refuses(() => configOf(project(), text), "Pulumi.s.yaml is not a stack file: expected a map with a config: map");
            }
            // An empty stack file or an empty config: is no config (pulumi stack init writes none).
            assert.deepStrictEqual(configOf(project(), "").values, {});
            assert.deepStrictEqual(configOf(project(), "config:\nenvironment:\n").values, {});
            assert.deepStrictEqual(configOf(project(), "config:\nenvironment:\n").notes, []);
        });
    });

    describe("Pulumi.yaml config: as project.go Validate checks it", () => {
        // sdk/go/common/workspace/project.go (*Project).Validate, run by loaders.go LoadProjectBytes
        const cases: [string, string][] = [
            ["n: {type: integer, default: abc}", "The default value specified for configuration key 'n' is not of the expected type 'integer'"],
            ["n: {type: integer, default: 2.5}", "The default value specified for configuration key 'n' is not of the expected type 'integer'"],
            ["n: {type: integer, default: true}", "The default value specified for configuration key 'n' is not of the expected type 'integer'"],
            ["n: {type: integer, default: [7]}", "The default value specified for configuration key 'n' is not of the expected type 'integer'"],
            ["n: {type: integer, default: {a: 7}}", "The default value specified for configuration key 'n' is not of the expected type 'integer'"],
            ["n: {type: string, default: 7}", "The default value specified for configuration key 'n' is not of the expected type 'string'"],
            ["proj:n: {type: boolean, default: yes}", "The default value specified for configuration key 'proj:n' is not of the expected type 'boolean'"],
            ["o: {type: object, default: [a]}", "The default value specified for configuration key 'o' is not of the expected type 'object'"],
            ["l: {type: array, items: {type: array, items: {type: integer}}, default: [[1, x]]}",
                "The default value specified for configuration key 'l' is not of the expected type 'array<array<integer>>'"],
            ["l: {type: array, items: {type: string}, default: x}",
                "The default value specified for configuration key 'l' is not of the expected type 'array<string>'"],
            // project.json allows no other type name; ValidateConfigValue takes nothing for one
            ["f: {type: float, default: []}", "The default value specified for configuration key 'f' is not of the expected type 'float'"],
            ["l: {type: array, default: []}",
                "The configuration key 'l' declares an array but does not specify the underlying type via the 'items' attribute"],
            ["n: {default: a, value: b}", "project config 'n' cannot have both a 'default' and 'value' attribute"],
            ["aws:region: {type: string, value: x}", "Configuration key 'aws:region' is not namespaced by the project and should not define a type"],
            ["aws:region: {default: x}", "Configuration key 'aws:region' is not namespaced by the project and should not define a default value. " +
                "Did you mean to use the 'value' attribute instead of 'default'?"],
            ["aws:region: {description: where}", "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'"],
        ];
        const notAllowed = (key: string, value: string) => `Pulumi.yaml: config '${key}' is ${value}; allowed: a string, ` +
            "an integer, a boolean, a list, or a map declaring the key (pulumi refuses this file)";
        // sdk/go/common/workspace/project.json: config values are string, integer, boolean, array or a declaration;
        // loaders.go checks that schema before Validate runs, and before any key is parsed
        cases.push(
            ["aws:region:", notAllowed("aws:region", "null")],
            ["n:", notAllowed("n", "null")],
            ["n: 1.5", notAllowed("n", "1.5")],
            ["a:b:c: 1.5", notAllowed("a:b:c", "1.5")],
            // Validate before the keys are parsed: its refusal, not the key's
            ["a:b:c: {default: 1}", "Configuration key 'a:b:c' is not namespaced by the project and should not define a default value. " +
                "Did you mean to use the 'value' attribute instead of 'default'?"],
        );
        for (const [entry, message] of cases) {
            it(`refuses ${entry}`, () => {
                refuses(() => configOf(project(entry), stackOf("proj:n: 1")), message);
            });
        }

        it("takes defaults of the declared type, a whole float for an integer and shorthand values", () => {
            const config = configOf(project(
                "n: {type: integer, default: 2.0}",
                "big: {type: integer, default: 1e20}",
                "t: {type: integer, default: '-7'}",
                "o: {type: object, default: {b: 1, a: x}}",
                "b: {type: boolean, default: 'true'}",
                "l: {type: array, items: {type: array, items: {type: integer}}, default: [[1, '2']]}",
                "v: {type: string, value: from-value}",
                "proj:short: 5",
                "aws:region: us-west-2",
                "aws:profile: {value: p}",
                "unset: {type: string, default: null, value: x}",
            ), "");
            assert.deepStrictEqual(config.values, {
                "proj:n": "2", // config.go createConfigValue: a float64 as JSON
                "proj:big": "100000000000000000000", // encoding/json: floats below 1e21 without exponent
                "proj:t": "-7",
                "proj:o": '{"a":"x","b":1}',
                "proj:b": "true",
                "proj:l": '[[1,"2"]]',
                "proj:v": "from-value", // mergeConfig: the value when there is no default
                "proj:short": "5", // RewriteShorthandConfigValues: a project key's shorthand is its default
                "aws:region": "us-west-2", // ... another namespace's is its value
                "aws:profile": "p",
                "proj:unset": "x",
            });
            assert.deepStrictEqual(Object.values(config.sources), Array(11).fill("Pulumi.yaml"));
        });
    });

    describe("the stack values against the declared types", () => {
        // pkg/workspace/config.go validateStackConfigValue
        const mustBe = (key: string, type: string) =>
            `validating stack config: Stack 's' with configuration key '${key}' must be of type '${type}'`;
        const typed = project("n: {type: integer}", "o: {type: object, default: {}}", "b: {type: boolean, default: false}");

        it("reads integers as strconv.Atoi does: a sign, digits, within int64", () => {
            // strconv.Atoi on 64-bit: [+-]?digits in [-2^63, 2^63)
            for (const text of ["+12", "-12", "0012", "9223372036854775807", "-9223372036854775808"]) {
                assert.strictEqual(configOf(typed, stackOf(`proj:n: "${text}"`)).values["proj:n"], text);
            }
            for (const text of ["12a", "a12", "1 2", "", "9223372036854775808", "-9223372036854775809", "1_000", "0x10", "1.0"]) {
                refuses(() => configOf(typed, stackOf(`proj:n: "${text}"`)), mustBe("n", "integer"));
            }
            assert.strictEqual(matchesConfigType("integer", undefined, 7n), true);
            assert.strictEqual(matchesConfigType("integer", undefined, 7), true);
            assert.strictEqual(matchesConfigType("integer", undefined, 7.5), false);
            assert.strictEqual(matchesConfigType("integer", undefined, true), false);
        });

        it("takes a map for an object and refuses anything else", () => {
            assert.strictEqual(configOf(typed, stackOf("proj:n: 1", "proj:o: {z: [1]}")).values["proj:o"], '{"z":[1]}');
            for (const value of ["[a]", "a", "1"]) {
                refuses(() => configOf(typed, stackOf("proj:n: 1", `proj:o: ${value}`)), mustBe("o", "object"));
            }
        });

        it("checks the keys in the order of their names in Pulumi.yaml, the first refusal wins", () => {
            // validateStackConfigValues: sort.Strings of the Pulumi.yaml keys
            const order = project("c: {type: integer}", "a: {type: integer}", "d: {type: integer}", "b: {type: integer}");
            const all = ["proj:a: x", "proj:b: x", "proj:c: x", "proj:d: x"];
            refuses(() => configOf(order, stackOf(...all)), mustBe("a", "integer"));
            refuses(() => configOf(order, stackOf("proj:a: 1", "proj:b: x", "proj:c: x", "proj:d: x")), mustBe("b", "integer"));
            refuses(() => configOf(order, stackOf("proj:a: 1", "proj:b: 1", "proj:c: x", "proj:d: x")), mustBe("c", "integer"));
            refuses(() => configOf(order, stackOf("proj:a: 1", "proj:b: 1", "proj:c: 1", "proj:d: x")), mustBe("d", "integer"));
            const raw = project("zz: {type: integer}", "proj:b: {type: integer}", "c: {type: integer}");
            refuses(() => configOf(raw, stackOf("proj:zz: x", "proj:b: x", "proj:c: x")), mustBe("c", "integer"));
        });

        it("refuses a plain value of a secret key, set or defaulted, but not an encrypted one", () => {
            const secret = project("pw: {type: string, secret: true}");
            // validateStackConfigValue: "must be encrypted as it's secret"
            refuses(() => configOf(secret, stackOf("proj:pw: hunter2")),
                "validating stack config: Stack 's' with configuration key 'pw' must be encrypted as it's secret");
            refuses(() => configOf(project("pw: {type: string, secret: true, default: x}"), ""),
                "validating stack config: Stack 's' with configuration key 'pw' must be encrypted as it's secret");
            const config = configOf(secret, stackOf("proj:pw: {secure: v1:abc}"));
            assert.deepStrictEqual(config.secureKeys, ["proj:pw"]);
            assert.deepStrictEqual(config.values, {});
        });

        it("names missing keys of the project only, sorted by their names in Pulumi.yaml", () => {
            // config.go mergeConfig: only keys of the project's namespace; formatMissingKeys sorts them
            refuses(() => configOf(project("proj:b: {type: string}", "c: {type: string}", "a: {}"), ""),
                "validating stack config: Stack 's' is missing configuration values 'a', 'c' and 'proj:b'");
            refuses(() => configOf(project("b: {type: string}", "proj:a: {type: string}"), ""),
                "validating stack config: Stack 's' is missing configuration values 'b' and 'proj:a'");
        });
    });

    describe("encrypted values", () => {
        // sdk/go/common/resource/config/object.go isSecureValue: a map of exactly {secure: <string>}, anywhere in the value
        it("finds {secure: <text>} inside lists and maps, and nothing else", () => {
            const config = configOf(project(), stackOf(
                "z:list: [a, {secure: v1:x}]",
                "a:nested: {p: 1, q: {secure: v1:y}}",
                "m:two: {secure: v1:x, other: 1}",
                "m:number: {secure: 5}",
                "m:plainlist: [a, b]",
                "m:plainmap: {p: 1, q: 2}",
                "m:empty: {}",
            ));
            assert.deepStrictEqual(config.secureKeys, ["a:nested", "z:list"]);
            assert.deepStrictEqual(config.notes, [
                "a:nested is encrypted (secure:) in Pulumi.s.yaml: not decrypted, so the plan runs without it",
                "z:list is encrypted (secure:) in Pulumi.s.yaml: not decrypted, so the plan runs without it",
            ]);
            assert.deepStrictEqual(config.values, {
                "m:two": '{"other":1,"secure":"v1:x"}',
                "m:number": '{"secure":5}',
                "m:plainlist": '["a","b"]',
                "m:plainmap": '{"p":1,"q":2}',
                "m:empty": "{}",
            });
        });
    });

    describe("defaults as text", () => {
        it("writes strings as they are and everything else as Go's JSON", () => {
            // config.go createConfigValue: %v of a string, int or bool; json.Marshal of the rest
            assert.deepStrictEqual([true, 12n, 2, 1.5, 1e21, null, ["<"]].map(defaultValueText),
                ["true", "12", "2", "1.5", "1e+21", "null", '["\\u003c"]']);
            assert.strictEqual(defaultValueText("a b"), "a b");
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
            const dir = folderWith({ "Pulumi.yaml": "name: proj\nstackConfigDir: stacks\n", "stacks/Pulumi.dev.yaml": stackOf("proj:a: 1") });
            const config = loadStackConfig(dir, "dev");
            assert.strictEqual(config.stackFile, path.join("stacks", "Pulumi.dev.yaml"));
            assert.deepStrictEqual(config.sources, { "proj:a": path.join("stacks", "Pulumi.dev.yaml") });
        });

        it("says when there are no stack files at all, exit 2", () => {
            const dir = folderWith({ "Pulumi.yaml": "name: proj\n", "old-Pulumi.a.yaml": "", "Pulumi.b.yaml.bak": "", "Pulumi.yml": "" });
            refuses(() => loadStackConfig(dir, "qa"), 'stack "qa" has no stack file Pulumi.qa.yaml; ' +
                "there are no stack files here (create one with: pulumi stack init qa)", 2);
        });

        it("names the stack files sorted, exit 2", () => {
            const dir = folderWith({ "Pulumi.yaml": "name: proj\n", "Pulumi.z.yaml": "", "Pulumi.m.yml": "", "Pulumi.a.yaml": "" });
            refuses(() => loadStackConfig(dir, "qa"), 'stack "qa" has no stack file Pulumi.qa.yaml; ' +
                "stack files here: Pulumi.a.yaml, Pulumi.m.yml, Pulumi.z.yaml (create one with: pulumi stack init qa)", 2);
        });
    });
});
