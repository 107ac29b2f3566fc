import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { parse } from "yaml";
import { CONFIG_KEYS, type RawConfig, validateConfig } from "../lib/settings.ts";
import { EXAMPLE_STACKS } from "./exampleStacks.ts";

const ROOT = path.join(import.meta.dirname, "..");
const readYaml = (file: string, dir = ROOT) => parse(fs.readFileSync(path.join(dir, file), "utf8"));

/** Config values as the Pulumi CLI hands them to the program: JSON for lists and numbers as text. */
function asRawConfig(values: Record<string, unknown>): RawConfig {
    return Object.fromEntries(Object.entries(values).map(
        ([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

describe("project files", () => {
    it("say the Node.js versions package.json's engines accept, where .ci/run installs Node 24 (not only below 22)", () => {
        const engines = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node;
        assert.strictEqual(engines, "^22.18.0 || >=24.11.0");
        const run = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
        assert.ok(run.includes(`package.json's engines, ${engines}.`));
        for (const page of ["development.md", "configuration.md"]) {
            const text = fs.readFileSync(path.join(ROOT, "docs", page), "utf8").replace(/\s+/g, " ");
            assert.ok(text.includes(`${engines}`) && text.includes("not 23"), page);
            assert.ok(!text.includes("older than 22") && !text.includes("22.18 or later"), page);
        }
    });

    const project = readYaml("Pulumi.yaml");

    it("names the project creatio-m365-oauth, a Node.js program", () => {
        assert.strictEqual(project.name, "creatio-m365-oauth");
        assert.strictEqual(project.runtime.name, "nodejs");
    });

    it("declares every config key with a type, a description and a default", () => {
        assert.deepStrictEqual(Object.keys(project.config), CONFIG_KEYS);
        for (const key of CONFIG_KEYS) {
            const schema = project.config[key];
            // Pulumi project schema, simpleConfigType (pulumi/pulumi sdk/go/common/workspace/project.json).
            assert.ok(["string", "integer", "boolean", "array"].includes(schema.type), `${key} has a type`);
            assert.ok(typeof schema.description === "string" && schema.description.length > 20, `${key} has a description`);
            assert.ok("default" in schema, `${key} has a default (a key without one is required by the CLI)`);
        }
    });

    it("has defaults that mean unset, .NET Framework, multitenant, 180 days and no owners", () => {
        const defaults = Object.fromEntries(CONFIG_KEYS.map(key => [key, project.config[key].default]));
        assert.deepStrictEqual(defaults, {
            siteName: "", siteUrl: "", creatioVersion: "", netCore: false, signInAudience: "AzureADMultipleOrgs", displayName: "",
            owners: [], secretRotationDays: 180, maxSecretLifetimeDays: 0,
            existingApplicationObjectId: "", existingServicePrincipalObjectId: "",
            existingExchangeConsentGrantId: "", existingGraphConsentGrantId: "",
        });
        const settings = validateConfig({ ...asRawConfig(defaults), siteName: "acme" });
        assert.strictEqual(settings.secretRotationDays, 180);
        // 0: no cap on the secrets' lifetime.
        assert.strictEqual(settings.maxSecretLifetimeDays, undefined);
        assert.strictEqual(settings.netCore, false);
        // Multitenant: Creatio 8.1 signs in through /common (BaseOffice365OAuthAuthenticator), which Entra ID refuses for single-tenant apps (AADSTS50194, FACTS.md).
        assert.strictEqual(settings.signInAudience, "AzureADMultipleOrgs");
        assert.deepStrictEqual(settings.owners, []);
        assert.strictEqual(settings.existing, undefined);
    });

    it("agrees on the Node versions that run TypeScript: engines, .ci/run, the workflows' setup action", () => {
        // Type stripping on by default and import.meta.main: Node 22.18.0's release notes (both), 24.2.0's
        // (import.meta.main); the commands need both. The mutation tools ask 22.18 or 24.11 (their engines).
        const engines = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node;
        assert.strictEqual(engines, "^22.18.0 || >=24.11.0");
        const check = /^in_engines='([^']*)'$/m.exec(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"))?.[1];
        assert.ok(check, ".ci/run decides by in_engines");
        const runsItself = (node: string) => {
            const fake = { versions: { node }, exitCode: undefined as number | undefined };
            vm.runInNewContext(check, { process: fake });
            return fake.exitCode === 0;
        };
        assert.deepStrictEqual(["20.19.0", "22.17.1", "22.18.0", "23.11.0", "24.1.0", "24.10.0", "24.11.0", "25.1.0"].filter(runsItself),
            ["22.18.0", "24.11.0", "25.1.0"]);
        const setup = readYaml(".github/actions/setup/action.yml").runs.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/setup-node@"));
        // setup-node's node-version 24 installs the latest 24.x release.
        assert.strictEqual(setup.with["node-version"], 24);
    });

    for (const [stack, site] of [["dev", "https://acme-dev.creatio.com"], ["prod", "https://acme.creatio.com"]]) {
        it(`has an example ${stack} stack for the tests whose config is valid`, () => {
            const config = readYaml(`Pulumi.${stack}.yaml`, EXAMPLE_STACKS).config;
            const prefix = "creatio-m365-oauth:";
            const keys = Object.keys(config);
            assert.ok(keys.every(key => key.startsWith(prefix)), keys.join());
            const settings = validateConfig(asRawConfig(Object.fromEntries(
                keys.map(key => [key.slice(prefix.length), config[key]]))));
            assert.strictEqual(settings.siteBaseUrl, site);
            assert.strictEqual(settings.profile, "7.17+");
        });
    }
});
