/**
 * The Microsoft APIs and delegated scopes Creatio asks for, with their fixed identifiers.
 * Entra ID matches these ids byte for byte; a typo yields a permission that does not exist.
 */

/** A delegated permission (an OAuth2 permission scope) published by a Microsoft API. */
export interface DelegatedScope {
    /** The claim value as it appears in tokens and consent grants, e.g. `EWS.AccessAsUser.All`. */
    readonly value: string;
    /** The scope's id in the API's `oauth2PermissionScopes`. */
    readonly id: string;
}

/** A Microsoft first-party API, identified by the appId of its service principal. */
export interface MicrosoftApi {
    /** A short name used in resource names, e.g. `exchange`. */
    readonly key: string;
    /** The display name of the API's service principal. */
    readonly displayName: string;
    readonly appId: string;
    /** Said when the tenant has no service principal for the API. */
    readonly missingHint: string;
}

export const EXCHANGE_ONLINE: MicrosoftApi = {
    key: "exchange",
    displayName: "Office 365 Exchange Online",
    appId: "00000002-0000-0ff1-ce00-000000000000",
    missingHint: "a tenant without Exchange Online has none, and Creatio's Microsoft 365 email " +
        "integration needs a tenant with Exchange Online (a licence that includes it)",
};

export const MICROSOFT_GRAPH: MicrosoftApi = {
    key: "graph",
    displayName: "Microsoft Graph",
    appId: "00000003-0000-0000-c000-000000000000",
    missingHint: "every tenant has one, so check that the deploying identity may read service principals",
};

/**
 * EWS.AccessAsUser.All on Office 365 Exchange Online. Microsoft Graph publishes a scope of
 * the same name with another id; Creatio's EWS client needs this one.
 */
export const EWS_ACCESS_AS_USER_ALL: DelegatedScope = {
    value: "EWS.AccessAsUser.All",
    id: "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5",
};

/** User.Read on Microsoft Graph: sign in and read the signed-in user's profile. */
export const GRAPH_USER_READ: DelegatedScope = {
    value: "User.Read",
    id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
};

/** The delegated scopes requested from one API. */
export interface ApiAccess {
    readonly api: MicrosoftApi;
    readonly scopes: readonly DelegatedScope[];
}
