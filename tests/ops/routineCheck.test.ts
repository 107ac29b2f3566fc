import * as assert from "assert";
import { main } from "../../ops/routineCheck.ts";
import { previewSteps } from "../../ops/pulumi/routineChanges.ts";
import { runInProcess, spawnCommand } from "../fakes/commands.ts";

const TENANT = "72f988bf-0000-4000-8000-000000000001";
const COMPONENT = "creatio:m365:CreatioOAuthApp";
/** A URN as the engine writes it for a child of the component (pulumi/pulumi sdk/go/common/resource/urn.go: urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>). */
const urn = (type: string, name: string) => `urn:pulumi:prod::creatio-m365-oauth::${COMPONENT}$${type}::${name}`;
const TYPES = {
    app: "azuread:index/application:Application",
    sp: "azuread:index/servicePrincipal:ServicePrincipal",
    grant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    password: "azuread:index/applicationPassword:ApplicationPassword",
    offset: "random:index/randomInteger:RandomInteger",
};

/** A step of `pulumi preview --json` (pulumi/pulumi sdk/go/common/display/json.go, PreviewStep: detailedDiff has no omitempty). */
function step(op: string, type: string, name: string, diff: { diffReasons?: string[]; replaceReasons?: string[]; detailedDiff?: Record<string, unknown> } = {}) {
    return { op, urn: urn(type, name), provider: "urn:pulumi:prod::creatio-m365-oauth::pulumi:providers:azuread::default_6_9_1::0b0b", detailedDiff: null, ...diff };
}

/** A PreviewDigest (json.go): config, steps, changeSummary. */
function digest(steps: object[]) {
    return JSON.stringify({
        config: { "creatio-m365-oauth:siteName": "acme" },
        steps: [
            { op: "same", urn: "urn:pulumi:prod::creatio-m365-oauth::pulumi:pulumi:Stack::creatio-m365-oauth-prod", detailedDiff: null },
            ...steps,
        ],
        changeSummary: { same: 1 },
    }, null, 4);
}

function run(preview: string | { exitCode: number; stderr: string }, argv = ["--stack", "prod"], env: Record<string, string> = { ARM_TENANT_ID: TENANT }) {
    return runInProcess("routine-check", main, argv, {}, {
        env,
        answer: args => args[0] === "preview"
            ? (typeof preview === "string" ? { exitCode: 0, stdout: preview, stderr: "" } : { stdout: "", ...preview })
            : undefined,
    });
}

const ADMIN_TAIL = "nothing was changed. The CI identity holds Application.ReadWrite.OwnedBy and Application.Read.All only. " +
    "An Entra ID Cloud Application Administrator (or Application Administrator, Privileged Role Administrator) runs from main, with the stack's state credentials: " +
    `az login --tenant ${TENANT} && pulumi up --stack prod --policy-pack policy; then CI takes over again (docs/ci.md, "Admin acts")\n`;

