/**
 * `npm run -s plan-comment -- --base <folder> --head <folder>`: the pull request's comment, from
 * the offline plans of every stack (`<stack>.txt`, written by `npm run -s plan` on the base branch
 * and on the pull request). Markdown on stdout: a table of the stacks and, for each that changed,
 * the difference as a unified diff. Needs no credential of any kind, and reads nothing else.
 *
 * Exit codes: 0 the comment was printed; 2 wrong usage or an unreadable folder.
 */
import * as fs from "fs";
import * as path from "path";
import { createTwoFilesPatch } from "diff";
import { type CommandSpec, OpsError, USAGE_EXIT_CODE, defineCommand, usageError } from "../cli.ts";
import { type CommandIO, runCommand } from "../io.ts";

/** The first line of the comment: the workflow finds its own comment by it. */
export const COMMENT_MARKER = "<!-- creatio-m365-oauth plan -->";
/** GitHub refuses longer bodies ("Body is too long (maximum is 65536 characters)", REST API 422); the rest is room for the notes. */
export const MAX_COMMENT_CHARACTERS = 60_000;
/** A plan is about 5 KB; anything far larger is not one. */
export const MAX_PLAN_BYTES = 256 * 1024;
const MAX_STACKS = 256;
/**
 * The most lines a stack's diff may add and remove together (jsdiff's `maxEditLength`) before its
 * plan is shown whole instead: a plan is about 100 lines, so more is a rewrite, not a change to
 * review line by line. A bound on the work, not the clock, so that one pair of plans always gets the
 * same comment; the time bound only guards against a machine stalled mid-diff.
 */
export const MAX_DIFF_LINES = 1000;
const DIFF_TIMEOUT_MS = 2000;
/** Pulumi's stack names: letters, digits, `-`, `_` and `.` (pulumi/pulumi sdk/go/common/tokens/stack_name.go), not `.` or `..`. */
const STACK_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;
/** The instant a plan names in its first line (ops/plan/render.ts): the two sides run seconds apart. */
const PLAN_INSTANT = /^Plan of stack .*, at (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\.$/m;
export const PLAN_TIME = "<the time of the plan>";

export interface StackPlans {
    stack: string;
    /** The plan on the base branch; undefined when the stack file is new. */
    base?: string;
    /** The plan on the pull request; undefined when the stack file was removed. */
    head?: string;
}

export const SPEC = {
    name: "plan-comment",
    summary: "the pull request's comment: the offline plans of every stack, base branch against the pull request",
    usage: "npm run -s plan-comment -- --base <folder> --head <folder>",
    description: [
        "Reads the <stack>.txt files of the two folders (each the output of npm run -s plan -- --stack <stack>, on the base " +
        "branch and on the pull request; at most 256 per folder; one over 256 KiB is named, not shown) and nothing else: no credential, no " +
        "network, no pulumi.",
        "Prints on stdout the comment in Markdown: a table of the stacks (unchanged, changed, new stack, removed) and, for " +
        "each that is not unchanged, the difference as a unified diff; the instant each plan was made at is left out of " +
        "the comparison. Plans print no secret, so neither does this.",
    ],
    options: {
        base: { type: "string", value: "<folder>", description: "the base branch's plans (required)" },
        head: { type: "string", value: "<folder>", description: "the pull request's plans (required)" },
    },
    environment: [],
    exitCodes: {
        0: "the comment was printed",
        [USAGE_EXIT_CODE]: "wrong usage, or a folder that cannot be read or holds too many plans",
    },
    examples: [
        ["npm run -s plan-comment -- --base ../plans/base --head ../plans/head > comment.md", "what the pull request workflow posts"],
        ["npm run -s plan-comment -- --base /tmp/empty --head plans", "every stack of plans shown as a new stack"],
    ],
} as const satisfies CommandSpec;

/** A fence longer than every backtick run in the text (CommonMark, fenced code blocks). */
function fenced(text: string, info: string): string {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map(m => m[0].length));
    const fence = "`".repeat(longest + 1);
    return `${fence}${info}\n${text.endsWith("\n") ? text : `${text}\n`}${fence}\n`;
}

/** The plan with the instant it was made at replaced wherever it appears, so that two runs of one plan compare equal. */
export function timeless(plan: string): string {
    const instant = PLAN_INSTANT.exec(plan)?.[1];
    return instant === undefined ? plan : plan.split(instant).join(PLAN_TIME);
}

function status(plans: StackPlans): string {
    if (plans.base === undefined) {
        return "new stack";
    }
    if (plans.head === undefined) {
        return "removed";
    }
    return plans.base === plans.head ? "unchanged" : "changed";
}

