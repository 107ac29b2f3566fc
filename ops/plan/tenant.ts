/**
 * The tenant the plan stands in for: Pulumi mocks in which the Office 365 Exchange Online and
 * Microsoft Graph principals exist. Every value only Entra ID assigns (ids, Client IDs, secrets)
 * is a recognisable placeholder, recorded with what it stands for, so that the plan shows it as
 * "assigned by Entra ID at pulumi up" and never as if it were real.
 */
import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { permissionsFor } from "../../lib/creatioProfile.ts";

/** How a value only Entra ID (or the first `pulumi up`) decides is shown. */
export const ASSIGNED = "assigned by Entra ID at pulumi up";

export interface Placeholder {
    /** The stand-in value the program saw. */
    value: string;
    /** A short name, used where the value sits inside a longer text: `<Client ID>`. */
    name: string;
    /** What is shown instead of the whole value. */
    text: string;
}

export interface DeclaredResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** False for component resources, which only group the others. */
    custom: boolean;
    /** The `import` option's id: the resource is adopted, not created. */
    importId?: string;
}

export interface Lookup {
    token: string;
    inputs: Record<string, unknown>;
    /** What the stand-in tenant answered (absent when it refused). */
    result?: Record<string, unknown>;
}

/** The Microsoft APIs the stand-in tenant has a service principal for, by appId. */
const TENANT_APIS = new Map(permissionsFor("any").map(({ api }) => [api.appId, api]));

/** The marker every stand-in GUID starts with: "0e1d" for Entra ID. */
export const PLACEHOLDER_GUID_PREFIX = "0e1d0000-0000-4000-a000-";

/** What the Client ID of the application is shown as: an adopted registration keeps the one it has. */
export function clientIdText(importId: string | undefined): string {
    return importId ? "(the adopted registration's Client ID, read at pulumi up)" : `(Client ID, ${ASSIGNED})`;
}

/** A text with every stand-in value the tenant could make replaced, for where the placeholders are not at hand. */
export function withoutStandIns(text: string): string {
    return text.replace(/0e1d0000-0000-4000-a000-[0-9a-f]{12}|stand-in-secret-[0-9a-f]{16}/g, `(a value ${ASSIGNED})`);
}

export class StandInTenant implements pulumi.runtime.Mocks {
    readonly declared: DeclaredResource[] = [];
    readonly lookups: Lookup[] = [];
    private readonly byValue = new Map<string, Placeholder>();

    /** What the stack's random rotation offset yields in this evaluation. */
    readonly rotationOffset: number;

    constructor(rotationOffset: number) {
        this.rotationOffset = rotationOffset;
    }

    get placeholders(): Placeholder[] {
        return [...this.byValue.values()];
    }

    /** A GUID derived from what it stands for, so that every evaluation sees the same one. */
    private guid(name: string, text: string): string {
        // withoutStandIns() knows this form.
        const value = PLACEHOLDER_GUID_PREFIX + createHash("sha256").update(text).digest("hex").slice(0, 12);
        this.byValue.set(value, { value, name, text });
        return value;
    }

    private secretValue(name: string, text: string): string {
        // withoutStandIns() knows this form.
        const value = `stand-in-secret-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
        this.byValue.set(value, { value, name, text });
        return value;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const importId = args.id || undefined;
        this.declared.push({
            type: args.type, name: args.name, inputs: args.inputs, custom: args.custom === true, ...(importId && { importId }),
        });
        const of = `of ${args.name}`;
        // An adopted resource keeps the id it is imported with: that one is real, the user gave it.
        const imported = (prefix: string) => (importId?.startsWith(prefix) ? importId.slice(prefix.length) : undefined);
        if (!args.custom) {
            return { id: undefined, state: {} };
        }
        switch (args.type) {
            case "azuread:index/application:Application": {
                const objectId = imported("/applications/") ??
                    this.guid("application object id", `(application object id, ${ASSIGNED})`);
                const clientId = this.guid("Client ID", clientIdText(importId));
                return { id: `/applications/${objectId}`, state: { ...args.inputs, objectId, clientId } };
            }
            case "azuread:index/servicePrincipal:ServicePrincipal": {
                const objectId = imported("/servicePrincipals/") ??
                    this.guid("service principal object id", `(service principal object id, ${ASSIGNED})`);
                // The provider's id is /servicePrincipals/<object id> (terraform-provider-azuread v3, service_principal_resource.go).
                return { id: `/servicePrincipals/${objectId}`, state: { ...args.inputs, objectId } };
            }
            case "azuread:index/applicationPassword:ApplicationPassword": {
                const keyId = this.guid(`key id ${of}`, `(key id ${of}, ${ASSIGNED})`);
                const value = this.secretValue(`client secret ${of}`, `(client secret ${of}, ${ASSIGNED}; a secret)`);
                // The provider's id is <application object id>/password/<key id> (application_password_resource.go, parse/credentials.go).
                // applicationId is an application's id, /applications/<object id>: the provider refuses any other form.
                const applicationObjectId = String(args.inputs.applicationId).slice("/applications/".length);
                return { id: `${applicationObjectId}/password/${keyId}`, state: { ...args.inputs, keyId, value } };
            }
            case "random:index/randomInteger:RandomInteger":
                return { id: String(this.rotationOffset), state: { ...args.inputs, result: this.rotationOffset } };
            case "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant": {
                // The provider's id is /oauth2PermissionGrants/<id> (service_principal_delegated_permission_grant_resource.go).
                const id = importId ?? `/oauth2PermissionGrants/${this.guid(`id ${of}`, `(id ${of}, ${ASSIGNED})`)}`;
                return { id, state: { ...args.inputs } };
            }
            default: {
                // Anything added later: Entra ID (or the provider) assigns the id.
                const id = importId ?? this.guid(`id ${of}`, `(id ${of}, ${ASSIGNED})`);
                return { id, state: { ...args.inputs } };
            }
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const lookup: Lookup = { token: args.token, inputs: args.inputs };
        this.lookups.push(lookup);
        lookup.result = this.answer(args);
        return lookup.result;
    }

    private answer(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        switch (args.token) {
            case "azuread:index/getServicePrincipal:getServicePrincipal": {
                const appId = String(args.inputs.clientId);
                const api = TENANT_APIS.get(appId);
                if (api === undefined) {
                    // The provider's refusal: summary and detail of its diagnostic (terraform-provider-azuread v3,
                    // service_principal_data_source.go), joined by the bridge (pulumi-terraform-bridge diagnostics/error.go).
                    throw new Error("No service principal found: no service principal found");
                }
                const objectId = this.guid(`object id of ${api.displayName}`,
                    `(the object id of ${api.displayName}'s service principal in the tenant, looked up at pulumi up)`);
                // The data source's id is /servicePrincipals/<object id> (service_principal_data_source.go).
                return { clientId: appId, objectId, id: `/servicePrincipals/${objectId}`, displayName: api.displayName };
            }
            case "azuread:index/getClientConfig:getClientConfig":
                return {
                    tenantId: this.guid("tenant id", "(the tenant of the identity that runs pulumi up)"),
                    clientId: this.guid("deployer Client ID", "(the Client ID of the identity that runs pulumi up)"),
                    objectId: this.guid("deployer object id", "the identity that runs pulumi up"),
                };
            default:
                throw new Error(`the plan's stand-in tenant cannot answer ${args.token}: add it to ops/plan/tenant.ts`);
        }
    }
}
