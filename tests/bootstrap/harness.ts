/** Runs the bootstrap program (bootstrap/index.ts) against Pulumi mocks standing in for Entra ID. */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { GRAPH_APP_ROLE_IDS, TenantMocks, promiseOf, runProgram, withoutPromiseStacks } from "../mocks.ts";

export const BOOTSTRAP_PROGRAM = path.join(import.meta.dirname, "..", "..", "bootstrap", "index.ts");
export const BOOTSTRAP_PROJECT = "creatio-m365-oauth-bootstrap";

/** Microsoft Graph app roles the bootstrap grants beyond those of tests/mocks.ts, as Graph publishes them. */
export const EXTRA_GRAPH_APP_ROLE_IDS: Record<string, string> = {
    // Microsoft Graph permissions reference, Directory.Read.All, Application identifier.
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
};

/** The stacks the harness bootstraps unless the config names others: never the repository root's, which are the user's. */
export const HARNESS_STACKS = '["dev","prod"]';

/** Client ids and service principal object ids the mocked tenant gives each identity of the environments of HARNESS_STACKS. */
export const IDENTITY_IDS: Record<string, { clientId: string; servicePrincipal: string }> = {
    "ci-dev": { clientId: "d0d0d0d0-0000-4000-8000-00000000d0d1", servicePrincipal: "5e5e5e5e-0000-4000-8000-0000000000d1" },
    "ci-prod": { clientId: "d0d0d0d0-0000-4000-8000-00000000d0d2", servicePrincipal: "5e5e5e5e-0000-4000-8000-0000000000d2" },
    "ci-rotation-dev": { clientId: "a7a7a7a7-0000-4000-8000-00000000a7a1", servicePrincipal: "6e6e6e6e-0000-4000-8000-0000000000a1" },
    "ci-rotation-prod": { clientId: "a7a7a7a7-0000-4000-8000-00000000a7a2", servicePrincipal: "6e6e6e6e-0000-4000-8000-0000000000a2" },
};

/** The tenant's Graph principal publishes every app role the bootstrap grants. */
export class BootstrapMocks extends TenantMocks {
    constructor() {
        super(0, undefined,
            Object.fromEntries(Object.entries(IDENTITY_IDS).map(([name, ids]) => [`${name}-app`, ids.clientId])),
            Object.fromEntries(Object.entries(IDENTITY_IDS).map(([name, ids]) => [`${name}-sp`, ids.servicePrincipal])));
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const result = super.call(args);
        return result.appRoleIds && Object.keys(result.appRoleIds).length > 0
            ? { ...result, appRoleIds: { ...GRAPH_APP_ROLE_IDS, ...EXTRA_GRAPH_APP_ROLE_IDS } }
            : result;
    }
}

/**
 * Runs the program (this checkout's, or `options.program`) with this config and the stacks
 * HARNESS_STACKS, or those of the program's repository root with `stacksFromRoot`; resolves once
 * every resource it declares has been registered (Pulumi's own RPC queue drained), with the stack
 * outputs' values.
 */
export async function runBootstrap(config: Record<string, string>, options: { program?: string; stacksFromRoot?: boolean } = {}) {
    const mocks = new BootstrapMocks();
    config = options.stacksFromRoot ? config : { stacks: HARNESS_STACKS, ...config };
    return withoutPromiseStacks(async () => {
        const outputs = await runProgram<Record<string, pulumi.Output<unknown>>>(options.program ?? BOOTSTRAP_PROGRAM, BOOTSTRAP_PROJECT, "tenant", config, mocks);
        const values = Object.fromEntries(await Promise.all(
            Object.entries(outputs).map(async ([name, output]) => [name, await promiseOf(output)])));
        // Role assignments and federated credentials are in no output: wait for Pulumi's own RPC
        // queue to drain instead of polling a count with a clock.
        await pulumi.runtime.disconnect();
        return { values, mocks };
    });
}

export const ofType = (mocks: TenantMocks, type: string) =>
    mocks.declared.filter(d => d.type === `azuread:index/${type}`).map(d => [d.name, d.inputs] as [string, Record<string, any>]);
