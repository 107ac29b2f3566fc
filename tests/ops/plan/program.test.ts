/**
 * The plan's evaluation of the program (ops/plan/program.ts) and its stand-in tenant
 * (ops/plan/tenant.ts), one behaviour at a time: the pure functions called directly, the
 * evaluation with tiny programs written for each test.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import { createRequire } from "module";
import * as path from "path";
import { type StackConfig } from "../../../ops/plan/config.ts";
import {
    type Evaluation, OFFSET_DEPENDENT, agreement, contrastingOffset, declaredOffsetRange, declaredPeriodDays, evaluateOnce,
    evaluateProgram, withoutPromiseStacks,
} from "../../../ops/plan/program.ts";
import { ASSIGNED, type DeclaredResource, PLACEHOLDER_GUID_PREFIX, StandInTenant, withoutStandIns } from "../../../ops/plan/tenant.ts";
import { rotationPlan } from "../../../lib/rotation.ts";

const RANDOM_INTEGER = "random:index/randomInteger:RandomInteger";
const APPLICATION = "azuread:index/application:Application";
const SERVICE_PRINCIPAL = "azuread:index/servicePrincipal:ServicePrincipal";
const PASSWORD = "azuread:index/applicationPassword:ApplicationPassword";
const GRANT = "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant";
const GUID = new RegExp(`^${PLACEHOLDER_GUID_PREFIX}[0-9a-f]{12}$`);

const CONFIG: StackConfig = {
    project: "bites", stack: "dev", stackFile: "Pulumi.dev.yaml", values: {}, sources: {}, secureKeys: [], notes: [],
};

/**
 * A program file that loads the same @pulumi/pulumi as the plan does; its default export, which
 * the plan calls once per evaluation, runs these lines and returns what they put in `exports`.
 */
function program(...lines: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bites-"));
    const file = path.join(dir, "index.mjs");
    fs.writeFileSync(file, [`import pulumi from ${JSON.stringify(import.meta.resolve("@pulumi/pulumi"))};`,
        "export default function () {", "const exports = {};", ...lines, "return exports;", "}"].join("\n"));
    return file;
}

function evaluation(declared: Partial<DeclaredResource>[], outputs: Evaluation["outputs"] = {}): Evaluation {
    return {
        declared: declared.map((r, i) => ({ type: "test:index:Thing", name: `r${i}`, inputs: {}, custom: true, ...r })),
        lookups: [], outputs, placeholders: [], messages: [],
    };
}

