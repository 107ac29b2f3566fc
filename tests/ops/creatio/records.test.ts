/**
 * Choosing the OAuthApplications records to write (ops/creatio/records.ts): by the stack's Client ID
 * or through a mail server, against the Creatio stand-in, and the lists and refusals it prints.
 */
import * as assert from "assert";
import { signIn } from "../../../ops/creatio/client.ts";
import { findByMailServer, findTargets, listApplications, matchingClientId, type OAuthApplicationRecord, readBack } from "../../../ops/creatio/records.ts";
import {
    APP_ID, CLIENT, creatioTarget, FORMS, GOOGLE_APP_ID, GOOGLE_CLASS, M365_CLASS, M365_RECORD, m365Record,
    MAIL_ID, PORTAL_CLIENT, serverTarget, startCreatioWithApplications, withCreatio,
} from "../../creatioFixtures.ts";
import { type CreatioServer, type CreatioServerOptions, DEFAULT_MODIFIED_ON, type FakeOAuthApplication } from "../../fakes/creatioServer.ts";

describe("Creatio records against a stand-in", () => {
    let server: CreatioServer;
    beforeEach(async () => { server = await startCreatioWithApplications(); });
    afterEach(() => server.close());
    it("finds the record by the stack's Client ID, whatever its letter case", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        assert.deepStrictEqual(await findTargets(session, CLIENT, []), [{ record: M365_RECORD, reasons: ["ClientId matches"] }]);
    });

    it("finds the record a mail server points to, by name or id", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        const expected = { record: M365_RECORD, serverName: '"Microsoft 365"' };
        assert.deepStrictEqual(await findByMailServer(session, "Microsoft 365"), expected);
        assert.deepStrictEqual(server.requests.slice(1).map(r => decodeURIComponent(r.path)), [
            // MailServer.BackReferences.CrtBase.cs: lookup OAuthApplication, OData property OAuthApplicationId
            "/0/odata/MailServer?$filter=Name eq 'Microsoft 365'&$select=Id,Name,OAuthApplicationId",
            // OAuthApplicationsSchema.CrtBase.cs: AppClassName; BaseEntitySchema.CrtCoreBase.cs: ModifiedOn
            `/0/odata/OAuthApplications?$filter=Id eq ${APP_ID}&$select=Id,Name,ClientId,AppClassName,ModifiedOn`,
        ]);
        assert.deepStrictEqual(await findByMailServer(session, MAIL_ID), expected);
        assert.strictEqual(decodeURIComponent(server.requests.at(-2)!.path),
            `/0/odata/MailServer?$filter=Id eq ${MAIL_ID}&$select=Id,Name,OAuthApplicationId`);
        assert.deepStrictEqual(await readBack(session, APP_ID), M365_RECORD);
    });

    it("lists the mail servers when the name matches none", async () => {
        const session = await signIn(serverTarget(server), FORMS);
        await assert.rejects(findByMailServer(session, "Exchange"), {
            name: "RecordSelectionError",
            message: `no MailServer in Creatio is named or has the id "Exchange"; pass --mail-server with one of these ` +
                `names or ids:\n  ${MAIL_ID}  "Microsoft 365"`,
        });
    });
});

describe("choosing the OAuthApplications record", () => {
    const records = [
        { id: APP_ID, name: "Microsoft 365", clientId: PORTAL_CLIENT, appClassName: M365_CLASS, modifiedOn: DEFAULT_MODIFIED_ON },
        { id: GOOGLE_APP_ID, name: "Google", clientId: "123-google", appClassName: GOOGLE_CLASS, modifiedOn: DEFAULT_MODIFIED_ON },
    ];

    it("takes every record with the Client ID, whatever its letter case and the blanks around it", () => {
        const several = [...records, { ...records[0], id: MAIL_ID, name: "New", clientId: ` ${CLIENT.toUpperCase()}` },
            { ...records[0], id: GOOGLE_APP_ID, name: "Second", clientId: CLIENT }];
        assert.deepStrictEqual(matchingClientId(several, CLIENT).map(r => r.id), [MAIL_ID, GOOGLE_APP_ID]);
        assert.deepStrictEqual(matchingClientId(records, CLIENT), []);
    });
});

const OTHER_MAIL_ID = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";

