/**
 * `npm run -s routine-check -- --stack <name>`: the deploy job's preview, just before its
 * `pulumi up`. Runs `pulumi preview --json` under the policy pack, lists every change, and fails
 * when one of them is an administrator's (consent, owners, the requested permissions, a new or
 * removed registration): the CI identity could not make it, and must not try.
 *
 * Exit codes: 0 every change is routine; 1 a change needs an administrator (nothing was changed);
 * 2 wrong usage, or the preview failed or could not be read.
 */
import { OpsError, parseCommandLine, pulumiTimeoutMs, stackOption, USAGE_EXIT_CODE } from "./cli";
import { isGuid } from "../lib/guid";
import { CommandIO, runCommand } from "./io";
import { PulumiError } from "./pulumi/runner";
import { PreviewFormatError, judgeSteps, previewSteps, renderSteps } from "./pulumi/routineChanges";

const USAGE = "npm run -s routine-check -- --stack <name> [--pulumi-timeout-seconds 600]";

/** The pack every workflow passes (policy/). */
export const POLICY_PACK = "policy";

export async function main(io: CommandIO): Promise<number> {
    const args = parseCommandLine(io.argv, {
        "stack": { type: "string" },
        // A preview evaluates the program and asks Entra ID for the Microsoft principals: longer than an output read.
        "pulumi-timeout-seconds": { type: "string", default: "600" },
    }, USAGE);
    const stack = stackOption(args.stack, USAGE);
    const timeoutMs = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);
    const tenant = isGuid(io.env.ARM_TENANT_ID ?? "") ? io.env.ARM_TENANT_ID : "<tenant id>";
    const adminRuns = (init = "") => "An Entra ID Cloud Application Administrator (or Application Administrator, Privileged Role " +
        "Administrator) runs from " +
        `main, with the stack's state credentials: az login --tenant ${tenant} && ${init}pulumi up --stack ${stack} ` +
        `--policy-pack ${POLICY_PACK}; then CI takes over again (docs/ci.md, "Admin acts")`;
    let json: string;
    try {
        json = await io.pulumi(["preview", "--stack", stack, "--policy-pack", POLICY_PACK, "--json"], { timeoutMs });
    } catch (err) {
        // backenderr.StackNotFoundError: "no stack named '<name>' found". CI creates no stack: the first deploy is an administrator's.
        if (err instanceof PulumiError && err.stderr.includes(`no stack named '${stack}' found`)) {
            throw new OpsError(`stack "${stack}" does not exist in this backend (PULUMI_BACKEND_URL, the state credentials): if they ` +
                "are right, the stack is new, and its first pulumi up grants admin consent and sets the owners, which the CI identity " +
                `cannot do. ${adminRuns(`pulumi stack init ${stack} && `)}`, 1);
        }
        throw err;
    }
    let judged;
    try {
        judged = judgeSteps(previewSteps(json));
    } catch (err) {
        if (err instanceof PreviewFormatError) {
            throw new OpsError(`stack "${stack}": ${err.message}, so no change can be judged routine`, USAGE_EXIT_CODE);
        }
        throw err;
    }
    const admin = judged.filter(step => step.adminReason !== undefined);
    io.stdout(`Stack ${stack}: pulumi preview under the policy pack (${POLICY_PACK}/): ` +
        `${judged.length === 0 ? "no changes" : `${judged.length} change${judged.length === 1 ? "" : "s"}`}\n` + renderSteps(judged));
    if (admin.length === 0) {
        io.stdout(judged.length === 0 ? "Nothing to do.\n" : "Every change is routine: the CI identity may make it.\n");
        return 0;
    }
    throw new OpsError(`stack "${stack}": ${admin.length} change${admin.length === 1 ? " needs" : "s need"} an administrator ` +
        "(marked [admin]); nothing was changed. The CI identity holds Application.ReadWrite.OwnedBy and Application.Read.All " +
        `only. ${adminRuns()}`, 1);
}

if (require.main === module) {
    runCommand("routine-check", main);
}