describe("plan: evaluating the program (bites)", () => {
    describe("evaluateOnce", () => {
        it("keeps a plain (non-Output) export as it is, never secret", async () => {
            const result = await evaluateOnce(program("exports.plain = 3;", "exports.text = 'x';"), CONFIG, 0);
            assert.deepStrictEqual(result.outputs, { plain: { value: 3, secret: false }, text: { value: "x", secret: false } });
        });

        it("waits for every registration the program started, also when no export waits for it", async () => {
            const result = await evaluateOnce(program(
                "new pulumi.CustomResource('test:index:Thing', 'late', { size: 2 });",
                "exports.plain = 1;",
            ), CONFIG, 0);
            assert.deepStrictEqual(result.declared,
                [{ type: "test:index:Thing", name: "late", inputs: { size: 2 }, custom: true }]);
        });

        it("runs the program as an update, not a preview, as pulumi up does after its preview", async () => {
            // pulumi/pulumi sdk/nodejs/runtime/mocks.ts setMocks: `preview` "indicates whether or not the program is
            // running a preview"; runtime/settings.ts isDryRun() returns it.
            const result = await evaluateOnce(program("exports.dryRun = pulumi.runtime.isDryRun();"), CONFIG, 0);
            assert.deepStrictEqual(result.outputs.dryRun, { value: false, secret: false });
        });

        it("keeps the SDK's log lines without [runtime], and other console text exactly as written", async () => {
            // @pulumi/pulumi log/index.js: without an engine, log.warn writes `warning: [runtime] <message>` to console.warn.
            const result = await evaluateOnce(program(
                "pulumi.log.warn('owners is odd');",
                "console.log('said: warning: [runtime] kept');",
                "console.error('plain');",
            ), CONFIG, 0);
            assert.deepStrictEqual(result.messages, ["warning: owners is odd", "said: warning: [runtime] kept", "plain"]);
        });

        it("gives the console back after the evaluation, also when the program throws", async () => {
            const methods = ["debug", "info", "log", "warn", "error"] as const;
            const before = methods.map(m => console[m]);
            await evaluateOnce(program("exports.x = 1;"), CONFIG, 0);
            assert.deepStrictEqual(methods.map(m => console[m]), before);
            await assert.rejects(evaluateOnce(program("throw new Error('broken program');"), CONFIG, 0), /^Error: broken program$/);
            assert.deepStrictEqual(methods.map(m => console[m]), before);
        });
    });

    describe("withoutPromiseStacks", () => {
        it("evaluates without the SDK's per-promise stack trace, keeps resources' source positions, restores the limit after", async () => {
            // @pulumi/pulumi runtime/debuggable.js: every debuggablePromise stores `new Error().stack` (_debugStackTrace);
            // resource.js Resource.callsites sets Error.stackTraceLimit to Infinity for the source position itself.
            const before = Error.stackTraceLimit;
            const result = await evaluateOnce(program(
                "exports.limit = Error.stackTraceLimit;",
                "const thing = new pulumi.CustomResource('test:index:Thing', 'thing', {});",
                "exports.callsites = pulumi.Resource.callsites().filter(site => site.file).length > 0;",
            ), CONFIG, 0);
            assert.deepStrictEqual([result.outputs.limit.value, result.outputs.callsites.value], [0, true]);
            assert.strictEqual(Error.stackTraceLimit, before);
            // The stack is stored on the promise given to debuggablePromise.
            const { debuggablePromise } = createRequire(import.meta.url)("@pulumi/pulumi/runtime/debuggable") as
                { debuggablePromise(p: Promise<void>, ctx: string): Promise<void> };
            const stackOf = async () => {
                const promise = Promise.resolve();
                await debuggablePromise(promise, "test");
                return (promise as Promise<void> & { _debugStackTrace: string })._debugStackTrace;
            };
            assert.strictEqual(await withoutPromiseStacks(stackOf), "Error");
            assert.match(await stackOf(), /^Error\n {4}at /);
            await assert.rejects(withoutPromiseStacks(async () => { throw new Error("broken"); }), { message: "broken" });
            assert.strictEqual(Error.stackTraceLimit, before);
            // Two at once, the first in ending first: still none inside the second, the limit back after both.
            let endFirst = () => {};
            let endSecond = () => {};
            const first = withoutPromiseStacks(() => new Promise<void>(resolve => { endFirst = resolve; }));
            const second = withoutPromiseStacks(() => new Promise<number>(resolve => { endSecond = () => resolve(Error.stackTraceLimit); }));
            endFirst();
            await first;
            endSecond();
            assert.strictEqual(await second, 0);
            assert.strictEqual(Error.stackTraceLimit, before);
        });
    });

    describe("evaluateProgram", () => {
        it("contrasts with offset 1 when a rotation offset is declared but no period", async () => {
            const result = await evaluateProgram(program(
                `const offset = new pulumi.CustomResource(${JSON.stringify(RANDOM_INTEGER)}, 'offset', { min: 0, max: 364, result: undefined });`,
                "exports.offset = offset.result;",
            ), CONFIG);
            assert.strictEqual(result.outputs.offset.value, OFFSET_DEPENDENT);
        });

        it("contrasts with offset 1 when a period is declared but no rotation offset", async () => {
            const result = await evaluateProgram(program(
                "new pulumi.CustomResource('test:index:Thing', 'app', { secretRotationDays: 30 });",
                "exports.fixed = 'same';",
            ), CONFIG);
            assert.deepStrictEqual(result.outputs.fixed, { value: "same", secret: false });
            assert.deepStrictEqual(result.declared.map(r => r.inputs), [{ secretRotationDays: 30 }]);
        });

        it("shows an export that only one evaluation has as depending on the offset", async () => {
            const g = globalThis as { planBitesRuns?: number };
            g.planBitesRuns = 0;
            const result = await evaluateProgram(program(
                "globalThis.planBitesRuns += 1;",
                "if (globalThis.planBitesRuns === 1) { exports.once = 'first'; }",
                "exports.always = 'both';",
            ), CONFIG);
            assert.strictEqual(g.planBitesRuns, 2);
            assert.deepStrictEqual(result.outputs, {
                once: { value: OFFSET_DEPENDENT, secret: false },
                always: { value: "both", secret: false },
            });
        });
    });

    describe("agreement", () => {
        it("compares arrays of one length item by item", () => {
            assert.deepStrictEqual(agreement([1, 2], [1, 3]), [1, OFFSET_DEPENDENT]);
        });
        it("takes arrays of different lengths, or an array and a non-array, as differing as a whole", () => {
            assert.strictEqual(agreement([1, 2], [1, 2, 3]), OFFSET_DEPENDENT);
            assert.strictEqual(agreement([1], "1"), OFFSET_DEPENDENT);
            assert.strictEqual(agreement("1", [1]), OFFSET_DEPENDENT);
        });
        it("compares objects with the same keys, in any order, key by key", () => {
            assert.deepStrictEqual(agreement({ a: 1, b: 2 }, { b: 2, a: 1 }), { a: 1, b: 2 });
            assert.deepStrictEqual(agreement({ b: 2, a: 1 }, { a: 1, b: 2 }), { b: 2, a: 1 });
            assert.deepStrictEqual(agreement({ a: 1, b: 2 }, { b: 3, a: 1 }), { a: 1, b: OFFSET_DEPENDENT });
        });
        it("takes objects with other keys as differing as a whole", () => {
            assert.strictEqual(agreement({ a: 1, b: 2 }, { a: 1, c: 2 }), OFFSET_DEPENDENT);
            assert.strictEqual(agreement({ a: 1 }, { a: 1, b: 2 }), OFFSET_DEPENDENT);
            assert.strictEqual(agreement({ a: 1, b: 2 }, { a: 1 }), OFFSET_DEPENDENT);
        });
        it("takes an object and a non-object as differing, and null as a value", () => {
            assert.strictEqual(agreement({}, ""), OFFSET_DEPENDENT);
            assert.strictEqual(agreement("", {}), OFFSET_DEPENDENT);
            assert.strictEqual(agreement({}, null), OFFSET_DEPENDENT);
            assert.strictEqual(agreement(null, null), null);
            assert.deepStrictEqual(agreement({ a: null }, { a: null }), { a: null });
        });
    });

    describe("declaredPeriodDays", () => {
        it("takes the first declared positive whole secretRotationDays", () => {
            assert.strictEqual(declaredPeriodDays(evaluation(
                [{ inputs: {} }, { inputs: { secretRotationDays: 30 } }, { inputs: { secretRotationDays: 60 } }],
                { secretRotationDays: { value: 99, secret: false } })), 30);
        });
        it("skips declared values that are no positive whole number, then reads the output", () => {
            for (const days of ["30", "x", 2.5, 0, -7, null]) {
                assert.strictEqual(declaredPeriodDays(evaluation([{ inputs: { secretRotationDays: days } }],
                    { secretRotationDays: { value: 99, secret: false } })), 99, String(days));
            }
        });
        it("reads the output when nothing declares one, and only a number", () => {
            assert.strictEqual(declaredPeriodDays(evaluation([], { secretRotationDays: { value: 45, secret: false } })), 45);
            assert.strictEqual(declaredPeriodDays(evaluation([], { secretRotationDays: { value: "45", secret: false } })), undefined);
            assert.strictEqual(declaredPeriodDays(evaluation([])), undefined);
        });
    });

    describe("declaredOffsetRange", () => {
        it("reads min and max of the declared random integer", () => {
            assert.deepStrictEqual(declaredOffsetRange(evaluation([{ type: RANDOM_INTEGER, inputs: { min: 0, max: 364 } }])),
                { min: 0, max: 364 });
        });
        it("has none without a random integer or without both bounds as numbers", () => {
            assert.strictEqual(declaredOffsetRange(evaluation([{ inputs: { min: 0, max: 364 } }])), undefined);
            assert.strictEqual(declaredOffsetRange(evaluation([{ type: RANDOM_INTEGER, inputs: {} }])), undefined);
            assert.strictEqual(declaredOffsetRange(evaluation([{ type: RANDOM_INTEGER, inputs: { min: 0 } }])), undefined);
            assert.strictEqual(declaredOffsetRange(evaluation([{ type: RANDOM_INTEGER, inputs: { max: 9 } }])), undefined);
            assert.strictEqual(declaredOffsetRange(evaluation([{ type: RANDOM_INTEGER, inputs: { min: 0, max: "9" } }])), undefined);
        });
    });

    describe("contrastingOffset", () => {
        // Period 7, 3.5 days into window 0 (windows count from 2024-01-01, lib/rotation.ts): offsets 15 to 17 start the
        // window 1 to 3 days later in the same slot, 14 (two periods) changes nothing, 18 moves the newest secret over.
        const INSTANT = new Date("2024-01-04T12:00:00Z");
        const base = rotationPlan(INSTANT, 7, 0);
        const start = (offset: number) => rotationPlan(INSTANT, 7, offset).current.start.getTime();
        const slot = (offset: number) => rotationPlan(INSTANT, 7, offset).newestSlot;

        it("the instant is as described", () => {
            assert.strictEqual(start(14), base.current.start.getTime());
            assert.strictEqual(slot(14), base.newestSlot);
            for (const offset of [15, 16, 17]) {
                assert.notStrictEqual(start(offset), base.current.start.getTime());
                assert.strictEqual(slot(offset), base.newestSlot);
            }
            assert.notStrictEqual(slot(18), base.newestSlot);
        });
        it("takes the first offset that starts another window when none changes the slot", () => {
            assert.strictEqual(contrastingOffset(7, { min: 14, max: 17 }, INSTANT), 15);
        });
        it("prefers the last offset of the range when only it changes the slot", () => {
            assert.strictEqual(contrastingOffset(7, { min: 14, max: 18 }, INSTANT), 18);
        });
        it("falls back to 1 when no offset of the range changes anything", () => {
            assert.strictEqual(contrastingOffset(7, { min: 0, max: 0 }, INSTANT), 1);
            assert.strictEqual(contrastingOffset(7, { min: 14, max: 14 }, INSTANT), 1);
        });
    });
});

