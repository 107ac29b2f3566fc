import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CreatioOAuthApp } from "../components/creatioOAuthApp.ts";
import { validateConfig } from "../lib/settings.ts";
import { TenantMocks, promiseOf, withoutPromiseStacks } from "./mocks.ts";
import { POLICY_PACK } from "../ops/routineCheck.ts";
import { HARNESS_STACKS, IDENTITY_IDS, ofType, runBootstrap } from "./bootstrap/harness.ts";
import { MAX_STACKS, StackFilesError, deployEnvironment, rotationEnvironment, stackNamed, stacksIn } from "../lib/stackFiles.ts";

const ROOT = path.join(import.meta.dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const SETUP_ACTION = path.join(".github", "actions", "setup", "action.yml");

const readText = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const readYaml = (file: string) => parse(readText(file));
const workflow = (name: string) => readYaml(path.join(".github", "workflows", name));

/** The script the jobs that list the stacks run (its result: the stacks of the root's Pulumi.<stack>.yaml files, whatever they are). */
const STACKS_SCRIPT = path.join(".github", "scripts", "stacks.sh");

type Step = { uses?: string; run?: string; name?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = {
    steps: Step[]; environment?: string; strategy?: { matrix: any }; needs?: string | string[]; if?: string;
    permissions?: Record<string, string>; env?: Record<string, string>; outputs?: Record<string, string>;
};
const stepNamed = (job: Job, name: string) => {
    const step = job.steps.find(s => s.name === name);
    assert.ok(step, `a step named ${name}`);
    return step!;
};
/** Any expression that reads the secrets context, in any form (`secrets.X`, `secrets['X']`, `toJSON(secrets)`). */
const mentionsSecret = (value: unknown) => /\$\{\{[^}]*\bsecrets\b/.test(JSON.stringify(value ?? null));

/** The state credentials every step that runs pulumi gets from the job's environment, and nothing at job level. */
const STATE_SECRETS = {
    PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
    PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
};
/** Creatio credentials, as the deliver command reads them, from the job's environment secrets. */
const CREATIO_SECRETS = ["CREATIO_USERNAME", "CREATIO_PASSWORD", "CREATIO_IDENTITY_URL", "CREATIO_API_CLIENT_ID", "CREATIO_API_CLIENT_SECRET"];
const deliverEnv = (environment: string) => ({
    ENVIRONMENT: environment,
    // What the environment pins (ops/creatio/environmentPins.ts): a forged stack output cannot redirect the credentials.
    CREATIO_SITE_URL: "${{ vars.CREATIO_SITE_URL }}",
    AZURE_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
    ...STATE_SECRETS,
    ...Object.fromEntries(CREATIO_SECRETS.map(name => [name, `\${{ secrets.${name} }}`])),
});

/**
 * The job environment of a job that signs in to Entra ID: as its GitHub environment's own identity,
 * whose client id is that environment's variable (an environment variable outranks a repository
 * one of the same name: github/docs, "Store information in variables").
 */
const SIGN_IN_ENV = {
    STACK: "${{ matrix.stack }}",
    PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
    AZURE_STORAGE_ACCOUNT: "${{ vars.AZURE_STORAGE_ACCOUNT }}",
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: "${{ vars.AZURE_CI_CLIENT_ID }}",
    ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
};

/** The job that holds no secret and no OIDC token runs the tests; the jobs that do wait for it and for the stacks' listing. */
function assertTestJobFirst(wf: any, writer: string, lister: string) {
    const test: Job = wf.jobs.test;
    assert.deepStrictEqual(test.permissions, { contents: "read" });
    assert.deepStrictEqual(test.steps.map(s => s.uses ?? s.run), [
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "./.github/actions/setup", "npm test"]);
    assert.deepStrictEqual(wf.jobs[writer].needs, ["test", lister]);
}

/**
 * The stacks job of deploy and rotation: lists the root's stack files when the run starts, in a job
 * that may only read the code, as outputs the matrix reads with fromJSON (github/docs,
 * expressions.md, fromJSON "Example returning a JSON object": a job's `outputs` from a step's
 * `$GITHUB_OUTPUT`, then `needs.<job>.outputs.<name>` in the next job's strategy.matrix).
 */
const STACKS_JOB = {
    "runs-on": "ubuntu-latest",
    "timeout-minutes": 5,
    permissions: { contents: "read" },
    outputs: { stacks: "${{ steps.list.outputs.stacks }}", count: "${{ steps.list.outputs.count }}" },
    steps: [
        { uses: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", with: { "persist-credentials": false } },
        { name: "List the stacks", id: "list", run: `bash ${STACKS_SCRIPT} >> "$GITHUB_OUTPUT"` },
    ],
};

/** A matrix job over the listed stacks, skipped when there are none. */
function assertStackMatrix(job: Job) {
    // A matrix of no values fails the run ("Matrix vector ... does not contain any values", GatoGraphQL/GatoGraphQL#315): no stack, no job.
    assert.strictEqual(job.if, "needs.stacks.outputs.count != '0'");
    assert.deepStrictEqual(job.strategy, { "fail-fast": false, matrix: { stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" } });
}

/** What GitHub makes of an environment expression for this stack: the workflows use `${{ matrix.stack }}` or `${{ inputs.stack }}` only. */
const environmentOf = (expression: string, stack: string) => expression.replace(/\$\{\{ (?:matrix|inputs)\.stack \}\}/g, stack);

/** Verify, then deliver: the order both writing workflows keep after their `pulumi up`. */
function assertUpVerifyDeliver(job: Job, up: Step) {
    const environment = job.environment!;
    const verify = stepNamed(job, "Verify the credential");
    const deliver = stepNamed(job, "Deliver the secret to Creatio");
    assert.deepStrictEqual([job.steps.indexOf(up) < job.steps.indexOf(verify), job.steps.indexOf(verify) < job.steps.indexOf(deliver)], [true, true]);
    assert.match(verify.run!, /^for attempt in 1 2 3 4 5; do\n {2}npm run -s verify -- --stack "\$STACK" && exit 0\n {2}sleep 30\ndone\nexit 1\n$/);
    assert.deepStrictEqual(verify.env, STATE_SECRETS);
    // No `if:`: deliver runs only when verify succeeded (GitHub's default success()).
    assert.strictEqual(deliver.if, undefined);
    assert.deepStrictEqual(deliver.env, deliverEnv(environment));
}

/** A folder with stand-in executables that record their arguments; `script` is the body of each. */
function standIns(scripts: Record<string, string>) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-step-"));
    for (const [name, body] of Object.entries(scripts)) {
        fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${bin}/${name}.calls"\n${body}\n`, { mode: 0o755 });
    }
    const calls = (name: string) => fs.existsSync(path.join(bin, `${name}.calls`))
        ? fs.readFileSync(path.join(bin, `${name}.calls`), "utf8").trim().split("\n") : [];
    return { bin, calls, remove: () => fs.rmSync(bin, { recursive: true, force: true }) };
}

/** Runs a `run:` as GitHub runs one without `shell:` on Linux: the script in a file, `bash -e <file>` (github/docs workflow-syntax, defaults.run.shell). */
function runStep(script: string, cwd: string, env: Record<string, string>) {
    const file = path.join(cwd, ".step.sh");
    fs.writeFileSync(file, script);
    const result = spawnSync("bash", ["-e", file], { cwd, env, encoding: "utf8", timeout: 20_000, stdio: ["ignore", "pipe", "pipe"] });
    fs.rmSync(file);
    return result;
}

/** The environments of the jobs that sign in, by one rule (lib/stackFiles.ts): stack S deploys in S, rotates in rotation-S. */
const DEPLOY_ENVIRONMENT = "${{ matrix.stack }}";
const ROTATION_ENVIRONMENT = "rotation-${{ matrix.stack }}";
/** rotate-now.yml's one job: the deploy environment of the stack chosen. */
const ROTATE_NOW_ENVIRONMENT = "${{ inputs.stack }}";
const ENVIRONMENTS = [DEPLOY_ENVIRONMENT, ROTATION_ENVIRONMENT, ROTATE_NOW_ENVIRONMENT];

const PACKAGE_SCRIPTS: Record<string, string> = JSON.parse(readText("package.json")).scripts;
/** The ops commands that run the pulumi CLI; a new one must be added here and kept out of pull requests. */
const PULUMI_SCRIPTS = ["credentials", "deliver", "rotate-now", "routine-check", "status", "verify"];

describe("GitHub workflows", () => {
    describe("pull requests", () => {
        const wf = workflow("pull-request.yml");

        it("run on pull requests to main, with no permission but what each job names", () => {
            assert.deepStrictEqual(Object.keys(wf.on), ["pull_request"]);
            assert.deepStrictEqual(wf.on.pull_request.branches, ["main"]);
            assert.deepStrictEqual(wf.permissions, {});
            assert.deepStrictEqual(Object.keys(wf.jobs), ["test", "plan", "comment"]);
        });

        it("hold no secret, no backend credential and no OIDC token in any job", () => {
            assert.ok(!mentionsSecret(wf), "no secrets.* in the pull request workflow");
            for (const [name, job] of Object.entries(wf.jobs as Record<string, Job>)) {
                assert.strictEqual(job.environment, undefined, name);
                assert.ok(!("id-token" in (job.permissions ?? {})), `${name} requests no OIDC token`);
                assert.ok(!/PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE|ARM_|AZURE_/.test(JSON.stringify(job)), name);
            }
        });

        it("test in a job that may only read the code", () => {
            assert.deepStrictEqual(wf.jobs.test.permissions, { contents: "read" });
            assert.ok(wf.jobs.test.steps.some((s: Step) => s.run === "npm test"));
        });

        it("check the stack files' names by the rule of deploy and rotation, failing the job on a name they refuse", () => {
            const step = stepNamed(wf.jobs.test, "Check the stack files' names");
            assert.deepStrictEqual(step, { name: "Check the stack files' names", run: "bash .github/scripts/stacks.sh > /dev/null" });
            // Before anything the pull request installs runs, in the read-only job.
            assert.ok(wf.jobs.test.steps.indexOf(step) < wf.jobs.test.steps.findIndex((s: Step) => s.uses === "./.github/actions/setup"));
            // github/docs workflow-syntax, jobs.<job_id>.steps[*].shell: bash's default is "bash -e {0}" (with --noprofile --norc).
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "pr-stacks-"));
            try {
                fs.mkdirSync(path.join(root, ".github", "scripts"), { recursive: true });
                fs.copyFileSync(path.join(ROOT, STACKS_SCRIPT), path.join(root, STACKS_SCRIPT));
                const runStep = () => spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", step.run!], { cwd: root, env: { PATH: process.env.PATH }, encoding: "utf8", timeout: 20_000 });
                fs.writeFileSync(path.join(root, "Pulumi.acme-prod.yaml"), "config: {}\n");
                assert.deepStrictEqual([runStep().status, runStep().stdout, runStep().stderr], [0, "", ""]);
                fs.writeFileSync(path.join(root, "Pulumi.acme.prod.yaml"), "config: {}\n");
                const refused = runStep();
                assert.deepStrictEqual([refused.status, refused.stdout], [1, ""]);
                assert.match(refused.stderr, /^::error title=Not a stack name::Pulumi\.acme\.prod\.yaml is not a stack file/);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });

        it("plan every stack on the base branch and on the pull request, each with its own code, then compose the comment", () => {
            const job: Job = wf.jobs.plan;
            assert.deepStrictEqual(job.permissions, { contents: "read" });
            const checkouts = job.steps.filter(s => s.uses?.startsWith("actions/checkout@"));
            assert.deepStrictEqual(checkouts.map(s => s.with), [
                { "path": "head", "persist-credentials": false },
                // github/docs webhook-events-and-payloads.md, pull_request: pull_request.base.sha
                { "ref": "${{ github.event.pull_request.base.sha }}", "path": "base", "persist-credentials": false },
            ]);
            assert.strictEqual(stepNamed(job, "Compose the comment").run,
                "(cd head && npm run -s plan-comment -- --base ../plans/base --head ../plans/head) > comment.md\n" +
                'cat comment.md >> "$GITHUB_STEP_SUMMARY"\n');
        });

        describe("the plan step", () => {
            const script = stepNamed(wf.jobs.plan, "Plan every stack, on the base branch and on the pull request").run!;
            let work: string;
            let tools: ReturnType<typeof standIns>;
            beforeEach(() => {
                work = fs.mkdtempSync(path.join(os.tmpdir(), "plan-step-"));
                // A stand-in npm: `npm ci` does nothing; `npm run -s plan -- --stack S` prints where it ran, and fails for a stack named broken.
                tools = standIns({ npm: [
                    'if [ "$1" = ci ]; then exit 0; fi',
                    'stack=$6; printf "plan of %s in %s\\n" "$stack" "$(basename "$PWD")"',
                    'if [ "$stack" = broken ]; then echo "error: bad config" >&2; exit 1; fi',
                ].join("\n") });
            });
            afterEach(() => {
                fs.rmSync(work, { recursive: true, force: true });
                tools.remove();
            });

            function stacks(side: string, names: string[]) {
                fs.mkdirSync(path.join(work, side));
                fs.writeFileSync(path.join(work, side, "Pulumi.yaml"), "name: creatio-m365-oauth\n");
                for (const name of names) {
                    fs.writeFileSync(path.join(work, side, `Pulumi.${name}.yaml`), "config: {}\n");
                }
            }

            it("plans whatever stack files each side has, and records a failed plan instead of stopping", () => {
                stacks("base", ["acme-dev", "acme-prod"]);
                stacks("head", ["acme-prod", "broken", "contoso"]);
                const run = runStep(script, work, { PATH: `${tools.bin}:${process.env.PATH}` });
                assert.deepStrictEqual([run.status, run.stderr], [0, ""]);
                const read = (side: string) => Object.fromEntries(fs.readdirSync(path.join(work, "plans", side)).sort()
                    .map(file => [file, fs.readFileSync(path.join(work, "plans", side, file), "utf8")]));
                assert.deepStrictEqual(read("base"), {
                    "acme-dev.txt": "plan of acme-dev in base\n",
                    "acme-prod.txt": "plan of acme-prod in base\n",
                });
                assert.deepStrictEqual(read("head"), {
                    "acme-prod.txt": "plan of acme-prod in head\n",
                    "broken.txt": "plan of broken in head\nerror: bad config\n(npm run -s plan exited with 1)\n",
                    "contoso.txt": "plan of contoso in head\n",
                });
                assert.deepStrictEqual(tools.calls("npm"), [
                    "ci --ignore-scripts --no-audit --no-fund",
                    "run -s plan -- --stack acme-dev", "run -s plan -- --stack acme-prod",
                    "ci --ignore-scripts --no-audit --no-fund",
                    "run -s plan -- --stack acme-prod", "run -s plan -- --stack broken", "run -s plan -- --stack contoso",
                ]);
            });

            it("has nothing to plan on a side without stack files", () => {
                stacks("base", []);
                stacks("head", ["dev"]);
                const run = runStep(script, work, { PATH: `${tools.bin}:${process.env.PATH}` });
                assert.strictEqual(run.status, 0, run.stderr);
                assert.deepStrictEqual(fs.readdirSync(path.join(work, "plans", "base")), []);
                assert.deepStrictEqual(fs.readdirSync(path.join(work, "plans", "head")), ["dev.txt"]);
            });
        });

        describe("the comment job", () => {
            const job: Job = wf.jobs.comment;
            const post = stepNamed(job, "Post or update the plan comment");

            it("may only write pull request comments, runs no code of the pull request, and skips forks", () => {
                assert.deepStrictEqual(job.permissions, { "pull-requests": "write" });
                assert.strictEqual(job.needs, "plan");
                // github/docs webhook-events-and-payloads.md, pull_request: head.repo.full_name; a fork's token is read-only (security hardening).
                assert.strictEqual(job.if, "github.event.pull_request.head.repo.full_name == github.repository");
                assert.deepStrictEqual(job.steps.map(s => s.uses ?? s.name), [
                    "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "Post or update the plan comment"]);
                assert.ok(!/\bnpm\b|\bnode\b|checkout/.test(JSON.stringify(job)));
                assert.deepStrictEqual(post.env, { GH_TOKEN: "${{ github.token }}", PR: "${{ github.event.pull_request.number }}" });
            });

            function runPost(existingId: string) {
                const work = fs.mkdtempSync(path.join(os.tmpdir(), "comment-step-"));
                fs.writeFileSync(path.join(work, "comment.md"), "<!-- creatio-m365-oauth plan -->\nplan\n");
                // A stand-in gh: the comment listing answers with the id the test gives (gh applies --jq itself).
                const tools = standIns({ gh: `case "$*" in *--paginate*) [ -n "${existingId}" ] && echo "${existingId}";; esac; exit 0` });
                try {
                    const run = runStep(post.run!, work, { PATH: `${tools.bin}:${process.env.PATH}`, GITHUB_REPOSITORY: "contoso/crm", PR: "42", GH_TOKEN: "t" });
                    assert.strictEqual(run.status, 0, run.stderr);
                    return tools.calls("gh");
                } finally {
                    tools.remove();
                    fs.rmSync(work, { recursive: true, force: true });
                }
            }

            // GitHub REST API, issues/comments: GET /repos/{owner}/{repo}/issues/{issue_number}/comments,
            // PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}, POST /repos/{owner}/{repo}/issues/{issue_number}/comments.
            const LIST = "api --paginate repos/contoso/crm/issues/42/comments --jq .[] | select(.user.login == \"github-actions[bot]\" " +
                "and (.body | startswith(\"<!-- creatio-m365-oauth plan -->\"))) | .id";

            it("updates its own earlier comment, found by the marker the comment starts with", () => {
                assert.deepStrictEqual(runPost("9001"), [LIST, "api --method PATCH repos/contoso/crm/issues/comments/9001 -F body=@comment.md"]);
            });

            it("posts a new comment when it has none yet", () => {
                assert.deepStrictEqual(runPost(""), [LIST, "api --method POST repos/contoso/crm/issues/42/comments -F body=@comment.md"]);
            });
        });
    });

    describe("deploy (main)", () => {
        const wf = workflow("deploy.yml");
        const job: Job = wf.jobs.deploy;

        it("runs on pushes to main, and by hand, on nothing else", () => {
            // A pull_request_target run's GITHUB_REF is the base branch, which the environments admit: never here.
            assert.deepStrictEqual(Object.keys(wf.on).sort(), ["push", "workflow_dispatch"]);
            assert.deepStrictEqual(wf.on.push, { branches: ["main"] });
        });

        it("tests first, in a job with no secret and no OIDC token", () => {
            assertTestJobFirst(wf, "deploy", "stacks");
        });

        it("lists the stacks when the run starts, in a job that may only read the code", () => {
            assert.deepStrictEqual(wf.jobs.stacks, STACKS_JOB);
        });

        it("deploys every stack listed through the GitHub environment named as the stack, as that environment's identity", () => {
            assertStackMatrix(job);
            assert.strictEqual(job.environment, DEPLOY_ENVIRONMENT);
            for (const stack of ["dev", "acme-prod", "Contoso_2"]) {
                assert.strictEqual(environmentOf(job.environment, stack), deployEnvironment(stack));
            }
            assert.strictEqual((job as any).concurrency.group, "pulumi-${{ matrix.stack }}");
            assert.deepStrictEqual(job.permissions, { "contents": "read", "id-token": "write" });
            assert.deepStrictEqual(job.env, SIGN_IN_ENV);
        });

        it("previews with routine-check, then runs pulumi up under the policy pack without outputs in the log", () => {
            const preview = stepNamed(job, "Preview, refusing an administrator's change");
            const up = stepNamed(job, "Deploy");
            assert.strictEqual(preview.run, 'npm run -s routine-check -- --stack "$STACK"');
            // pulumi/pulumi pkg/cmd/pulumi/operations/up.go: --policy-pack, --yes, --skip-preview, --diff, --suppress-outputs, --suppress-progress
            assert.strictEqual(up.run, 'pulumi up --stack "$STACK" --policy-pack policy --yes --skip-preview --diff --suppress-outputs --suppress-progress');
            assert.deepStrictEqual([preview.env, up.env], [STATE_SECRETS, STATE_SECRETS]);
            // The JSON preview leaves policy violations out (pulumi/pulumi pkg/backend/display/json.go): on a failure the plain one shows them.
            const why = stepNamed(job, "Show why the preview failed");
            assert.deepStrictEqual(why, {
                name: "Show why the preview failed", if: "failure() && steps.preview.outcome == 'failure'",
                run: 'pulumi preview --stack "$STACK" --policy-pack policy --diff --suppress-outputs --suppress-progress', env: STATE_SECRETS,
            });
            assert.strictEqual((preview as { id?: string }).id, "preview");
            assert.deepStrictEqual([job.steps.indexOf(why), job.steps.indexOf(up)], [job.steps.indexOf(preview) + 1, job.steps.indexOf(preview) + 2]);
        });

        it("verifies the new credential, then delivers it into Creatio", () => {
            assertUpVerifyDeliver(job, stepNamed(job, "Deploy"));
        });
    });

    describe("rotation (schedule)", () => {
        const wf = workflow("rotation.yml");
        const job: Job = wf.jobs.rotate;

        it("runs weekly, and by hand", () => {
            assert.strictEqual(wf.on.schedule.length, 1);
            const [minute, hour, dayOfMonth, month, dayOfWeek] = wf.on.schedule[0].cron.split(" ");
            assert.ok(/^\d+$/.test(minute) && /^\d+$/.test(hour), wf.on.schedule[0].cron);
            assert.deepStrictEqual([dayOfMonth, month], ["*", "*"]);
            assert.match(dayOfWeek, /^[0-6]$/);
            assert.deepStrictEqual(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
        });

        it("tests first, in a job with no secret and no OIDC token", () => {
            assertTestJobFirst(wf, "rotate", "stacks");
        });

        it("lists the stacks as the deploy workflow does", () => {
            assert.deepStrictEqual(wf.jobs.stacks, STACKS_JOB);
        });

        it("rotates every stack through its own rotation environment, never a deploy environment, as that environment's identity", () => {
            assertStackMatrix(job);
            assert.strictEqual(job.environment, ROTATION_ENVIRONMENT);
            for (const stack of ["dev", "acme-prod", "Contoso_2"]) {
                assert.strictEqual(environmentOf(job.environment, stack), rotationEnvironment(stack));
            }
            // No stack's rotation environment is a deploy environment: stacks.sh refuses a stack named rotation-<anything>.
            assert.strictEqual((job as any).concurrency.group, "pulumi-${{ matrix.stack }}");
            assert.deepStrictEqual(job.permissions, { "contents": "read", "id-token": "write" });
            assert.deepStrictEqual(job.env, SIGN_IN_ENV);
        });

        it("targets exactly the two password slots the program declares, under the policy pack", async () => {
            const rotate = stepNamed(job, "Rotate");
            assert.deepStrictEqual(rotate.env, STATE_SECRETS);
            const urns = await withoutPromiseStacks(async () => {
                await pulumi.runtime.setMocks(new TenantMocks(0), "creatio-m365-oauth", "prod", false);
                const settings = validateConfig({ siteName: "acme" });
                // The name index.ts gives the component.
                const app = new CreatioOAuthApp("creatio", { ...settings, now: new Date("2026-11-28T00:00:00Z") });
                return Promise.all(app.passwords.map(p => promiseOf(p.urn)));
            });
            const work = fs.mkdtempSync(path.join(os.tmpdir(), "rotate-step-"));
            const tools = standIns({ pulumi: "exit 0" });
            try {
                const run = runStep(rotate.run!, work, { PATH: `${tools.bin}:${process.env.PATH}`, STACK: "prod" });
                assert.strictEqual(run.status, 0, run.stderr);
                // pulumi/pulumi pkg/cmd/pulumi/operations/up.go: --target, "Specify a single resource URN to update ... Multiple resources can be specified using --target urn1 --target urn2".
                assert.deepStrictEqual(tools.calls("pulumi"), [["up", "--stack", "prod", "--policy-pack", "policy", "--yes", "--skip-preview",
                    "--suppress-outputs", "--suppress-progress", "--target", urns[0], "--target", urns[1]].join(" ")]);
            } finally {
                tools.remove();
                fs.rmSync(work, { recursive: true, force: true });
            }
        });

        it("verifies the new credential, then delivers it into Creatio", () => {
            assertUpVerifyDeliver(job, stepNamed(job, "Rotate"));
        });

        it("checks the expiry last, even when a step before failed", () => {
            const status = stepNamed(job, "Check the secret's expiry");
            assert.strictEqual(status.run, 'npm run -s status -- --stack "$STACK" --threshold-days "${THRESHOLD_DAYS:-30}"');
            assert.deepStrictEqual(status.env, { THRESHOLD_DAYS: "${{ vars.SECRET_EXPIRY_THRESHOLD_DAYS }}", ...STATE_SECRETS });
            assert.strictEqual(status.if, "always()");
            assert.strictEqual(job.steps.indexOf(status), job.steps.length - 1);
        });
    });

    describe("rotate-now (by hand)", () => {
        const wf = workflow("rotate-now.yml");
        const job: Job = wf.jobs["rotate-now"];

        it("runs only by hand, for one stack named, which must have a stack file before any job takes an environment", () => {
            assert.deepStrictEqual(Object.keys(wf.on), ["workflow_dispatch"]);
            // A choice's options are fixed in the file: a name, checked against the stack files when the run starts.
            const input = wf.on.workflow_dispatch.inputs.stack;
            assert.deepStrictEqual([input.type, input.required, input.options], ["string", true, undefined]);
            assert.deepStrictEqual(wf.jobs.stack, {
                "runs-on": "ubuntu-latest", "timeout-minutes": 5, permissions: { contents: "read" },
                steps: [
                    { uses: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", with: { "persist-credentials": false } },
                    // The name reaches the script as an argument from the environment, never into the script's text.
                    { name: "Check the stack has a stack file", run: `bash ${STACKS_SCRIPT} "$STACK"`, env: { STACK: "${{ inputs.stack }}" } },
                ],
            });
        });

        it("tests first, in a job with no secret and no OIDC token", () => {
            assertTestJobFirst(wf, "rotate-now", "stack");
        });

        it("runs in the stack's deploy environment, as that environment's identity, one pulumi run at a time", () => {
            assert.strictEqual(job.environment, ROTATE_NOW_ENVIRONMENT);
            assert.strictEqual(environmentOf(job.environment, "acme-prod"), deployEnvironment("acme-prod"));
            assert.strictEqual(environmentOf(job.environment, "acme-prod"), environmentOf(workflow("deploy.yml").jobs.deploy.environment, "acme-prod"));
            assert.deepStrictEqual(job.env, { ...SIGN_IN_ENV, STACK: "${{ inputs.stack }}" });
            assert.deepStrictEqual(job.permissions, { contents: "read", "id-token": "write" });
            assert.deepStrictEqual((job as any).concurrency, { group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
        });

        it("runs rotate-now with the state and Creatio credentials and the environment's pins, in that step only", () => {
            const step = stepNamed(job, "Replace both secrets, delivering each into Creatio");
            assert.strictEqual(step.run, 'npm run -s rotate-now -- --stack "$STACK"');
            const { ENVIRONMENT: _unused, ...expected } = deliverEnv(ROTATE_NOW_ENVIRONMENT);
            assert.deepStrictEqual(step.env, expected);
            assert.deepStrictEqual(job.steps.filter(s => mentionsSecret(s)), [step]);
        });
    });

    describe("the delivery step", () => {
        const deliverScript = stepNamed(workflow("deploy.yml").jobs.deploy, "Deliver the secret to Creatio").run!;
        let tools: ReturnType<typeof standIns>;
        beforeEach(() => { tools = standIns({ npm: "exit 0" }); });
        afterEach(() => tools.remove());

        function run(secrets: Record<string, string>) {
            const env = { PATH: `${tools.bin}:${process.env.PATH}`, STACK: "prod", ENVIRONMENT: "production",
                ...Object.fromEntries(CREATIO_SECRETS.map(name => [name, ""])), ...secrets };
            const result = runStep(deliverScript, tools.bin, env);
            for (const value of Object.values(secrets)) {
                assert.ok(!result.stdout.includes(value) && !result.stderr.includes(value), "no secret in the log");
            }
            return { status: result.status, stdout: result.stdout, stderr: result.stderr, npm: tools.calls("npm") };
        }

        it("is the same in the deploy and the rotation workflow", () => {
            assert.strictEqual(stepNamed(workflow("rotation.yml").jobs.rotate, "Deliver the secret to Creatio").run, deliverScript);
        });

        it("delivers with a Creatio user and password", () => {
            assert.deepStrictEqual(run({ CREATIO_USERNAME: "svc-mail", CREATIO_PASSWORD: "pw-9f8e7d" }),
                { status: 0, stdout: "", stderr: "", npm: ["run -s deliver -- --stack prod"] });
        });

        it("delivers with an Identity Service client", () => {
            assert.deepStrictEqual(run({ CREATIO_IDENTITY_URL: "https://acme-is.creatio.com", CREATIO_API_CLIENT_ID: "cid-1234", CREATIO_API_CLIENT_SECRET: "cs-5678" }),
                { status: 0, stdout: "", stderr: "", npm: ["run -s deliver -- --stack prod"] });
        });

        it("says clearly that it skipped delivery when the environment holds no Creatio credentials", () => {
            // github/docs workflow-commands.md: ::notice title={title}::{message}
            assert.deepStrictEqual(run({}), {
                status: 0, stderr: "", npm: [],
                stdout: "::notice title=Delivery skipped::Environment production has no Creatio credentials " +
                    "(CREATIO_USERNAME + CREATIO_PASSWORD, or CREATIO_IDENTITY_URL + CREATIO_API_CLIENT_ID + CREATIO_API_CLIENT_SECRET): " +
                    "stack prod was not delivered into Creatio; put its clientSecret there by hand.\n",
            });
        });

        it("fails on half-configured credentials instead of skipping them", () => {
            const halves: Record<string, string>[] = [{ CREATIO_USERNAME: "svc-mail" }, { CREATIO_API_CLIENT_ID: "cid-1234", CREATIO_API_CLIENT_SECRET: "cs-5678" }];
            for (const secrets of halves) {
                // github/docs workflow-commands.md: ::error title={title}::{message}
                assert.deepStrictEqual(run(secrets), {
                    status: 1, stderr: "", npm: [],
                    stdout: "::error title=Creatio credentials incomplete::Environment production has only part of " +
                        "CREATIO_USERNAME + CREATIO_PASSWORD or CREATIO_IDENTITY_URL + CREATIO_API_CLIENT_ID + CREATIO_API_CLIENT_SECRET: nothing was delivered.\n",
                });
            }
        });
    });

    describe("the CI identities the bootstrap creates", () => {
        const REPO = "contoso/creatio-m365-oauth";
        const WRITERS: [string, string][] = [["deploy.yml", "deploy"], ["rotation.yml", "rotate"], ["rotate-now.yml", "rotate-now"]];

        it("let each environment's jobs sign in as that environment's identity alone, and a pull request as none", async () => {
            const { values, mocks } = await runBootstrap({ githubRepository: REPO });
            const trusted = (identity: string) => ofType(mocks, "applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential")
                .filter(([name]) => name.startsWith(`${identity}-oidc-`)).map(([, inputs]) => inputs.subject as string);
            const environments = values.environments as Record<string, { clientId: string }>;
            const seen = new Set<string>();
            for (const [file, jobName] of WRITERS) {
                const job: Job = workflow(file).jobs[jobName];
                assert.strictEqual(job.env!.ARM_CLIENT_ID, "${{ vars.AZURE_CI_CLIENT_ID }}", file);
                // The stacks the bootstrap was run for: each job's environment for each of them has its identity.
                for (const environment of (JSON.parse(HARNESS_STACKS) as string[]).map(stack => environmentOf(job.environment!, stack))) {
                    assert.strictEqual(environments[environment].clientId, IDENTITY_IDS[`ci-${environment}`].clientId, environment);
                    // github/docs oidc.md, "Filtering for a specific environment": repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME
                    assert.deepStrictEqual(trusted(`ci-${environment}`), [`repo:${REPO}:environment:${environment}`]);
                    seen.add(environment);
                }
            }
            assert.deepStrictEqual([...seen].sort(), Object.keys(environments).sort());
            for (const [name, job] of Object.entries(workflow("pull-request.yml").jobs as Record<string, Job>)) {
                assert.ok(!("id-token" in (job.permissions ?? {})), name);
            }
        });

        it("are wired to the CI variables the CI page's setup names", () => {
            const page = readText(path.join("docs", "ci.md"));
            assert.ok(page.includes("`tenantId` to the repository variable `AZURE_TENANT_ID`"));
            assert.ok(page.includes("`environments.<environment>.clientId` to that environment's variable `AZURE_CI_CLIENT_ID`"));
        });
    });

    describe("the stacks script (.github/scripts/stacks.sh)", () => {
        let work: string;
        beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-script-")); });
        afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

        function withFiles(names: string[]) {
            fs.writeFileSync(path.join(work, "Pulumi.yaml"), "name: creatio-m365-oauth\n");
            for (const name of names) {
                fs.writeFileSync(path.join(work, name), "config: {}\n");
            }
        }
        /**
         * The script as the step runs it, in a root with these files; with what lib/stackFiles.ts (the bootstrap's reading) makes of them.
         * Its stdout goes to $GITHUB_OUTPUT (deploy.yml, rotation.yml), so it must hold only the outputs; errors go to stderr, which the
         * runner reads workflow commands from too (actions/runner src/Runner.Worker/Handlers/ScriptHandler.cs).
         */
        function list(args: string[] = []) {
            const run = spawnSync("bash", [path.join(ROOT, STACKS_SCRIPT), ...args], { cwd: work, env: { PATH: process.env.PATH }, encoding: "utf8", timeout: 20_000 });
            let lib: string[] | string;
            try {
                lib = args.length > 0 ? stackNamed(work, args[0]) : stacksIn(work);
            } catch (err) {
                assert.ok(err instanceof StackFilesError);
                lib = err.message;
            }
            return { status: run.status, stdout: run.stdout, stderr: run.stderr, lib };
        }

        it("gives no stacks for a root without stack files, so the matrix jobs are skipped", () => {
            withFiles([]);
            assert.deepStrictEqual(list(), { status: 0, stdout: "stacks=[]\ncount=0\n", stderr: "", lib: [] });
        });

        it("gives every Pulumi.<stack>.yaml's stack, sorted, as JSON for fromJSON, and their count", () => {
            withFiles(["Pulumi.acme-prod.yaml", "Pulumi.Contoso_2.yaml", "Pulumi.acme-dev.yaml", "Pulumi.yml.yml", "README.md", "Pulumi.x.json"]);
            const run = list();
            assert.deepStrictEqual(run, { status: 0, stdout: 'stacks=["Contoso_2","acme-dev","acme-prod"]\ncount=3\n', stderr: "", lib: ["Contoso_2", "acme-dev", "acme-prod"] });
            assert.deepStrictEqual(JSON.parse(run.stdout.split("\n")[0].slice("stacks=".length)), run.lib);
        });

        // github/docs workflow-commands.md: ::error title={title}::{message}
        const refusals: [string, string[], string][] = [
            ["a file whose stack name has a period or a space, printed without markup", ["Pulumi.ok.yaml", "Pulumi.acme.prod.yaml"],
                '::error title=Not a stack name::Pulumi.acme.prod.yaml is not a stack file this repository can deploy: the name between "Pulumi." and ".yaml" ' +
                "must be 1 to 91 letters, digits, - and _ (it names the GitHub environments <stack> and rotation-<stack>); rename it or move it out of the root.\n"],
            ["a name whose rotation environment would be too long", [`Pulumi.${"a".repeat(92)}.yaml`],
                `::error title=Not a stack name::Pulumi.${"a".repeat(92)}.yaml is not a stack file this repository can deploy: the name between "Pulumi." and ".yaml" ` +
                "must be 1 to 91 letters, digits, - and _ (it names the GitHub environments <stack> and rotation-<stack>); rename it or move it out of the root.\n"],
            ["a file name with markup", ["Pulumi.a%0A::b.yaml"],
                '::error title=Not a stack name::Pulumi.a?0A??b.yaml is not a stack file this repository can deploy: the name between "Pulumi." and ".yaml" ' +
                "must be 1 to 91 letters, digits, - and _ (it names the GitHub environments <stack> and rotation-<stack>); rename it or move it out of the root.\n"],
            ["a stack named rotation-<name>", ["Pulumi.dev.yaml", "Pulumi.Rotation-dev.yaml"],
                "::error title=Reserved stack name::Pulumi.Rotation-dev.yaml names a stack that starts with rotation-: its deploy environment would be stack dev's rotation environment; rename it.\n"],
            ["two stacks whose names differ in case only", ["Pulumi.Prod.yaml", "Pulumi.prod.yaml"],
                "::error title=Stacks differ only in case::Pulumi.Prod.yaml and Pulumi.prod.yaml would share the GitHub environments prod and rotation-prod (GitHub ignores case in environment names); rename one.\n"],
        ];
        for (const [what, files, error] of refusals) {
            it(`refuses ${what}, as the bootstrap does`, () => {
                withFiles(files);
                const run = list();
                assert.deepStrictEqual([run.status, run.stdout, run.stderr], [1, "", error]);
                assert.strictEqual(`::error title=${error.split("::")[1].slice("error title=".length)}::${run.lib}\n`, error);
            });
        }

        it(`runs up to ${MAX_STACKS} stacks, GitHub's limit of jobs per matrix, and refuses more`, () => {
            // github/docs, "Running variations of jobs in a workflow": "A matrix will generate a maximum of 256 jobs per workflow run."
            assert.strictEqual(MAX_STACKS, 256);
            withFiles(Array.from({ length: 256 }, (_, i) => `Pulumi.s${String(i).padStart(3, "0")}.yaml`));
            const run = list();
            assert.deepStrictEqual([run.status, run.stderr, run.stdout.endsWith("\ncount=256\n")], [0, "", true]);
            assert.strictEqual(JSON.parse(run.stdout.split("\n")[0].slice("stacks=".length)).length, 256);
            withFiles(["Pulumi.t.yaml"]);
            const error = "::error title=Too many stacks::257 Pulumi.<stack>.yaml files, and one GitHub Actions matrix runs at most 256 jobs; split the stacks across repositories.\n";
            assert.deepStrictEqual(list(), { status: 1, stdout: "", stderr: error, lib: error.slice("::error title=Too many stacks::".length, -1) });
        });

        it("is what the CI page says: the naming rule, the limit, max-parallel, how to add a stack", () => {
            const page = readText(path.join("docs", "ci.md"));
            for (const text of ["deploys (and rotates by hand, `rotate-now.yml`) in the environment **`<stack>`**, and rotates\nweekly in **`rotation-<stack>`**",
                "`.github/scripts/stacks.sh`", "At most 256 stacks", "add `max-parallel: <n>`", "### Add a stack",
                "create the environments `<name>` and `rotation-<name>`"]) {
                assert.ok(page.includes(text), text);
            }
        });

        it("with a stack name, gives that stack alone when it has a stack file, and refuses it otherwise", () => {
            withFiles(["Pulumi.acme-dev.yaml", "Pulumi.acme-prod.yaml"]);
            assert.deepStrictEqual(list(["acme-prod"]), { status: 0, stdout: 'stacks=["acme-prod"]\ncount=1\n', stderr: "", lib: ["acme-prod"] });
            const none = "::error title=No such stack::There is no stack file Pulumi.acme-test.yaml in the repository's root; the stacks are: acme-dev acme-prod\n";
            assert.deepStrictEqual(list(["acme-test"]), { status: 1, stdout: "", stderr: none, lib: none.slice("::error title=No such stack::".length, -1) });
            // Not echoed: a name with markup or a path never reaches the log.
            for (const name of ["Acme-prod", "../acme-prod", "x%0A::warning::y", ""]) {
                const run = list([name]);
                assert.deepStrictEqual([run.status, run.stdout], [1, ""], name);
                assert.ok(!run.stderr.includes("warning") && !run.stderr.includes("../") && run.stderr.startsWith("::error title="), run.stderr);
            }
            const notName = "::error title=Not a stack name::The stack given is not a stack name of this repository " +
                "(1 to 91 letters, digits, - and _); the stacks are: acme-dev acme-prod\n";
            assert.deepStrictEqual(list(["x::y"]), { status: 1, stdout: "", stderr: notName, lib: notName.slice("::error title=Not a stack name::".length, -1) });
        });

        it("with a stack name, checks that stack alone: a stray file elsewhere does not block rotate-now", () => {
            withFiles(["Pulumi.acme-prod.yaml", "Pulumi.acme.test.yaml", "Pulumi.Acme-prod.yaml", "Pulumi.rotation-x.yaml"]);
            assert.strictEqual(list().status, 1);
            assert.deepStrictEqual(list(["acme-prod"]), { status: 0, stdout: 'stacks=["acme-prod"]\ncount=1\n', stderr: "", lib: ["acme-prod"] });
            const reserved = "::error title=Reserved stack name::Pulumi.rotation-x.yaml names a stack that starts with rotation-: " +
                "its deploy environment would be stack x's rotation environment; rename it.\n";
            assert.deepStrictEqual(list(["rotation-x"]), { status: 1, stdout: "", stderr: reserved, lib: reserved.slice("::error title=Reserved stack name::".length, -1) });
            // A folder named as a stack file is no stack file.
            fs.mkdirSync(path.join(work, "Pulumi.dir.yaml"));
            assert.deepStrictEqual([list(["dir"]).status, list(["dir"]).stdout], [1, ""]);
            assert.match(String(list(["dir"]).lib), /^There is no stack file Pulumi\.dir\.yaml/);
        });

        it("refuses a file name with a line break, in the script and in lib/stackFiles.ts alike", () => {
            withFiles(["Pulumi.ok.yaml", "Pulumi.a\nb.yaml"]);
            const run = list();
            assert.deepStrictEqual([run.status, run.stdout], [1, ""]);
            assert.strictEqual(run.stderr, `::error title=Not a stack name::${run.lib}\n`);
            assert.match(String(run.lib), /^Pulumi\.a\?b\.yaml is not a stack file/);
        });
    });

    describe("every workflow and the setup action (OpenSSF Scorecard's checks, GitHub's security hardening)", () => {
        const files = [...fs.readdirSync(WORKFLOWS).sort().map(f => path.join(".github", "workflows", f)), SETUP_ACTION];
        const texts = files.map(readText);
        const docs = files.map(readYaml);
        const workflows = docs.slice(0, -1);
        const jobsOf = (doc: any): [string, Job][] => doc.jobs ? Object.entries(doc.jobs) : [["setup", { steps: doc.runs.steps } as Job]];
        const allSteps = docs.flatMap(doc => jobsOf(doc).flatMap(([, job]) => job.steps));

        it("are the four workflows and the action", () => {
            assert.deepStrictEqual(fs.readdirSync(WORKFLOWS).sort(), ["deploy.yml", "pull-request.yml", "rotate-now.yml", "rotation.yml"]);
        });

        it("pin every action to a full commit SHA, its version in a comment", () => {
            let count = 0;
            for (const text of texts) {
                for (const [, ref, comment] of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
                    count++;
                    if (ref.startsWith("./")) {
                        continue;
                    }
                    // github/docs security-hardening: "Pinning an action to a full length commit SHA is currently the only way to use an action as an immutable release."
                    assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, ref);
                    assert.match(comment, /^ # v\d+\.\d+\.\d+$/, `${ref}: its version as a comment`);
                }
            }
            assert.ok(count >= 10, String(count));
        });

        it("pin the Pulumi CLI to the exact version of the Pulumi SDK in the lock file", () => {
            const install = readYaml(SETUP_ACTION).runs.steps.find((s: Step) => s.uses?.startsWith("pulumi/actions@"));
            const lock = JSON.parse(readText("package-lock.json"));
            // pulumi/actions action.yml: input pulumi-version, "Install a specific version of the Pulumi CLI".
            assert.deepStrictEqual(install.with, { "pulumi-version": lock.packages["node_modules/@pulumi/pulumi"].version });
            assert.match(install.with["pulumi-version"], /^\d+\.\d+\.\d+$/);
        });

        it("bound every job in time", () => {
            for (const wf of workflows) {
                for (const [name, job] of jobsOf(wf)) {
                    const minutes = (job as { "timeout-minutes"?: number })["timeout-minutes"];
                    assert.ok(typeof minutes === "number" && minutes >= 5 && minutes <= 30, `${name}: ${minutes}`);
                }
            }
        });

        it("grant nothing at workflow level and name the permissions of every job", () => {
            for (const wf of workflows) {
                assert.deepStrictEqual(wf.permissions, {});
                for (const [name, job] of jobsOf(wf)) {
                    assert.ok(job.permissions && Object.keys(job.permissions).length > 0, `${name} names its permissions`);
                    for (const [scope, level] of Object.entries(job.permissions)) {
                        assert.ok(level === "read" || ["id-token", "pull-requests"].includes(scope), `${name}: ${scope}: ${level}`);
                    }
                }
            }
        });

        it("run the stacks script in read-only jobs without an environment, its stdout only ever to $GITHUB_OUTPUT, /dev/null or the log", () => {
            const calls: string[] = [];
            for (const wf of workflows) {
                for (const [name, job] of jobsOf(wf)) {
                    for (const step of job.steps.filter(s => (s.run ?? "").includes("stacks.sh"))) {
                        assert.deepStrictEqual([job.permissions, job.environment], [{ contents: "read" }, undefined], name);
                        calls.push(step.run!);
                    }
                }
            }
            // The stack's name reaches rotate-now's call through env, never as ${{ }} in the script.
            assert.deepStrictEqual(calls.sort(), ['bash .github/scripts/stacks.sh "$STACK"', 'bash .github/scripts/stacks.sh > /dev/null',
                'bash .github/scripts/stacks.sh >> "$GITHUB_OUTPUT"', 'bash .github/scripts/stacks.sh >> "$GITHUB_OUTPUT"']);
        });

        it("keep secrets out of workflow and job level, and out of every job without an environment", () => {
            for (const wf of workflows) {
                assert.ok(!mentionsSecret(wf.env), "no secret at workflow level");
                for (const [name, job] of jobsOf(wf)) {
                    assert.ok(!mentionsSecret(job.env), `${name}: no secret at job level`);
                    if (job.environment === undefined) {
                        // github/docs deployments-and-environments.md: environment secrets "are only available to workflow jobs that reference the environment".
                        assert.ok(!mentionsSecret(job), `${name} has no environment and so no secret`);
                        assert.ok(!("id-token" in (job.permissions ?? {})), `${name} has no environment and so no OIDC token`);
                    }
                    for (const step of job.steps.filter(s => mentionsSecret(s))) {
                        // A secret reaches only steps that run this project's commands or pulumi, never an action or npm ci.
                        assert.strictEqual(step.uses, undefined, `${name}: ${step.uses}`);
                        assert.ok(!/npm ci|npm install/.test(step.run!), step.run);
                    }
                }
            }
        });

        it("use no secret but the stack's state credentials and Creatio's, each named alone, no stored Azure secret", () => {
            // Every expression that touches the secrets context is exactly ${{ secrets.NAME }}; no job inherits secrets.
            for (const text of texts) {
                for (const [expression] of text.matchAll(/\$\{\{[^}]*\}\}/g)) {
                    if (/\bsecrets\b/.test(expression)) {
                        assert.match(expression, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/, expression);
                    }
                }
                assert.ok(!/^\s*secrets:/m.test(text), "no job passes secrets on");
            }
            const used = new Set(texts.flatMap(text => [...text.matchAll(/secrets\.([A-Za-z_]+)/g)].map(m => m[1])));
            assert.deepStrictEqual([...used].sort(), ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", ...CREATIO_SECRETS].sort());
            for (const text of texts) {
                assert.ok(!/ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret|creds:/.test(text));
            }
        });

        it("check out without persisting credentials, and install packages without running their scripts", () => {
            const checkouts = allSteps.filter(s => s.uses?.startsWith("actions/checkout@"));
            assert.ok(checkouts.length >= 6);
            for (const checkout of checkouts) {
                assert.strictEqual(checkout.with?.["persist-credentials"], false);
            }
            const installs = allSteps.flatMap(s => (s.run ?? "").split("\n")).filter(line => /\bnpm (ci|install)\b/.test(line));
            assert.ok(installs.length >= 2);
            for (const line of installs) {
                assert.match(line, /npm ci --ignore-scripts --no-audit --no-fund/, line);
            }
        });

        it("use no dependency cache", () => {
            for (const step of allSteps.filter(s => s.uses?.startsWith("actions/setup-node@"))) {
                // actions/setup-node action.yml (v7): package-manager-cache, cache.
                assert.deepStrictEqual(step.with, { "node-version": 24, "package-manager-cache": false });
            }
            assert.ok(!texts.some(text => /actions\/cache@/.test(text)));
        });

        it("request an OIDC token only in jobs of an environment, and sign the Azure CLI in only for state in Azure", () => {
            for (const wf of workflows) {
                for (const [name, job] of jobsOf(wf)) {
                    if (job.permissions?.["id-token"] === "write") {
                        assert.ok(ENVIRONMENTS.includes(job.environment!), name);
                    }
                    for (const login of job.steps.filter(s => s.uses?.startsWith("azure/login@"))) {
                        assert.strictEqual(login.if, "vars.AZURE_STORAGE_ACCOUNT != '' || startsWith(vars.PULUMI_SECRETS_PROVIDER, 'azurekeyvault://')");
                        // Azure/login action.yml (v3): client-id, tenant-id, allow-no-subscriptions.
                        assert.deepStrictEqual(login.with, { "client-id": job.env!.ARM_CLIENT_ID, "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "allow-no-subscriptions": true });
                    }
                }
            }
        });

        const commandOf = (script: string) => /^node (ops\/\S+\.ts)$/.exec(PACKAGE_SCRIPTS[script] ?? "")?.[1];
        /** npm scripts whose command runs the pulumi CLI: it calls the runner its CommandIO hands it (ops/io.ts). */
        const runsPulumi = (script: string): boolean => {
            const command = commandOf(script);
            return command !== undefined && /\bio\.pulumi\(/.test(readText(command));
        };
        const pulumiLines = (step: Step) => (step.run ?? "").split("\n").filter(line =>
            /(^|[\s;(&|])pulumi\s+\w/.test(line) ||
            [...line.matchAll(/npm run -s ([\w-]+)/g)].some(([, script]) => runsPulumi(script)));

        it("run pulumi only in jobs of an environment, on main's own checkout, never in a pull request's job", () => {
            let count = 0;
            for (const wf of workflows) {
                const triggers = Object.keys(wf.on);
                for (const [name, job] of jobsOf(wf)) {
                    const lines = job.steps.flatMap(pulumiLines);
                    const installs = job.steps.some(s => s.with?.["install-pulumi"] === "true");
                    if (lines.length === 0 && !installs) {
                        continue;
                    }
                    count += lines.length;
                    // A pull_request run executes the pull request's code (github/docs, events-that-trigger-workflows).
                    assert.ok(triggers.every(t => ["push", "schedule", "workflow_dispatch"].includes(t)), `${name}: ${triggers}`);
                    if (wf.on.push) {
                        assert.deepStrictEqual(wf.on.push, { branches: ["main"] }, name);
                    }
                    // The environments admit main only ("Selected branches: main", docs/ci.md): a run of another branch,
                    // a workflow_dispatch from one included, never starts this job.
                    assert.ok(ENVIRONMENTS.includes(job.environment!), name);
                    for (const checkout of job.steps.filter(s => s.uses?.startsWith("actions/checkout@"))) {
                        // No ref, repository or path: the commit the run is for, in the workspace pulumi runs in.
                        assert.deepStrictEqual(checkout.with, { "persist-credentials": false }, name);
                    }
                    for (const step of job.steps) {
                        assert.ok(!("working-directory" in step) && !/(^|\s)cd\s/m.test(step.run ?? ""), `${name}: runs in the checkout`);
                    }
                }
            }
            assert.ok(count >= 8, String(count));
        });

        it("check every pulumi up and preview against the checked-out policy folder, and no other pack", () => {
            const ups = allSteps.flatMap(pulumiLines).filter(line => /pulumi\s+(up|preview)\b/.test(line));
            assert.ok(ups.length >= 2);
            for (const line of ups) {
                assert.deepStrictEqual([...line.matchAll(/--policy-pack\s+(\S+)/g)].map(m => m[1]), ["policy"], line);
            }
            // routine-check's preview: the same folder (ops/routineCheck.ts).
            assert.strictEqual(POLICY_PACK, "policy");
            assert.ok(fs.existsSync(path.join(ROOT, POLICY_PACK, "PulumiPolicy.yaml")));
            // The commands that run pulumi are what the pull request workflow's jobs never call.
            assert.deepStrictEqual(Object.keys(PACKAGE_SCRIPTS).filter(runsPulumi).sort(), PULUMI_SCRIPTS);
            assert.deepStrictEqual(jobsOf(workflow("pull-request.yml")).flatMap(([, job]) => job.steps.flatMap(pulumiLines)), []);
        });

        it("never print a secret", () => {
            const runs = allSteps.map(s => s.run).filter((r): r is string => r !== undefined);
            assert.ok(runs.length > 0);
            for (const run of runs) {
                assert.ok(!/--show-secrets|credentials --|set -x|\becho\b|\bprintenv\b|\benv\b\s*$/m.test(run), run);
                assert.ok(!/\$\{\{\s*(secrets|github\.token)/.test(run), `no secret interpolated into a script: ${run}`);
                // printf prints a literal format with the stack or environment name only.
                for (const line of run.split("\n").filter(l => /\bprintf\b/.test(l))) {
                    assert.match(line, /^\s*printf '[^'$]*' (?:"\$(?:ENVIRONMENT|STACK|status)"(?: >> "plans\/\$side\/\$stack\.txt")? ?)+$/, line);
                }
            }
        });
    });
});
