import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COMMENT_MARKER, MAX_COMMENT_CHARACTERS, MAX_DIFF_LINES, MAX_PLAN_BYTES, PLAN_TIME, main, renderPlanComment } from "../../../ops/plan/comment.ts";
import { planCommand } from "../../../ops/plan/command.ts";
import { runInProcess } from "../../fakes/commands.ts";

const HEADER = [
    COMMENT_MARKER,
    "### Offline plan of every stack: base branch → this pull request",
    "",
    "`npm run -s plan` of each `Pulumi.<stack>.yaml`, on the base branch and on this pull request: what `pulumi up` " +
    "would register, worked out without a backend, a credential or Entra ID. Each stack's real preview runs on main, " +
    "in its deploy job, just before its `pulumi up`.",
    "",
    "| Stack | Plan |",
    "|---|---|",
];

describe("plan-comment", () => {
    it("tables every stack and shows a changed one as a unified diff, a new one whole, an unchanged one not at all", () => {
        const comment = renderPlanComment([
            { stack: "dev", base: "Site: acme-dev\nRotation: 180 days\n", head: "Site: acme-test\nRotation: 180 days\n" },
            { stack: "new", head: "Site: acme-new\n" },
            { stack: "old", base: "Site: acme-old\n" },
            { stack: "prod", base: "Site: acme\n", head: "Site: acme\n" },
        ]);
        assert.strictEqual(comment, [
            ...HEADER,
            "| `dev` | changed |",
            "| `new` | new stack |",
            "| `old` | removed |",
            "| `prod` | unchanged |",
            "",
            "<details><summary>dev: changed</summary>",
            "",
            "```diff",
            "--- base/dev",
            "+++ pull-request/dev",
            "@@ -1,2 +1,2 @@",
            "-Site: acme-dev",
            "+Site: acme-test",
            " Rotation: 180 days",
            "```",
            "",
            "</details>",
            "",
            "<details><summary>new: new stack</summary>",
            "",
            "```text",
            "Site: acme-new",
            "```",
            "",
            "</details>",
            "",
            "<details><summary>old: removed</summary>",
            "",
            "```text",
            "Site: acme-old",
            "```",
            "",
            "</details>",
            "",
        ].join("\n"));
    });

    it("compares two runs of one plan as equal although each names the instant it ran at", () => {
        // ops/plan/render.ts: the plan's first line, and the first rotation "if the first pulumi up runs at" that instant.
        const plan = (at: string) => `Plan of stack "prod" (project creatio-m365-oauth) from Pulumi.yaml and Pulumi.prod.yaml, at ${at}.\n` +
            `  First rotation:  between 2026-12-07T00:00:00Z and 2027-06-04T00:00:00Z (if the first pulumi up runs at ${at})\n`;
        assert.ok(renderPlanComment([{ stack: "prod", base: plan("2026-12-06T17:26:31Z"), head: plan("2026-12-06T17:26:38Z") }])
            .includes("| `prod` | unchanged |"));
        const changed = renderPlanComment([{ stack: "prod", base: plan("2026-12-06T17:26:31Z"),
            head: plan("2026-12-06T17:26:38Z").replace("2027-06-04", "2027-06-05") }]);
        assert.ok(changed.includes("| `prod` | changed |"));
        assert.ok(changed.includes(`-  First rotation:  between 2026-12-07T00:00:00Z and 2027-06-04T00:00:00Z (if the first pulumi up runs at ${PLAN_TIME})`), changed);
        assert.ok(!changed.includes("17:26:3"), changed);
    });

    it("finds the real plan of a stack unchanged when it runs twice, seconds apart", async function () {
        this.timeout(30_000);
        // A stack of this test's own, so the result does not depend on the stack files of the checkout.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-twice-"));
        try {
            fs.copyFileSync(path.join(import.meta.dirname, "..", "..", "..", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.acme.yaml"), "config:\n  creatio-m365-oauth:siteName: acme\n");
            const planAt = async (at: string) => {
                const run = await runInProcess("plan", planCommand({ projectDir: dir, program: path.join(import.meta.dirname, "..", "..", "..", "index.ts") }),
                    ["--stack", "acme"], {}, { now: new Date(at) });
                assert.strictEqual(run.code, 0, run.stderr);
                return run.stdout;
            };
            const base = await planAt("2026-12-06T17:26:31.250Z");
            const head = await planAt("2026-12-06T17:26:38.900Z");
            assert.notStrictEqual(base, head);
            assert.ok(renderPlanComment([{ stack: "acme", base, head }]).includes("| `acme` | unchanged |"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("says a diff the clock cut short took too long, not that more than MAX_DIFF_LINES lines differ", () => {
        // jsdiff (node_modules/diff libesm/diff/base.js) returns undefined both past maxEditLength and past
        // its timeout; a stalled machine is the second: a clock that jumps 1.5 s on each reading stands in for it.
        const base = "kept 0\nold 1\nkept 2\n";
        const head = "kept 0\nnew 1\nkept 2\n";
        const realNow = Date.now;
        let reading = 0;
        Date.now = () => realNow() + 1500 * reading++;
        let comment: string;
        try {
            comment = renderPlanComment([{ stack: "dev", base, head }]);
        } finally {
            Date.now = realNow;
        }
        assert.ok(!comment.includes("More than 1000 lines differ"), comment);
        assert.ok(comment.includes("<details><summary>dev: changed</summary>\n\nNot diffed within 2 s: the pull request's plan.\n\n```text\nkept 0\nnew 1\n"), comment);
    });

    it("shows two plans too different to diff as the pull request's plan, whole, without spending the time bound", () => {
        const lines = (seed: string) => Array.from({ length: 6000 }, (_, i) => `${seed} ${(i * 7919) % 6000}`).join("\n") + "\n";
        const started = Date.now();
        const comment = renderPlanComment([{ stack: "dev", base: lines("a"), head: lines("b") }]);
        // The bound on lines ends it long before the 2 s guard on the clock.
        assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
        assert.ok(comment.includes("<details><summary>dev: changed</summary>\n\nMore than 1000 lines differ: the pull request's plan.\n\n```text\nb 0\n"), comment.slice(0, 2000));
    });

    it("diffs up to MAX_DIFF_LINES lines added and removed together, and no more", () => {
        assert.strictEqual(MAX_DIFF_LINES, 1000);
        const base = Array.from({ length: 300 }, (_, i) => `kept ${i}`).join("\n") + "\n";
        const added = (n: number) => base + Array.from({ length: n }, (_, i) => `added ${i}`).join("\n") + "\n";
        const at = renderPlanComment([{ stack: "dev", base, head: added(1000) }]);
        assert.ok(at.includes("```diff\n--- base/dev\n+++ pull-request/dev\n@@ -298,3 +298,1003 @@\n kept 297\n"), at.slice(0, 1500));
        const over = renderPlanComment([{ stack: "dev", base, head: added(1001) }]);
        assert.ok(over.includes("More than 1000 lines differ: the pull request's plan.\n\n```text\nkept 0\n"), over.slice(0, 1500));
        // One line changed counts twice: removed and added.
        const changed = (n: number) => Array.from({ length: 600 }, (_, i) => i < n ? `changed ${i}` : `kept ${i}`).join("\n") + "\n";
        const base600 = changed(0);
        assert.ok(renderPlanComment([{ stack: "dev", base: base600, head: changed(500) }]).includes("```diff\n"));
        assert.ok(renderPlanComment([{ stack: "dev", base: base600, head: changed(501) }]).includes("More than 1000 lines differ"));
    });

    it("fences a plan holding backticks with a longer fence, so it cannot end the code block", () => {
        const comment = renderPlanComment([{ stack: "dev", head: "a ```` b\n" }]);
        // CommonMark, fenced code blocks: the closing fence must be at least as long as the opening one.
        assert.ok(comment.includes("`````text\na ```` b\n`````\n"), comment);
    });

    it("stays under GitHub's comment limit by leaving out whole stacks, and says so", () => {
        const big = (n: number) => Array.from({ length: 2000 }, (_, i) => `line ${i} of stack ${n}`).join("\n") + "\n";
        const stacks = Array.from({ length: 4 }, (_, n) => ({ stack: `s${n}`, head: big(n) }));
        const comment = renderPlanComment(stacks);
        assert.ok(comment.length <= MAX_COMMENT_CHARACTERS, String(comment.length));
        assert.ok(comment.includes("<details><summary>s0: new stack</summary>"));
        assert.ok(!comment.includes("<details><summary>s3: new stack</summary>"));
        assert.ok(comment.endsWith("stack(s) left out: the comment would pass GitHub's size limit. The workflow run's summary and its plan artifact hold every plan.\n"));
        // Every fence that opens, closes.
        assert.strictEqual((comment.match(/^```/gm) ?? []).length % 2, 0);
    });

    describe("the command", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-comment-"));
            fs.mkdirSync(path.join(dir, "base"));
            fs.mkdirSync(path.join(dir, "head"));
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        const run = (argv: string[]) => runInProcess("plan-comment", main, argv, {});

        it("reads <stack>.txt of both folders, ignoring what is not a stack's plan", async () => {
            fs.writeFileSync(path.join(dir, "base", "dev.txt"), "Site: acme-dev\n");
            fs.writeFileSync(path.join(dir, "head", "dev.txt"), "Site: acme-dev\n");
            fs.writeFileSync(path.join(dir, "head", "prod.txt"), "Site: acme\n");
            fs.writeFileSync(path.join(dir, "head", "notes.md"), "not a plan");
            fs.writeFileSync(path.join(dir, "head", "`rm -rf`.txt"), "not a stack name");
            fs.symlinkSync("/etc/hostname", path.join(dir, "head", "link.txt"));
            fs.writeFileSync(path.join(dir, "head", "huge.txt"), "x".repeat(MAX_PLAN_BYTES + 1));
            fs.writeFileSync(path.join(dir, "head", "...txt"), "a name of dots");
            const result = await run(["--base", path.join(dir, "base"), "--head", path.join(dir, "head")]);
            assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
            assert.ok(result.stdout.startsWith([...HEADER, "| `dev` | unchanged |", "| `huge` | new stack |", "| `link` | new stack |",
                "| `prod` | new stack |", "", "Ignored (not stack names): 2 file(s).", ""].join("\n")), result.stdout);
            assert.ok(result.stdout.includes("```text\n(the plan has 262145 bytes, more than 262144: not shown)\n```"));
            assert.ok(result.stdout.includes("<details><summary>link: new stack</summary>\n\n```text\n(not a regular file: not shown)\n```"));
            assert.ok(!result.stdout.includes("rm -rf") && !result.stdout.includes(fs.readFileSync("/etc/hostname", "utf8").trim() + "\n```"));
        });

        it("refuses missing options and unreadable folders (exit 2)", async () => {
            const usage = "(usage: npm run -s plan-comment -- --base <folder> --head <folder>; --help says more)";
            for (const [argv, message] of [
                [["--base", dir], `--base and --head are required ${usage}`],
                [["--base", path.join(dir, "nope"), "--head", dir], `--base ${JSON.stringify(path.join(dir, "nope"))} cannot be read (ENOENT)`],
            ] as [string[], string][]) {
                const result = await run(argv);
                assert.deepStrictEqual([result.code, result.stdout, result.stderr], [2, "", `plan-comment: ${message}\n`]);
            }
        });
    });
});
