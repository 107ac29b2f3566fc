import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COMMENT_MARKER, MAX_COMMENT_CHARACTERS, main, renderPlanComment } from "../ops/planComment";
import { runInProcess } from "./fakes/commands";

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
            fs.writeFileSync(path.join(dir, "head", "huge.txt"), "x".repeat(1024 * 1024 + 1));
            const result = await run(["--base", path.join(dir, "base"), "--head", path.join(dir, "head")]);
            assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
            assert.ok(result.stdout.startsWith([...HEADER, "| `dev` | unchanged |", "| `huge` | new stack |", "| `prod` | new stack |", "",
                "Ignored (not stack names): 2 file(s).", ""].join("\n")), result.stdout);
            assert.ok(result.stdout.includes("```text\n(the plan has 1048577 bytes, more than 1048576: not shown)\n```"));
            assert.ok(!result.stdout.includes("rm -rf") && !result.stdout.includes(fs.readFileSync("/etc/hostname", "utf8").trim() + "\n```"));
        });

        it("refuses missing options and unreadable folders (exit 2)", async () => {
            const usage = "(usage: npm run -s plan-comment -- --base <folder> --head <folder>)";
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
