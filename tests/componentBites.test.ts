/**
 * CreatioOAuthApp: behaviour that mutation testing found unchecked by component.test.ts.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { CreatioOAuthApp } from "../components/creatioOAuthApp";
import { validateConfig } from "../lib/settings";
import { DEPLOYER_OBJECT_ID, TenantMocks, capturingWarnings, promiseOf } from "./mocks";

const NOW = new Date("2026-11-28T10:00:00Z");
const PROVIDER_TYPE = "pulumi:providers:azuread";

/** The tenant's mocks, also standing in for an explicit azuread provider, recording which provider each lookup went to. */
class ProviderMocks extends TenantMocks {
    readonly lookupProviders: { token: string; provider: string | undefined }[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        if (args.type === PROVIDER_TYPE) {
            return { id: `provider-id-of-${args.name}`, state: args.inputs };
        }
        return super.newResource(args);
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.lookupProviders.push({ token: args.token, provider: args.provider });
        return super.call(args);
    }
}

describe("CreatioOAuthApp (bites)", () => {
    it("makes its lookups through the component's azuread provider: the deployer and the Microsoft principals of that tenant", async () => {
        const mocks = new ProviderMocks(37);
        await mocks.install("creatio-m365-oauth", "dev");
        const provider = new azuread.Provider("other-tenant", { tenantId: "11111111-0000-4000-8000-000000000011" });
        const app = new CreatioOAuthApp("t", { ...validateConfig({ siteName: "acme" }), now: NOW },
            { providers: { azuread: provider } });
        await Promise.all([promiseOf(app.clientSecret), promiseOf(app.tenantId),
            ...app.consentGrants.map(grant => promiseOf(grant.id))]);
        // A provider reference is "<provider URN>::<provider id>" (pulumi/pulumi sdk/nodejs/runtime/resource.ts: providerRef).
        const ref = "urn:pulumi:dev::creatio-m365-oauth::pulumi:providers:azuread::other-tenant::provider-id-of-other-tenant";
        assert.deepStrictEqual(mocks.lookupProviders.map(l => [l.token, l.provider]).sort(), [
            ["azuread:index/getClientConfig:getClientConfig", ref],
            ["azuread:index/getServicePrincipal:getServicePrincipal", ref],
            ["azuread:index/getServicePrincipal:getServicePrincipal", ref],
        ]);
    });

    it("makes the deployer the only owner when owners is not given at all", async () => {
        const mocks = new TenantMocks(37);
        await mocks.install("creatio-m365-oauth", "dev");
        const { owners: _unset, ...settings } = validateConfig({ siteName: "acme" });
        const { warnings } = await capturingWarnings(async () => {
            const app = new CreatioOAuthApp("t", { ...settings, now: NOW });
            await Promise.all([promiseOf(app.servicePrincipal.id), promiseOf(app.clientSecret)]);
        });
        assert.deepStrictEqual(mocks.inputsOf("t-app").owners, [DEPLOYER_OBJECT_ID]);
        assert.deepStrictEqual(mocks.inputsOf("t-sp").owners, [DEPLOYER_OBJECT_ID]);
        assert.deepStrictEqual(warnings, []);
    });
});
