import * as assert from "assert";
import * as path from "path";
import { pathToFileURL } from "url";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../lib/settings.ts";
import { ownersWarning } from "../lib/owners.ts";
import {
    APP_CLIENT_ID, APP_OBJECT_ID, DEPLOYER_OBJECT_ID, PASSWORD_KEY_IDS, SP_OBJECT_ID, TENANT_ID, TenantMocks, capturingWarnings,
    promiseOf, runProgram, withoutPromiseStacks,
} from "./mocks.ts";

const PROGRAM = path.join(import.meta.dirname, "..", "index.ts");

type Outputs = Record<string, pulumi.Output<any>>;

/** Runs index.ts as `pulumi up` would, with this stack config, against fresh mocks. */
async function run(config: Record<string, string>, mocks = new TenantMocks(37)): Promise<{ outputs: Outputs; mocks: TenantMocks }> {
    return { outputs: await withoutPromiseStacks(() => runProgram<Outputs>(PROGRAM, "creatio-m365-oauth", "dev", config, mocks)), mocks };
}

/** Pulumi.yaml's defaults, as the CLI passes them to the program. */
const DEFAULTS = {
    siteName: "", siteUrl: "", creatioVersion: "", netCore: "false", signInAudience: "AzureADMultipleOrgs", displayName: "",
    owners: "[]", secretRotationDays: "180", maxSecretLifetimeDays: "0",
    existingApplicationObjectId: "", existingServicePrincipalObjectId: "",
    existingExchangeConsentGrantId: "", existingGraphConsentGrantId: "",
};

