/**
 * `npm test [-- <mocha options>]`: the type check (tsc) and the mocha suite side by side,
 * so the run takes about the longer of the two instead of their sum. Mocha's output shows as it
 * comes, tsc's once both are done, and the closing line stays mocha's `N passed, N failed` (CI
 * reads it). Exits non-zero when either fails.
 *
 * Both, and every process the tests start, share Node's compile cache (NODE_COMPILE_CACHE): the
 * Pulumi SDK alone, loaded by each of them, is about 12 MB of JavaScript (with the TypeScript
 * compiler its closure serializer loads), and V8 then compiles it once per run instead of once per process.
 *
 * Mocha and its workers run with V8's `--liftoff-only`: WebAssembly stays on V8's baseline compiler.
 * The one large module the tests load, the PowerShell grammar (tree-sitter-powershell, 1 MB), is
 * otherwise recompiled by the optimizing compiler in the background, about 7 s of CPU the process
 * waits for at exit, to parse one script faster by milliseconds.
 *
 * And with semi-spaces of 16 MiB at most (`--max-semi-space-size`, Node's cli.md): V8's default
 * grows them to 32 MiB on a machine with a 4 GiB heap limit, and the tests' short-lived garbage
 * then fills more fresh memory, whose page faults are costly on a virtual machine: 0.93x the suite's
 * wall time and 0.94x its CPU, and less peak memory (alternated runs; 8 MiB did no better).
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { recordPassingCheck, typeCheckArgs } from "./typeCheck.ts";

const ROOT = path.join(import.meta.dirname, "..");
const bin = (file: string) => path.join(ROOT, "node_modules", file);
const COMPILE_CACHE = path.join(ROOT, "node_modules", ".cache", "node-compile-cache");

interface Finished {
    code: number;
    output: string;
}

/** Runs node with these arguments; `onLine` sees stdout line by line, else both streams are kept. */
function run(args: string[], onLine?: (line: string) => void): Promise<Finished> {
    return new Promise(resolve => {
        const child = spawn(process.execPath, args, {
            cwd: ROOT, stdio: ["ignore", "pipe", onLine ? "inherit" : "pipe"],
            env: { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? COMPILE_CACHE },
        });
        let output = "";
        let partial = "";
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
            if (!onLine) {
                output += chunk;
                return;
            }
            const lines = (partial + chunk).split("\n");
            partial = lines.pop() ?? "";
            lines.forEach(onLine);
        });
        child.stderr?.setEncoding("utf8").on("data", (chunk: string) => { output += chunk; });
        child.on("close", (code, signal) => {
            if (partial) {
                onLine?.(partial);
            }
            resolve({ code: code ?? (signal ? 1 : 0), output });
        });
    });
}

async function main(): Promise<number> {
    // The newest line of mocha's output is held back, so that the summary it ends with is printed last.
    let held: string | undefined;
    const mocha = run(["--liftoff-only", "--max-semi-space-size=16", bin("mocha/bin/mocha.js"), ...process.argv.slice(2)], line => {
        if (held !== undefined) {
            process.stdout.write(held + "\n");
        }
        held = line;
    });
    const typeCheck = typeCheckArgs(ROOT);
    const started = new Date();
    const tsc = run(typeCheck);
    const [tests, types] = await Promise.all([mocha, tsc]);
    if (types.code === 0 && !types.output.trim()) {
        recordPassingCheck(ROOT, typeCheck, started);
    } else {
        process.stdout.write(types.output.replace(/\n*$/, "\n"));
        process.stdout.write(`The type check failed: tsc exited with ${types.code}.\n`);
    }
    if (held !== undefined) {
        process.stdout.write(held + "\n");
    }
    return types.code !== 0 || tests.code !== 0 ? 1 : 0;
}

process.exitCode = await main();
