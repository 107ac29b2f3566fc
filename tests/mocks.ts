/**
 * Pulumi mocks standing in for Entra ID: they record every resource the program declares and
 * every lookup it makes, and refuse anything they do not know.
 */
import * as pulumi from "@pulumi/pulumi";
import { pathToFileURL } from "url";
export { withoutPromiseStacks } from "../ops/plan/program.ts";

export const TENANT_ID = "72f988bf-0000-4000-8000-000000000001";
export const APP_OBJECT_ID = "a0a0a0a0-0000-4000-8000-000000000002";
export const APP_CLIENT_ID = "c1c1c1c1-0000-4000-8000-000000000003";
export const SP_OBJECT_ID = "5e5e5e5e-0000-4000-8000-000000000004";
/** The identity that runs `pulumi up` (getClientConfig's objectId and clientId). */
export const DEPLOYER_OBJECT_ID = "d0d0d0d0-0000-4000-8000-0000000000d0";
export const DEPLOYER_CLIENT_ID = "dc0dc0dc-0000-4000-8000-0000000000dc";
/**
 * The key ids Entra ID gives the two password slots: GUIDs (azuread provider, application_password
 * resource: "key_id - A UUID used to uniquely identify this password credential").
 */
export const PASSWORD_KEY_IDS: Record<string, string> = {
    a: "0a5ec0a0-1111-4111-8111-00000000000a",
    b: "0b5ec0b0-2222-4222-8222-00000000000b",
};
/** Object ids of the Microsoft principals in the mocked tenant, by appId. */
export const TENANT_PRINCIPALS: Record<string, string> = {
    "00000002-0000-0ff1-ce00-000000000000": "e0e0e0e0-0000-4000-8000-00000000e0e0",
    "00000003-0000-0000-c000-000000000000": "90909090-0000-4000-8000-000000009090",
};

/** Microsoft Graph's application permissions (app roles) in the mocked tenant, as Graph publishes them. */
export const GRAPH_APP_ROLE_IDS: Record<string, string> = {
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "DelegatedPermissionGrant.ReadWrite.All": "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
};

export interface Declared {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** What the stand-in returned as the resource's state: its outputs. */
    outputs: Record<string, any>;
    /** The `import` option's id: the resource is adopted, not created. */
    importId?: string;
}

export class TenantMocks implements pulumi.runtime.Mocks {
    readonly declared: Declared[] = [];
    readonly lookups: { token: string; inputs: Record<string, any> }[] = [];
    /** URN of each registered resource, by name (recorded once `watch` is on). */
    readonly urns: Record<string, string> = {};
    /** The parent URN each resource was registered with, by name ("" for none). */
    readonly parents: Record<string, string> = {};
    /** What each component registered with registerOutputs, by URN. */
    readonly registeredOutputs: Record<string, Record<string, any>> = {};

    /** What the stack's RandomInteger yields. */
    readonly rotationOffset: number;
    /** The Microsoft service principals present in the tenant. */
    readonly principals: Record<string, string>;
    /** Client ids of applications by resource name; others get APP_CLIENT_ID. */
    readonly clientIds: Record<string, string>;
    /** Object ids of service principals by resource name; others get SP_OBJECT_ID. */
    readonly servicePrincipalIds: Record<string, string>;

    constructor(rotationOffset = 0, principals: Record<string, string> = TENANT_PRINCIPALS,
        clientIds: Record<string, string> = {}, servicePrincipalIds: Record<string, string> = {}) {
        this.rotationOffset = rotationOffset;
        this.principals = principals;
        this.clientIds = clientIds;
        this.servicePrincipalIds = servicePrincipalIds;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const result = this.stateOf(args);
        const importId = args.id || undefined;
        this.declared.push({
            type: args.type, name: args.name, inputs: args.inputs, outputs: result.state, ...(importId && { importId }),
        });
        return result;
    }

