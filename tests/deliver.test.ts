import * as assert from "assert";
import { OAUTH_APPLICATIONS, odataRoot, odataString, recordPath } from "../ops/creatioApi";
import { CreatioError, CreatioTarget, signIn } from "../ops/creatioClient";
import { findByClientId, findByMailServer, readBack, selectByClientId } from "../ops/creatioRecords";
import { CreatioServer, FakeOAuthApplication, startCreatioServer } from "./fakes/creatioServer";

const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
const PORTAL_CLIENT = "9a9a9a9a-0000-4000-8000-000000000009";
const NEW_SECRET = "Zx8Q~new-secret-value";
const USER = "Deliverer";
const PASSWORD = "creatio-password-1";
const API_CLIENT = "3e7b0d6a5c2f4a8e";
const API_SECRET = "identity-secret-2";
const APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const GOOGLE_APP_ID = "11111111-2222-4333-8444-555555555555";
const MAIL_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

function applications(): FakeOAuthApplication[] {
    return [
        { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT.toUpperCase(), SecretKey: "old" },
        { Id: GOOGLE_APP_ID, Name: "Google", ClientId: "123-google.apps.googleusercontent.com", SecretKey: "g" },
    ];
}

function target(server: CreatioServer, netCore = false, timeoutMs = 5000): CreatioTarget {
    return { siteBaseUrl: server.url, netCore, timeoutMs, trustedCa: server.ca };
}

async function rejects(promise: Promise<unknown>, outcome: string, message: RegExp | string): Promise<CreatioError> {
    const err = await promise.then(() => assert.fail("expected a CreatioError"), (e: unknown) => e);
    assert.ok(err instanceof CreatioError, String(err));
    assert.strictEqual(err.outcome, outcome, err.message);
    if (typeof message === "string") {
        assert.strictEqual(err.message, message);
    } else {
        assert.match(err.message, message);
    }
    return err;
}

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

