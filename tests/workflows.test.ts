import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CreatioOAuthApp } from "../components/creatioOAuthApp";
import { validateConfig } from "../lib/settings";
import { TenantMocks, promiseOf } from "./mocks";
import { IDENTITY_IDS, ofType, runBootstrap, withNativeStackTraces } from "./bootstrapHarness";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

const readYaml = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const workflow = (name: string) => readYaml(path.join(".github", "workflows", name));

/** The stacks that exist as Pulumi.<stack>.yaml. */
const STACKS = fs.readdirSync(ROOT)
    .map(file => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();

type Step = { uses?: string; run?: string; name?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = { steps: Step[]; environment?: string; strategy: { matrix: any } };
// pulumi/actions action.yml (v6): inputs command, stack-name, cloud-url, secrets-provider, target, policyPacks, upsert, diff, suppress-outputs, suppress-progress, comment-on-pr.
const PULUMI_ACTION = "pulumi/actions@v6";
const pulumiCommand = (job: Job) => job.steps.find(s => s.uses === PULUMI_ACTION && s.with?.command)!;
const stepNamed = (job: Job, name: string) => {
    const step = job.steps.find(s => s.name === name);
    assert.ok(step, `a step named ${name}`);
    return step!;
};
const matrixEnvironments = (job: Job): Record<string, string> =>
    Object.fromEntries(job.strategy.matrix.include.map((i: { stack: string; environment: string }) => [i.stack, i.environment]));

/** The environment every workflow gives Pulumi and the azuread provider. */
function assertSignInEnv(env: Record<string, string>, identity: string) {
    assert.strictEqual(env.ARM_USE_OIDC, "true");
    assert.strictEqual(env.ARM_CLIENT_ID, `\${{ vars.${identity} }}`);
    assert.strictEqual(env.ARM_TENANT_ID, "${{ vars.AZURE_TENANT_ID }}");
    assert.strictEqual(env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
    assert.strictEqual(env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    assert.strictEqual(env.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
}

/** Creatio credentials, as the deliver command reads them, from the job's environment secrets. */
const CREATIO_SECRETS = ["CREATIO_USERNAME", "CREATIO_PASSWORD", "CREATIO_IDENTITY_URL", "CREATIO_API_CLIENT_ID", "CREATIO_API_CLIENT_SECRET"];
const DELIVER_ENV = {
    STACK: "${{ matrix.stack }}",
    ENVIRONMENT: "${{ matrix.environment }}",
    ...Object.fromEntries(CREATIO_SECRETS.map(name => [name, `\${{ secrets.${name} }}`])),
};

/** `npm test` after the setup action (which installs the packages) and before Pulumi runs: Pulumi runs do not type-check (tsconfig.pulumi.json). */
function assertTestsBeforePulumi(job: Job) {
    const setup = job.steps.findIndex(s => s.uses === "./.github/actions/setup");
    const tests = job.steps.findIndex(s => s.run === "npm test");
    const pulumi = job.steps.indexOf(pulumiCommand(job));
    assert.deepStrictEqual([setup >= 0, tests > setup, pulumi > tests], [true, true, true], JSON.stringify({ setup, tests, pulumi }));
}

/** Verify, then deliver: the order both writing workflows keep after their `pulumi up`. */
function assertUpVerifyDeliver(job: Job) {
    const up = pulumiCommand(job);
    const verify = stepNamed(job, "Verify the credential");
    const deliver = stepNamed(job, "Deliver the secret to Creatio");
    assert.deepStrictEqual([job.steps.indexOf(up) < job.steps.indexOf(verify), job.steps.indexOf(verify) < job.steps.indexOf(deliver)], [true, true]);
    assert.match(verify.run!, /^for attempt in 1 2 3 4 5; do\n {2}npm run -s verify -- --stack "\$STACK" && exit 0\n {2}sleep 30\ndone\nexit 1\n$/);
    // No `if:`: deliver runs only when verify succeeded (GitHub's default success()).
    assert.strictEqual(deliver.if, undefined);
    assert.deepStrictEqual(deliver.env, DELIVER_ENV);
}

describe("GitHub workflows", () => {
    it("has stacks to run", () => {
        assert.deepStrictEqual(STACKS, ["dev", "prod"]);
    });

    describe("preview (pull requests)", () => {
        const wf = workflow("preview.yml");
        const job = wf.jobs.preview;

        it("runs on pull requests to main", () => {
            assert.deepStrictEqual(Object.keys(wf.on), ["pull_request"]);
            assert.deepStrictEqual(wf.on.pull_request.branches, ["main"]);
        });

        it("may read the code, get an OIDC token and comment, nothing else", () => {
            assert.deepStrictEqual(wf.permissions, { "contents": "read", "id-token": "write", "pull-requests": "write" });
        });

        it("signs in with the read-only preview identity, in no environment (subject ...:pull_request)", () => {
            assertSignInEnv(wf.env, "AZURE_PREVIEW_CLIENT_ID");
            // github/docs oidc.md: the subject carries pull_request "only if the job doesn't reference an environment".
            assert.strictEqual(job.environment, undefined);
        });

        it("previews every stack under the policy pack and comments the diff, without outputs in the logs", () => {
            assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), STACKS);
            assert.deepStrictEqual(pulumiCommand(job).with, {
                "command": "preview",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                "comment-on-pr": true,
                "diff": true,
                "policyPacks": "policy", // pulumi/actions action.yml: input policyPacks
                "suppress-outputs": true,
                "suppress-progress": true,
            });
        });

        it("runs the tests first", () => {
            assert.strictEqual(job.needs, "test");
            assert.ok(wf.jobs.test.steps.some((s: Step) => s.run === "npm test"));
        });
    });

    describe("deploy (main)", () => {
        const wf = workflow("deploy.yml");
        const job: Job = wf.jobs.deploy;

        it("runs on pushes to main, and by hand", () => {
            assert.deepStrictEqual(wf.on.push, { branches: ["main"] });
            assert.ok("workflow_dispatch" in wf.on);
        });

        it("may read the code and get an OIDC token", () => {
            assert.deepStrictEqual(wf.permissions, { "contents": "read", "id-token": "write" });
        });

        it("signs in with the deploy identity", () => {
            assertSignInEnv(wf.env, "AZURE_DEPLOY_CLIENT_ID");
        });

        it("deploys every stack through its GitHub environment, prod through production", () => {
            assert.deepStrictEqual(matrixEnvironments(job), { dev: "dev", prod: "production" });
            assert.deepStrictEqual(Object.keys(matrixEnvironments(job)).sort(), STACKS);
            assert.strictEqual(job.environment, "${{ matrix.environment }}");
            assert.strictEqual((job as any).concurrency.group, "pulumi-${{ matrix.stack }}");
        });

        it("runs pulumi up under the policy pack without outputs in the logs", () => {
            assert.deepStrictEqual(pulumiCommand(job).with, {
                "command": "up",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                "secrets-provider": "${{ vars.PULUMI_SECRETS_PROVIDER }}",
                "policyPacks": "policy", // pulumi/actions action.yml: input policyPacks
                "upsert": true,
                "diff": true,
                "suppress-outputs": true,
                "suppress-progress": true,
            });
        });

        it("runs the tests before pulumi up", () => {
            assertTestsBeforePulumi(job);
        });

        it("verifies the new credential, then delivers it into Creatio", () => {
            assertUpVerifyDeliver(job);
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
            assert.ok("workflow_dispatch" in wf.on);
        });

        it("may read the code and get an OIDC token, as the rotation identity", () => {
            assert.deepStrictEqual(wf.permissions, { "contents": "read", "id-token": "write" });
            assertSignInEnv(wf.env, "AZURE_ROTATION_CLIENT_ID");
        });

        it("rotates every stack through its own rotation environment, never a deploy environment", () => {
            assert.deepStrictEqual(matrixEnvironments(job), { dev: "rotation-dev", prod: "rotation-prod" });
            assert.strictEqual(job.environment, "${{ matrix.environment }}");
            const deployEnvironments = Object.values(matrixEnvironments(workflow("deploy.yml").jobs.deploy));
            assert.deepStrictEqual(Object.values(matrixEnvironments(job)).filter(e => deployEnvironments.includes(e)), []);
            assert.strictEqual((job as any).concurrency.group, "pulumi-${{ matrix.stack }}");
        });

        it("targets exactly the two password slots the program declares, under the policy pack", async () => {
            const up = pulumiCommand(job);
            const { target, ...rest } = up.with!;
            assert.deepStrictEqual(rest, {
                "command": "up",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                "policyPacks": "policy", // pulumi/actions action.yml: input policyPacks
                "suppress-outputs": true,
                "suppress-progress": true,
            });

            const urns = await withNativeStackTraces(async () => {
                await pulumi.runtime.setMocks(new TenantMocks(0), "creatio-m365-oauth", "STACK", false);
                const settings = validateConfig({ siteName: "acme" });
                // The name index.ts gives the component.
                const app = new CreatioOAuthApp("creatio", { ...settings, now: new Date("2026-11-28T00:00:00Z") });
                return Promise.all(app.passwords.map(p => promiseOf(p.urn)));
            });
            // pulumi/actions action.yml: target, "Multiple resources can be specified one per line".
            const targets = String(target).trim().split("\n").map(line => line.trim().replace("${{ matrix.stack }}", "STACK"));
            assert.deepStrictEqual(targets, urns);
        });

        it("verifies the new credential, then delivers it into Creatio", () => {
            assertUpVerifyDeliver(job);
        });

        it("runs the tests before pulumi up", () => {
            assertTestsBeforePulumi(job);
        });

        it("checks the expiry last, even when a step before failed", () => {
            const status = stepNamed(job, "Check the secret's expiry");
            assert.strictEqual(status.run, 'npm run -s status -- --stack "$STACK" --threshold-days "${THRESHOLD_DAYS:-30}"');
            assert.strictEqual(status.if, "always()");
            assert.strictEqual(job.steps.indexOf(status), job.steps.length - 1);
        });
    });

    describe("the delivery step", () => {
        const deliverScript = stepNamed(workflow("deploy.yml").jobs.deploy, "Deliver the secret to Creatio").run!;
        let bin: string;
        let calls: string;

        before(() => {
            // A stand-in npm that records its arguments and prints nothing.
            bin = fs.mkdtempSync(path.join(os.tmpdir(), "deliver-step-"));
            calls = path.join(bin, "calls");
            fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${calls}"\n`, { mode: 0o755 });
        });
        after(() => fs.rmSync(bin, { recursive: true, force: true }));

        /** Runs the step as GitHub runs a `run:` without `shell:` on Linux: bash -e (github/docs workflow-syntax, defaults.run.shell). */
        function runStep(secrets: Record<string, string>) {
            fs.rmSync(calls, { force: true });
            const env = { PATH: `${bin}:${process.env.PATH}`, STACK: "prod", ENVIRONMENT: "production",
                ...Object.fromEntries(CREATIO_SECRETS.map(name => [name, ""])), ...secrets };
            // The runner writes the script to a file and runs `bash -e <file>`.
            const script = path.join(bin, "step.sh");
            fs.writeFileSync(script, deliverScript);
            const result = spawnSync("bash", ["-e", script], { env, encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
            const npm = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
            for (const value of Object.values(secrets)) {
                assert.ok(!result.stdout.includes(value) && !result.stderr.includes(value), "no secret in the log");
            }
            return { status: result.status, stdout: result.stdout, stderr: result.stderr, npm };
        }

        it("is the same in the deploy and the rotation workflow", () => {
            assert.strictEqual(stepNamed(workflow("rotation.yml").jobs.rotate, "Deliver the secret to Creatio").run, deliverScript);
        });

        it("delivers with a Creatio user and password", () => {
            const run = runStep({ CREATIO_USERNAME: "svc-mail", CREATIO_PASSWORD: "pw-9f8e7d" });
            assert.deepStrictEqual(run, { status: 0, stdout: "", stderr: "", npm: ["run -s deliver -- --stack prod"] });
        });

        it("delivers with an Identity Service client", () => {
            const run = runStep({ CREATIO_IDENTITY_URL: "https://acme-is.creatio.com", CREATIO_API_CLIENT_ID: "cid-1234", CREATIO_API_CLIENT_SECRET: "cs-5678" });
            assert.deepStrictEqual(run, { status: 0, stdout: "", stderr: "", npm: ["run -s deliver -- --stack prod"] });
        });

        it("says clearly that it skipped delivery when the environment holds no Creatio credentials", () => {
            // github/docs workflow-commands.md: ::notice title={title}::{message}
            assert.deepStrictEqual(runStep({}), {
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
                assert.deepStrictEqual(runStep(secrets), {
                    status: 1, stderr: "", npm: [],
                    stdout: "::error title=Creatio credentials incomplete::Environment production has only part of " +
                        "CREATIO_USERNAME + CREATIO_PASSWORD or CREATIO_IDENTITY_URL + CREATIO_API_CLIENT_ID + CREATIO_API_CLIENT_SECRET: nothing was delivered.\n",
                });
            }
        });
    });

    describe("the CI identities the bootstrap creates", () => {
        const REPO = "contoso/creatio-m365-oauth";
        const bootstrapProject = readYaml(path.join("bootstrap", "Pulumi.yaml"));
        /** Which bootstrap output each CI variable takes (README, "The CI identities"). */
        const VARIABLE_OUTPUT: Record<string, string> = {
            AZURE_DEPLOY_CLIENT_ID: "deployClientId",
            AZURE_ROTATION_CLIENT_ID: "rotationClientId",
            AZURE_PREVIEW_CLIENT_ID: "previewClientId",
        };
        /** The OIDC subjects a workflow's jobs present, for the classic prefix. */
        function presentedSubjects(wf: any): string[] {
            return Object.values(wf.jobs as Record<string, Job>).filter(job => job.steps.some(s => s.uses === PULUMI_ACTION && s.with?.command))
                .flatMap(job => job.environment === undefined
                    // github/docs oidc.md, "Filtering for pull_request events": repo:ORG-NAME/REPO-NAME:pull_request
                    ? [`repo:${REPO}:pull_request`]
                    // github/docs oidc.md, "Filtering for a specific environment": repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME
                    : Object.values(matrixEnvironments(job)).map(env => `repo:${REPO}:environment:${env}`))
                .sort();
        }

        it("trust exactly the subjects each workflow's jobs present, one identity per workflow", async () => {
            const { values, mocks } = await runBootstrap({ githubRepository: REPO });
            const identityOfClientId = Object.fromEntries(Object.entries(IDENTITY_IDS).map(([name, ids]) => [ids.clientId, name]));
            const trusted = (identity: string) => ofType(mocks, "applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential")
                .filter(([name]) => name.startsWith(`${identity}-`)).map(([, inputs]) => inputs.subject as string).sort();
            const seen = new Set<string>();
            for (const file of ["preview.yml", "deploy.yml", "rotation.yml"]) {
                const wf = workflow(file);
                const variable = /^\$\{\{ vars\.([A-Z_]+) \}\}$/.exec(wf.env.ARM_CLIENT_ID)![1];
                const identity = identityOfClientId[values[VARIABLE_OUTPUT[variable]] as string];
                assert.ok(identity, `${file}: ${variable} is a bootstrap identity's client id`);
                assert.deepStrictEqual(trusted(identity), presentedSubjects(wf), file);
                seen.add(identity);
            }
            assert.strictEqual(seen.size, 3);
        });

        it("are wired to the CI variables the README's setup names", () => {
            const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
            for (const [variable, output] of Object.entries(VARIABLE_OUTPUT)) {
                assert.ok(readme.includes(`\`${output}\` to \`${variable}\``), `${output} -> ${variable}`);
            }
        });

        it("default to the environments the workflows declare", () => {
            assert.deepStrictEqual(bootstrapProject.config.deployEnvironments.default,
                Object.values(matrixEnvironments(workflow("deploy.yml").jobs.deploy)));
            assert.deepStrictEqual(bootstrapProject.config.rotationEnvironments.default,
                Object.values(matrixEnvironments(workflow("rotation.yml").jobs.rotate)));
        });

        it("let only the deploy workflow's identity write consent grants", async () => {
            const { mocks } = await runBootstrap({ githubRepository: REPO });
            const grantWriters = ofType(mocks, "appRoleAssignment:AppRoleAssignment")
                // Microsoft Graph permissions reference: DelegatedPermissionGrant.ReadWrite.All, Application
                .filter(([, inputs]) => inputs.appRoleId === "8e8e4742-1d95-4f68-9d56-6ee75648c72a")
                .map(([, inputs]) => inputs.principalObjectId);
            assert.deepStrictEqual(grantWriters, [IDENTITY_IDS.deployer.servicePrincipal]);
            assert.strictEqual(workflow("deploy.yml").env.ARM_CLIENT_ID, "${{ vars.AZURE_DEPLOY_CLIENT_ID }}");
        });
    });

    describe("every workflow and the setup action", () => {
        const files = [
            ...fs.readdirSync(WORKFLOWS).map(f => path.join(".github", "workflows", f)),
            path.join(".github", "actions", "setup", "action.yml"),
        ];
        const texts = files.map(f => fs.readFileSync(path.join(ROOT, f), "utf8"));
        const docs = files.map(f => readYaml(f));
        const jobsOf = (doc: any): Job[] => doc.jobs ? Object.values(doc.jobs) : [{ steps: doc.runs.steps } as Job];

        it("are the three workflows and the action", () => {
            assert.deepStrictEqual(fs.readdirSync(WORKFLOWS).sort(), ["deploy.yml", "preview.yml", "rotation.yml"]);
        });

        it("keep no Azure secret: OIDC only", () => {
            for (const text of texts) {
                assert.ok(!/ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret|creds:/.test(text));
            }
        });

        it("use no secret but the Pulumi backend's and, in jobs of an environment, Creatio's", () => {
            const used = new Set(texts.flatMap(text => [...text.matchAll(/secrets\.([A-Z_]+)/g)].map(m => m[1])));
            assert.deepStrictEqual([...used].sort(), ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", ...CREATIO_SECRETS].sort());
            // github/docs deployments-and-environments.md: environment secrets "are only available to workflow jobs that reference the environment".
            for (const job of docs.flatMap(jobsOf)) {
                const stepsWithCreatioSecrets = job.steps.filter(s => Object.values(s.env ?? {}).some(v => /secrets\.CREATIO_/.test(v)));
                if (stepsWithCreatioSecrets.length > 0) {
                    assert.strictEqual(job.environment, "${{ matrix.environment }}");
                    assert.deepStrictEqual(stepsWithCreatioSecrets.map(s => s.name), ["Deliver the secret to Creatio"]);
                }
            }
        });

        it("never print a secret", () => {
            const runs = docs.flatMap(jobsOf).flatMap(j => j.steps).map(s => s.run).filter((r): r is string => r !== undefined);
            assert.ok(runs.length > 0);
            for (const run of runs) {
                assert.ok(!/--show-secrets|credentials --|set -x|\becho\b|\bprintenv\b|\benv\b\s*$/m.test(run), run);
                assert.ok(!/\$\{\{\s*secrets\./.test(run), `no secret interpolated into a script: ${run}`);
                // printf prints a literal format with the stack or environment name only.
                for (const line of run.split("\n").filter(l => /\bprintf\b/.test(l))) {
                    assert.match(line, /^\s*printf '[^'$]*' (?:"\$(?:ENVIRONMENT|STACK)" ?)+$/, line);
                }
            }
        });

        it("sign in to Azure through OIDC in the setup action", () => {
            const setup = readYaml(path.join(".github", "actions", "setup", "action.yml"));
            const login = setup.runs.steps.find((s: Step) => s.uses === "azure/login@v2");
            assert.deepStrictEqual(login.with, {
                "client-id": "${{ env.ARM_CLIENT_ID }}",
                "tenant-id": "${{ env.ARM_TENANT_ID }}",
                "allow-no-subscriptions": true,
            });
        });
    });
});
