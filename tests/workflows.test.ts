import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CreatioOAuthApp } from "../components/creatioOAuthApp";
import { validateConfig } from "../lib/settings";
import { TenantMocks, promiseOf } from "./mocks";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

const readYaml = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const workflow = (name: string) => readYaml(path.join(".github", "workflows", name));

/** The stacks that exist as Pulumi.<stack>.yaml. */
const STACKS = fs.readdirSync(ROOT)
    .map(file => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
const stepsOf = (job: { steps: Step[] }) => job.steps;
const pulumiCommand = (job: { steps: Step[] }) => stepsOf(job).find(s => s.uses === "pulumi/actions@v6" && s.with?.command);

/** The environment every workflow gives Pulumi and the azuread provider. */
function assertSignInEnv(env: Record<string, string>, identity: string) {
    assert.strictEqual(env.ARM_USE_OIDC, "true");
    assert.strictEqual(env.ARM_CLIENT_ID, `\${{ vars.${identity} }}`);
    assert.strictEqual(env.ARM_TENANT_ID, "${{ vars.AZURE_TENANT_ID }}");
    assert.strictEqual(env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
    assert.strictEqual(env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    assert.strictEqual(env.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
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

        it("signs in with the read-only preview identity", () => {
            assertSignInEnv(wf.env, "AZURE_PREVIEW_CLIENT_ID");
        });

        it("previews every stack under the policy pack and comments the diff, without outputs in the logs", () => {
            assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), STACKS);
            assert.deepStrictEqual(pulumiCommand(job)!.with, {
                "command": "preview",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                "comment-on-pr": true,
                "diff": true,
                "policyPacks": "policy",
                "suppress-outputs": true,
                "suppress-progress": true,
            });
        });

        it("runs the tests first", () => {
            assert.strictEqual(job.needs, "test");
            assert.ok(stepsOf(wf.jobs.test).some(s => s.run === "npm test"));
        });
    });

    describe("deploy (main)", () => {
        const wf = workflow("deploy.yml");
        const job = wf.jobs.deploy;

        it("runs on pushes to main", () => {
            assert.deepStrictEqual(wf.on.push, { branches: ["main"] });
        });

        it("may read the code and get an OIDC token", () => {
            assert.deepStrictEqual(wf.permissions, { "contents": "read", "id-token": "write" });
        });

        it("signs in with the write identity", () => {
            assertSignInEnv(wf.env, "AZURE_DEPLOY_CLIENT_ID");
        });

        it("deploys every stack through its GitHub environment, prod through production", () => {
            const include: { stack: string; environment: string }[] = job.strategy.matrix.include;
            assert.deepStrictEqual(include.map(i => i.stack).sort(), STACKS);
            assert.strictEqual(include.find(i => i.stack === "prod")!.environment, "production");
            assert.strictEqual(job.environment, "${{ matrix.environment }}");
            assert.strictEqual(job.concurrency.group, "pulumi-${{ matrix.stack }}");
        });

        it("runs pulumi up without outputs in the logs, then verifies the credential", () => {
            const up = pulumiCommand(job)!;
            assert.strictEqual(up.with!.command, "up");
            assert.strictEqual(up.with!["suppress-outputs"], true);
            assert.strictEqual(up.with!["secrets-provider"], "${{ vars.PULUMI_SECRETS_PROVIDER }}");
            const steps = stepsOf(job);
            const verify = steps.find(s => s.run?.includes("npm run -s verify -- --stack \"$STACK\""));
            assert.ok(verify && steps.indexOf(verify) > steps.indexOf(up), "verify runs after up");
        });
    });

    describe("rotation (schedule)", () => {
        const wf = workflow("rotation.yml");
        const job = wf.jobs.rotate;

        it("runs weekly, and by hand", () => {
            assert.strictEqual(wf.on.schedule.length, 1);
            const [minute, hour, dayOfMonth, month, dayOfWeek] = wf.on.schedule[0].cron.split(" ");
            assert.ok(/^\d+$/.test(minute) && /^\d+$/.test(hour), wf.on.schedule[0].cron);
            assert.deepStrictEqual([dayOfMonth, month], ["*", "*"]);
            assert.match(dayOfWeek, /^[0-6]$/);
            assert.ok("workflow_dispatch" in wf.on);
        });

        it("may read the code and get an OIDC token", () => {
            assert.deepStrictEqual(wf.permissions, { "contents": "read", "id-token": "write" });
            assertSignInEnv(wf.env, "AZURE_DEPLOY_CLIENT_ID");
        });

        it("rotates every stack, targeting exactly the two password slots the program declares", async () => {
            assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), STACKS);
            const up = pulumiCommand(job)!;
            assert.strictEqual(up.with!.command, "up");
            assert.strictEqual(up.with!["suppress-outputs"], true);

            await pulumi.runtime.setMocks(new TenantMocks(0), "creatio-m365-oauth", "STACK", false);
            const settings = validateConfig({ siteName: "acme" });
            // The name index.ts gives the component.
            const app = new CreatioOAuthApp("creatio", { ...settings, now: new Date("2026-11-28T00:00:00Z") });
            const urns = await Promise.all(app.passwords.map(p => promiseOf(p.urn)));
            const targets = String(up.with!.target).trim().split("\n")
                .map(line => line.trim().replace("${{ matrix.stack }}", "STACK"));
            assert.deepStrictEqual(targets, urns);
        });

        it("checks the expiry afterwards, even when the rotation failed", () => {
            const status = stepsOf(job).find(s => s.run?.startsWith("npm run -s status -- --stack \"$STACK\""));
            assert.ok(status, "a status step");
            assert.strictEqual(status!.if, "always()");
            assert.ok(stepsOf(job).indexOf(status!) > stepsOf(job).indexOf(pulumiCommand(job)!));
        });
    });

    describe("every workflow and the setup action", () => {
        const files = [
            ...fs.readdirSync(WORKFLOWS).map(f => path.join(".github", "workflows", f)),
            path.join(".github", "actions", "setup", "action.yml"),
        ];
        const texts = files.map(f => fs.readFileSync(path.join(ROOT, f), "utf8"));

        it("are the three workflows and the action", () => {
            assert.deepStrictEqual(fs.readdirSync(WORKFLOWS).sort(), ["deploy.yml", "preview.yml", "rotation.yml"]);
        });

        it("keep no Azure secret: OIDC only", () => {
            for (const text of texts) {
                assert.ok(!/ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret|creds:/.test(text));
            }
        });

        it("use no secret but the Pulumi backend's", () => {
            const used = new Set(texts.flatMap(text => [...text.matchAll(/secrets\.([A-Z_]+)/g)].map(m => m[1])));
            assert.deepStrictEqual([...used].sort(), ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]);
        });

        it("never print a secret", () => {
            const runs = files.flatMap(f => {
                const doc = readYaml(f);
                const jobs = doc.jobs ? Object.values(doc.jobs) as { steps: Step[] }[] : [{ steps: doc.runs.steps }];
                return jobs.flatMap(j => j.steps).map(s => s.run).filter((r): r is string => r !== undefined);
            });
            assert.ok(runs.length > 0);
            for (const run of runs) {
                assert.ok(!/--show-secrets|credentials|set -x|\becho\b|\bprintenv\b|\benv\b\s*$/m.test(run), run);
                assert.ok(!/\$\{\{\s*secrets\./.test(run), `no secret interpolated into a script: ${run}`);
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