describe("Creatio client against a stand-in", () => {
    let server: CreatioServer;
    beforeEach(async () => {
        server = await startCreatioServer({
            users: { [USER]: PASSWORD }, apiClients: { [API_CLIENT]: API_SECRET },
            oauthApplications: applications(),
            mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
        });
    });
    afterEach(() => server.close());

    it("signs in with forms authentication and sends the cookies and the BPMCSRF header on OData calls", async () => {
        const session = await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        const records = await session.query(OAUTH_APPLICATIONS, { select: ["Id", "Name", "ClientId"] });
        assert.deepStrictEqual(records.map(r => r.Id), [APP_ID, GOOGLE_APP_ID]);

        const [login, get] = server.requests;
        // Creatio "AuthService.svc web service": POST .../ServiceModel/AuthService.svc/Login, ForceUseSession: true
        assert.strictEqual(login.method, "POST");
        assert.strictEqual(login.path, "/ServiceModel/AuthService.svc/Login");
        assert.strictEqual(login.headers["content-type"], "application/json");
        assert.strictEqual(login.headers.forceusesession, "true");
        assert.deepStrictEqual(JSON.parse(login.body), { UserName: USER, UserPassword: PASSWORD });

        // Creatio "odata web service (OData 4)": Accept, Content-Type with IEEE754Compatible, ForceUseSession, BPMCSRF
        assert.strictEqual(get.method, "GET");
        assert.strictEqual(get.path, "/0/odata/OAuthApplications?%24select=Id%2CName%2CClientId");
        assert.strictEqual(get.headers.accept, "application/json");
        assert.strictEqual(get.headers["content-type"], "application/json; charset=utf-8; IEEE754Compatible=true");
        assert.strictEqual(get.headers.forceusesession, "true");
        assert.strictEqual(get.headers.bpmcsrf, "csrf-1");
        assert.strictEqual(get.headers.cookie, "BPMLOADER=loader-1; .ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1; UserName=Deliverer");
        assert.strictEqual(get.headers.authorization, undefined);
    });

    it("is refused by the stand-in without the BPMCSRF header", async () => {
        // Creatio "Authentication": the CSRF token of the BPMCSRF cookie must be in the request header.
        await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        const res = await fetchWithCa(server, `${server.url}/0/odata/OAuthApplications`, {
            "Cookie": ".ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1", "Accept": "application/json",
        });
        assert.strictEqual(res, 401);
        const withHeader = await fetchWithCa(server, `${server.url}/0/odata/OAuthApplications`, {
            "Cookie": ".ASPXAUTH=aspxauth-1; BPMCSRF=csrf-1", "BPMCSRF": "csrf-1", "Accept": "application/json",
        });
        assert.strictEqual(withHeader, 200);
    });

    it("reports wrong Creatio credentials with Creatio's message, without the password", async () => {
        const err = await rejects(signIn(target(server), { kind: "forms", userName: USER, password: "wrong-pass" }), "refused",
            "Creatio refused the sign-in of CREATIO_USERNAME (Code 1): Invalid username or password specified");
        assert.ok(!err.message.includes("wrong-pass"));
    });

    it("signs in with an Identity Service token and sends it as Bearer", async () => {
        const session = await signIn(target(server),
            { kind: "oauth", identityUrl: server.identityUrl, clientId: API_CLIENT, clientSecret: API_SECRET });
        await session.query(OAUTH_APPLICATIONS, { select: ["Id"] });
        const [token, get] = server.requests;
        // Creatio "Authorize external requests using client credentials grant": POST <Identity Service URL>/connect/token
        assert.strictEqual(token.method, "POST");
        assert.strictEqual(token.path, "/identity/connect/token");
        assert.strictEqual(token.headers["content-type"], "application/x-www-form-urlencoded");
        // RFC 6749 4.4.2: grant_type=client_credentials; Creatio: client_id and client_secret form fields
        assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(token.body)),
            { grant_type: "client_credentials", client_id: API_CLIENT, client_secret: API_SECRET });
        assert.strictEqual(get.headers.authorization, "Bearer token-1");
        assert.strictEqual(get.headers.bpmcsrf, undefined);
    });

    it("reports a wrong Identity Service client", async () => {
        const err = await rejects(signIn(target(server),
            { kind: "oauth", identityUrl: server.identityUrl, clientId: API_CLIENT, clientSecret: "nope-secret" }), "refused",
        "Creatio's Identity Service refused CREATIO_API_CLIENT_ID: invalid_client");
        assert.ok(!err.message.includes("nope-secret"));
    });

    it("patches ClientId and SecretKey of one record, expecting 204", async () => {
        const session = await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        await session.patch(OAUTH_APPLICATIONS, APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET });
        const patch = server.requests.at(-1)!;
        assert.strictEqual(patch.method, "PATCH");
        assert.strictEqual(patch.path, `/0/odata/OAuthApplications(${APP_ID})`);
        assert.strictEqual(patch.headers.bpmcsrf, "csrf-1");
        assert.deepStrictEqual(JSON.parse(patch.body), { ClientId: CLIENT, SecretKey: NEW_SECRET });
        assert.deepStrictEqual(server.oauthApplications[0], { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT, SecretKey: NEW_SECRET });
    });

    it("says which OData form is wrong when the site is .NET Core", async () => {
        const core = await startCreatioServer({ netCore: true, users: { [USER]: PASSWORD }, oauthApplications: applications() });
        try {
            const wrong = await signIn(target(core, false), { kind: "forms", userName: USER, password: PASSWORD });
            await rejects(wrong.query(OAUTH_APPLICATIONS, { select: ["Id"] }), "misconfigured",
                `reading OAuthApplications from Creatio: HTTP 404 at ${core.url}/0/odata/OAuthApplications ` +
                "(check the site URL and the netCore setting of the stack)");
            const right = await signIn(target(core, true), { kind: "forms", userName: USER, password: PASSWORD });
            assert.strictEqual((await right.query(OAUTH_APPLICATIONS, { select: ["Id"] })).length, 2);
            assert.strictEqual(core.requests.at(-1)!.path, "/odata/OAuthApplications?%24select=Id");
        } finally {
            await core.close();
        }
    });

    for (const [status, outcome, text] of [
        [401, "refused", "HTTP 401 (not signed in: the session or token was not accepted)"],
        [403, "refused", "HTTP 403 (the Creatio user lacks the rights, see the README)"],
        [500, "unreachable", "HTTP 500"],
    ] as const) {
        it(`reports ${status} on a read and on a write`, async () => {
            const failing = await startCreatioServer({
                users: { [USER]: PASSWORD }, oauthApplications: applications(), failures: { get: status, patch: status },
            });
            try {
                const session = await signIn(target(failing), { kind: "forms", userName: USER, password: PASSWORD });
                await rejects(session.query(OAUTH_APPLICATIONS, { select: ["Id"] }), outcome,
                    `reading OAuthApplications from Creatio: ${text}`);
                // A write that is not answered 204 is not accepted, whatever the status.
                const err = await rejects(session.patch(OAUTH_APPLICATIONS, APP_ID, { ClientId: CLIENT, SecretKey: NEW_SECRET }),
                    "refused", `Creatio did not accept the change of OAuthApplications ${APP_ID}: ${text}`);
                assert.ok(!err.message.includes(NEW_SECRET));
            } finally {
                await failing.close();
            }
        });
    }

    it("reports a write to a record that does not exist", async () => {
        const session = await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        await rejects(session.patch(OAUTH_APPLICATIONS, GOOGLE_APP_ID.replace("1", "0"), { ClientId: CLIENT }), "refused",
            /^Creatio did not accept the change of OAuthApplications 01111111-.*: HTTP 404 at /);
    });

    it("gives up on a Creatio that never answers, and on one that is down", async () => {
        const silent = await startCreatioServer({ answer: "silence" });
        try {
            const started = Date.now();
            await rejects(signIn(target(silent, false, 500), { kind: "forms", userName: USER, password: PASSWORD }), "unreachable",
                `no answer from ${silent.url} within 0.5 s`);
            assert.ok(Date.now() - started < 5000);
        } finally {
            await silent.close();
        }
        const down = await startCreatioServer();
        await down.close();
        await rejects(signIn(target(down), { kind: "forms", userName: USER, password: PASSWORD }), "unreachable",
            new RegExp(`^could not reach ${down.url.replace(/\./g, "\\.")}: .*ECONNREFUSED`));
    });

    it("does not trust a certificate it was not given", async () => {
        await rejects(signIn({ ...target(server), trustedCa: undefined }, { kind: "forms", userName: USER, password: PASSWORD }),
            "unreachable", /^could not reach https:\/\/127\.0\.0\.1:\d+: self-signed certificate/);
    });

    it("finds the record by the stack's Client ID, whatever its letter case", async () => {
        const session = await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        assert.deepStrictEqual(await findByClientId(session, CLIENT), { id: APP_ID, name: "Microsoft 365", clientId: CLIENT.toUpperCase() });
    });

    it("finds the record a mail server points to, by name or id", async () => {
        const session = await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        const expected = { id: APP_ID, name: "Microsoft 365", clientId: CLIENT.toUpperCase() };
        assert.deepStrictEqual(await findByMailServer(session, "Microsoft 365"), expected);
        assert.deepStrictEqual(server.requests.slice(1).map(r => decodeURIComponent(r.path)), [
            // MailServer.BackReferences.CrtBase.cs: lookup OAuthApplication, OData property OAuthApplicationId
            "/0/odata/MailServer?$filter=Name eq 'Microsoft 365'&$select=Id,Name,OAuthApplicationId",
            `/0/odata/OAuthApplications?$filter=Id eq ${APP_ID}&$select=Id,Name,ClientId`,
        ]);
        assert.deepStrictEqual(await findByMailServer(session, MAIL_ID), expected);
        assert.strictEqual(decodeURIComponent(server.requests.at(-2)!.path),
            `/0/odata/MailServer?$filter=Id eq ${MAIL_ID}&$select=Id,Name,OAuthApplicationId`);
        assert.deepStrictEqual(await readBack(session, APP_ID), expected);
    });

    it("lists the mail servers when the name matches none", async () => {
        const session = await signIn(target(server), { kind: "forms", userName: USER, password: PASSWORD });
        await assert.rejects(findByMailServer(session, "Exchange"), {
            name: "RecordSelectionError",
            message: `no MailServer in Creatio is named or has the id "Exchange"; pass --mail-server with one of these ` +
                `names or ids:\n  ${MAIL_ID}  "Microsoft 365"`,
        });
    });
});