    private stateOf(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const importId = args.id || undefined;
        // An adopted resource keeps the id it was imported with.
        const objectIdOf = (prefix: string, created: string) => importId?.slice(prefix.length) ?? created;
        switch (args.type) {
            case "creatio:m365:CreatioOAuthApp":
                return { id: undefined, state: {} };
            case "azuread:index/application:Application": {
                const objectId = objectIdOf("/applications/", APP_OBJECT_ID);
                const clientId = this.clientIds[args.name] ?? APP_CLIENT_ID;
                return { id: `/applications/${objectId}`, state: { ...args.inputs, objectId, clientId } };
            }
            case "azuread:index/servicePrincipal:ServicePrincipal": {
                const objectId = objectIdOf("/servicePrincipals/", this.servicePrincipalIds[args.name] ?? SP_OBJECT_ID);
                return { id: objectId, state: { ...args.inputs, objectId } };
            }
            case "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant":
                return { id: importId ?? `grant-${args.name}`, state: args.inputs };
            case "azuread:index/appRoleAssignment:AppRoleAssignment":
            case "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential":
            case "creatio:bootstrap:GitHubOidcIdentity":
                return { id: `id-of-${args.name}`, state: args.inputs };
            case "random:index/randomInteger:RandomInteger":
                return { id: String(this.rotationOffset), state: { ...args.inputs, result: this.rotationOffset } };
            case "azuread:index/applicationPassword:ApplicationPassword": {
                const keyId = PASSWORD_KEY_IDS[args.name.slice(-1)];
                if (keyId === undefined) {
                    throw new Error(`unexpected password ${args.name}`);
                }
                // The provider's id is <application object id>/password/<key id> (parse/credentials.go).
                const objectId = String(args.inputs.applicationId).replace(/^\/applications\//, "");
                return {
                    id: `${objectId}/password/${keyId}`,
                    state: { ...args.inputs, keyId, value: `secret-value-of-${args.name}` },
                };
            }
            default:
                throw new Error(`unexpected resource type ${args.type} (${args.name})`);
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.lookups.push({ token: args.token, inputs: args.inputs });
        switch (args.token) {
            case "azuread:index/getServicePrincipal:getServicePrincipal": {
                const objectId = this.principals[args.inputs.clientId];
                if (objectId === undefined) {
                    throw new Error(`listing service principals: no service principal found for application ID "${args.inputs.clientId}"`);
                }
                const appRoleIds = args.inputs.clientId === "00000003-0000-0000-c000-000000000000" ? GRAPH_APP_ROLE_IDS : {};
                return { clientId: args.inputs.clientId, objectId, id: objectId, appRoleIds };
            }
            case "azuread:index/getClientConfig:getClientConfig":
                return { tenantId: TENANT_ID, clientId: DEPLOYER_CLIENT_ID, objectId: DEPLOYER_OBJECT_ID, id: TENANT_ID };
            default:
                throw new Error(`unexpected call ${args.token}`);
        }
    }

    /**
     * Installs these mocks, and records what the mock monitor sees but does not hand to `newResource`:
     * each resource's URN and parent, and what components register with registerOutputs.
     */
    async install(project: string, stack: string): Promise<void> {
        await pulumi.runtime.setMocks(this, project, stack, false);
        const monitor = pulumi.runtime.getMonitor() as any;
        const registerResource = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) =>
            registerResource(req, (err: unknown, resp: any) => {
                if (resp) {
                    this.urns[req.getName()] = resp.getUrn();
                    this.parents[req.getName()] = req.getParent();
                }
                callback(err, resp);
            });
        const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp: any) => void) => {
            this.registeredOutputs[req.getUrn()] = pulumi.runtime.deserializeProperties(req.getOutputs());
            registerResourceOutputs(req, callback);
        };
    }

    /** What the component named so registered as its outputs; waits until it has (at most 5 s). */
    async outputsRegisteredBy(name: string): Promise<Record<string, any>> {
        for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
            const outputs = this.registeredOutputs[this.urns[name]];
            if (outputs !== undefined) {
                return outputs;
            }
            await new Promise(resolve => setTimeout(resolve, 10));
        }
        throw new Error(`${name} registered no outputs within 5 s`);
    }

    /** The inputs of the one declared resource with this name. */
    inputsOf(name: string): Record<string, any> {
        const found = this.declared.filter(d => d.name === name);
        if (found.length !== 1) {
            throw new Error(`expected one resource named ${name}, found ${found.length}`);
        }
        return found[0].inputs;
    }
}

/** Resolves an Output's value, rejecting when the Output failed. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    // Output.promise() is internal to the SDK but, unlike apply, also reports failures.
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/**
 * Runs a Pulumi program afresh against these mocks, with this stack config in the project's
 * namespace, as `pulumi up` would: calls its default export, the function that declares the stack,
 * and returns what it returns (the stack outputs).
 */
export async function runProgram<T>(modulePath: string, project: string, stack: string,
    config: Record<string, string>, mocks: TenantMocks): Promise<T> {
    await mocks.install(project, stack);
    pulumi.runtime.setAllConfig(Object.fromEntries(
        Object.entries(config).map(([key, value]) => [`${project}:${key}`, value])));
    const program: { default: () => T } = await import(pathToFileURL(modulePath).href);
    return program.default();
}

/** Runs `body` with console.warn captured: pulumi.log.warn writes there when no engine is attached. */
export async function capturingWarnings<T>(body: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(" ")); };
    try {
        return { result: await body(), warnings };
    } finally {
        console.warn = original;
    }
}
