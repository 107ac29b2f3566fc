/**
 * The processes the benchmark compares, each as the command line that starts it: the SDK-load
 * floor, and the program evaluated the way `pulumi preview` does it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { createRequire } from "module";
import { parse } from "yaml";
import { stackConfigFrom } from "../ops/plan/config.ts";
import { type ProgramLaunch, programLaunch } from "./languageHost.ts";

export interface Subject {
    name: string;
    /** node's arguments. */
    args: string[];
    /** Added to the environment. */
    env: Record<string, string>;
    cwd: string;
    /** Removes what making the subject left on disk. */
    dispose?: () => void;
}

const USAGE = path.join(import.meta.dirname, "usage.cjs");
const MOCK_ENGINE = path.join(import.meta.dirname, "mockEngine.cjs");
const PACK_READY = path.join(import.meta.dirname, "packReady.cjs");
const SDKS = ["@pulumi/pulumi", "@pulumi/azuread", "@pulumi/random"];

/**
 * A compile cache of the subject's own, empty at first (NODE_COMPILE_CACHE): measured from the
 * second run on, as a second preview meets it. Its own, because cmd/run changes a V8 flag
 * (v8.setFlagsFromString) after it starts, and code cached under other flags is refused and
 * written again: two subjects sharing one folder would each spoil the other's.
 */
function ownCompileCache(): { env: Record<string, string>; dispose: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-compile-cache-"));
    return { env: { NODE_COMPILE_CACHE: dir }, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Loading the program's SDKs and nothing else: no Pulumi program in TypeScript can start faster.
 * Plain node, or (`compileCache`) with Node's compile cache, as the program runs.
 */
export function floor(root: string, compileCache = false): Subject {
    const cache = compileCache ? ownCompileCache() : undefined;
    return {
        name: compileCache ? "SDK-load floor, compile cache" : "SDK-load floor", cwd: root, env: cache?.env ?? {},
        dispose: cache?.dispose,
        args: ["--require", USAGE, "-e", SDKS.map(sdk => `require(${JSON.stringify(sdk)});`).join("")],
    };
}

/** node's arguments for Pulumi's entry point @pulumi/pulumi/cmd/run as the language host starts it, the engine replaced by mocks. */
function cmdRunArgs(root: string, launch: ProgramLaunch): string[] {
    const runPath = createRequire(import.meta.url).resolve("@pulumi/pulumi/cmd/run", { paths: [root] });
    return [...launch.nodeArgs, "--require", USAGE, "--require", MOCK_ENGINE, runPath, "--monitor", "mock", ...launch.runArgs];
}

export interface ProgramOptions {
    /**
     * Drop the runtime options but the package manager: the runtime then registers ts-node (type
     * checking), which this ES-module program bypasses (Node still strips its types), and the compile
     * cache the project's nodeargs turn on, so it shows what the runtime defaults cost.
     */
    runtimeDefaults?: boolean;
    /** Where the stack file is read from; the project's root unless given. */
    stackDir?: string;
    /** A compile cache folder to keep between runs (the tests'); a new empty one unless given. */
    compileCache?: string;
}

/**
 * index.ts evaluated as `pulumi preview --stack <stack>` evaluates it: node started the way the
 * language host starts it for this project's Pulumi.yaml (runtime options) and stack config,
 * running Pulumi's own entry point @pulumi/pulumi/cmd/run; only the engine is replaced by mocks.
 */
export function program(root: string, stack: string, options: ProgramOptions = {}): Subject {
    const { runtimeDefaults = false, stackDir = root } = options;
    const readYaml = (file: string) => parse(fs.readFileSync(path.join(root, file), "utf8"));
    const project = readYaml("Pulumi.yaml");
    const runtime = runtimeDefaults
        ? { name: project.runtime.name, options: { packagemanager: project.runtime.options?.packagemanager } }
        : project.runtime;
    // The stack config as `pulumi up` passes it, read by the plan's reader.
    const stackFile = `Pulumi.${stack}.yaml`;
    const config = stackConfigFrom(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"),
        fs.readFileSync(path.join(stackDir, stackFile), "utf8"), stack, stackFile).values;
    const launch = programLaunch(runtime, project.name, stack, root, config, true);
    const cache = options.compileCache ? { env: { NODE_COMPILE_CACHE: options.compileCache }, dispose: undefined } : ownCompileCache();
    return {
        name: runtimeDefaults ? "program, runtime defaults" : "program evaluation",
        cwd: root, env: { ...launch.env, ...cache.env }, dispose: cache.dispose,
        args: cmdRunArgs(root, launch),
    };
}

/**
 * The policy pack as every `pulumi preview --policy-pack policy` starts it: Pulumi's
 * @pulumi/pulumi/cmd/run-policy-pack in the pack's folder (pulumi-language-nodejs main.go,
 * RunPlugin), which registers ts-node with type checking whatever the project says, until the
 * pack serves (the port it prints).
 */
export function policyPack(root: string): Subject {
    const packDir = path.join(root, "policy");
    const runPath = createRequire(import.meta.url).resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [root] });
    return {
        name: "policy pack start-up", cwd: packDir, env: {},
        args: ["--require", USAGE, "--require", PACK_READY, runPath, "engine-unused", packDir],
    };
}

