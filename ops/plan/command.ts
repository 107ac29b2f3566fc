/**
 * `npm run -s plan -- --stack <name> [--format text|json]`: what `pulumi up` would register for a
 * stack, without the Pulumi CLI, a backend, an Azure tenant or the network. It reads Pulumi.yaml
 * and Pulumi.<name>.yaml, runs the real program in this process against a stand-in tenant, and
 * prints the application, its service principal, the consent grants, the secret rotation, the
 * owners and the EWS allow list command. Values only Entra ID assigns are shown as such.
 */
import * as path from "path";
import { ConfigError } from "../../lib/configProblems.ts";
import { type CommandSpec, OpsError, USAGE_EXIT_CODE, defineCommand, stackOption, usageError } from "../cli.ts";
import { BAD_CONFIG_EXIT_CODE, loadStackConfig } from "./config.ts";
import { withoutStandIns } from "./tenant.ts";
import { printable } from "../printable.ts";
import { runCommand } from "../io.ts";

/** What the command runs on besides its CommandIO: where the project and the program are (a test's own). */
export interface PlanDependencies {
    /** The folder with Pulumi.yaml and the stack files; defaults to this project's. */
    projectDir?: string;
    /** The program to evaluate; defaults to this project's index.ts. */
    program?: string;
}

const PROJECT_DIR = path.resolve(import.meta.dirname, "..", "..");

export const PLAN_FORMATS = ["text", "json"] as const;

export const SPEC = {
    name: "plan",
    summary: "what pulumi up would register for a stack, worked out offline (no pulumi CLI, backend, Azure tenant or network)",
    usage: "npm run -s plan -- --stack <name> [--format text|json]",
    description: [
        "Reads Pulumi.yaml and the stack file Pulumi.<name>.yaml in the project folder (nothing else: no state, no " +
        "credential), runs the program index.ts in this process against a stand-in Entra ID tenant, and prints on stdout " +
        "what pulumi up would register: the application and its redirect URIs, the service principal, the consent grants, " +
        "the secret rotation, the owners, the EWS allow list command and the stack outputs.",
        "Prints no secret: the Client ID and the client secret, which only Entra ID assigns, are shown as placeholders, and " +
        "encrypted (secure:) values of the stack file are noted, never decrypted. A configuration pulumi up would refuse is " +
        "refused the same way, on stderr.",
    ],
    options: {
        stack: { type: "string", value: "<name>", description: "the stack to plan: reads Pulumi.<name>.yaml (required)" },
        format: { type: "string", default: "text", value: "text|json", description: "text for people, json for programs" },
    },
    retired: { json: "use --format json" },
    environment: [],
    exitCodes: {
        0: "the plan was printed",
        1: "bad configuration: the refusal pulumi up would give, on stderr",
        [USAGE_EXIT_CODE]: "wrong usage, no Pulumi.yaml, or no stack file Pulumi.<name>.yaml (the stack files there are listed)",
    },
    examples: [
        ["npm run -s plan -- --stack dev", "the dev stack's plan, as text"],
        ["npm run -s plan -- --stack prod --format json > prod-plan.json", "the prod stack's plan as JSON, into a file"],
    ],
} as const satisfies CommandSpec;

/** The plan command, with its project folder and program; a real run takes this project's. */
export function planCommand(deps: PlanDependencies = {}) {
    return defineCommand(SPEC, async (io, args) => {
        const stack = stackOption(args.stack, SPEC.usage);
        const format = args.format as typeof PLAN_FORMATS[number];
        if (!PLAN_FORMATS.includes(format)) {
            throw usageError(`--format ${JSON.stringify(args.format)} is not one of ${PLAN_FORMATS.join(", ")}`, SPEC.usage);
        }
        try {
            const config = loadStackConfig(deps.projectDir ?? PROJECT_DIR, stack);
            // The Pulumi SDK they load is most of plan's start-up: not for --help, a usage error or a missing stack file.
            const { evaluateProgram } = await import("./program.ts");
            const { buildPlan, renderText } = await import("./render.ts");
            const evaluation = await evaluateProgram(deps.program ?? path.join(PROJECT_DIR, "index.ts"), config);
            const plan = buildPlan({ config, evaluation, now: io.now() });
            io.stdout(format === "json" ? JSON.stringify(plan, null, 2) + "\n" : renderText(plan));
            return 0;
        } catch (err) {
            if (err instanceof OpsError) {
                throw err;
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
    });
}

export const main = planCommand();

if (import.meta.main) {
    runCommand("plan", main);
}
