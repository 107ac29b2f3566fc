import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { programLaunch, median } from "../../bench/languageHost";
import { measure, program } from "../../bench/subjects";
import { EXAMPLE_STACKS } from "../exampleStacks";

const ROOT = path.join(__dirname, "..", "..");
/**
 * How Pulumi's Node.js runtime reads the tsconfig it is given: the file's own compilerOptions,
 * without following `extends` (@pulumi/pulumi tsutils.js, loadTypeScriptCompilerOptions).
 */
const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
};
const runtime = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime;

describe("Pulumi runs of the program (preview, up)", () => {
    it("run index.ts through ts-node with tsconfig.pulumi.json", () => {
        // Option names and defaults: pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go, parseOptions.
        assert.strictEqual(runtime.name, "nodejs");
        assert.notStrictEqual(runtime.options.typescript, false);
        assert.strictEqual(runtime.options.tsconfig, "tsconfig.pulumi.json");
        const env = programLaunch(runtime, "creatio-m365-oauth", "dev", ROOT, {}, true).env;
        assert.strictEqual(env.PULUMI_NODEJS_TYPESCRIPT, "true");
        assert.strictEqual(env.PULUMI_NODEJS_TSCONFIG_PATH, "tsconfig.pulumi.json");
    });

    it("start node with a young generation of 2 MiB semi-spaces", () => {
        // nodeargs: pulumi-language-nodejs main.go, execRuntime (split like a shell, before cmd/run's path).
        assert.deepStrictEqual(programLaunch(runtime, "creatio-m365-oauth", "dev", ROOT, {}, true).nodeArgs,
            ["--max-semi-space-size=2"]);
    });

    it("skip the type check: noCheck stands in tsconfig.pulumi.json itself", () => {
        // @pulumi/pulumi cmd/run/run.js: ts-node's transpileOnly is compilerOptions.noCheck
        // unless PULUMI_NODEJS_TRANSPILE_ONLY is set.
        assert.strictEqual(loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.pulumi.json")).noCheck, true);
    });

    it("compile the program as the tests do, not with cmd/run's defaults (nodenext, ES2020)", () => {
        const pulumiRun = loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.pulumi.json"));
        const tests = loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json"));
        for (const key of ["target", "module", "moduleResolution"]) {
            assert.ok(pulumiRun[key] !== undefined, `${key} is set in tsconfig.pulumi.json itself`);
            assert.strictEqual(pulumiRun[key], tests[key], key);
        }
    });

    it("leave the type check to npm test: tsconfig.json checks strictly", () => {
        const tests = loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json"));
        assert.strictEqual(tests.noCheck, undefined);
        assert.strictEqual(tests.strict, true);
    });

    it("evaluate the program through Pulumi's own entry point with these settings", function () {
        this.timeout(60_000);
        const { declared } = measure(program(ROOT, "dev", false, EXAMPLE_STACKS), 50_000);
        assert.deepStrictEqual(declared.sort(), [
            "azuread:index/application:Application creatio-app",
            "azuread:index/applicationPassword:ApplicationPassword creatio-secret-a",
            "azuread:index/applicationPassword:ApplicationPassword creatio-secret-b",
            "azuread:index/servicePrincipal:ServicePrincipal creatio-sp",
            "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant creatio-consent-exchange",
            "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant creatio-consent-graph",
            "creatio:m365:CreatioOAuthApp creatio",
            "random:index/randomInteger:RandomInteger creatio-rotation-offset",
        ]);
    });
});

describe("the benchmark's language host (bench/languageHost.ts)", () => {
    it("passes config as the language host does: <namespace>:config:<key>", () => {
        // pulumi-language-nodejs main.go, constructConfig.
        // bench/subjects.ts takes the stack config from plan's reader (ops/plan/config.ts loadStackConfig).
        const config = { "proj:a": "", "proj:n": "90", "proj:list": "[]", "azuread:tenantId": "t" };
        const env = programLaunch("nodejs", "proj", "dev", "/p", config, true).env;
        assert.deepStrictEqual(JSON.parse(env.PULUMI_CONFIG),
            { "proj:config:a": "", "proj:config:n": "90", "proj:config:list": "[]", "azuread:config:tenantId": "t" });
    });

    it("starts node with nodeargs first and cmd/run's flags after, TypeScript on by default", () => {
        const launch = programLaunch({ name: "nodejs", options: { nodeargs: "--trace-warnings  --no-deprecation" } },
            "proj", "dev", "/p", {}, true);
        assert.deepStrictEqual(launch.nodeArgs, ["--trace-warnings", "--no-deprecation"]);
        assert.deepStrictEqual(launch.runArgs, ["--project", "proj", "--root-directory", "/p", "--stack", "dev", "--pwd", "/p", "--dry-run", "."]);
        assert.strictEqual(launch.env.PULUMI_NODEJS_TYPESCRIPT, "true");
        assert.strictEqual(launch.env.PULUMI_NODEJS_TSCONFIG_PATH, undefined);
        assert.strictEqual(programLaunch({ name: "nodejs", options: { typescript: false } }, "p", "s", "/p", {}, false)
            .env.PULUMI_NODEJS_TYPESCRIPT, undefined);
    });

    it("refuses options the language host refuses, with its messages", () => {
        assert.throws(() => programLaunch({ name: "nodejs", options: { typescript: "yes" } }, "p", "s", "/p", {}, true),
            { message: "typescript option must be a boolean" });
        assert.throws(() => programLaunch({ name: "nodejs", options: { tsconfig: 1 } }, "p", "s", "/p", {}, true),
            { message: "tsconfigpath option must be a string" });
    });

    it("takes the median of odd and even counts", () => {
        assert.strictEqual(median([5, 1, 3]), 3);
        assert.strictEqual(median([4, 1, 3, 2]), 2.5);
        assert.throws(() => median([]), { message: "median of no values" });
    });
});
