/**
 * A user replaces the example stacks with their own (docs/ci.md, "Add a stack"): in a copy of the
 * repository with only their stack files, or none, the checks that read the root's stack files
 * agree with the files: the workflows' stack matrix, plan's listing of stacks, the bootstrap's
 * environments. In-process against the copy's root, apart from the workflows' own bash step.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { parse } from "yaml";
import * as fs from "fs";
import { executeCommand } from "../ops/io.ts";
import { planCommand } from "../ops/plan/command.ts";
import { ciIdentities } from "../bootstrap/identities.ts";
import { validateBootstrapConfig } from "../bootstrap/settings.ts";
import { ConfigError } from "../lib/configProblems.ts";
import { deployEnvironment, rotationEnvironment, stacksIn } from "../lib/stackFiles.ts";
import { runBootstrap } from "./bootstrap/harness.ts";
import { exampleStack, repositoryCopy } from "./exampleStacks.ts";

/** The stack files of a user who replaced the examples, and of one who has none yet. */
const SETS: Record<string, Record<string, string>> = {
    "only Pulumi.acme-prod.yaml": { "Pulumi.acme-prod.yaml": exampleStack("prod") },
    "three stacks of their own": {
        "Pulumi.acme-prod.yaml": exampleStack("prod"), "Pulumi.acme-dev.yaml": exampleStack("dev"), "Pulumi.contoso.yaml": exampleStack("prod"),
    },
    "no stack file (a fresh clone)": {},
};

/** The outputs the deploy workflow's stacks job gives in this root: its own step, run as GitHub runs a `run:` (bash -e). */
function workflowStacks(root: string): { stacks: string[]; count: number } {
    const deploy = parse(fs.readFileSync(path.join(root, ".github", "workflows", "deploy.yml"), "utf8"));
    const step = deploy.jobs.stacks.steps.find((s: { id?: string }) => s.id === "list");
    const output = path.join(root, ".github-output");
    fs.writeFileSync(output, "");
    const run = spawnSync("bash", ["-e", "-c", step.run], {
        cwd: root, env: { PATH: process.env.PATH, GITHUB_OUTPUT: output }, encoding: "utf8", timeout: 20_000, stdio: ["ignore", "pipe", "pipe"],
    });
    assert.deepStrictEqual([run.status, run.stdout, run.stderr], [0, "", ""]);
    const values = Object.fromEntries(fs.readFileSync(output, "utf8").trim().split("\n").map(line => line.split(/=(.*)/s).slice(0, 2)));
    fs.rmSync(output);
    return { stacks: JSON.parse(values.stacks), count: Number(values.count) };
}

async function plan(argv: string[], projectDir: string) {
    let stdout = "";
    let stderr = "";
    const code = await executeCommand("plan", planCommand({ projectDir }), { argv, env: {}, now: () => new Date("2026-06-15T12:00:00Z"),
        stdout: text => { stdout += text; }, stderr: text => { stderr += text; }, pulumi: () => Promise.reject(new Error("plan runs no pulumi")) });
    return { code, stdout, stderr };
}

describe("a copy of the repository with the user's own stack files", () => {
    for (const [name, files] of Object.entries(SETS)) {
        describe(name, () => {
            const expected = Object.keys(files).map(file => file.slice("Pulumi.".length, -".yaml".length)).sort();
            let copy: ReturnType<typeof repositoryCopy>;
            before(() => { copy = repositoryCopy(files); });
            after(() => copy.remove());

            it("has the workflows run exactly its stacks, each in its environments, and skip the matrix jobs without any", () => {
                const listed = workflowStacks(copy.root);
                assert.deepStrictEqual(listed, { stacks: expected, count: expected.length });
                assert.deepStrictEqual(stacksIn(copy.root), expected);
                const jobs = ["deploy.yml", "rotation.yml"].map(file =>
                    Object.values(parse(fs.readFileSync(path.join(copy.root, ".github", "workflows", file), "utf8")).jobs)
                        .find((job: any) => job.strategy) as { if: string; environment: string });
                for (const job of jobs) {
                    // The job's `if:` as GitHub compares the output (a string).
                    assert.strictEqual(job.if, "needs.stacks.outputs.count != '0'");
                    assert.strictEqual(String(listed.count) !== "0", expected.length > 0);
                }
                assert.deepStrictEqual(listed.stacks.map(s => jobs[0].environment.replace("${{ matrix.stack }}", s)), expected.map(deployEnvironment));
                assert.deepStrictEqual(listed.stacks.map(s => jobs[1].environment.replace("${{ matrix.stack }}", s)), expected.map(rotationEnvironment));
            });

            it("has plan name the stack files there are", async () => {
                const run = await plan(["--stack", "qa"], copy.root);
                assert.strictEqual(run.code, 2);
                assert.strictEqual(run.stderr, 'plan: stack "qa" has no stack file Pulumi.qa.yaml; ' + (expected.length > 0
                    ? `stack files here: ${expected.map(s => `Pulumi.${s}.yaml`).join(", ")} (create one with: pulumi stack init qa)\n`
                    : "there are no stack files here (create one with: pulumi stack init qa)\n"));
                // Planning a user's stack from a clone: plan.test.ts, "runs from a fresh clone with one stack of the user's own".
            });

            it("has the bootstrap make an identity for each of its stacks' environments, or say there are no stacks", async () => {
                // The settings the program computes from this root (bootstrap/index.ts: stacksIn of its repository's root).
                const raw = { githubRepository: "contoso/crm" };
                if (expected.length === 0) {
                    assert.throws(() => validateBootstrapConfig(raw, () => stacksIn(copy.root)), (err: ConfigError) =>
                        err instanceof ConfigError && err.problems.length === 1 &&
                        err.problems[0].startsWith("stacks = \"\": unset, and the repository's root has no Pulumi.<stack>.yaml file; allowed: "));
                    return;
                }
                const environments = [...expected.map(deployEnvironment), ...expected.map(rotationEnvironment)];
                assert.deepStrictEqual(ciIdentities(validateBootstrapConfig(raw, () => stacksIn(copy.root))).map(i => i.environment), environments);
                if (expected.length > 1) {
                    // The copy's own program, run against mocks: it reads its own root.
                    const { values } = await runBootstrap(raw, { program: path.join(copy.root, "bootstrap", "index.ts"), stacksFromRoot: true });
                    assert.deepStrictEqual(Object.keys(values.environments as object), environments);
                }
            });
        });
    }
});
