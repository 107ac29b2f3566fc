/**
 * npm run bench [-- --runs N] [--stack NAME] [--with-defaults]
 *
 * Without --stack, the tests' example stack dev (tests/fixtures/stacks); with it, the root's
 * Pulumi.<NAME>.yaml.
 *
 * Compares the program evaluation, as `pulumi preview` performs it with this project's settings,
 * and the policy pack's start-up against the SDK-load floor: whole processes, alternated, N runs
 * each; prints medians of wall time, CPU time and peak memory, their ratios to the floor (plain
 * node), and the program's ratios to the floor with the compile cache the program runs with and to
 * the runtime's own cost (cmd/run with an empty program). Not a test: it never fails on timing,
 * only when a process fails.
 */
import * as os from "os";
import * as path from "path";
import { median } from "./languageHost.ts";
import { type Measurement, type Subject, emptyProgram, floor, measure, policyPack, program } from "./subjects.ts";

const ROOT = path.join(import.meta.dirname, "..");

function option(argv: string[], name: string, fallback: string): string {
    const at = argv.indexOf(`--${name}`);
    return at < 0 ? fallback : argv[at + 1] ?? "";
}

function main(argv: string[]): number {
    const runs = Number(option(argv, "runs", "7"));
    if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
        process.stderr.write(`--runs must be a whole number from 1 to 100, not ${option(argv, "runs", "")}\n`);
        return 2;
    }
    const stack = option(argv, "stack", "dev");
    const stackDir = argv.includes("--stack") ? ROOT : path.join(ROOT, "tests", "fixtures", "stacks");
    const subjects: Subject[] = [floor(ROOT), program(ROOT, stack, { stackDir }), emptyProgram(ROOT), policyPack(ROOT), floor(ROOT, true)];
    if (argv.includes("--with-defaults")) {
        subjects.push(program(ROOT, stack, { runtimeDefaults: true, stackDir }));
    }
    try {
        return compare(subjects, runs);
    } finally {
        subjects.forEach(s => s.dispose?.());
    }
}

function compare(subjects: Subject[], runs: number): number {
    const results = new Map<Subject, Measurement[]>(subjects.map(s => [s, []]));
    const load = () => os.loadavg()[0].toFixed(1);
    process.stdout.write(`${runs} alternated runs, ${os.cpus().length} CPUs, load average ${load()} at start\n`);
    for (let run = 0; run < runs; run++) {
        // Rotate the order each round so no subject always runs right after another.
        for (let i = 0; i < subjects.length; i++) {
            const subject = subjects[(run + i) % subjects.length];
            results.get(subject)!.push(measure(subject));
        }
    }
    const evaluated = results.get(subjects[1])!;
    if (evaluated.some(m => m.declared.length === 0)) {
        process.stderr.write("the program evaluation declared no resources\n");
        return 1;
    }
    const medians = (ms: Measurement[]) => ({
        wall: median(ms.map(m => m.wallMs)), cpu: median(ms.map(m => m.cpuMs)), rss: median(ms.map(m => m.maxRssKiB)) / 1024,
    });
    const base = medians(results.get(subjects[0])!);
    const rows = subjects.map(s => {
        const m = medians(results.get(s)!);
        return [s.name, `${m.wall.toFixed(0)} ms`, `${(m.wall / base.wall).toFixed(2)}x`, `${m.cpu.toFixed(0)} ms`,
            `${(m.cpu / base.cpu).toFixed(2)}x`, `${m.rss.toFixed(0)} MiB`, `${(m.rss / base.rss).toFixed(2)}x`];
    });
    const header = ["median of " + runs, "wall", "/floor", "CPU", "/floor", "peak RSS", "/floor"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
    for (const row of [header, ...rows]) {
        process.stdout.write(row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  ") + "\n");
    }
    // Like for like: the program against the floor with the same compile cache, and what the program
    // adds to the runtime's own cost, which no project setting removes.
    const program = medians(evaluated);
    for (const other of [subjects[4], subjects[2]]) {
        const m = medians(results.get(other)!);
        process.stdout.write(`${subjects[1].name} / ${other.name}: wall ${(program.wall / m.wall).toFixed(2)}x, ` +
            `CPU ${(program.cpu / m.cpu).toFixed(2)}x, peak RSS ${(program.rss / m.rss).toFixed(2)}x\n`);
    }
    process.stdout.write(`load average ${load()} at end; the program declared ${evaluated[0].declared.length} resources\n`);
    return 0;
}

process.exitCode = main(process.argv.slice(2));
