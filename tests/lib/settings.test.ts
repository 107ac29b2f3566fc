import * as assert from "assert";
import { problemsOf, SITE_URL_ALLOWED } from "../configFixtures.ts";
import { ConfigError, type RawConfig, validateConfig } from "../../lib/settings.ts";
import { HANDLER_PATH_7_16, HANDLER_PATH_7_17, parseCreatioVersion, profileFor, REDIRECT_PATH_7_16, REDIRECT_PATH_7_17, redirectUrisFor } from "../../lib/creatioProfile.ts";
import { isGuid, isNilGuid } from "../../lib/guid.ts";
import { rotationPlan } from "../../lib/rotation.ts";

const SITE_NAME_ALLOWED = "allowed: one DNS label of a-z, 0-9 and hyphens, 1 to 63 characters, " +
    "not starting or ending with a hyphen";

/** The one problem line for a siteUrl; `instead` is the value the message suggests. */
function siteUrlLine(url: string, what: string, instead?: string): string {
    return `siteUrl = ${JSON.stringify(url)}: ${what}; ${SITE_URL_ALLOWED}` + (instead ? `; did you mean ${instead}?` : "");
}

function assertSiteUrlRefused(url: string, what: string, instead?: string): void {
    assert.deepStrictEqual(problemsOf({ siteUrl: url }), [siteUrlLine(url, what, instead)], JSON.stringify(url));
}

const APP = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa";
const SP = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";
const NIL = "00000000-0000-0000-0000-000000000000";
const GRANT = "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0";

