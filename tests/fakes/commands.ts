/** Runs the operations commands as a deploy script would, with the fake pulumi first on PATH. */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const FAKES = __dirname;

export interface FakeStack {
    outputs: Record<string, unknown>;
    secrets?: string[];
}

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    /** The command lines the fake pulumi received. */
    pulumiCalls: string[][];
}

/**
 * Runs `ops/<command>.ts` in a child process against these fake stacks.
 * `withPulumi: false` leaves the pulumi executable off PATH.
 */
export function runCommand(command: string, args: string[], stacks: Record<string, FakeStack>,
    options: { withPulumi?: boolean; env?: Record<string, string> } = {}): Promise<CommandResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    const state = path.join(dir, "state.json");
    const log = path.join(dir, "calls.log");
    fs.writeFileSync(state, JSON.stringify({ stacks }));
    const env = {
        ...process.env,
        PATH: options.withPulumi === false ? dir : `${FAKES}${path.delimiter}${process.env.PATH}`,
        FAKE_PULUMI_STATE: state,
        FAKE_PULUMI_LOG: log,
        ...options.env,
    };
    return new Promise(resolve => {
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "ops", `${command}.ts`), ...args],
            { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
                const pulumiCalls = fs.existsSync(log)
                    ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map(line => JSON.parse(line))
                    : [];
                resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr, pulumiCalls });
            });
    });
}