describe("the program (index.ts)", () => {
    it("exports exactly the documented stack outputs", async () => {
        const { outputs } = await run({ ...DEFAULTS, siteName: "acme" });
        assert.deepStrictEqual(Object.keys(outputs).sort(), [
            "applicationObjectId", "clientId", "clientSecret", "clientSecretA", "clientSecretAExpiresAt", "clientSecretAKeyId",
            "clientSecretB", "clientSecretBExpiresAt", "clientSecretBKeyId", "clientSecretExpiresAt", "clientSecretKeyId",
            "clientSecretRotatesAt", "ewsAllowListScript", "netCore", "previousClientSecretKeyId", "redirectUris",
            "secretRotationDays", "servicePrincipalObjectId", "signInAudience", "siteBaseUrl", "tenantId",
        ]);
    });

    it("exports what the stack is configured for, plain", async () => {
        const { outputs } = await run({
            ...DEFAULTS, siteUrl: "https://crm.example.com/creatio/", netCore: "true", signInAudience: "AzureADMultipleOrgs",
            secretRotationDays: "30",
        });
        const expected: Record<string, unknown> = {
            // No /0 and no trailing slash (COMMON interface 1), whatever netCore says.
            siteBaseUrl: "https://crm.example.com/creatio",
            netCore: true,
            signInAudience: "AzureADMultipleOrgs",
            secretRotationDays: 30,
        };
        for (const [name, value] of Object.entries(expected)) {
            assert.deepStrictEqual(await promiseOf(outputs[name]), value, name);
            assert.strictEqual(await pulumi.isSecret(outputs[name]), false, `${name} is plain`);
        }
        const defaults = (await run({ ...DEFAULTS, siteName: "acme" })).outputs;
        assert.strictEqual(await promiseOf(defaults.siteBaseUrl), "https://acme.creatio.com");
        assert.strictEqual(await promiseOf(defaults.netCore), false);
        // Multitenant: Creatio 8.1 signs in through /common (BaseOffice365OAuthAuthenticator), which Entra ID refuses for single-tenant apps (AADSTS50194, FACTS.md).
        assert.strictEqual(await promiseOf(defaults.signInAudience), "AzureADMultipleOrgs");
        assert.strictEqual(await promiseOf(defaults.secretRotationDays), 180);
    });

    it("exports the key ids of both slots, the newest one where clientSecret comes from, plain", async () => {
        const { outputs, mocks } = await run({ ...DEFAULTS, siteName: "acme", secretRotationDays: "90" });
        const expiresAt = await promiseOf(outputs.clientSecretExpiresAt);
        const [newest, previous] = ["a", "b"].sort(slot => (mocks.inputsOf(`creatio-secret-${slot}`).endDate === expiresAt ? -1 : 1));
        assert.strictEqual(await promiseOf(outputs.clientSecret), `secret-value-of-creatio-secret-${newest}`);
        assert.strictEqual(await promiseOf(outputs.clientSecretKeyId), PASSWORD_KEY_IDS[newest]);
        assert.strictEqual(await promiseOf(outputs.previousClientSecretKeyId), PASSWORD_KEY_IDS[previous]);
        assert.strictEqual(await pulumi.isSecret(outputs.clientSecretKeyId), false);
        assert.strictEqual(await pulumi.isSecret(outputs.previousClientSecretKeyId), false);
    });

    it("exports each slot's secret (a Pulumi secret), key id and end date, one of them the newest", async () => {
        const { outputs, mocks } = await run({ ...DEFAULTS, siteName: "acme", secretRotationDays: "90" });
        for (const letter of ["A", "B"]) {
            const slot = letter.toLowerCase();
            assert.strictEqual(await promiseOf(outputs[`clientSecret${letter}`]), `secret-value-of-creatio-secret-${slot}`);
            assert.strictEqual(await pulumi.isSecret(outputs[`clientSecret${letter}`]), true);
            assert.strictEqual(await promiseOf(outputs[`clientSecret${letter}KeyId`]), PASSWORD_KEY_IDS[slot]);
            assert.strictEqual(await promiseOf(outputs[`clientSecret${letter}ExpiresAt`]), mocks.inputsOf(`creatio-secret-${slot}`).endDate);
        }
        const newest = await promiseOf(outputs.clientSecretKeyId);
        assert.ok([PASSWORD_KEY_IDS.a, PASSWORD_KEY_IDS.b].includes(newest as string));
    });

    it("declares the app from the stack config and exports its values", async () => {
        const { outputs, mocks } = await run({ ...DEFAULTS, siteUrl: "https://crm.example.com/", creatioVersion: "8.1" });
        assert.strictEqual(await promiseOf(outputs.clientId), APP_CLIENT_ID);
        assert.strictEqual(await promiseOf(outputs.tenantId), TENANT_ID);
        assert.strictEqual(await promiseOf(outputs.applicationObjectId), APP_OBJECT_ID);
        assert.strictEqual(await promiseOf(outputs.servicePrincipalObjectId), SP_OBJECT_ID);
        assert.deepStrictEqual(await promiseOf(outputs.redirectUris),
            ["https://crm.example.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
        const app = mocks.inputsOf("creatio-app");
        assert.strictEqual(app.displayName, "Creatio crm.example.com (Microsoft 365)");
        assert.deepStrictEqual(app.web.redirectUris,
            ["https://crm.example.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
    });

    it("exports the client secret as a Pulumi secret, and the newest one", async () => {
        const { outputs, mocks } = await run({ ...DEFAULTS, siteName: "acme", secretRotationDays: "90" });
        assert.strictEqual(await pulumi.isSecret(outputs.clientSecret), true);
        const secret = await promiseOf(outputs.clientSecret);
        const expiresAt = await promiseOf(outputs.clientSecretExpiresAt);
        const newest = ["a", "b"].filter(slot => mocks.inputsOf(`creatio-secret-${slot}`).endDate === expiresAt);
        assert.strictEqual(newest.length, 1, "one slot holds the newest secret");
        assert.strictEqual(secret, `secret-value-of-creatio-secret-${newest[0]}`);
        for (const name of ["clientId", "tenantId", "redirectUris", "clientSecretExpiresAt", "clientSecretRotatesAt",
            "ewsAllowListScript", "applicationObjectId", "servicePrincipalObjectId"]) {
            assert.strictEqual(await pulumi.isSecret(outputs[name]), false, `${name} is plain`);
        }
    });

    it("exports when the secret expires and when it rotates, one period apart", async () => {
        const before = Date.now();
        const { outputs } = await run({ ...DEFAULTS, siteName: "acme", secretRotationDays: "90" });
        const expiresAt = await promiseOf(outputs.clientSecretExpiresAt);
        const rotatesAt = await promiseOf(outputs.clientSecretRotatesAt);
        assert.match(expiresAt, /^\d{4}-\d\d-\d\dT00:00:00Z$/);
        assert.match(rotatesAt, /^\d{4}-\d\d-\d\dT00:00:00Z$/);
        assert.strictEqual(Date.parse(expiresAt) - Date.parse(rotatesAt), 90 * 24 * 3600 * 1000);
        assert.ok(Date.parse(rotatesAt) > before && Date.parse(rotatesAt) <= before + 90 * 24 * 3600 * 1000);
    });

    it("exports the EWS allow-list script for this app's Client ID", async () => {
        const { outputs } = await run({ ...DEFAULTS, siteName: "acme" });
        const script: string = await promiseOf(outputs.ewsAllowListScript);
        assert.strictEqual(script, `./scripts/Grant-CreatioEwsAccess.ps1 -AppId '${APP_CLIENT_ID}'`);
    });

    it("makes the deploying identity the owner when owners is unset (the Pulumi.yaml default, [])", async () => {
        const { outputs, mocks } = await run({ ...DEFAULTS, siteName: "acme" });
        await promiseOf(outputs.servicePrincipalObjectId);
        assert.deepStrictEqual(mocks.inputsOf("creatio-app").owners, [DEPLOYER_OBJECT_ID]);
        assert.deepStrictEqual(mocks.inputsOf("creatio-sp").owners, [DEPLOYER_OBJECT_ID]);
    });

    it("declares the configured sign-in audience and .NET Core redirect URIs", async () => {
        const { outputs, mocks } = await run({
            ...DEFAULTS, siteName: "acme", creatioVersion: "8.1", netCore: "true", signInAudience: "AzureADMultipleOrgs",
        });
        const uris = ["https://acme.creatio.com/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"];
        await promiseOf(outputs.applicationObjectId);
        assert.deepStrictEqual(await promiseOf(outputs.redirectUris), uris);
        assert.deepStrictEqual(mocks.inputsOf("creatio-app").web.redirectUris, uris);
        assert.strictEqual(mocks.inputsOf("creatio-app").signInAudience, "AzureADMultipleOrgs");
    });

    it("passes the configured owners to the application and its service principal, and warns without the deployer", async () => {
        const owner = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        const { result: { mocks }, warnings } = await capturingWarnings(async () => {
            const ran = await run({ ...DEFAULTS, siteName: "acme", owners: JSON.stringify([owner]) });
            await promiseOf(ran.outputs.servicePrincipalObjectId);
            return ran;
        });
        assert.deepStrictEqual(mocks.inputsOf("creatio-app").owners, [owner]);
        assert.deepStrictEqual(mocks.inputsOf("creatio-sp").owners, [owner]);
        assert.deepStrictEqual(warnings, [`warning: [runtime] ${ownersWarning(DEPLOYER_OBJECT_ID)}`]);
    });

    it("adopts a portal-made registration named in the config", async () => {
        const { outputs, mocks } = await run({
            ...DEFAULTS, siteName: "acme",
            existingApplicationObjectId: "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa",
            existingServicePrincipalObjectId: "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb",
            existingExchangeConsentGrantId: "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0",
        });
        assert.strictEqual(await promiseOf(outputs.applicationObjectId), "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa");
        assert.strictEqual(await promiseOf(outputs.servicePrincipalObjectId), "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb");
        await new Promise(resolve => setTimeout(resolve, 50));
        assert.deepStrictEqual(mocks.declared.filter(d => d.importId).map(d => [d.name, d.importId]), [
            ["creatio-app", "/applications/aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa"],
            ["creatio-sp", "/servicePrincipals/bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb"],
            ["creatio-consent-exchange", "/oauth2PermissionGrants/YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0"],
        ]);
    });

    describe("with keys Pulumi.yaml does not declare", () => {
        const allowed = "allowed: the keys Pulumi.yaml declares: siteName, siteUrl, creatioVersion, netCore, signInAudience, " +
            "displayName, owners, secretRotationDays, maxSecretLifetimeDays, existingApplicationObjectId, " +
            "existingServicePrincipalObjectId, existingExchangeConsentGrantId, existingGraphConsentGrantId";
        const cases: [Record<string, string>, string[]][] = [
            [{ creatioVerison: "8.1" }, [`creatio-m365-oauth:creatioVerison is not a config key of this project (did you mean creatioVersion?); ${allowed}`]],
            [{ secretRotationDay: "90" }, [`creatio-m365-oauth:secretRotationDay is not a config key of this project (did you mean secretRotationDays?); ${allowed}`]],
            [{ sitename: "acme", colour: "hunter2" }, [
                `creatio-m365-oauth:colour is not a config key of this project; ${allowed}`,
                `creatio-m365-oauth:sitename is not a config key of this project (did you mean siteName?); ${allowed}`,
            ]],
            // A key holding a terminal escape is shown escaped (lib/configProblems.ts quoted).
            [{ "x\u001b[2J": "v" }, [`"creatio-m365-oauth:x\\u001b[2J" is not a config key of this project; ${allowed}`]],
        ];
        for (const [extra, problems] of cases) {
            it(`refuses ${Object.keys(extra).join(" and ")} before declaring anything, without echoing the value`, async () => {
                const mocks = new TenantMocks(37);
                await assert.rejects(run({ ...DEFAULTS, siteName: "acme", ...extra }, mocks), (err: Error) => {
                    assert.ok(err instanceof ConfigError, String(err));
                    assert.deepStrictEqual(err.problems, problems);
                    for (const value of Object.values(extra)) {
                        assert.ok(!err.message.includes(`"${value}"`) && !err.message.includes("hunter2"), err.message);
                    }
                    return true;
                });
                await new Promise(resolve => setTimeout(resolve, 50));
                assert.deepStrictEqual(mocks.declared, []);
                assert.deepStrictEqual(mocks.lookups, []);
            });
        }

        it("leaves keys of other namespaces alone", async () => {
            const mocks = new TenantMocks(37);
            await mocks.install("creatio-m365-oauth", "dev");
            pulumi.runtime.setAllConfig({
                ...Object.fromEntries(Object.entries({ ...DEFAULTS, siteName: "acme" }).map(([k, v]) => [`creatio-m365-oauth:${k}`, v])),
                "azuread:environment": "global", "pulumi:disable-default-providers": "[]", "other-project:sitename": "x",
            });
            const program: { default: () => Outputs } = await import(pathToFileURL(PROGRAM).href);
            const outputs = program.default();
            assert.strictEqual(await promiseOf(outputs.siteBaseUrl), "https://acme.creatio.com");
        });
    });

    describe("with bad config", () => {
        const bad: [string, Record<string, string>, string][] = [
            ["no site", { ...DEFAULTS }, "siteName or siteUrl must be set"],
            ["both sites", { ...DEFAULTS, siteName: "acme", siteUrl: "https://crm.example.com" }, "are both set"],
            ["a pasted host", { ...DEFAULTS, siteName: "acme.creatio.com" }, "set siteName to acme"],
            ["an http site URL", { ...DEFAULTS, siteUrl: "http://crm.example.com" }, "the scheme is http, not https"],
            ["an old version", { ...DEFAULTS, siteName: "acme", creatioVersion: "7.15" }, 'creatioVersion = "7.15"'],
            ["a short rotation", { ...DEFAULTS, siteName: "acme", secretRotationDays: "3" }, 'secretRotationDays = "3"'],
            ["a bad owner", { ...DEFAULTS, siteName: "acme", owners: '["bob"]' }, 'owners[0] = "bob"'],
            ["a bad netCore", { ...DEFAULTS, siteName: "acme", netCore: "yes" }, 'netCore = "yes": not a boolean'],
            ["a personal-account audience", { ...DEFAULTS, siteName: "acme", signInAudience: "PersonalMicrosoftAccount" },
                'signInAudience = "PersonalMicrosoftAccount": not a supported sign-in audience'],
            ["a bad application to adopt", { ...DEFAULTS, siteName: "acme", existingApplicationObjectId: "my-app" },
                'existingApplicationObjectId = "my-app"'],
        ];
        for (const [what, config, text] of bad) {
            it(`stops before declaring anything: ${what}`, async () => {
                const mocks = new TenantMocks(37);
                await assert.rejects(run(config, mocks), (err: Error) => {
                    assert.ok(err instanceof ConfigError, String(err));
                    assert.ok(err.message.startsWith("Invalid stack configuration, nothing was declared:\n  - "), err.message);
                    assert.ok(err.message.includes(text), err.message);
                    return true;
                });
                await new Promise(resolve => setTimeout(resolve, 50));
                assert.deepStrictEqual(mocks.declared, []);
                assert.deepStrictEqual(mocks.lookups, []);
            });
        }
    });
});