describe("validateConfig", () => {
    describe("accepts", () => {
        it("a site name, with every default", () => {
            assert.deepStrictEqual(validateConfig({ siteName: "acme" }), {
                siteBaseUrl: "https://acme.creatio.com",
                profile: "any",
                // .NET Framework, as Creatio's cloud runs (Creatio 8.1 source: Office365OAuthAuthenticator on <site>/0/rest).
                netCore: false,
                // Multitenant: Creatio 8.1 signs in through /common (BaseOffice365OAuthAuthenticator), which Entra ID refuses for single-tenant apps (AADSTS50194, FACTS.md).
                signInAudience: "AzureADMultipleOrgs",
                displayName: "Creatio acme.creatio.com (Microsoft 365)",
                owners: [],
                secretRotationDays: 180,
            });
        });

        it("empty strings as unset, as Pulumi.yaml's defaults give them", () => {
            const settings = validateConfig({
                siteName: "acme", siteUrl: "", creatioVersion: "", netCore: "", signInAudience: "", displayName: "",
                owners: "[]", secretRotationDays: "",
            });
            assert.strictEqual(settings.netCore, false);
            assert.strictEqual(settings.signInAudience, "AzureADMultipleOrgs");
            assert.strictEqual(settings.siteBaseUrl, "https://acme.creatio.com");
            assert.strictEqual(settings.profile, "any");
            assert.strictEqual(settings.secretRotationDays, 180);
            assert.deepStrictEqual(settings.owners, []);
        });

        it("a site name in upper case, lowered", () => {
            assert.strictEqual(validateConfig({ siteName: "ACME-Prod2" }).siteBaseUrl, "https://acme-prod2.creatio.com");
        });

        it("site names of 1 and 63 characters", () => {
            assert.strictEqual(validateConfig({ siteName: "a" }).siteBaseUrl, "https://a.creatio.com");
            const longest = "a".repeat(62) + "9";
            assert.strictEqual(validateConfig({ siteName: longest }).siteBaseUrl, `https://${longest}.creatio.com`);
        });

        it("a site URL with a path, without its trailing slash", () => {
            const settings = validateConfig({ siteUrl: "https://CRM.Example.com/creatio/" });
            assert.strictEqual(settings.siteBaseUrl, "https://crm.example.com/creatio");
            assert.strictEqual(settings.displayName, "Creatio crm.example.com/creatio (Microsoft 365)");
        });

        it("a site URL with a port and no path", () => {
            const settings = validateConfig({ siteUrl: "https://crm.example.com:8443", creatioVersion: "8.1" });
            assert.strictEqual(settings.siteBaseUrl, "https://crm.example.com:8443");
            assert.strictEqual(settings.profile, "7.17+");
        });

        it("creatioVersion 7.16 and 7.16.x as the 7.16 profile", () => {
            for (const version of ["7.16", "7.16.0", "7.16.4.1731"]) {
                assert.strictEqual(validateConfig({ siteName: "acme", creatioVersion: version }).profile, "7.16", version);
            }
        });

        it("creatioVersion 7.17 and later as the 7.17+ profile", () => {
            for (const version of ["7.17", "7.18", "7.18.5", "8", "8.0", "8.1", "8.1.2.3994", "8.3", "8.16", "8.16.0", "9"]) {
                assert.strictEqual(validateConfig({ siteName: "acme", creatioVersion: version }).profile, "7.17+", version);
            }
        });

        it("netCore true and false", () => {
            assert.strictEqual(validateConfig({ siteName: "acme", netCore: "true" }).netCore, true);
            assert.strictEqual(validateConfig({ siteUrl: "https://crm.example.com/creatio", netCore: "true" }).netCore, true);
            assert.strictEqual(validateConfig({ siteName: "acme", netCore: "false" }).netCore, false);
        });

        it("maxSecretLifetimeDays, which lowers the rotation period to half of it and no further", () => {
            const rotation = (raw: Record<string, string>) => {
                const s = validateConfig({ siteName: "acme", ...raw });
                return [s.secretRotationDays, s.maxSecretLifetimeDays];
            };
            // Each secret lives two periods (lib/rotation.ts): a 90-day cap gives 45-day periods.
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "90" }), [45, 90]);
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "91" }), [45, 91]);
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "14" }), [7, 14]);
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "730" }), [180, 730]);
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "730", secretRotationDays: "365" }), [365, 730]);
            // A period already within the cap stays.
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "180", secretRotationDays: "30" }), [30, 180]);
            // 0 (Pulumi.yaml's default) and unset: no cap.
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "0" }), [180, undefined]);
            assert.deepStrictEqual(rotation({ maxSecretLifetimeDays: "" }), [180, undefined]);
            assert.ok(!("maxSecretLifetimeDays" in validateConfig({ siteName: "acme", maxSecretLifetimeDays: "0" })));
        });

        it("signInAudience AzureADMyOrg and AzureADMultipleOrgs", () => {
            // Microsoft Graph, application resource: signInAudience values (MicrosoftDocs/microsoft-graph-docs, resources/application.md).
            assert.strictEqual(validateConfig({ siteName: "acme", signInAudience: "AzureADMyOrg" }).signInAudience, "AzureADMyOrg");
            assert.strictEqual(validateConfig({ siteName: "acme", signInAudience: "AzureADMultipleOrgs" }).signInAudience,
                "AzureADMultipleOrgs");
        });

        it("a display name, trimmed", () => {
            assert.strictEqual(validateConfig({ siteName: "acme", displayName: " Creatio prod " }).displayName, "Creatio prod");
        });

        it("owners as a JSON list of GUIDs, lowered and without repeats", () => {
            const owners = validateConfig({
                siteName: "acme",
                owners: JSON.stringify([
                    "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0",
                    "11111111-2222-3333-4444-555555555555",
                    "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                ]),
            }).owners;
            assert.deepStrictEqual(owners, ["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "11111111-2222-3333-4444-555555555555"]);
        });

        it("secretRotationDays from 7 to 365", () => {
            assert.strictEqual(validateConfig({ siteName: "acme", secretRotationDays: "7" }).secretRotationDays, 7);
            assert.strictEqual(validateConfig({ siteName: "acme", secretRotationDays: "365" }).secretRotationDays, 365);
        });

        it("a registration to adopt, ids lowered", () => {
            assert.deepStrictEqual(validateConfig({
                siteName: "acme",
                existingApplicationObjectId: "AAAAAAAA-1111-4111-8111-AAAAAAAAAAAA",
                existingServicePrincipalObjectId: "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb",
                existingExchangeConsentGrantId: "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0",
            }).existing, {
                applicationObjectId: "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa",
                servicePrincipalObjectId: "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb",
                consentGrantIds: { exchange: "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0" },
            });
        });
    });

    describe("rejects", () => {
        it("a config without a site", () => {
            assert.deepStrictEqual(problemsOf({}), [
                "siteName or siteUrl must be set: siteName for a Creatio cloud site (acme for https://acme.creatio.com), " +
                "siteUrl for the https base URL of any other site",
            ]);
        });

        it("both siteName and siteUrl", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme", siteUrl: "https://crm.example.com" }), [
                'siteName = "acme" and siteUrl = "https://crm.example.com" are both set; ' +
                "allowed: only one of them, siteName for a *.creatio.com site, siteUrl for any other",
            ]);
        });

        it("both siteName and siteUrl, their invisible characters escaped", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme\u202e", siteUrl: "https://x.example.com\u202e" }), [
                'siteName = "acme\\u202e" and siteUrl = "https://x.example.com\\u202e" are both set; ' +
                "allowed: only one of them, siteName for a *.creatio.com site, siteUrl for any other",
            ]);
        });

        it("a pasted host, with the site name to set", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme.creatio.com" }), [
                `siteName = "acme.creatio.com": not a site name; ${SITE_NAME_ALLOWED}; set siteName to acme`,
            ]);
        });

        it("a pasted URL, with the site name to set", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "https://Acme.creatio.com/" }), [
                `siteName = "https://Acme.creatio.com/": not a site name; ${SITE_NAME_ALLOWED}; set siteName to acme`,
            ]);
        });

        it("a host on another domain, pointing to siteUrl", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "crm.example.com" }), [
                `siteName = "crm.example.com": not a site name; ${SITE_NAME_ALLOWED}; ` +
                "for a site that is not on creatio.com, unset siteName and set siteUrl to its https base URL",
            ]);
        });

        it("site names that are not one DNS label", () => {
            for (const name of ["-acme", "acme-", "ac_me", "acme corp", "a".repeat(64)]) {
                assert.deepStrictEqual(problemsOf({ siteName: name }),
                    [`siteName = ${JSON.stringify(name)}: not a site name; ${SITE_NAME_ALLOWED}`], name);
            }
        });

        it("site URLs that are not https base URLs, with the base URL meant where it can be told", () => {
            const cases: [string, string, string?][] = [
                ["crm.example.com", "has no scheme (https://)", "https://crm.example.com"],
                // Read as the scheme crm.acme.local by a URL parser (whatwg/url url.bs, scheme state)
                ["crm.acme.local:8443", "has no scheme (https://)", "https://crm.acme.local:8443"],
                ["crm.acme.local:8443/0/Shell/", "has no scheme (https://)", "https://crm.acme.local:8443"],
                ["acme", "not an absolute URL"],
                ["localhost:8443", "the scheme is localhost, not https"],
                ["http://crm.example.com", "the scheme is http, not https", "https://crm.example.com"],
                ["HTTP://crm.example.com/creatio/", "the scheme is http, not https", "https://crm.example.com/creatio"],
                ["ftp://crm.example.com", "the scheme is ftp, not https"],
                ["https://user:pw@crm.example.com", "has user info"],
                ["https://crm.example.com/?tenant=1", "has a query", "https://crm.example.com"],
                ["https://crm.example.com/?", "has a query", "https://crm.example.com"],
                ["https://crm.example.com/#top", "has a fragment", "https://crm.example.com"],
                [" https://crm.example.com", "has leading or trailing white space", "https://crm.example.com"],
                ["https://crm.example.com\n", "has leading or trailing white space", "https://crm.example.com"],
                // A page's address pasted from the browser: the fragment and the page path go (Shell: clio's
                // AuthenticatedBrowserLauncher.cs opens /0/Shell/; Nui: Creatio 8.1 SectionMenuModule.CrtNUI.js)
                ["https://crm.acme.local:8443/0/Shell/#Section/Contacts_ListPage", "has a fragment", "https://crm.acme.local:8443"],
                ["https://crm.acme.local:8443/0/Nui/ViewModule.aspx#SectionModuleV2/ContactSectionV2", "has a fragment",
                    "https://crm.acme.local:8443"],
                ["crm.acme.local:8443/creatio/0/Shell/?autoOpen=1#Section", "has no scheme (https://)", "https://crm.acme.local:8443/creatio"],
                ["http://crm.acme.local/Shell/#Section", "the scheme is http, not https", "https://crm.acme.local"],
            ];
            for (const [url, what, instead] of cases) {
                assert.deepStrictEqual(problemsOf({ siteUrl: url }), [siteUrlLine(url, what, instead)], url);
            }
        });

        it("Creatio versions before 7.16 or unparsable", () => {
            for (const version of ["7.15", "7.9", "7", "6.4", "6.16", "6.17", "8.x", "latest", "v8.1", "8.1.2.3.4"]) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", creatioVersion: version }), [
                    `creatioVersion = ${JSON.stringify(version)}: not a supported Creatio version; ` +
                    "allowed: 7.16, 7.17, 7.18, 8 or later (such as 8.1 or 8.1.2), or unset for both the 7.16 and the 7.17+ settings",
                ], version);
            }
        });

        it("netCore that is not true or false", () => {
            for (const value of ["yes", "TRUE", "1", "0", " true", "netcore"]) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", netCore: value }), [
                    `netCore = ${JSON.stringify(value)}: not a boolean; allowed: true for Creatio on .NET Core / .NET 6+ ` +
                    "(no /0 in its URLs), false (the default) for .NET Framework and Creatio's cloud",
                ], value);
            }
        });

        it("signInAudience other than AzureADMyOrg or AzureADMultipleOrgs, with the value meant when only the case differs", () => {
            const allowed = "allowed: AzureADMultipleOrgs (multitenant, the default, for Creatio's sign-in through the " +
                "common authority) or AzureADMyOrg (single tenant, as Creatio documents it), written exactly so";
            // Graph also knows AzureADandPersonalMicrosoftAccount and PersonalMicrosoftAccount (resources/application.md):
            // personal accounts have no Exchange Online mailbox for Creatio, so they are refused.
            for (const value of ["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount", "single", "common"]) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", signInAudience: value }),
                    [`signInAudience = ${JSON.stringify(value)}: not a supported sign-in audience; ${allowed}`], value);
            }
            assert.deepStrictEqual(problemsOf({ siteName: "acme", signInAudience: "azureadmultipleorgs" }), [
                `signInAudience = "azureadmultipleorgs": not a supported sign-in audience; ${allowed}; set signInAudience to AzureADMultipleOrgs`,
            ]);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", signInAudience: "AzureADMyOrg " }), [
                `signInAudience = "AzureADMyOrg ": not a supported sign-in audience; ${allowed}; set signInAudience to AzureADMyOrg`,
            ]);
        });

        it("secretRotationDays out of range or not a whole number", () => {
            for (const days of ["6", "366", "0", "-30", "90.5", "1e2", "ninety", " 90"]) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", secretRotationDays: days }), [
                    `secretRotationDays = ${JSON.stringify(days)}: not a valid rotation period; ` +
                    "allowed: a whole number of days from 7 to 365",
                ], days);
            }
        });

        it("maxSecretLifetimeDays that is no whole number of days from 14 to 730, or 0", () => {
            const allowed = "allowed: 0 (no cap, the default) or a whole number of days from 14 to 730: the longest lifetime " +
                "the tenant's app management policy allows a client secret; each secret lives two rotation periods of 7 to 365 days";
            for (const days of ["13", "1", "731", "-90", "90.5", "1e2", "P90D", " 90", "00000"]) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", maxSecretLifetimeDays: days }), [
                    `maxSecretLifetimeDays = ${JSON.stringify(days)}: not a valid secret lifetime; ${allowed}`,
                ], days);
            }
            // Named with the other bad keys, so one run lists them all.
            assert.deepStrictEqual(problemsOf({ siteName: "acme", secretRotationDays: "3", maxSecretLifetimeDays: "10" }), [
                'secretRotationDays = "3": not a valid rotation period; allowed: a whole number of days from 7 to 365',
                `maxSecretLifetimeDays = "10": not a valid secret lifetime; ${allowed}`,
            ]);
        });

        it("owners that are not a list", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners: "11111111-2222-3333-4444-555555555555,x" }), [
                'owners = "11111111-2222-3333-4444-555555555555,x": not a list; ' +
                "allowed: a list of object ids, set with: pulumi config set --path 'owners[0]' <object id>",
            ]);
        });

        it("each owner that is not a GUID", () => {
            const owners = JSON.stringify(["11111111-2222-3333-4444-555555555555", "bob@contoso.com", 42]);
            const allowed = "allowed: the Object ID of a user or service principal, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301";
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners }), [
                `owners[1] = "bob@contoso.com": not a GUID (8-4-4-4-12 hexadecimal digits); ${allowed}`,
                `owners[2] = 42: not a GUID (8-4-4-4-12 hexadecimal digits); ${allowed}`,
            ]);
        });

        it("ids of a registration to adopt that are not ids, or lack what they belong to", () => {
            const GRANT = "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0";
            assert.deepStrictEqual(problemsOf({ siteName: "acme", existingApplicationObjectId: "Creatio" }), [
                'existingApplicationObjectId = "Creatio": not a GUID (8-4-4-4-12 hexadecimal digits); ' +
                "allowed: the Object ID shown on the Overview page in the portal, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            ]);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", existingServicePrincipalObjectId: "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb" }), [
                'existingServicePrincipalObjectId = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb": set without existingApplicationObjectId; ' +
                "allowed: a service principal only together with its application",
            ]);
            assert.deepStrictEqual(problemsOf({
                siteName: "acme", existingApplicationObjectId: "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa", existingExchangeConsentGrantId: GRANT,
            }), [
                `existingExchangeConsentGrantId = "${GRANT}": set without existingServicePrincipalObjectId; ` +
                "allowed: a consent grant only together with the service principal it belongs to",
            ]);
            assert.deepStrictEqual(problemsOf({
                siteName: "acme", existingApplicationObjectId: "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa",
                existingServicePrincipalObjectId: "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb", existingGraphConsentGrantId: "a b",
            }), [
                'existingGraphConsentGrantId = "a b": not a delegated permission grant id; ' +
                "allowed: the id of an oauth2PermissionGrant, 20 to 100 letters, digits, - and _",
            ]);
            assert.deepStrictEqual(problemsOf({
                siteName: "acme", creatioVersion: "7.16", existingApplicationObjectId: "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa",
                existingServicePrincipalObjectId: "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb", existingGraphConsentGrantId: GRANT,
            }), [
                `existingGraphConsentGrantId = "${GRANT}": creatioVersion 7.16 declares no Microsoft Graph grant; ` +
                "allowed: unset, or a creatioVersion that uses Microsoft Graph (7.17 or later, or unset)",
            ]);
        });

        it("a blank display name", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme", displayName: "   " }), [
                'displayName = "   ": blank; allowed: a name with visible characters, or unset for the default',
            ]);
        });

        it("every problem at once, in one message", () => {
            try {
                validateConfig({ siteName: "acme.creatio.com", creatioVersion: "7.15", secretRotationDays: "400" });
                assert.fail("config was accepted");
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                assert.strictEqual(err.message, [
                    "Invalid stack configuration, nothing was declared:",
                    `  - siteName = "acme.creatio.com": not a site name; ${SITE_NAME_ALLOWED}; set siteName to acme`,
                    '  - creatioVersion = "7.15": not a supported Creatio version; allowed: 7.16, 7.17, 7.18, 8 or later ' +
                    "(such as 8.1 or 8.1.2), or unset for both the 7.16 and the 7.17+ settings",
                    '  - secretRotationDays = "400": not a valid rotation period; allowed: a whole number of days from 7 to 365',
                ].join("\n"));
            }
        });
    });
});