/**
 * cmd/run with a program that only loads the SDKs, started with this project's runtime options:
 * the runtime's own cost (its inspector session, its tracing set-up, the Stack resource), which
 * no project setting removes. Made in a temporary folder (with the project's runtime/ for its nodeargs).
 */
export function emptyProgram(root: string): Subject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-empty-program-"));
    fs.writeFileSync(path.join(dir, "index.js"), SDKS.map(sdk => `require(${JSON.stringify(sdk)});\n`).join(""));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "empty", main: "index.js" }));
    for (const folder of ["node_modules", "runtime"]) {
        fs.symlinkSync(path.join(root, folder), path.join(dir, folder), "dir");
    }
    const launch = programLaunch(parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).runtime, "empty", "bench", dir, {}, true);
    const cache = ownCompileCache();
    return {
        name: "runtime, empty program", cwd: dir, env: { ...launch.env, ...cache.env },
        dispose: () => {
            fs.rmSync(dir, { recursive: true, force: true });
            cache.dispose();
        },
        args: cmdRunArgs(root, launch),
    };
}

export interface Measurement {
    wallMs: number;
    cpuMs: number;
    maxRssKiB: number;
    /** The resources the program declared ("<type> <name>"), for program subjects. */
    declared: string[];
}

/** Settings a developer's shell may carry that would change what is measured (a subject sets its own). */
const OVERRIDES = /^(PULUMI_NODEJS_|PULUMI_CONFIG|TS_NODE_|NODE_COMPILE_CACHE|NODE_DISABLE_COMPILE_CACHE)/;

/** Runs the subject once as a whole process; throws unless it exits 0 within the time limit. */
export function measure(subject: Subject, timeoutMs = 120_000): Measurement {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
    const usageFile = path.join(scratch, "usage.json");
    const declaredFile = path.join(scratch, "declared.json");
    try {
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !OVERRIDES.test(key)));
        const started = process.hrtime.bigint();
        const result = spawnSync(process.execPath, subject.args, {
            cwd: subject.cwd, timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8",
            env: { ...env, ...subject.env, BENCH_USAGE_FILE: usageFile, BENCH_DECLARED_FILE: declaredFile },
        });
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.status !== 0) {
            throw new Error(`${subject.name} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}):\n${result.stdout}${result.stderr}`);
        }
        const usage = JSON.parse(fs.readFileSync(usageFile, "utf8"));
        const declared = fs.existsSync(declaredFile) ? JSON.parse(fs.readFileSync(declaredFile, "utf8")) : [];
        return { wallMs, cpuMs: usage.cpuMs, maxRssKiB: usage.maxRssKiB, declared };
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}