describe("choosing the OAuthApplications record", () => {
    const records = [
        { id: APP_ID, name: "Microsoft 365", clientId: PORTAL_CLIENT },
        { id: GOOGLE_APP_ID, name: "Google", clientId: "123-google" },
    ];

    it("takes the one record with the Client ID", () => {
        assert.strictEqual(selectByClientId([...records, { id: MAIL_ID, name: "New", clientId: ` ${CLIENT.toUpperCase()}` }], CLIENT).id,
            MAIL_ID);
    });

    it("lists the records and says what to pass when none matches", () => {
        assert.throws(() => selectByClientId(records, CLIENT), {
            name: "RecordSelectionError",
            message: `no OAuthApplications record in Creatio has ClientId ${CLIENT}; pass --mail-server <name or id of the ` +
                `Microsoft 365 mail server> once to update the record that mail server uses. Records found:\n` +
                `  ${APP_ID}  "Microsoft 365"  ClientId ${PORTAL_CLIENT}\n` +
                `  ${GOOGLE_APP_ID}  "Google"  ClientId 123-google`,
        });
    });

    it("lists the matching records when several match", () => {
        const twins = [{ ...records[0], clientId: CLIENT }, { ...records[1], clientId: CLIENT.toUpperCase() }];
        assert.throws(() => selectByClientId(twins, CLIENT), {
            message: `2 OAuthApplications records in Creatio have ClientId ${CLIENT}; pass --mail-server <name or id of the ` +
                `Microsoft 365 mail server> to choose the one the mail server uses. Records found:\n` +
                `  ${APP_ID}  "Microsoft 365"  ClientId ${CLIENT}\n` +
                `  ${GOOGLE_APP_ID}  "Google"  ClientId ${CLIENT.toUpperCase()}`,
        });
    });
});

/** A raw request to the stand-in, to check its own refusals. */
async function fetchWithCa(server: CreatioServer, url: string, headers: Record<string, string>): Promise<number> {
    const https = await import("https");
    return new Promise((resolve, reject) => {
        https.get(url, { headers, ca: server.ca, agent: false }, res => {
            res.resume();
            resolve(res.statusCode ?? 0);
        }).on("error", reject);
    });
}
