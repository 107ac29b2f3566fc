import * as assert from "assert";
import { parseCreatioVersion, permissionsFor, profileFor, redirectUrisFor } from "../../lib/creatioProfile.ts";

/** Permissions as plain [API appId, [scope id, claim value]...] rows, to compare with literals. */
function rows(profile: Parameters<typeof permissionsFor>[0]) {
    return permissionsFor(profile).map(({ api, scopes }) => [api.appId, scopes.map(s => [s.id, s.value])]);
}

const EXCHANGE_EWS = ["00000002-0000-0ff1-ce00-000000000000", [["3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", "EWS.AccessAsUser.All"]]];
const GRAPH_USER_READ = ["00000003-0000-0000-c000-000000000000", [["e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read"]]];

describe("Creatio profiles", () => {
    it("parses versions to major.minor", () => {
        assert.deepStrictEqual(parseCreatioVersion("7.16"), { major: 7, minor: 16 });
        assert.deepStrictEqual(parseCreatioVersion("7.18.5"), { major: 7, minor: 18 });
        assert.deepStrictEqual(parseCreatioVersion("8"), { major: 8, minor: 0 });
        assert.deepStrictEqual(parseCreatioVersion("8.1.2.3994"), { major: 8, minor: 1 });
        assert.deepStrictEqual(parseCreatioVersion("8.16"), { major: 8, minor: 16 });
        assert.strictEqual(parseCreatioVersion("7.15"), undefined);
        assert.strictEqual(parseCreatioVersion("6.16"), undefined);
        assert.strictEqual(parseCreatioVersion("7"), undefined);
        assert.strictEqual(parseCreatioVersion(""), undefined);
    });

    it("picks 7.16, 7.17+ or, without a version, any", () => {
        assert.strictEqual(profileFor({ major: 7, minor: 16 }), "7.16");
        assert.strictEqual(profileFor({ major: 7, minor: 17 }), "7.17+");
        assert.strictEqual(profileFor({ major: 8, minor: 0 }), "7.17+");
        // 8.16 is not 7.16: the major version decides first.
        assert.strictEqual(profileFor({ major: 8, minor: 16 }), "7.17+");
        assert.strictEqual(profileFor(undefined), "any");
    });

    it("7.16: the Microsoft365OAuthAuthenticator redirect URI and Exchange EWS.AccessAsUser.All only", () => {
        assert.deepStrictEqual(redirectUrisFor("https://acme.creatio.com", "7.16"),
            ["https://acme.creatio.com/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode"]);
        assert.deepStrictEqual(rows("7.16"), [EXCHANGE_EWS]);
    });

    it("7.17+: the Office365OAuthAuthenticator redirect URI, Exchange EWS.AccessAsUser.All and Graph User.Read", () => {
        assert.deepStrictEqual(redirectUrisFor("https://acme.creatio.com", "7.17+"),
            ["https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
        assert.deepStrictEqual(rows("7.17+"), [EXCHANGE_EWS, GRAPH_USER_READ]);
    });

    it("any: both redirect URIs and both permissions", () => {
        assert.deepStrictEqual(redirectUrisFor("https://crm.example.com/creatio", "any"), [
            "https://crm.example.com/creatio/0/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
            "https://crm.example.com/creatio/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
        ]);
        assert.deepStrictEqual(rows("any"), [EXCHANGE_EWS, GRAPH_USER_READ]);
    });

    describe("netCore: Creatio on .NET Core / .NET 6+ has no /0", () => {
        // Creatio 8.1 source (shiva01chh/CreatioDemoProject, Office365OAuthAuthenticator.Exchange.cs): the handler is
        // rest/Office365OAuthAuthenticator/ProcessAuthenticationCode under the application root; clio's
        // ServiceUrlBuilder (Advance-Technologies-Foundation/clio): root = IsNetCore ? Uri : Uri + "/0".
        it("drops /0 from the redirect URIs of every profile, for a cloud host and a site with a path", () => {
            assert.deepStrictEqual(redirectUrisFor("https://acme.example.com", "7.16", true),
                ["https://acme.example.com/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode"]);
            assert.deepStrictEqual(redirectUrisFor("https://acme.example.com", "7.17+", true),
                ["https://acme.example.com/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
            assert.deepStrictEqual(redirectUrisFor("https://crm.example.com/creatio", "any", true), [
                "https://crm.example.com/creatio/rest/Microsoft365OAuthAuthenticator/ProcessAuthenticationCode",
                "https://crm.example.com/creatio/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode",
            ]);
        });

        it("keeps /0 when false, the default", () => {
            assert.deepStrictEqual(redirectUrisFor("https://acme.creatio.com", "7.17+", false),
                ["https://acme.creatio.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode"]);
            assert.deepStrictEqual(redirectUrisFor("https://acme.creatio.com", "7.17+"),
                redirectUrisFor("https://acme.creatio.com", "7.17+", false));
        });
    });
});