describe("plan: the stand-in tenant (bites)", () => {
    const args = (type: string, name: string, inputs: Record<string, unknown>, id?: string, custom = true) =>
        ({ type, name, inputs, id, custom, provider: undefined });

    it("starts with nothing declared, looked up or assigned", () => {
        const tenant = new StandInTenant(0);
        assert.deepStrictEqual([tenant.declared, tenant.lookups, tenant.placeholders], [[], [], []]);
    });

    it("replaces every stand-in GUID and secret inside a text", () => {
        const text = `key stand-in-secret-0123456789abcdef and ${PLACEHOLDER_GUID_PREFIX}0123456789ab.`;
        assert.strictEqual(withoutStandIns(text), `key (a value ${ASSIGNED}) and (a value ${ASSIGNED}).`);
    });

    it("gives a component resource neither id nor state", () => {
        const tenant = new StandInTenant(0);
        assert.deepStrictEqual(tenant.newResource(args("pkg:index:Group", "group", { a: 1 }, undefined, false)),
            { id: undefined, state: {} });
        assert.deepStrictEqual(tenant.declared, [{ type: "pkg:index:Group", name: "group", inputs: { a: 1 }, custom: false }]);
        assert.deepStrictEqual(tenant.placeholders, []);
    });

    it("assigns a new application its object id and Client ID as placeholders", () => {
        const tenant = new StandInTenant(0);
        const { id, state } = tenant.newResource(args(APPLICATION, "app", { displayName: "Creatio" }));
        const [objectPh, clientPh] = tenant.placeholders;
        assert.match(objectPh.value, GUID);
        // terraform-provider-azuread v3 application_resource.go: the id is /applications/<object id>
        assert.strictEqual(id, `/applications/${objectPh.value}`);
        assert.deepStrictEqual(state, { displayName: "Creatio", objectId: objectPh.value, clientId: clientPh.value });
        assert.deepStrictEqual(tenant.placeholders.map(p => [p.name, p.text]), [
            ["application object id", `(application object id, ${ASSIGNED})`],
            ["Client ID", `(Client ID, ${ASSIGNED})`],
        ]);
        assert.deepStrictEqual(tenant.declared, [{ type: APPLICATION, name: "app", inputs: { displayName: "Creatio" }, custom: true }]);
    });

    it("keeps an adopted application's object id from its import id and records the import", () => {
        const tenant = new StandInTenant(0);
        const { id, state } = tenant.newResource(args(APPLICATION, "app", {}, "/applications/aaaa"));
        assert.strictEqual(id, "/applications/aaaa");
        assert.strictEqual(state.objectId, "aaaa");
        assert.deepStrictEqual(tenant.placeholders.map(p => p.text), ["(the adopted registration's Client ID, read at pulumi up)"]);
        assert.deepStrictEqual(tenant.declared,
            [{ type: APPLICATION, name: "app", inputs: {}, custom: true, importId: "/applications/aaaa" }]);
    });

    it("gives a service principal the provider's id form, its import id when adopted", () => {
        const tenant = new StandInTenant(0);
        const created = tenant.newResource(args(SERVICE_PRINCIPAL, "sp", { clientId: "c" }));
        const [ph] = tenant.placeholders;
        assert.deepStrictEqual([ph.name, ph.text], ["service principal object id", `(service principal object id, ${ASSIGNED})`]);
        // terraform-provider-azuread v3 service_principal_resource.go: d.SetId(stable.NewServicePrincipalID(...).ID())
        assert.deepStrictEqual(created, { id: `/servicePrincipals/${ph.value}`, state: { clientId: "c", objectId: ph.value } });
        const adopted = tenant.newResource(args(SERVICE_PRINCIPAL, "sp2", {}, "/servicePrincipals/bbbb"));
        assert.deepStrictEqual(adopted, { id: "/servicePrincipals/bbbb", state: { objectId: "bbbb" } });
        assert.strictEqual(tenant.placeholders.length, 1);
    });

    it("gives a password a key id and a secret as placeholders, the same in every evaluation", () => {
        const tenant = new StandInTenant(0);
        const inputs = { applicationId: "/applications/aaaa", displayName: "slot a" };
        const { id, state } = tenant.newResource(args(PASSWORD, "secret-a", inputs));
        const [keyPh, secretPh] = tenant.placeholders;
        assert.match(keyPh.value, GUID);
        assert.match(secretPh.value, /^stand-in-secret-[0-9a-f]{16}$/);
        assert.strictEqual(withoutStandIns(secretPh.value), `(a value ${ASSIGNED})`);
        // terraform-provider-azuread v3 application_password_resource.go + applications/parse/credentials.go:
        // the id is <application object id>/password/<key id>
        assert.deepStrictEqual({ id, state },
            { id: `aaaa/password/${keyPh.value}`, state: { ...inputs, keyId: keyPh.value, value: secretPh.value } });
        assert.deepStrictEqual(tenant.placeholders.map(p => [p.name, p.text]), [
            ["key id of secret-a", `(key id of secret-a, ${ASSIGNED})`],
            ["client secret of secret-a", `(client secret of secret-a, ${ASSIGNED}; a secret)`],
        ]);
        const again = new StandInTenant(5);
        assert.deepStrictEqual(again.newResource(args(PASSWORD, "secret-a", inputs)), { id, state });
        const other = new StandInTenant(0).newResource(args(PASSWORD, "secret-b", inputs));
        assert.notStrictEqual(other.state.value, state.value);
        assert.notStrictEqual(other.state.keyId, state.keyId);
    });

    it("gives a consent grant the provider's id form, its import id when adopted, and its inputs as state", () => {
        const tenant = new StandInTenant(0);
        const inputs = { claimValues: ["User.Read"] };
        const created = tenant.newResource(args(GRANT, "consent-graph", inputs));
        const [ph] = tenant.placeholders;
        assert.deepStrictEqual([ph.name, ph.text], ["id of consent-graph", `(id of consent-graph, ${ASSIGNED})`]);
        // terraform-provider-azuread v3 service_principal_delegated_permission_grant_resource.go: NewOAuth2PermissionGrantID(...).ID()
        assert.deepStrictEqual(created, { id: `/oauth2PermissionGrants/${ph.value}`, state: inputs });
        const adopted = tenant.newResource(args(GRANT, "consent-exchange", inputs, "/oauth2PermissionGrants/gggg"));
        assert.deepStrictEqual(adopted, { id: "/oauth2PermissionGrants/gggg", state: inputs });
        assert.strictEqual(tenant.placeholders.length, 1);
    });

    it("gives any other resource an assigned id, or its import id", () => {
        const tenant = new StandInTenant(0);
        const created = tenant.newResource(args("pkg:index:Other", "other", { k: "v" }));
        const [ph] = tenant.placeholders;
        assert.deepStrictEqual(created, { id: ph.value, state: { k: "v" } });
        assert.deepStrictEqual([ph.name, ph.text], ["id of other", `(id of other, ${ASSIGNED})`]);
        assert.deepStrictEqual(tenant.newResource(args("pkg:index:Other", "kept", {}, "zzzz")), { id: "zzzz", state: {} });
    });

    it("answers the service principal lookup of Microsoft Graph and Exchange Online", () => {
        const tenant = new StandInTenant(0);
        for (const [appId, displayName] of [
            ["00000003-0000-0000-c000-000000000000", "Microsoft Graph"], // Microsoft Graph's appId (GUIDE.md, Identifiers)
            ["00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"], // Exchange Online's appId (GUIDE.md)
        ]) {
            const answer = tenant.call({ token: "azuread:index/getServicePrincipal:getServicePrincipal", inputs: { clientId: appId } });
            const ph = tenant.placeholders[tenant.placeholders.length - 1];
            assert.deepStrictEqual([ph.name, ph.text], [`object id of ${displayName}`,
                `(the object id of ${displayName}'s service principal in the tenant, looked up at pulumi up)`]);
            // terraform-provider-azuread v3 service_principal_data_source.go: the id is /servicePrincipals/<object id>
            assert.deepStrictEqual(answer, { clientId: appId, objectId: ph.value, id: `/servicePrincipals/${ph.value}`, displayName });
        }
        assert.strictEqual(tenant.lookups.length, 2);
    });

    it("refuses a lookup of a principal the tenant has not, as the provider does", () => {
        const tenant = new StandInTenant(0);
        const token = "azuread:index/getServicePrincipal:getServicePrincipal";
        // terraform-provider-azuread v3 service_principal_data_source.go: ErrorDiagF(errors.New("no service principal
        // found"), "No service principal found"); pulumi-terraform-bridge pkg/tfshim/diagnostics/error.go: "summary: detail"
        assert.throws(() => tenant.call({ token, inputs: { clientId: "11111111-0000-0000-0000-000000000000" } }),
            (err: Error) => err.message === "No service principal found: no service principal found");
        assert.deepStrictEqual(tenant.lookups, [{ token, inputs: { clientId: "11111111-0000-0000-0000-000000000000" } }]);
        assert.deepStrictEqual(tenant.placeholders, []);
    });

    it("answers getClientConfig with placeholders for the identity that runs pulumi up", () => {
        const tenant = new StandInTenant(0);
        const answer = tenant.call({ token: "azuread:index/getClientConfig:getClientConfig", inputs: {} });
        assert.deepStrictEqual(tenant.placeholders.map(p => [p.name, p.text]), [
            ["tenant id", "(the tenant of the identity that runs pulumi up)"],
            ["deployer Client ID", "(the Client ID of the identity that runs pulumi up)"],
            ["deployer object id", "the identity that runs pulumi up"],
        ]);
        const [tenantId, clientId, objectId] = tenant.placeholders.map(p => p.value);
        assert.deepStrictEqual(answer, { tenantId, clientId, objectId });
        assert.deepStrictEqual(tenant.lookups, [{ token: "azuread:index/getClientConfig:getClientConfig", inputs: {}, result: answer }]);
    });

    it("refuses a lookup it cannot answer, naming it", () => {
        const tenant = new StandInTenant(0);
        assert.throws(() => tenant.call({ token: "azuread:index/getUser:getUser", inputs: {} }), (err: Error) =>
            err.message === "the plan's stand-in tenant cannot answer azuread:index/getUser:getUser: add it to ops/plan/tenant.ts");
    });

    it("answers the rotation offset it stands for", () => {
        const tenant = new StandInTenant(42);
        assert.deepStrictEqual(tenant.newResource(args(RANDOM_INTEGER, "offset", { min: 0, max: 364 })),
            { id: "42", state: { min: 0, max: 364, result: 42 } });
    });
});
