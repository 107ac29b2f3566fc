/**
 * npm run bench:status [-- --stacks 300] [--parallel 4]...
 *
 * Runs `status --all` as `npm run` does (a child process, the fake `pulumi` of tests/fakes first on
 * PATH) over a backend of N stacks, and reports its wall time, the most processes it had running
 * at once below it, and the peak memory of the whole process tree (resident set sizes summed,
 * sampled every 10 ms from /proc: Linux only). Not a test: it fails only when status fails.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(import.meta.dirname, "..");
const FAKES = path.join(ROOT, "tests", "fakes");
const PAGE_KIB = 4;

function options(argv: string[], name: string, fallback: string[]): string[] {
    const values = argv.flatMap((arg, i) => (arg === `--${name}` ? [argv[i + 1] ?? ""] : []));
    return values.length > 0 ? values : fallback;
}

/** pid -> [parent pid, resident KiB] of every process, from /proc/<pid>/stat (fields 4 and 24). */
function processTable(): Map<number, [number, number]> {
    const table = new Map<number, [number, number]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            table.set(Number(entry), [Number(fields[1]), Number(fields[21]) * PAGE_KIB]);
        } catch {
            // ended while being read
        }
    }
    return table;
}

/** The processes below `root`, root included, and their resident memory in KiB. */
function tree(root: number): { processes: number; rssKiB: number } {
    const table = processTable();
    const members = new Set([root]);
    for (let grew = true; grew;) {
        grew = false;
        for (const [pid, [parent]] of table) {
            if (!members.has(pid) && members.has(parent)) {
                members.add(pid);
                grew = true;
            }
        }
    }
    const present = [...members].filter(pid => table.has(pid));
    return { processes: present.length, rssKiB: present.reduce((sum, pid) => sum + table.get(pid)![1], 0) };
}

function stacks(count: number): Record<string, unknown> {
    const id = (i: number) => `${String(i).padStart(8, "0")}-0000-4000-8000-000000000001`;
    return Object.fromEntries([...Array(count).keys()].map(i => [`env${i}`, {
        outputs: {
            clientId: id(i), clientSecret: "never-read", clientSecretExpiresAt: "2027-06-16T00:00:00Z",
            clientSecretRotatesAt: "2026-12-18T00:00:00Z", clientSecretKeyId: id(i), secretRotationDays: 180,
        },
        secrets: ["clientSecret"],
        tags: { "creatio-delivered-key-id": id(i) },
    }]));
}

async function measure(count: number, parallel: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-status-"));
    const state = path.join(dir, "state.json");
    fs.writeFileSync(state, JSON.stringify({ stacks: stacks(count) }));
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(ROOT, "ops", "status.ts"), "--all",
        "--parallel", parallel], {
        cwd: ROOT, env: { ...process.env, PATH: `${FAKES}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_STATE: state },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let peakProcesses = 0;
    let peakRssKiB = 0;
    const sampler = setInterval(() => {
        const now = tree(child.pid!);
        peakProcesses = Math.max(peakProcesses, now.processes - 1);
        peakRssKiB = Math.max(peakRssKiB, now.rssKiB);
    }, 10);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", chunk => (stdout += chunk));
    child.stderr.on("data", chunk => (stderr += chunk));
    const code = await new Promise<number | null>(resolve => child.on("close", resolve));
    clearInterval(sampler);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    fs.rmSync(dir, { recursive: true, force: true });
    const rows = stdout.trimEnd().split("\n").length - 1;
    if (code !== 0 || rows !== count) {
        throw new Error(`status exited ${code} with ${rows} rows: ${stderr.split("\n")[0]}`);
    }
    return `${count} stacks, --parallel ${parallel}: ${seconds.toFixed(1)} s, at most ${peakProcesses} processes below status, ` +
        `peak memory of the tree ${(peakRssKiB / 1024).toFixed(0)} MiB`;
}

async function main(argv: string[]): Promise<number> {
    const count = Number(options(argv, "stacks", ["300"])[0]);
    if (!Number.isInteger(count) || count < 1 || count > 10000) {
        process.stderr.write("--stacks must be a whole number from 1 to 10000\n");
        return 2;
    }
    process.stdout.write(`${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)} at start\n`);
    for (const parallel of options(argv, "parallel", ["4"])) {
        process.stdout.write(`${await measure(count, parallel)}\n`);
    }
    return 0;
}

void main(process.argv.slice(2)).then(code => (process.exitCode = code), err => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
});
