/**
 * `npm run -s plan -- --stack <name> [--json]`: what `pulumi up` would register for a stack,
 * without the Pulumi CLI, a backend, an Azure tenant or the network. It reads Pulumi.yaml and
 * Pulumi.<name>.yaml, runs the real program in this process against a stand-in tenant, and prints
 * the application, its service principal, the consent grants, the secret rotation, the owners and
 * the EWS allow list command. Values only Entra ID assigns are shown as such.
 *
 * Exit codes: 0 the plan was printed; 1 bad configuration (the refusals `pulumi up` gives);
 * 2 usage error or no such stack file.
 */
import * as path from "path";
import { ConfigError } from "../../lib/configProblems";
import { OpsError, parseCommandLine as parseCommandLineOptions, stackOption } from "../cli";
import { BAD_CONFIG_EXIT_CODE, PlanError, loadStackConfig } from "./config";
import { evaluateProgram } from "./program";
import { buildPlan, renderText } from "./render";
import { withoutStandIns } from "./tenant";
import { printable } from "../printable";

/**
 * The outside world of the command. A subset of the operations commands' CommandIO (ops/io.ts):
 * argv, the writers and the clock, plus where the project and the program are.
 */
export interface PlanIO {
    argv: string[];
    stdout(text: string): void;
    stderr(text: string): void;
    now(): Date;
    /** The folder with Pulumi.yaml and the stack files; defaults to this project's. */
    projectDir?: string;
    /** The program to evaluate; defaults to this project's index.ts. */
    program?: string;
}

const USAGE = "npm run -s plan -- --stack <name> [--json]";
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

function parseCommandLine(argv: string[]): { stack: string; json: boolean } {
    const values = parseCommandLineOptions(argv,
        { stack: { type: "string" }, json: { type: "boolean", default: false } }, USAGE);
    return { stack: stackOption(values.stack, USAGE), json: values.json === true };
}

export async function main(io: PlanIO): Promise<number> {
    try {
        const args = parseCommandLine(io.argv);
        const config = loadStackConfig(io.projectDir ?? PROJECT_DIR, args.stack);
        const evaluation = await evaluateProgram(io.program ?? path.join(PROJECT_DIR, "index.ts"), config);
        const plan = buildPlan({ config, evaluation, now: io.now() });
        io.stdout(args.json ? JSON.stringify(plan, null, 2) + "\n" : renderText(plan));
        return 0;
    } catch (err) {
        if (err instanceof PlanError || err instanceof OpsError) {
            io.stderr(`plan: ${err.message}\n`);
            return err.exitCode;
        }
        if (err instanceof ConfigError) {
            // The program's own refusal, word for word as `pulumi up` shows it.
            io.stderr(`${err.message}\n`);
            return BAD_CONFIG_EXIT_CODE;
        }
        // The program's error may quote a stand-in value or outside text: its first line, without them, printable.
        const message = err instanceof Error ? err.message : String(err);
        io.stderr(`plan: the program failed: ${printable(withoutStandIns(message.split("\n")[0]))}\n`);
        return BAD_CONFIG_EXIT_CODE;
    }
}

/** The parts of a Node.js process the command runs in as a script. */
export interface ScriptProcess {
    argv: string[];
    stdout: { write(text: string, done?: () => void): unknown };
    stderr: { write(text: string): unknown };
    exit(code: number): void;
}

/** Runs the command with this process's arguments and writers, and exits with its code once stdout is flushed. */
export async function runAsScript(proc: ScriptProcess, projectDir?: string): Promise<void> {
    const code = await main({
        argv: proc.argv.slice(2), projectDir,
        stdout: text => proc.stdout.write(text),
        stderr: text => proc.stderr.write(text),
        now: () => new Date(),
    });
    // Exit once stdout is flushed into the pipe.
    proc.stdout.write("", () => proc.exit(code));
}

if (require.main === module) {
    void runAsScript(process);
}
