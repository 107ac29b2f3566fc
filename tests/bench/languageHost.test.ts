import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import { createRequire } from "module";
import * as path from "path";
import { pathToFileURL } from "url";
import { parse } from "yaml";
import { programLaunch, median } from "../../bench/languageHost.ts";
import { measure, program } from "../../bench/subjects.ts";
import { EXAMPLE_STACKS } from "../exampleStacks.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");
/**
 * How Pulumi's Node.js runtime reads the tsconfig it is given: the file's own compilerOptions,
 * without following `extends` (@pulumi/pulumi tsutils.js, loadTypeScriptCompilerOptions).
 */
const { loadTypeScriptCompilerOptions } = createRequire(import.meta.url)("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
};
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const runtime = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime;

describe("Pulumi runs of the program (preview, up)", () => {
    it("run index.ts with Node's own type stripping, without ts-node", () => {
        // Option names and defaults: pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go, parseOptions;
        // without PULUMI_NODEJS_TYPESCRIPT, cmd/run/run.ts registers no ts-node.
        assert.strictEqual(runtime.name, "nodejs");
        assert.strictEqual(runtime.options.typescript, false);
        assert.strictEqual(runtime.options.tsconfig, undefined);
        const env = programLaunch(runtime, "creatio-m365-oauth", "dev", ROOT, {}, true).env;
        assert.strictEqual(env.PULUMI_NODEJS_TYPESCRIPT, undefined);
        assert.strictEqual(env.PULUMI_NODEJS_TSCONFIG_PATH, undefined);
    });

    it("start node with a young generation of 2 MiB semi-spaces and Node's compile cache preloaded", () => {
        // nodeargs: pulumi-language-nodejs main.go, execRuntime (split like a shell, before cmd/run's path); node
        // starts in the language host's folder, the program's (pkg/engine project.go getPwdMain, host.go ctx.Pwd).
        assert.deepStrictEqual(programLaunch(runtime, "creatio-m365-oauth", "dev", ROOT, {}, true).nodeArgs,
            ["--max-semi-space-size=2", "--require", "./runtime/startup.cjs"]);
    });

    it("turn the compile cache on in the project's node_modules/.cache, not os.tmpdir(); NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE=1 win", () => {
        // Node's module.enableCompileCache(dir): NODE_COMPILE_CACHE wins (Node enabled it at start-up:
        // ALREADY_ENABLED), DISABLED when NODE_DISABLE_COMPILE_CACHE=1. Not os.tmpdir(): Node keeps no check
        // of who owns the folder, and whoever can write there can swap the cached (type-stripped) code the
        // program, holding the deploying identity's credentials, then runs.
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-test-"));
        try {
            const folderOf = (preload: string[], env: Record<string, string>) => execFileSync(process.execPath,
                [...preload, "-p", "require('node:module').getCompileCacheDir() ?? 'off'"],
                { cwd: ROOT, env: { PATH: process.env.PATH ?? "", TMPDIR: tmp, ...env }, encoding: "utf8" }).trim();
            const preload = runtime.options.nodeargs.split(" ").slice(1);
            const folder = folderOf(preload, {});
            assert.ok(folder.startsWith(path.join(ROOT, "node_modules", ".cache", "pulumi-compile-cache", "v")), folder);
            assert.ok(!fs.existsSync(path.join(tmp, "node-compile-cache")));
            assert.strictEqual(folderOf([], {}), "off");
            assert.ok(folderOf(preload, { NODE_COMPILE_CACHE: path.join(tmp, "own") }).startsWith(path.join(tmp, "own", "v")));
            assert.strictEqual(folderOf(preload, { NODE_DISABLE_COMPILE_CACHE: "1" }), "off");
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("leave the SDK's stack frames unmapped, though the runtime installs source-map-support after the preload", () => {
        // @pulumi/pulumi cmd/run/index.js: require("source-map-support/register"); the SDK's maps name sources it does not
        // ship (utils.js maps to node_modules/@pulumi/utils.ts), so mapping costs a parse and shows a file that is not there.
        // utils.js is the SDK's smallest module with a map: a getter that throws puts its isInstance on the stack.
        const script = 'require("source-map-support/register"); try { require("@pulumi/pulumi/utils").isInstance({ get x() { throw new Error(); } }, "x"); } ' +
            'catch (e) { console.log(e.stack.split("\\n").find(line => line.includes("isInstance "))); }';
        const frame = (preload: string[]) => execFileSync(process.execPath, [...preload, "-e", script],
            { cwd: ROOT, env: { PATH: process.env.PATH ?? "", NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? "" }, encoding: "utf8" }).trim();
        const preload = runtime.options.nodeargs.split(" ").slice(1);
        assert.match(frame(preload), /^at Object\.isInstance \(.*\/node_modules\/@pulumi\/pulumi\/utils\.js:\d+:\d+\)$/);
        assert.match(frame([]), /^at Object\.isInstance \(.*\/node_modules\/@pulumi\/utils\.ts:\d+:\d+\)$/);
    });

    it("load index.ts as an ES module: package.json says type module and main index.ts", () => {
        // cmd/run/run.ts: the entry point is package.json's main; a "type": "module" package is import()ed.
        const pkg = readJson("package.json");
        assert.strictEqual(pkg.type, "module");
        assert.strictEqual(pkg.main, "index.ts");
        assert.strictEqual(readJson("bootstrap/package.json").type, "module");
        assert.strictEqual(readJson("bootstrap/package.json").main, "index.ts");
    });

    it("find only a default export in index.ts: the function that declares the stack", async () => {
        // cmd/run/run.ts: a default export beside named ones is refused; a function export is called
        // and its result is the stack outputs.
        for (const program of ["index.ts", "bootstrap/index.ts"]) {
            const module = await import(pathToFileURL(path.join(ROOT, program)).href);
            assert.deepStrictEqual(Object.keys(module), ["default"], program);
            assert.strictEqual(typeof module.default, "function", program);
        }
    });

    it("leave the type check to npm test: tsconfig.json checks strictly, only syntax Node can strip", () => {
        const tests = loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json"));
        assert.strictEqual(tests.noCheck, undefined);
        assert.strictEqual(tests.strict, true);
        assert.strictEqual(tests.erasableSyntaxOnly, true);
        assert.strictEqual(tests.verbatimModuleSyntax, true);
        assert.strictEqual(tests.module, "nodenext");
    });

    it("start the policy pack from JavaScript, so that the runner's ts-node compiles none of it", () => {
        // @pulumi/pulumi cmd/run-policy-pack: always registers ts-node with typeCheck, then require()s
        // the pack's folder (package.json main).
        const pack = readJson("policy/package.json");
        assert.strictEqual(pack.type, "module");
        assert.strictEqual(pack.main, "index.js");
        assert.strictEqual(fs.readFileSync(path.join(ROOT, "policy", "index.js"), "utf8").match(/^import .*$/gm)?.join("\n"),
            'import "./pack.ts";');
    });

    it("evaluate the program through Pulumi's own entry point with these settings", function () {
        this.timeout(60_000);
        // A compile cache of its own, kept between test runs: what a second `pulumi preview` meets.
        const compileCache = path.join(ROOT, "node_modules", ".cache", "test-program-compile-cache");
        const { declared } = measure(program(ROOT, "dev", { stackDir: EXAMPLE_STACKS, compileCache }), 50_000);
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
