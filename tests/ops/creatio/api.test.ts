/** Creatio's API paths (ops/creatio/api.ts). */
import * as assert from "assert";
import { OAUTH_APPLICATIONS, odataRoot, odataString, recordPath } from "../../../ops/creatio/api.ts";
import { APP_ID } from "../../creatioFixtures.ts";

describe("Creatio API paths", () => {
    it("puts OData 4 under /0/odata on .NET Framework and /odata on .NET Core", () => {
        // Creatio developer documentation, "OData": https://mycreatio.com/0/odata and https://mycreatio.com/odata
        assert.strictEqual(odataRoot("https://acme.creatio.com", false), "https://acme.creatio.com/0/odata");
        assert.strictEqual(odataRoot("https://crm.example.com/creatio", true), "https://crm.example.com/creatio/odata");
    });

    it("addresses a record by its bare Guid and quotes strings the OData 4 way", () => {
        // Creatio "odata web service (OData 4)": objects_collection(object_id); OData 4 ABNF: guid literal unquoted
        assert.strictEqual(recordPath(OAUTH_APPLICATIONS, APP_ID), `OAuthApplications(${APP_ID})`);
        // OData 4 ABNF, SQUOTE-in-string: a quote inside a string literal is doubled
        assert.strictEqual(odataString("Bob's mail"), "'Bob''s mail'");
    });
});
