import * as assert from "assert";
import { OpsError } from "../../../ops/cli.ts";
import { checkEnvironmentPins } from "../../../ops/creatio/environmentPins.ts";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OUTPUTS = { siteBaseUrl: "https://acme.creatio.com", tenantId: TENANT };

function refusal(outputs: { siteBaseUrl: string; tenantId: string }, env: Record<string, string>): [number, string] {
    try {
        checkEnvironmentPins("prod", outputs, env);
    } catch (err) {
        assert.ok(err instanceof OpsError);
        return [err.exitCode, err.message];
    }
    return assert.fail("accepted");
}

describe("environment pins (deliver)", () => {
    it("accepts the pinned site, written as its base with or without a final slash, in any case of scheme and host", () => {
        for (const pin of ["https://acme.creatio.com", "https://acme.creatio.com/", "HTTPS://Acme.Creatio.com"]) {
            assert.doesNotThrow(() => checkEnvironmentPins("prod", OUTPUTS, { CREATIO_SITE_URL: pin, AZURE_TENANT_ID: TENANT }));
        }
        assert.doesNotThrow(() => checkEnvironmentPins("prod", { siteBaseUrl: "https://crm.example.com:8443/creatio", tenantId: TENANT },
            { CREATIO_SITE_URL: "https://crm.example.com:8443/creatio/" }));
    });

    it("refuses a stack whose site is not the pinned one (exit 1), naming both", () => {
        for (const forged of ["https://acme.creatio.com.evil.example", "https://acme.creatio.com/creatio", "https://attacker.example"]) {
            assert.deepStrictEqual(refusal({ ...OUTPUTS, siteBaseUrl: forged }, { CREATIO_SITE_URL: "https://acme.creatio.com" }), [1,
                `nothing sent: stack "prod" names the site ${JSON.stringify(forged)} (output siteBaseUrl), but CREATIO_SITE_URL pins ` +
                '"https://acme.creatio.com"; if the site really moved, change CREATIO_SITE_URL first']);
        }
        // Paths are compared as written: Entra ID compares redirect URI paths case-sensitively too.
        assert.strictEqual(refusal({ ...OUTPUTS, siteBaseUrl: "https://crm.example.com/Creatio" },
            { CREATIO_SITE_URL: "https://crm.example.com/creatio" })[0], 1);
    });

    it("refuses a stack whose tenant is not the pinned one (exit 1); an unset tenant pin is not checked", () => {
        const other = "0b0b0b0b-0000-4000-8000-000000000b0b";
        assert.deepStrictEqual(refusal({ ...OUTPUTS, tenantId: other }, { CREATIO_SITE_URL: "https://acme.creatio.com", AZURE_TENANT_ID: TENANT }), [1,
            `nothing sent: stack "prod" names the tenant "${other}" (output tenantId), but AZURE_TENANT_ID pins "${TENANT}"`]);
        assert.doesNotThrow(() => checkEnvironmentPins("prod", OUTPUTS, { CREATIO_SITE_URL: "https://acme.creatio.com", AZURE_TENANT_ID: TENANT.toUpperCase() }));
        assert.doesNotThrow(() => checkEnvironmentPins("prod", OUTPUTS, { CREATIO_SITE_URL: "https://acme.creatio.com" }));
    });

    it("needs the site pin, and refuses one that is no https site address (exit 2)", () => {
        for (const env of [{}, { CREATIO_SITE_URL: "" }] as Record<string, string>[]) {
            assert.deepStrictEqual(refusal(OUTPUTS, env), [2,
                'CREATIO_SITE_URL is not set: set it to the https address of the Creatio site stack "prod" delivers to (its siteBaseUrl, ' +
                "such as https://acme.creatio.com), so that a changed stack output cannot send Creatio's credentials and the secret elsewhere"]);
        }
        for (const pin of ["acme.creatio.com", "http://acme.creatio.com", "https://user@acme.creatio.com", "https://acme.creatio.com/?x=1",
            "https://acme.creatio.com/#top", "https://acme.creatio.com\\evil", "https://acme.creatio.com?"]) {
            assert.deepStrictEqual(refusal(OUTPUTS, { CREATIO_SITE_URL: pin }), [2,
                `CREATIO_SITE_URL ${JSON.stringify(pin)} is not an https site address such as https://acme.creatio.com (no user info, query or fragment)`]);
        }
    });
});