describe("routine-check", () => {
    it("previews the stack under the policy pack as JSON, and nothing else", async () => {
        const result = await run(digest([]));
        // pulumi/pulumi pkg/cmd/pulumi/operations/preview.go: --stack, --policy-pack, --json ("Serialize the preview diffs, operations, and overall output as JSON")
        assert.deepStrictEqual(result.pulumiCalls, [["preview", "--stack", "prod", "--policy-pack", "policy", "--json"]]);
        assert.deepStrictEqual([result.code, result.stdout, result.stderr],
            [0, "Stack prod: pulumi preview under the policy pack (policy/): no changes\nNothing to do.\n", ""]);
    });

    it("lets the CI identity rotate passwords, redraw the offset and change redirect URIs of a registration it owns", async () => {
        const result = await run(digest([
            step("update", TYPES.app, "creatio-app", { diffReasons: ["web"], detailedDiff: { "web.redirectUris[1]": { kind: "add", inputDiff: true } } }),
            step("same", TYPES.sp, "creatio-sp"),
            step("same", TYPES.grant, "creatio-consent-exchange"),
            step("replace", TYPES.password, "creatio-secret-a", { replaceReasons: ["rotateWhenChanged"] }),
            step("create-replacement", TYPES.password, "creatio-secret-a", { replaceReasons: ["rotateWhenChanged"] }),
            step("delete-replaced", TYPES.password, "creatio-secret-a"),
            step("create", TYPES.offset, "creatio-rotation-offset"),
            { op: "update", urn: "urn:pulumi:prod::creatio-m365-oauth::pulumi:providers:azuread::default_6_9_2", diffReasons: ["version"], detailedDiff: null },
        ]));
        assert.deepStrictEqual([result.code, result.stderr], [0, ""]);
        assert.strictEqual(result.stdout, [
            "Stack prod: pulumi preview under the policy pack (policy/): 6 changes",
            `  update ${TYPES.app} creatio-app (web)`,
            `  replace ${TYPES.password} creatio-secret-a (rotateWhenChanged)`,
            `  create-replacement ${TYPES.password} creatio-secret-a (rotateWhenChanged)`,
            `  delete-replaced ${TYPES.password} creatio-secret-a`,
            `  create ${TYPES.offset} creatio-rotation-offset`,
            "  update pulumi:providers:azuread default_6_9_2 (version)",
            "Every change is routine: the CI identity may make it.",
            "",
        ].join("\n"));
    });

    it("refuses consent, owners, requested permissions, new or removed registrations and foreign types, naming who runs what", async () => {
        const result = await run(digest([
            step("create", TYPES.app, "creatio-app"),
            step("update", TYPES.sp, "creatio-sp", { diffReasons: ["owners"], detailedDiff: { "owners[1]": { kind: "add" } } }),
            step("update", TYPES.app, "creatio-app", { diffReasons: ["requiredResourceAccesses", "web"] }),
            step("update", TYPES.grant, "creatio-consent-graph", { diffReasons: ["claimValues"] }),
            step("delete", TYPES.grant, "creatio-consent-graph"),
            step("delete", TYPES.app, "creatio-app"),
            step("import", TYPES.sp, "creatio-sp"),
            step("create", "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential", "backdoor"),
            step("replace", TYPES.password, "creatio-secret-b"),
            step("some-future-op", TYPES.sp, "creatio-sp"),
        ]));
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stdout, [
            "Stack prod: pulumi preview under the policy pack (policy/): 10 changes",
            `  [admin] create ${TYPES.app} creatio-app: a new registration: its consent and owners are set by an administrator's first pulumi up`,
            `  [admin] update ${TYPES.sp} creatio-sp (owners): owners (adding one needs more than Application.ReadWrite.OwnedBy)`,
            `  [admin] update ${TYPES.app} creatio-app (requiredResourceAccesses, web): the permissions the registration requests, which the admin consent covers`,
            `  [admin] update ${TYPES.grant} creatio-consent-graph (claimValues): admin consent (DelegatedPermissionGrant.ReadWrite.All)`,
            `  [admin] delete ${TYPES.grant} creatio-consent-graph: admin consent (DelegatedPermissionGrant.ReadWrite.All)`,
            `  [admin] delete ${TYPES.app} creatio-app: replacing or removing the registration takes its consent and owners with it`,
            `  [admin] import ${TYPES.sp} creatio-sp: a new registration: its consent and owners are set by an administrator's first pulumi up`,
            "  [admin] create azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential backdoor: " +
            "a resource type this program does not declare",
            `  replace ${TYPES.password} creatio-secret-b`,
            // An op this check does not know keeps nothing it can vouch for.
            `  [admin] some-future-op ${TYPES.sp} creatio-sp: replacing or removing the registration takes its consent and owners with it`,
            "",
        ].join("\n"));
        assert.strictEqual(result.stderr, `routine-check: stack "prod": 9 changes need an administrator (marked [admin]); ${ADMIN_TAIL}`);
    });

    it("names the tenant only when ARM_TENANT_ID is one", async () => {
        const result = await run(digest([step("create", TYPES.grant, "creatio-consent-exchange")]), ["--stack", "prod"], { ARM_TENANT_ID: "$(evil)" });
        assert.strictEqual(result.code, 1);
        assert.ok(result.stderr.startsWith('routine-check: stack "prod": 1 change needs an administrator (marked [admin]); '), result.stderr);
        assert.ok(result.stderr.includes("az login --tenant <tenant id> && pulumi up --stack prod"), result.stderr);
    });

    it("judges nothing routine when the preview failed or cannot be read (exit 2)", async () => {
        const failed = await run({ exitCode: 255, stderr: "error: preview failed\n" });
        assert.deepStrictEqual([failed.code, failed.stdout, failed.stderr], [2, "", "routine-check: pulumi preview failed: error: preview failed\n"]);
        for (const [text, reason] of [
            ["Previewing update (prod)", "the preview is not JSON"],
            ["[]", "the preview is not a JSON object"],
            ['{"steps": {}}', "the preview's steps are not a list"],
            ["{}", "the preview's steps are not a list"],
            ['{"steps": []}', "the preview has no step for the stack itself"],
            [JSON.stringify({ steps: [step("update", TYPES.app, "creatio-app")] }), "the preview has no step for the stack itself"],
            ['{"steps": [{"op": "create"}]}', "the preview's step 1 has no op and URN"],
            ['{"steps": [{"op": "create", "urn": "arn:aws:x"}]}', "the preview's step 1 has no op and URN"],
        ]) {
            const result = await run(text);
            assert.deepStrictEqual([result.code, result.stdout, result.stderr],
                [2, "", `routine-check: stack "prod": ${reason}, so no change can be judged routine\n`], text);
        }
    });

    it("says that a stack that does not exist yet is an administrator's first deploy", async () => {
        // The fake CLI answers as pulumi does (backenderr.StackNotFoundError, exit 6).
        const result = await runInProcess("routine-check", main, ["--stack", "prod"], {}, { env: { ARM_TENANT_ID: TENANT } });
        assert.deepStrictEqual([result.code, result.stdout], [1, ""]);
        assert.strictEqual(result.stderr, 'routine-check: stack "prod" does not exist in this backend (PULUMI_BACKEND_URL, the state ' +
            "credentials): if they are right, the stack is new, and its first pulumi up grants admin consent and sets the owners, which the " +
            "CI identity cannot do. An Entra ID Cloud Application Administrator (or Application Administrator, Privileged Role Administrator) " +
            `runs from main, with the stack's state credentials: az login --tenant ${TENANT} && pulumi stack init prod && ` +
            'pulumi up --stack prod --policy-pack policy; then CI takes over again (docs/ci.md, "Admin acts")\n');
    });

    it("checks its options before it runs pulumi", async () => {
        for (const [argv, message] of [
            [[], "--stack is required (usage: npm run -s routine-check -- --stack <name> [--pulumi-timeout-seconds 600]; --help says more)"],
            [["--stack", "prod", "--pulumi-timeout-seconds", "0"], '--pulumi-timeout-seconds "0" is not a whole number of seconds from 1 to 3600'],
        ] as [string[], string][]) {
            const result = await run(digest([]), argv);
            assert.deepStrictEqual([result.code, result.stderr, result.pulumiCalls], [2, `routine-check: ${message}\n`, []]);
        }
    });

    it("reads a step's type through its parents and its changed properties from every diff field", () => {
        assert.deepStrictEqual(previewSteps(digest([
            step("update", TYPES.app, "creatio-app", { diffReasons: ["web"], replaceReasons: ["displayName"], detailedDiff: { "owners[0]": {}, "web.redirectUris": {} } }),
        ]))[1], {
            op: "update", urn: urn(TYPES.app, "creatio-app"), type: TYPES.app, name: "creatio-app", changed: ["displayName", "owners", "web"],
        });
    });
});

describe("npm run routine-check", () => {
    it("runs as a script (ops/routineCheck.ts, the npm script's file) with the pulumi on PATH", async function () {
        this.timeout(60_000);
        const result = await spawnCommand("routineCheck", ["--stack", "prod"], {
            prod: { outputs: {}, preview: digest([step("create", TYPES.grant, "creatio-consent-exchange")]) },
        }, { env: { ARM_TENANT_ID: TENANT } });
        assert.deepStrictEqual(result.pulumiCalls, [["preview", "--stack", "prod", "--policy-pack", "policy", "--json"]]);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr, `routine-check: stack "prod": 1 change needs an administrator (marked [admin]); ${ADMIN_TAIL}`);
    });
});
