/**
 * `npm run -s routine-check -- --stack <name>`: the deploy job's preview, just before its
 * `pulumi up`. Runs `pulumi preview --json` under the policy pack, lists every change, and fails
 * when one of them is an administrator's (consent, owners, the requested permissions, a new or
 * removed registration): the CI identity could not make it, and must not try.
 *
 * Exit codes: 0 every change is routine; 1 a change needs an administrator (nothing was changed);
 * 2 wrong usage, or the preview failed or could not be read.
 */
import { type CommandSpec, OpsError, PULUMI_ENVIRONMENT, USAGE_EXIT_CODE, defineCommand, pulumiTimeoutMs, stackOption } from "./cli.ts";
import { isGuid } from "../lib/guid.ts";
import { type CommandIO, runCommand } from "./io.ts";
import { PulumiError } from "./pulumi/runner.ts";
import { PreviewFormatError, judgeSteps, previewSteps, renderSteps } from "./pulumi/routineChanges.ts";

/** The pack every workflow passes (policy/). */
export const POLICY_PACK = "policy";

export const SPEC = {
    name: "routine-check",
    summary: "the deploy job's preview: fails when a change needs an administrator, which the CI identity must not try",
    usage: "npm run -s routine-check -- --stack <name> [--pulumi-timeout-seconds 600]",
    description: [
        `Runs pulumi preview --stack <name> --policy-pack ${POLICY_PACK} --json (the program, the stack's state and Entra ID, ` +
        "as the signed-in identity) and judges every change: consent, owners, the requested permissions, a new or removed " +
        "registration are an administrator's; the rest (a secret's rotation, a redirect URI) is routine.",
        "Prints on stdout the changes, one per line, those of an administrator marked [admin]; when there is one, stderr " +
        "says who runs what instead. Changes nothing and prints no secret.",
    ],
    options: {
        stack: { type: "string", value: "<name>", description: "the stack to preview (required)" },
        // A preview evaluates the program and asks Entra ID for the Microsoft principals: longer than an output read.
        "pulumi-timeout-seconds": { type: "string", default: "600", value: "<seconds>",
            description: "how long the preview may take, 1 to 3600" },
    },
    environment: [
        ["ARM_TENANT_ID", "the tenant named in the administrator's command when a change needs one"],
        ["ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID, ...", "read by the azuread provider during the preview (how it signs " +
            "in), not by the command"],
        ...PULUMI_ENVIRONMENT,
    ],
    exitCodes: {
        0: "every change is routine (or there is none)",
        1: "a change needs an administrator, or the stack does not exist in the backend; nothing was changed",
        [USAGE_EXIT_CODE]: "wrong usage, the preview failed or its JSON cannot be read, no pulumi CLI",
    },
    examples: [
        ["npm run -s routine-check -- --stack prod", "judges prod's pending changes before the deploy job's pulumi up"],
        ["npm run -s routine-check -- --stack prod --pulumi-timeout-seconds 1200", "the same, giving the preview 20 minutes"],
    ],
} as const satisfies CommandSpec;

export const main = defineCommand(SPEC, async (io: CommandIO, args) => {
    const stack = stackOption(args.stack, SPEC.usage);
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
});

if (import.meta.main) {
    runCommand("routine-check", main);
}