describe("choosing the record: the cases the lists and refusals must get right", () => {
    const record = (overrides: Partial<OAuthApplicationRecord>): OAuthApplicationRecord => ({
        id: APP_ID, name: "Microsoft 365", clientId: CLIENT, appClassName: M365_CLASS, modifiedOn: DEFAULT_MODIFIED_ON, ...overrides,
    });

    it("says so when Creatio has no OAuthApplications record at all", async () => {
        assert.strictEqual(listApplications([]), "  (no OAuthApplications records)");
        await withCreatio({ oauthApplications: [] }, async server => {
            const session = await signIn(creatioTarget(server.url, server.ca), FORMS);
            await assert.rejects(findTargets(session, CLIENT, []), {
                name: "RecordSelectionError",
                message: `no OAuthApplications record in Creatio has ClientId ${CLIENT}; pass --mail-server <name or id of the ` +
                    "Microsoft 365 mail server> (once for each mail server) to update the record that mail server uses. Records found:\n" +
                    "  (no OAuthApplications records)",
            });
        });
    });

    it("lists a record with an empty ClientId as (empty)", () => {
        assert.strictEqual(listApplications([record({ clientId: "" })]), `  ${APP_ID}  "Microsoft 365"  ClientId (empty)`);
    });

    it("reads a column Creatio leaves out as empty text", async () => {
        const { Name: _, ...nameless } = m365Record();
        await withCreatio({ oauthApplications: [nameless as FakeOAuthApplication] }, async server => {
            const session = await signIn(creatioTarget(server.url, server.ca), FORMS);
            assert.deepStrictEqual(await findTargets(session, CLIENT, []), [{ record: record({ name: "" }), reasons: ["ClientId matches"] }]);
        });
    });

    /** The refusal of findByMailServer(name) against a stand-in with these mail servers, and the paths it read. */
    async function mailServerRefusal(mailServers: unknown[], mailServer: string,
        oauthApplications = [m365Record()]): Promise<{ message: string; paths: string[] }> {
        return withCreatio({ oauthApplications, mailServers: mailServers as CreatioServerOptions["mailServers"] }, async server => {
            const session = await signIn(creatioTarget(server.url, server.ca), FORMS);
            const err = await findByMailServer(session, mailServer).then(() => assert.fail("expected a refusal"), (e: unknown) => e);
            assert.ok(err instanceof Error && err.name === "RecordSelectionError", String(err));
            return { message: err.message, paths: server.requests.slice(1).map(r => decodeURIComponent(r.path)) };
        });
    }

    it("two mail servers of the same name: lists just those two, one per line, and asks for the id", async () => {
        const { message, paths } = await mailServerRefusal([
            { Id: MAIL_ID, Name: "Mail", OAuthApplicationId: APP_ID },
            { Id: OTHER_MAIL_ID, Name: "Mail", OAuthApplicationId: APP_ID },
            { Id: "cccccccc-bbbb-4ccc-8ddd-eeeeeeeeeeee", Name: "Other", OAuthApplicationId: APP_ID },
        ], "Mail");
        assert.strictEqual(message, '2 MailServer records in Creatio are named "Mail"; pass --mail-server with the id of one of ' +
            `them:\n  ${MAIL_ID}  "Mail"\n  ${OTHER_MAIL_ID}  "Mail"`);
        assert.deepStrictEqual(paths, ["/0/odata/MailServer?$filter=Name eq 'Mail'&$select=Id,Name,OAuthApplicationId"]);
    });

    it("no mail server at all, or one without a name: says so in the list", async () => {
        const none = await mailServerRefusal([], "Microsoft 365");
        assert.strictEqual(none.message, 'no MailServer in Creatio is named or has the id "Microsoft 365"; pass --mail-server with ' +
            "one of these names or ids:\n  (no MailServer records)");
        assert.deepStrictEqual(none.paths, ["/0/odata/MailServer?$filter=Name eq 'Microsoft 365'&$select=Id,Name,OAuthApplicationId",
            "/0/odata/MailServer?$select=Id,Name"]);
        const nameless = await mailServerRefusal([{ Id: MAIL_ID, OAuthApplicationId: APP_ID }], "Microsoft 365");
        assert.strictEqual(nameless.message, 'no MailServer in Creatio is named or has the id "Microsoft 365"; pass --mail-server ' +
            `with one of these names or ids:\n  ${MAIL_ID}  ""`);
    });

    // Not proven which of the two a Creatio sends for a mail server without an OAuth application: both are refused.
    for (const [label, applicationId] of [["the empty Guid", EMPTY_GUID], ["no value", undefined]] as const) {
        it(`a mail server whose OAuth application is ${label}: refused, saying what to set in Creatio, nothing else read`, async () => {
            const { message, paths } = await mailServerRefusal([{ Id: MAIL_ID, OAuthApplicationId: applicationId }], MAIL_ID);
            assert.strictEqual(message, 'MailServer "" has no OAuth application: choose OAuth authentication in its settings in ' +
                "Creatio first");
            assert.strictEqual(paths.length, 1);
        });
    }

    it("a mail server pointing to a record this user cannot read: refused, naming both", async () => {
        const { message } = await mailServerRefusal([{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
            "Microsoft 365", []);
        assert.strictEqual(message, `MailServer "Microsoft 365" points to OAuthApplications ${APP_ID}, which this Creatio user ` +
            "cannot read");
    });
});
