/**
 * What Pulumi's Node.js language host (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go)
 * hands the program process, computed from the project files: the environment and node arguments
 * of `node [nodeargs] @pulumi/pulumi/cmd/run --monitor ... --pwd <project> .`. Pure, no I/O.
 */

/** Pulumi.yaml's `runtime`: a name, or a name with options. */
export type RuntimeInfo = string | { name: string; options?: Record<string, unknown> };

export interface ProgramLaunch {
    /** Node's own arguments, before the entry point (the `nodeargs` option). */
    nodeArgs: string[];
    /** cmd/run's flags and the entry point (constructArguments), without the engine's addresses. */
    runArgs: string[];
    /** The variables the language host adds to the environment. */
    env: Record<string, string>;
}

/** parseOptions and execRuntime of the language host: `typescript` (default true), `tsconfig`, `nodeargs`. */
export function programLaunch(runtime: RuntimeInfo, project: string, stack: string, rootDirectory: string,
    config: Record<string, string>, preview: boolean): ProgramLaunch {
    const options = typeof runtime === "string" ? {} : runtime.options ?? {};
    const typescript = options.typescript ?? true;
    if (typeof typescript !== "boolean") {
        throw new Error("typescript option must be a boolean");
    }
    const tsconfig = options.tsconfig ?? "";
    if (typeof tsconfig !== "string") {
        throw new Error("tsconfigpath option must be a string");
    }
    const nodeargs = options.nodeargs ?? "";
    if (typeof nodeargs !== "string") {
        throw new Error("nodeargs option must be a string");
    }
    if (/["'\\]/.test(nodeargs)) {
        // The language host splits nodeargs like a shell (shlex); plain words are all this harness needs.
        throw new Error(`nodeargs with quotes or backslashes is not supported here: ${nodeargs}`);
    }
    const env: Record<string, string> = {
        // constructConfig: keys as <namespace>:config:<name>.
        PULUMI_CONFIG: JSON.stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => {
            const colon = key.indexOf(":");
            return [`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`, value];
        }))),
        PULUMI_CONFIG_SECRET_KEYS: "[]",
        ...(typescript && { PULUMI_NODEJS_TYPESCRIPT: "true" }),
        ...(tsconfig && { PULUMI_NODEJS_TSCONFIG_PATH: tsconfig }),
    };
    const runArgs = ["--project", project, "--root-directory", rootDirectory, "--stack", stack, "--pwd", rootDirectory,
        ...(preview ? ["--dry-run"] : []), "."];
    return { nodeArgs: nodeargs.split(/\s+/).filter(Boolean), runArgs, env };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
    if (values.length === 0) {
        throw new Error("median of no values");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
