/**
 * What the Creatio tests share: the ids and credentials of the stand-in Creatio, its Microsoft 365
 * record, a target on it, and checking a CreatioError.
 */
import * as assert from "assert";
import { CreatioError, type CreatioTarget } from "../ops/creatio/client.ts";
import { type CreatioServer, type CreatioServerOptions, DEFAULT_MODIFIED_ON, type FakeOAuthApplication, startCreatioServer } from "./fakes/creatioServer.ts";

// Creatio 8.1 mail server page (Resources/ClientApp/301.*.js): Office365 = "Office365OAuthAuthenticator",
// Google = "GoogleOAuthAuthenticator"
export const M365_CLASS = "Office365OAuthAuthenticator";
export const GOOGLE_CLASS = "GoogleOAuthAuthenticator";

/** Awaits a CreatioError with this outcome and this exact message (or one matching the pattern). */
export async function rejects(promise: Promise<unknown>, outcome: string, message: RegExp | string): Promise<CreatioError> {
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

export const CLIENT = "c1c1c1c1-0000-4000-8000-000000000003";
export const NEW_SECRET = "Zx8Q~new-secret-value";
export const USER = "Deliverer";
export const PASSWORD = "creatio-password-1";
export const API_CLIENT = "3e7b0d6a5c2f4a8e";
export const API_SECRET = "identity-secret-2";
export const APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
export const MAIL_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const FORMS = { kind: "forms", userName: USER, password: PASSWORD } as const;
export const FORMS_ENV = { CREATIO_USERNAME: USER, CREATIO_PASSWORD: PASSWORD };

/** The stand-in's Microsoft 365 OAuthApplications record, holding CLIENT. */
export function m365Record(overrides: Partial<FakeOAuthApplication> = {}): FakeOAuthApplication {
    return { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT, SecretKey: "old", AppClassName: M365_CLASS, ...overrides };
}

/** A .NET Framework Creatio at this address, trusted through this CA. */
export function creatioTarget(url: string, ca: string, timeoutMs = 5000): CreatioTarget {
    return { siteBaseUrl: url, netCore: false, timeoutMs, trustedCa: ca };
}

/** Runs `body` against a stand-in Creatio that knows USER and API_CLIENT, and closes it after. */
export async function withCreatio<T>(options: CreatioServerOptions, body: (server: CreatioServer) => Promise<T>): Promise<T> {
    const server = await startCreatioServer({ users: { [USER]: PASSWORD }, apiClients: { [API_CLIENT]: API_SECRET }, ...options });
    try {
        return await body(server);
    } finally {
        await server.close();
    }
}

/** Creatio 8.2 system-operation reference, "Integration setting management": "Access to OData", code CanUseODataService. */
export const ODATA_403 = 'the Creatio user lacks a right: the system operation "Access to OData" (CanUseODataService), or read and ' +
    "edit on OAuthApplications (and read on MailServer for --mail-server); see docs/deliver.md";
/** The Client ID of a registration made in the portal, which no stack holds. */
export const PORTAL_CLIENT = "9a9a9a9a-0000-4000-8000-000000000009";
export const GOOGLE_APP_ID = "11111111-2222-4333-8444-555555555555";
/** What the stand-in's OData answers hold for the Microsoft 365 record of applications(). */
export const M365_RECORD = { id: APP_ID, name: "Microsoft 365", clientId: CLIENT.toUpperCase(), appClassName: M365_CLASS, modifiedOn: DEFAULT_MODIFIED_ON };

/** Two OAuthApplications records: Microsoft 365 (holding CLIENT in upper case) and Google. */
export function applications(): FakeOAuthApplication[] {
    return [
        { Id: APP_ID, Name: "Microsoft 365", ClientId: CLIENT.toUpperCase(), SecretKey: "old", AppClassName: M365_CLASS },
        { Id: GOOGLE_APP_ID, Name: "Google", ClientId: "123-google.apps.googleusercontent.com", SecretKey: "g", AppClassName: GOOGLE_CLASS },
    ];
}

/** This stand-in as a target, .NET Framework unless `netCore`. */
export function serverTarget(server: CreatioServer, netCore = false, timeoutMs = 5000): CreatioTarget {
    return { ...creatioTarget(server.url, server.ca, timeoutMs), netCore };
}

/** A stand-in Creatio that knows USER and API_CLIENT, with the records of applications() and a mail server on the first. */
export function startCreatioWithApplications(): Promise<CreatioServer> {
    return startCreatioServer({
        users: { [USER]: PASSWORD }, apiClients: { [API_CLIENT]: API_SECRET },
        oauthApplications: applications(),
        mailServers: [{ Id: MAIL_ID, Name: "Microsoft 365", OAuthApplicationId: APP_ID }],
    });
}
