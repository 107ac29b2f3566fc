import * as assert from "assert";
import { SITE_URL_ALLOWED, problemsOf } from "./configFixtures";
import { ConfigError, validateConfig } from "../lib/settings";

const SITE_NAME_ALLOWED = "allowed: one DNS label of a-z, 0-9 and hyphens, 1 to 63 characters, " +
    "not starting or ending with a hyphen";

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

        it("site URLs that are not https base URLs", () => {
            const cases: [string, string][] = [
                ["crm.example.com", "not an absolute URL"],
                ["http://crm.example.com", "the scheme is http, not https"],
                ["https://user:pw@crm.example.com", "has user info"],
                ["https://crm.example.com/?tenant=1", "has a query"],
                ["https://crm.example.com/?", "has a query"],
                ["https://crm.example.com/#top", "has a fragment"],
                [" https://crm.example.com", "has leading or trailing white space"],
            ];
            for (const [url, what] of cases) {
                assert.deepStrictEqual(problemsOf({ siteUrl: url }),
                    [`siteUrl = ${JSON.stringify(url)}: ${what}; ${SITE_URL_ALLOWED}`], url);
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
            const allowed = "allowed: a GUID such as 00000000-0000-0000-0000-000000000000, " +
                "the Object ID of a user or service principal";
            assert.deepStrictEqual(problemsOf({ siteName: "acme", owners }), [
                `owners[1] = "bob@contoso.com": not an object id; ${allowed}`,
                `owners[2] = 42: not an object id; ${allowed}`,
            ]);
        });

        it("ids of a registration to adopt that are not ids, or lack what they belong to", () => {
            const GRANT = "YUZ7mLrrSEWuNmtMuCJxz2E9P7-GZyRFvALjZ6eLGm0";
            assert.deepStrictEqual(problemsOf({ siteName: "acme", existingApplicationObjectId: "Creatio" }), [
                'existingApplicationObjectId = "Creatio": not an object id; ' +
                "allowed: a GUID, the Object ID shown on the Overview page in the portal",
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