/** The comment's Markdown: pure but for the diff's time bound. Plans are compared without the instant they were made at. */
export function renderPlanComment(given: StackPlans[], ignored: string[] = []): string {
    const stacks = given.map(({ stack, base, head }) => ({
        stack, base: base === undefined ? undefined : timeless(base), head: head === undefined ? undefined : timeless(head),
    }));
    const header = [
        COMMENT_MARKER,
        "### Offline plan of every stack: base branch → this pull request",
        "",
        "`npm run -s plan` of each `Pulumi.<stack>.yaml`, on the base branch and on this pull request: what `pulumi up` " +
        "would register, worked out without a backend, a credential or Entra ID. Each stack's real preview runs on main, " +
        "in its deploy job, just before its `pulumi up`.",
        "",
        "| Stack | Plan |",
        "|---|---|",
        ...stacks.map(plans => `| \`${plans.stack}\` | ${status(plans)} |`),
        ...(stacks.length === 0 ? ["| (none) | no stack file on either side |"] : []),
        "",
        ...(ignored.length > 0 ? [`Ignored (not stack names): ${ignored.length} file(s).`, ""] : []),
    ].join("\n");
    const details = stacks.filter(plans => status(plans) !== "unchanged").map(plans => {
        const started = Date.now();
        const patch = plans.base !== undefined && plans.head !== undefined
            ? createTwoFilesPatch(`base/${plans.stack}`, `pull-request/${plans.stack}`, plans.base, plans.head, "", "",
                { context: 3, maxEditLength: MAX_DIFF_LINES, timeout: DIFF_TIMEOUT_MS })
            : undefined;
        // jsdiff answers undefined for either bound: the clock tells which one ended it.
        const why = Date.now() - started > DIFF_TIMEOUT_MS
            ? `Not diffed within ${DIFF_TIMEOUT_MS / 1000} s` : `More than ${MAX_DIFF_LINES} lines differ`;
        const body = patch !== undefined
            ? fenced(patch.split("\n").slice(1).join("\n"), "diff") // drop jsdiff's "=====" line
            : (plans.base !== undefined && plans.head !== undefined ? `${why}: the pull request's plan.\n\n` : "") +
                fenced(plans.head ?? plans.base!, "text");
        return `<details><summary>${plans.stack}: ${status(plans)}</summary>\n\n${body}\n</details>\n`;
    });
    let comment = `${header}\n${details.join("\n")}`;
    if (comment.length > MAX_COMMENT_CHARACTERS) {
        // Whole sections go, the last first, so no code block is cut in half.
        const kept: string[] = [];
        let length = header.length + 200;
        for (const section of details) {
            if (length + section.length > MAX_COMMENT_CHARACTERS) {
                break;
            }
            kept.push(section);
            length += section.length + 1;
        }
        comment = `${header}\n${kept.join("\n")}\n${details.length - kept.length} stack(s) left out: the comment would pass ` +
            "GitHub's size limit. The workflow run's summary and its plan artifact hold every plan.\n";
    }
    return comment;
}

/** `<stack>.txt` files of a folder: the plans by stack name, and the names that are not stack names. */
function readPlans(folder: string, option: string): { plans: Map<string, string>; ignored: string[] } {
    let files: string[];
    try {
        files = fs.readdirSync(folder).filter(file => file.endsWith(".txt")).sort();
    } catch (err) {
        throw new OpsError(`--${option} ${JSON.stringify(folder)} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, USAGE_EXIT_CODE);
    }
    if (files.length > MAX_STACKS) {
        throw new OpsError(`--${option} ${JSON.stringify(folder)} holds ${files.length} plans; at most ${MAX_STACKS}`, USAGE_EXIT_CODE);
    }
    const plans = new Map<string, string>();
    const ignored: string[] = [];
    for (const file of files) {
        const stack = file.slice(0, -".txt".length);
        const full = path.join(folder, file);
        const stat = fs.lstatSync(full);
        if (!STACK_NAME.test(stack)) {
            ignored.push(file);
        } else if (!stat.isFile()) {
            plans.set(stack, "(not a regular file: not shown)\n");
        } else if (stat.size > MAX_PLAN_BYTES) {
            plans.set(stack, `(the plan has ${stat.size} bytes, more than ${MAX_PLAN_BYTES}: not shown)\n`);
        } else {
            plans.set(stack, fs.readFileSync(full, "utf8"));
        }
    }
    return { plans, ignored };
}

export const main = defineCommand(SPEC, async (io: CommandIO, args) => {
    if (args.base === undefined || args.head === undefined) {
        throw usageError("--base and --head are required", SPEC.usage);
    }
    const base = readPlans(args.base, "base");
    const head = readPlans(args.head, "head");
    const names = [...new Set([...base.plans.keys(), ...head.plans.keys()])].sort();
    io.stdout(renderPlanComment(names.map(stack => ({ stack, base: base.plans.get(stack), head: head.plans.get(stack) })),
        [...new Set([...base.ignored, ...head.ignored])]));
    return 0;
});

if (import.meta.main) {
    runCommand("plan-comment", main);
}