describe("hostile config", () => {
    describe("siteUrl is taken only as written", () => {
        it("refuses a backslash, which moves the host", () => {
            // WHATWG URL Standard (whatwg/url url.bs, authority and path states): in a special URL, U+005C (\) is read as U+002F (/)
            assert.strictEqual(new URL("https://evil.com\\acme.creatio.com").hostname, "evil.com");
            assertSiteUrlRefused("https://evil.com\\acme.creatio.com", "has a backslash, which URL parsers read as /");
            assertSiteUrlRefused("https://crm.example.com\\creatio", "has a backslash, which URL parsers read as /");
            // The authority ends at \ (as at /, ? and #), so an @ behind it is not user info
            assertSiteUrlRefused("https://crm.example.com\\@evil.com", "has a backslash, which URL parsers read as /");
            // ...and the base URL offered is the host the parser reads
            assertSiteUrlRefused("https://crm.example.com?@evil.com", "has a query", "https://crm.example.com");
            assertSiteUrlRefused("https://crm.example.com#@evil.com", "has a fragment", "https://crm.example.com");
        });

        it("refuses a non-ASCII look-alike host, naming the character", () => {
            // whatwg/url url.bs, host parser: "domain to ASCII" (UTS #46) turns a Unicode host into its xn-- form
            assert.strictEqual(new URL("https://\u0430cme.creatio.com").hostname, "xn--cme-5cd.creatio.com");
            assertSiteUrlRefused("https://\u0430cme.creatio.com",
                "has U+0430, which is not ASCII");
            assertSiteUrlRefused("https://crm.example.com/cr\u00e9atio",
                "has U+00E9, which is not ASCII");
        });

        it("refuses tabs, newlines and other control characters, with the value they hide", () => {
            // whatwg/url url.bs, basic URL parser: "Remove all ASCII tab or newline from input"
            assert.strictEqual(new URL("https://crm.exa\tmple.com").hostname, "crm.example.com");
            for (const [url, name] of [["https://crm.exa\tmple.com", "U+0009"], ["https://crm.example.com/cre\natio", "U+000A"],
                ["https://crm.example\r.com", "U+000D"]]) {
                const instead = url.includes("cre\natio") ? "https://crm.example.com/creatio" : "https://crm.example.com";
                assertSiteUrlRefused(url, `has the control character ${name}, which URL parsers drop or refuse`, instead);
            }
            assert.deepStrictEqual(problemsOf({ siteUrl: "https://crm.example.com/\u007f" }), [
                'siteUrl = "https://crm.example.com/\\u007f": has the control character U+007F, which URL parsers drop or refuse; ' +
                `${SITE_URL_ALLOWED}; did you mean https://crm.example.com?`,
            ]);
            assertSiteUrlRefused("https://crm.example.com/a b", "has a space");
        });

        it("refuses IP-address hosts, numeric forms included", () => {
            // whatwg/url url.bs, "ends in a number checker" and "IPv4 number parser": a numeric last label makes the
            // host an IPv4 address, read in decimal, hexadecimal (0x) or octal (leading 0)
            const cases: [string, string][] = [
                ["https://167772161", "10.0.0.1"],
                ["https://0x7f.1", "127.0.0.1"],
                ["https://010.0.0.1/creatio", "8.0.0.1"],
                ["https://10.0.0.1", "10.0.0.1"],
                ["https://192.168.100.200", "192.168.100.200"],
                ["https://[::1]", "[::1]"],
            ];
            for (const [url, address] of cases) {
                assertSiteUrlRefused(url, `the host is the IP address ${address}, not a DNS name`);
            }
        });

        it("refuses empty host labels, a trailing dot included", () => {
            // whatwg/url url.bs, host parser: a domain may have empty labels ("..", a trailing dot); they stay in the host
            assert.strictEqual(new URL("https://crm.example.com.").hostname, "crm.example.com.");
            assertSiteUrlRefused("https://..", "has an empty label in its host ..");
            assertSiteUrlRefused("https://crm.example.com.", "has an empty label in its host crm.example.com.", "https://crm.example.com");
            assertSiteUrlRefused("https://crm..example.com:8443/creatio/", "has an empty label in its host crm..example.com",
                "https://crm.example.com:8443/creatio");
        });

        it("refuses percent-encoding, which /%30/ would use to pass the /0/ check", () => {
            // whatwg/url url.bs: path percent-encoded bytes are kept as written (so /%30/ is not /0/ to the parsed path),
            // while the host parser percent-decodes the host
            assert.strictEqual(new URL("https://crm.example.com/%30/rest").pathname, "/%30/rest");
            assert.strictEqual(new URL("https://crm%2Eexample.com").hostname, "crm.example.com");
            // Written out, /%30/rest is /0/rest: a service under the site's /0, whose base is offered
            assertSiteUrlRefused("https://crm.example.com/%30/rest", "has percent-encoding (%30); write the characters themselves",
                "https://crm.example.com");
            assertSiteUrlRefused("https://crm%2Eexample.com", "has percent-encoding (%2E); write the characters themselves",
                "https://crm.example.com");
            assertSiteUrlRefused("https://crm.example.com/cre%61tio", "has percent-encoding (%61); write the characters themselves",
                "https://crm.example.com/creatio");
            assertSiteUrlRefused("https://crm.example.com/a%zz", "has percent-encoding (%); write the characters themselves");
            // An encoded / or \ is one path segment; written out it would be two: no value is offered
            assertSiteUrlRefused("https://crm.example.com/a%2Fb", "has percent-encoding (%2F); write the characters themselves");
            assertSiteUrlRefused("https://crm.example.com/a%2fb", "has percent-encoding (%2f); write the characters themselves");
            assertSiteUrlRefused("https://crm.example.com/a%5Cb", "has percent-encoding (%5C); write the characters themselves");
            assertSiteUrlRefused("https://crm.example.com/cr%65atio/a%2Fb",
                "has percent-encoding (%65); write the characters themselves");
        });

        it("refuses a wildcard and the characters Entra ID does not support in redirect URIs", () => {
            // policy/rules.ts refuses a redirect URI with "*"
            assertSiteUrlRefused("https://*.example.com", "has a wildcard (*)");
            // MicrosoftDocs/entra-docs docs/identity-platform/reply-url.md: "Redirect URIs do not support special characters - ! $ ' ( ) , ;"
            for (const character of ["!", "$", "'", "(", ")", ",", ";"]) {
                assertSiteUrlRefused(`https://crm.example.com/a${character}b`,
                    `has ${character}, which Entra ID does not support in redirect URIs`);
            }
        });

        it("refuses a value that is not in the parser's normal form, with the normal form to write", () => {
            // whatwg/url url.bs: the scheme is lowered; a scheme's default port (https: 443) becomes null; "." and ".."
            // path segments are resolved; an empty port is dropped; a port is read as a number
            const cases: [string, string, string][] = [
                ["HTTPS://crm.example.com", 'does not start with "https://"', "https://crm.example.com"],
                ["https:crm.example.com/creatio", 'does not start with "https://"', "https://crm.example.com/creatio"],
                ["https:/crm.example.com", 'does not start with "https://"', "https://crm.example.com"],
                ["https:///crm.example.com", "is not in its normal form: URL parsers read it as https://crm.example.com/",
                    "https://crm.example.com"],
                ["https://crm.example.com:443/creatio",
                    "is not in its normal form: URL parsers read it as https://crm.example.com/creatio", "https://crm.example.com/creatio"],
                ["https://crm.example.com:", "is not in its normal form: URL parsers read it as https://crm.example.com/",
                    "https://crm.example.com"],
                ["https://crm.example.com:08443", "is not in its normal form: URL parsers read it as https://crm.example.com:8443/",
                    "https://crm.example.com:8443"],
                ["https://crm.example.com/a/./b", "is not in its normal form: URL parsers read it as https://crm.example.com/a/b",
                    "https://crm.example.com/a/b"],
                ["https://crm.example.com/creatio/../crm/", "is not in its normal form: URL parsers read it as https://crm.example.com/crm/",
                    "https://crm.example.com/crm"],
            ];
            for (const [url, what, instead] of cases) {
                assertSiteUrlRefused(url, what, instead);
            }
        });

        it("refuses empty path segments, one trailing slash aside", () => {
            assertSiteUrlRefused("https://crm.example.com//", "has an empty path segment (//)", "https://crm.example.com");
            assertSiteUrlRefused("https://crm.example.com/creatio//", "has an empty path segment (//)", "https://crm.example.com/creatio");
            assertSiteUrlRefused("https://crm.example.com/a//b", "has an empty path segment (//)", "https://crm.example.com/a/b");
        });

        it("refuses user info: a user name without a password, an empty one, or one behind extra slashes", () => {
            // whatwg/url url.bs, authority state: text before "@" is user info; "special authority ignore slashes state"
            // skips extra slashes before it
            assert.strictEqual(new URL("https:///user@crm.example.com").username, "user");
            for (const url of ["https://user@crm.example.com", "https://@crm.example.com", "https:///user@crm.example.com",
                "https:///:pw@crm.example.com", "https://:pw@crm.example.com"]) {
                assertSiteUrlRefused(url, "has user info");
            }
        });

        it("accepts a base URL as written, its host's letter case lowered and one trailing slash dropped", () => {
            const cases: [string, string][] = [
                ["https://CRM.Example.COM/Creatio/", "https://crm.example.com/Creatio"],
                ["https://crm.example.com/", "https://crm.example.com"],
                ["https://crm-1.example.com:8443/a-b_c~d/e.f", "https://crm-1.example.com:8443/a-b_c~d/e.f"],
                ["https://crm.example.com/user@home", "https://crm.example.com/user@home"],
                // whatwg/url url.bs, "ends in a number checker": only a numeric *last* label makes an IPv4 host
                ["https://10.0.0.1.nip.example.com", "https://10.0.0.1.nip.example.com"],
            ];
            for (const [url, base] of cases) {
                assert.strictEqual(validateConfig({ siteUrl: url }).siteBaseUrl, base, url);
            }
        });

        it("refuses a site whose redirect URI would be over 256 characters, naming that URI, and takes one at 256", () => {
            // MicrosoftDocs/entra-docs docs/identity-platform/reply-url.md, "Maximum URI length": 256 characters per redirect URI
            const limit = 256;
            const site = "https://crm.example.com/";
            // Each case: the config, the redirect URI path it registers (lib/creatioProfile.ts).
            const cases: [RawConfig, string][] = [
                [{}, REDIRECT_PATH_7_16], // unset version: both handlers, the 7.16 one is the longer
                [{ creatioVersion: "7.16" }, REDIRECT_PATH_7_16],
                [{ creatioVersion: "8.1" }, REDIRECT_PATH_7_17],
                [{ creatioVersion: "8.1", netCore: "true" }, HANDLER_PATH_7_17],
                [{ netCore: "true" }, HANDLER_PATH_7_16],
            ];
            for (const [config, registered] of cases) {
                const fits = site + "a".repeat(limit - site.length - registered.length);
                const settings = validateConfig({ ...config, siteUrl: fits });
                const uris = redirectUrisFor(settings.siteBaseUrl, settings.profile, settings.netCore);
                assert.strictEqual(Math.max(...uris.map(uri => uri.length)), limit, JSON.stringify(config));
                const tooLong = fits + "a";
                assert.deepStrictEqual(problemsOf({ ...config, siteUrl: tooLong }), [siteUrlLine(tooLong,
                    `its redirect URI ${tooLong}${registered} would be ${limit + 1} characters, over Entra ID's limit of ${limit}`)],
                JSON.stringify(config));
            }
        });

        it("takes a base URL whose redirect URIs fit although those of another version would not", () => {
            const site = "https://crm.example.com/";
            const fits = site + "a".repeat(256 - site.length - REDIRECT_PATH_7_17.length);
            assert.ok((fits + REDIRECT_PATH_7_16).length > 256);
            assert.strictEqual(validateConfig({ siteUrl: fits, creatioVersion: "8.1" }).siteBaseUrl, fits);
        });

        it("refuses a pasted Creatio service or page URL, naming the base URL where it can be derived", () => {
            const what = (segment: string) => `has the path segment ${segment}: it is the URL of a Creatio service or page, ` +
                "not the site's base URL";
            const cases: [string, string, string | undefined][] = [
                // lib/creatioProfile.ts: the handler under <site>/rest on .NET Core (netCore)
                ["https://crm.example.com/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode", "rest", "https://crm.example.com"],
                ["https://crm.example.com/creatio/REST/x", "REST", "https://crm.example.com/creatio"],
                // Creatio developer documentation, AuthService.svc: <site>/ServiceModel/AuthService.svc/Login
                ["https://crm.example.com/creatio/ServiceModel/AuthService.svc/Login", "ServiceModel", "https://crm.example.com/creatio"],
                // Creatio's login page <site>/Login/NuiLogin.aspx (clio, ReauthExecutor: .NET Framework …/Login/NuiLogin.aspx)
                ["https://crm.example.com/Login/NuiLogin.aspx", "Login", "https://crm.example.com"],
                ["https://crm.example.com/crm/Login/NuiLogin.aspx", "Login", "https://crm.example.com/crm"],
                // a page or service elsewhere: where the site begins cannot be told
                ["https://crm.example.com/crm/Default.aspx", "Default.aspx", undefined],
                ["https://crm.example.com/Services/Data.svc", "Data.svc", undefined],
                ["https://crm.example.com/Default.aspx", "Default.aspx", undefined],
                ["https://crm.example.com/crm/index.html", "index.html", undefined],
                ["https://crm.example.com/Handler.ashx", "Handler.ashx", undefined],
                ["https://crm.example.com/crm/Service.ASMX", "Service.ASMX", undefined],
                ["https://crm.example.com/index.htm", "index.htm", undefined],
                ["https://crm.example.com/a/b/rest/x", "rest", "https://crm.example.com/a/b"],
            ];
            for (const [url, segment, instead] of cases) {
                assertSiteUrlRefused(url, what(segment), instead);
            }
            // Not a service: a path segment that only contains these words
            assert.strictEqual(validateConfig({ siteUrl: "https://crm.example.com/restaurant/aspx" }).siteBaseUrl,
                "https://crm.example.com/restaurant/aspx");
        });

        it("refuses every page and service path of either runtime Creatio's own code uses, suggesting the site's base", () => {
            const what = (segment: string) => `has the path segment ${segment}: it is the URL of a Creatio service or page, ` +
                "not the site's base URL";
            const cases: [string, string, string][] = [
                // clio, clio/Common/BrowserSession/AuthenticatedBrowserLauncher.cs: {Uri}/Shell/ (NetCore), {Uri}/0/Shell/ (NetFramework)
                ["https://crm.example.com/Shell/", "Shell", "https://crm.example.com"],
                ["https://crm.example.com/0/Shell/", "Shell", "https://crm.example.com"],
                ["https://crm.example.com/creatio/0/shell", "shell", "https://crm.example.com/creatio"],
                // clio, clio/Command/EnvironmentRuntimeDetectionService.cs: /Login/Login.html (NetCore), /0/Login/NuiLogin.aspx
                ["https://crm.example.com/Login/Login.html", "Login", "https://crm.example.com"],
                ["https://crm.example.com/0/Login/NuiLogin.aspx", "Login", "https://crm.example.com"],
                // the same file: /api/HealthCheck/Ping (NetCore), /0/api/HealthCheck/Ping (NetFramework)
                ["https://crm.example.com/api/HealthCheck/Ping", "api", "https://crm.example.com"],
                ["https://crm.example.com/creatio/0/api/HealthCheck/Ping", "api", "https://crm.example.com/creatio"],
                // Creatio 8.1 source (shiva01chh/CreatioDemoProject, SectionMenuModule.CrtNUI.js): "/Nui/ViewModule.aspx#"
                ["https://crm.example.com/0/Nui/ViewModule.aspx", "Nui", "https://crm.example.com"],
                ["https://crm.example.com/Nui/", "Nui", "https://crm.example.com"],
                // clio, clio/Common/ServiceUrlBuilder.cs: DataService/json/SyncReply/SelectQuery, ServiceModel/...svc/..., /rest/...
                ["https://crm.example.com/0/DataService/json/SyncReply/SelectQuery", "DataService", "https://crm.example.com"],
                ["https://crm.example.com/0/ServiceModel/AuthService.svc/Login", "ServiceModel", "https://crm.example.com"],
                ["https://crm.example.com/0/rest/Office365OAuthAuthenticator/ProcessAuthenticationCode", "rest", "https://crm.example.com"],
                ["https://crm.example.com/identityServiceInfo/canUseAuthorizationCodeFlow", "identityServiceInfo", "https://crm.example.com"],
                // Creatio developer documentation, "OData": https://mycreatio.com/0/odata, https://mycreatio.com/odata
                ["https://crm.example.com/0/odata", "odata", "https://crm.example.com"],
                ["https://crm.example.com/creatio/odata/OAuthApplications", "odata", "https://crm.example.com/creatio"],
            ];
            for (const [url, segment, instead] of cases) {
                assertSiteUrlRefused(url, what(segment), instead);
            }
            // /0 alone: the base is what comes before it.
            const zero = "includes Creatio's /0 application path; leave it out: the program adds /0 to the redirect URIs, " +
                "and omits it with netCore";
            assertSiteUrlRefused("https://crm.example.com/creatio/0", zero, "https://crm.example.com/creatio");
            assertSiteUrlRefused("https://crm.example.com/0/", zero, "https://crm.example.com");
            assertSiteUrlRefused("https://crm.example.com/0/x", zero, "https://crm.example.com");
            // No suggestion that would itself be refused: the part before /0 is percent-encoded.
            assertSiteUrlRefused("https://crm.example.com/a%20b/0", zero);
            // An application path, and segments that only begin like these words, stay allowed.
            for (const url of ["https://crm.example.com/creatio", "https://crm.example.com/shellfish", "https://crm.example.com/apis/crm",
                "https://crm.example.com/nuisance", "https://crm.example.com/login-portal", "https://crm.example.com/html",
                "https://crm.example.com/app.htmlx", "https://crm.example.com/a.svc2", "https://crm.example.com/x0/crm"]) {
                assert.strictEqual(validateConfig({ siteUrl: url }).siteBaseUrl, url);
            }
        });

        it("shows invisible characters of a value escaped in the message", () => {
            const url = "https://crm.example.com/\u202eexe.fdp";
            assert.deepStrictEqual(problemsOf({ siteUrl: url }), [
                `siteUrl = "https://crm.example.com/\\u202eexe.fdp": has U+202E, which is not ASCII; ${SITE_URL_ALLOWED}`,
            ]);
        });
    });

    describe("displayName", () => {
        const allowed = "allowed: a name of at most 256 characters without control or format characters, or unset for the default";

        it("takes 256 characters, trimmed, and refuses 257", () => {
            // microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/resources/application.md: displayName
            // "Maximum length is 256 characters"
            const longest = "C".repeat(256);
            assert.strictEqual(validateConfig({ siteName: "acme", displayName: ` ${longest} ` }).displayName, longest);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", displayName: longest + "C" }), [
                `displayName = "${longest}C": 257 characters long; ${allowed}`,
            ]);
        });

        it("refuses control and format characters, escaped in the message", () => {
            // Unicode Character Database (UnicodeData.txt): U+202E RIGHT-TO-LEFT OVERRIDE and U+200B ZERO WIDTH SPACE are
            // category Cf, U+0007 and U+0085 are Cc, U+2028 LINE SEPARATOR is Zl, U+2029 PARAGRAPH SEPARATOR is Zp
            const cases: [string, string, string][] = [
                ["Creatio \u202eprod", "U+202E", '"Creatio \\u202eprod"'],
                ["Creatio\u200b prod", "U+200B", '"Creatio\\u200b prod"'],
                ["Creatio\u0007", "U+0007", '"Creatio\\u0007"'],
                ["Creatio\u0085prod", "U+0085", '"Creatio\\u0085prod"'],
                ["Creatio\u2028prod", "U+2028", '"Creatio\\u2028prod"'],
                ["Creatio\u2029prod", "U+2029", '"Creatio\\u2029prod"'],
            ];
            for (const [name, code, shown] of cases) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", displayName: name }), [
                    `displayName = ${shown}: has ${code}, a control or format character; ${allowed}`,
                ], code);
            }
        });

        it("refuses a name that is blank once its invisible characters are removed", () => {
            for (const [name, shown] of [["\u200b\u200b", '"\\u200b\\u200b"'], [" \u202e ", '" \\u202e "']]) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", displayName: name }), [
                    `displayName = ${shown}: blank; allowed: a name with visible characters, or unset for the default`,
                ]);
            }
        });

        it("refuses a name that renders blank: Hangul fillers, the braille blank and their kin, shown escaped", () => {
            const cases: [string, string][] = [
                // Unicode DerivedCoreProperties.txt, Default_Ignorable_Code_Point: HANGUL FILLER U+3164, HANGUL CHOSEONG
                // FILLER U+115F, HANGUL JUNGSEONG FILLER U+1160, HALFWIDTH HANGUL FILLER U+FFA0, KHMER VOWEL INHERENT AA U+17B5,
                // COMBINING GRAPHEME JOINER U+034F, VARIATION SELECTOR-16 U+FE0F
                ["\u3164", '"\\u3164"'],
                ["\u115f\u1160", '"\\u115f\\u1160"'],
                [" \uffa0 ", '" \\uffa0 "'],
                ["\u17b5\u034f\ufe0f", '"\\u17b5\\u034f\\ufe0f"'],
                // Not default-ignorable, yet blank: BRAILLE PATTERN BLANK U+2800, MUSICAL SYMBOL NULL NOTEHEAD U+1D159
                ["\u2800\u2800", '"\\u2800\\u2800"'],
                ["\u{1D159}", '"\\ud834\\udd59"'],
                // mixed with white space and a format character
                ["\u3000\u2800\u200b\u3164", '"\u3000\\u2800\\u200b\\u3164"'],
            ];
            for (const [name, shown] of cases) {
                assert.deepStrictEqual(problemsOf({ siteName: "acme", displayName: name }), [
                    `displayName = ${shown}: blank; allowed: a name with visible characters, or unset for the default`,
                ], shown);
            }
            // One visible character is a name; Hangul letters (not fillers) are letters.
            assert.strictEqual(validateConfig({ siteName: "acme", displayName: "\u3164x\u2800" }).displayName, "\u3164x\u2800");
            assert.strictEqual(validateConfig({ siteName: "acme", displayName: "\u3131\u314f" }).displayName, "\u3131\u314f");
        });

        it("takes letters of any script", () => {
            assert.strictEqual(validateConfig({ siteName: "acme", displayName: "Créatio Zürich Почта" }).displayName,
                "Créatio Zürich Почта");
        });
    });

    describe("owners", () => {
        const guids = (n: number) => Array.from({ length: n }, (_, i) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`);

        it("refuses the nil GUID", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners: JSON.stringify([APP, NIL]) }), [
                `owners[1] = "${NIL}": the nil GUID, the id of no object; allowed: the Object ID of a user or service principal, ` +
                "such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            ]);
        });

        it("takes 100 different owners and refuses 101", () => {
            // MicrosoftDocs/azure-docs includes/entra-service-limits-include.md (in entra-docs' "Microsoft Entra service
            // limits and restrictions"): "A maximum of 100 users and service principals can be owners of a single application."
            assert.strictEqual(validateConfig({ siteName: "acme", owners: JSON.stringify(guids(100)) }).owners.length, 100);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners: JSON.stringify(guids(101)) }), [
                "owners lists 101 different object ids; allowed: at most 100, Entra ID's limit of owners of one application",
            ]);
        });

        it("counts an owner listed twice once", () => {
            const owners = [...guids(100), guids(1)[0].toUpperCase()];
            assert.strictEqual(validateConfig({ siteName: "acme", owners: JSON.stringify(owners) }).owners.length, 100);
        });

        it("refuses an entry that is a list holding a GUID", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners: JSON.stringify([[APP]]) }), [
                `owners[0] = ["${APP}"]: not a GUID (8-4-4-4-12 hexadecimal digits); allowed: ` +
                "the Object ID of a user or service principal, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            ]);
        });

        it("refuses an entry that starts with a GUID and goes on", () => {
            const injected = `${APP}'; Remove-Item *`;
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners: JSON.stringify([injected]) }), [
                `owners[0] = ${JSON.stringify(injected)}: not a GUID (8-4-4-4-12 hexadecimal digits); allowed: ` +
                "the Object ID of a user or service principal, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            ]);
        });
    });

    describe("ids of a registration to adopt", () => {
        const guidAllowed = "allowed: the Object ID shown on the Overview page in the portal, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301";

        it("refuses an id that starts with a GUID and goes on, or ends with one", () => {
            for (const id of [`${APP}'; Remove-Item *`, `${APP}\n`, `x${APP}`, ` ${APP}`]) {
                assert.strictEqual(isGuid(id), false, JSON.stringify(id));
                assert.deepStrictEqual(problemsOf({ siteName: "acme", existingApplicationObjectId: id }), [
                    `existingApplicationObjectId = ${JSON.stringify(id)}: not a GUID (8-4-4-4-12 hexadecimal digits); ${guidAllowed}`,
                ]);
            }
            assert.strictEqual(isGuid(APP.toUpperCase()), true);
            assert.strictEqual(isGuid(42), false);
        });

        it("refuses the nil GUID as an object id", () => {
            assert.strictEqual(isNilGuid(NIL), true);
            assert.strictEqual(isNilGuid("00000000-0000-0000-0000-000000000001"), false);
            assert.strictEqual(isNilGuid("000000000000000000000000000000000000"), false);
            assert.strictEqual(isNilGuid("aaaaaaaa-0000-0000-0000-000000000000"), false);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", existingApplicationObjectId: NIL }), [
                `existingApplicationObjectId = "${NIL}": the nil GUID, the id of no object; ${guidAllowed}`,
            ]);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", existingApplicationObjectId: APP, existingServicePrincipalObjectId: NIL }), [
                `existingServicePrincipalObjectId = "${NIL}": the nil GUID, the id of no object; ${guidAllowed}`,
            ]);
        });

        it("refuses the application's object id as its service principal's", () => {
            assert.deepStrictEqual(problemsOf({
                siteName: "acme", existingApplicationObjectId: APP, existingServicePrincipalObjectId: APP.toUpperCase(),
            }), [
                `existingApplicationObjectId and existingServicePrincipalObjectId are both "${APP}"; allowed: the service ` +
                "principal's own Object ID (Enterprise applications), which differs from its application's",
            ]);
        });

        it("refuses one grant id for both APIs", () => {
            assert.deepStrictEqual(problemsOf({
                siteName: "acme", existingApplicationObjectId: APP, existingServicePrincipalObjectId: SP,
                existingExchangeConsentGrantId: GRANT, existingGraphConsentGrantId: GRANT,
            }), [
                `existingExchangeConsentGrantId and existingGraphConsentGrantId are both "${GRANT}"; allowed: each the id of ` +
                "its own API's grant (one grant holds the scopes of one API)",
            ]);
        });

        it("takes grant ids of 20 and 100 characters, refuses 19 and 101", () => {
            // The bounds are this project's (lib/settings.ts GRANT_ID); a grant id is base64url text.
            const existing = (grant: string): RawConfig => ({
                siteName: "acme", existingApplicationObjectId: APP, existingServicePrincipalObjectId: SP, existingExchangeConsentGrantId: grant,
            });
            for (const length of [20, 100]) {
                const grant = "A-_z9".repeat(20).slice(0, length);
                assert.deepStrictEqual(validateConfig(existing(grant)).existing?.consentGrantIds, { exchange: grant }, String(length));
            }
            for (const length of [19, 101]) {
                const grant = "A-_z9".repeat(21).slice(0, length);
                assert.deepStrictEqual(problemsOf(existing(grant)), [
                    `existingExchangeConsentGrantId = "${grant}": not a delegated permission grant id; ` +
                    "allowed: the id of an oauth2PermissionGrant, 20 to 100 letters, digits, - and _",
                ], String(length));
            }
        });
    });

    describe("what else lib/ must not get wrong", () => {
        it("reports a ConfigError by its name", () => {
            try {
                validateConfig({});
                assert.fail("config was accepted");
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                assert.strictEqual(err.name, "ConfigError");
            }
        });

        it("takes no version before 7.16, and every later one as 7.17+", () => {
            for (const version of ["6.16", "6.99", "7.15"]) {
                assert.strictEqual(parseCreatioVersion(version), undefined, version);
            }
            for (const version of ["8.16", "7.160", "10.1", "17.16"]) {
                assert.strictEqual(profileFor(parseCreatioVersion(version)), "7.17+", version);
            }
            assert.strictEqual(profileFor(parseCreatioVersion("7.16.1")), "7.16");
        });

        it("suggests a site name only for a host right under creatio.com", () => {
            const allowed = "allowed: one DNS label of a-z, 0-9 and hyphens, 1 to 63 characters, not starting or ending with a hyphen";
            const elsewhere = "; for a site that is not on creatio.com, unset siteName and set siteUrl to its https base URL";
            for (const name of ["x.acme.creatio.com", "acme.creatio.com.evil.com", "xhttps://acme.creatio.com.evil"]) {
                assert.deepStrictEqual(problemsOf({ siteName: name }),
                    [`siteName = ${JSON.stringify(name)}: not a site name; ${allowed}${elsewhere}`], name);
            }
        });

        it("counts a key set to \"\" as unset, as the Pulumi.yaml defaults declare it", () => {
            assert.strictEqual(validateConfig({ siteName: "", siteUrl: "https://crm.example.com" }).siteBaseUrl,
                "https://crm.example.com");
            assert.strictEqual(validateConfig({ siteName: "acme", siteUrl: "" }).siteBaseUrl, "https://acme.creatio.com");
        });

        it("reports only the version's problem when creatioVersion is bad, whatever else depends on it", () => {
            const versionOnly = problemsOf({ siteName: "acme", creatioVersion: "6.1" });
            assert.strictEqual(versionOnly.length, 1);
            assert.ok(versionOnly[0].startsWith('creatioVersion = "6.1"'), versionOnly[0]);
            // siteUrl's redirect-URI length check and the Graph grant check both need the version's profile
            assert.deepStrictEqual(problemsOf({ siteUrl: "https://crm.example.com", creatioVersion: "6.1" }), versionOnly);
            assert.deepStrictEqual(problemsOf({ siteName: "acme", creatioVersion: "6.1", existingApplicationObjectId: APP,
                existingServicePrincipalObjectId: SP, existingGraphConsentGrantId: GRANT }), versionOnly);
        });

        it("suggests no site name for a scheme that does not start the value", () => {
            assert.deepStrictEqual(problemsOf({ siteName: "1https://acme.creatio.com" }), [
                'siteName = "1https://acme.creatio.com": not a site name; allowed: one DNS label of a-z, 0-9 and hyphens, ' +
                "1 to 63 characters, not starting or ending with a hyphen; for a site that is not on creatio.com, " +
                "unset siteName and set siteUrl to its https base URL",
            ]);
        });

        it("plans rotation for a period of one day", () => {
            const current = rotationPlan(new Date("2026-01-02T12:00:00Z"), 1, 0).current;
            assert.deepStrictEqual([current.start.toISOString(), current.end.toISOString()],
                ["2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"]);
        });
    });
});
