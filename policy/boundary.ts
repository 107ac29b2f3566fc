/**
 * The reach of the registration: which resources the stack may declare, where, and what they may
 * point at. The other rules check each resource's own shape; these stop a change from adding a
 * credential, an owner, a consent or a redirect URI that reaches beyond this stack's registration.
 *
 * Two kinds, because the engine shows policies different things (pulumi/pulumi,
 * `pkg/resource/deploy/step_generator.go`): a resource policy sees one resource's inputs before its
 * step and, when mandatory, stops that step in `pulumi up` (in a preview it fails the preview); a
 * stack policy sees every resource's outputs after all steps, in a preview and in `pulumi up`
 * alike, and fails the run without undoing what was done. Only a stack policy can compare one
 * resource with another (a password's application with the registration's object id), so those
 * checks are stack policies; `routine-check`'s preview runs them before the deploy's `pulumi up`.
 */
import { type PolicyResource, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { createRequire } from "module";
import { type CreatioProfile, redirectUrisFor } from "../lib/creatioProfile.ts";
import { EXCHANGE_ONLINE, MICROSOFT_GRAPH } from "../lib/microsoftApis.ts";

export const BOUNDARY_TYPES = {
    stack: "pulumi:pulumi:Stack",
    component: "creatio:m365:CreatioOAuthApp",
    application: "azuread:index/application:Application",
    servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
    grant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    password: "azuread:index/applicationPassword:ApplicationPassword",
    rotationOffset: "random:index/randomInteger:RandomInteger",
} as const;

/** The providers of the declared types (a provider resource's type is `pulumi:providers:<package>`). */
const ALLOWED_PROVIDERS = ["pulumi:providers:azuread", "pulumi:providers:random"];

/** Every type the stack may hold: what CreatioOAuthApp declares, the component, the stack and their providers. */
export const ALLOWED_TYPES: readonly string[] = [...Object.values(BOUNDARY_TYPES), ...ALLOWED_PROVIDERS];

/** The name suffixes CreatioOAuthApp gives its children, by type: `<component name>-<suffix>`. */
const CHILD_SUFFIXES: Record<string, readonly string[]> = {
    [BOUNDARY_TYPES.application]: ["app"],
    [BOUNDARY_TYPES.servicePrincipal]: ["sp"],
    [BOUNDARY_TYPES.grant]: [`consent-${EXCHANGE_ONLINE.key}`, `consent-${MICROSOFT_GRAPH.key}`],
    [BOUNDARY_TYPES.password]: ["secret-a", "secret-b"],
    [BOUNDARY_TYPES.rotationOffset]: ["rotation-offset"],
};

/** What CreatioOAuthApp records of the stack's configuration: its inputs, and again its registered outputs. */
export interface Recorded {
    siteBaseUrl: string;
    profile: CreatioProfile;
    netCore?: boolean;
    /**
     * The `owners` config; empty when unset, and then the deploying identity alone owns. Not recorded is
     * taken as unset: policies see the component as the program under check declares it (the engine hands
     * old inputs only to custom resources a targeted update leaves out), so a missing record is that
     * program's doing, not an old state's.
     */
    owners?: string[];
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>`: the parts a check needs. */
function urnParts(urn: string): { prefix: string; chain: string[]; name: string } {
    const parts = urn.split("::");
    return { prefix: parts.slice(0, 2).join("::"), chain: (parts[2] ?? "").split("$"), name: parts.slice(3).join("::") };
}

/** The URN of the CreatioOAuthApp a child of this URN and name belongs to, by the names the component gives. */
function componentUrnOf(urn: string, type: string): string | undefined {
    const { prefix, chain, name } = urnParts(urn);
    const suffix = (CHILD_SUFFIXES[type] ?? []).find(s => name.endsWith(`-${s}`));
    if (chain.length !== 2 || chain[0] !== BOUNDARY_TYPES.component || chain[1] !== type || suffix === undefined) {
        return undefined;
    }
    return `${prefix}::${BOUNDARY_TYPES.component}::${name.slice(0, -suffix.length - 1)}`;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const sameSet = (a: unknown[], b: unknown[]) =>
    JSON.stringify([...new Set(a.map(v => String(v).toLowerCase()))].sort()) ===
    JSON.stringify([...new Set(b.map(v => String(v).toLowerCase()))].sort());

/** The recorded `owners`; none recorded is `owners` unset. */
const recordedOwners = (owners: unknown): string[] => list(owners).map(String);

/** Owners are as configured: exactly the `owners` list, or, unset, one owner (the identity running pulumi up). */
function ownersProblem(owners: unknown[], configured: readonly string[]): string | undefined {
    if (configured.length === 0) {
        return owners.length === 1 ? undefined
            : `owners are [${owners.join(", ")}]; with owners unset only the identity running pulumi up owns it.`;
    }
    return sameSet(owners, [...configured]) ? undefined
        : `owners are [${owners.join(", ")}], not the configured owners [${configured.join(", ")}].`;
}

/**
 * The resource policies of the boundary. They share what each CreatioOAuthApp recorded: the engine
 * registers (and so checks) a component before its children, which cannot exist before their parent's URN.
 */
export function boundaryResourcePolicies(): ResourceValidationPolicy[] {
    const recorded = new Map<string, Recorded>();
    /** The configuration the component of this child recorded, or a report that there is none. */
    const configurationOf = (args: ResourceValidationArgs, report: ReportViolation): Recorded | undefined => {
        const found = recorded.get(componentUrnOf(args.urn, args.type) ?? "");
        if (found === undefined) {
            report(`${args.type} ${args.name} is not the child of a CreatioOAuthApp declared before it: ` +
                "it cannot be checked against the stack's configuration.");
        }
        return found;
    };
    return [
        {
            name: "declared-resource-types-only",
            description: "The stack declares only the resource types of CreatioOAuthApp (application, service principal, " +
                "consent grants, two passwords, the rotation offset), the component, the stack and their providers: no " +
                "federated credential, certificate, owner, app role assignment or any other type.",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (!ALLOWED_TYPES.includes(args.type)) {
                    report(`the resource type ${args.type} (${args.name}) is not one this program declares; allowed: ` +
                        `${ALLOWED_TYPES.join(", ")}.`);
                }
            },
        },
        {
            name: "resources-inside-the-component",
            description: "Each Entra ID resource and the rotation offset is a child of a CreatioOAuthApp, under the name the " +
                "component gives it; the component is a child of the stack and records the stack's configuration.",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (args.type === BOUNDARY_TYPES.component) {
                    const { chain } = urnParts(args.urn);
                    if (chain.length !== 1) {
                        report(`the CreatioOAuthApp ${args.name} is not a child of the stack (${args.urn}).`);
                    }
                    const props = args.props as Record<string, any>;
                    recorded.set(args.urn, {
                        siteBaseUrl: props.siteBaseUrl, profile: props.profile, netCore: props.netCore,
                        owners: recordedOwners(props.owners),
                    });
                    return;
                }
                if (!(args.type in CHILD_SUFFIXES)) {
                    return;
                }
                if (componentUrnOf(args.urn, args.type) === undefined) {
                    report(`${args.type} ${args.name} is not one CreatioOAuthApp declares: it must be its child named ` +
                        `<component>-${CHILD_SUFFIXES[args.type].join(" or <component>-")} (${args.urn}).`);
                    return;
                }
                configurationOf(args, report);
            },
        },
        {
            name: "redirect-uris-on-the-configured-site",
            description: "Every redirect URI of the application is one of the configured Creatio site's (siteBaseUrl, " +
                "creatioVersion, netCore as the component records them).",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (args.type !== BOUNDARY_TYPES.application) {
                    return;
                }
                const configured = configurationOf(args, () => undefined);
                if (configured === undefined) {
                    return; // resources-inside-the-component reports it
                }
                const allowed = redirectUrisFor(configured.siteBaseUrl, configured.profile, configured.netCore === true);
                const props = args.props as Record<string, any>;
                const foreign = list(props.web?.redirectUris).map(String).filter(uri => !allowed.includes(uri));
                if (foreign.length > 0) {
                    report(`redirect URIs not of the configured site ${configured.siteBaseUrl}: ${foreign.join(", ")}; ` +
                        `allowed: ${allowed.join(", ")}.`);
                }
            },
        },
        {
            name: "owners-as-configured",
            description: "The application and its service principal have exactly the configured owners (or, with owners " +
                "unset, only the identity running pulumi up).",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (args.type !== BOUNDARY_TYPES.application && args.type !== BOUNDARY_TYPES.servicePrincipal) {
                    return;
                }
                const configured = configurationOf(args, () => undefined);
                if (configured === undefined) {
                    return; // resources-inside-the-component reports it
                }
                const problem = ownersProblem(list((args.props as Record<string, any>).owners), recordedOwners(configured.owners));
                if (problem) {
                    report(problem);
                }
            },
        },
    ];
}

// pulumi-policy throws this when a policy reads a value a preview does not know (its proxy.js); its
// index.js exports it, but its type declarations leave it out (proxy.d.ts is empty).
const { UnknownValueError } = createRequire(import.meta.url)("@pulumi/policy") as { UnknownValueError: new (...args: never[]) => Error };

/**
 * Runs a check that reads outputs a preview may not know yet (a new registration's object id):
 * an unknown skips that one check, not the whole policy, and `pulumi up`'s own stack check, which
 * sees every value, makes it.
 */
function whenKnown(check: () => void) {
    try {
        check();
    } catch (err) {
        if (!(err instanceof UnknownValueError)) {
            throw err;
        }
    }
}

/** What a preview does not know yet: pulumi-policy's proxy throws on reading it. */
const UNKNOWN = Symbol("unknown");
function read(get: () => unknown): unknown {
    try {
        return get();
    } catch (err) {
        if (err instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw err;
    }
}

/**
 * Holds a reference to this stack's own resource. While the own id is unknown (the resource is being
 * created) there is nothing to compare with yet, and `pulumi up`'s stack check makes the comparison. A
 * known own id and an unknown reference is reported: nothing shows the reference to be this stack's.
 */
function compareReference(own: unknown, reference: unknown, report: (shown: string) => void) {
    if (own === UNKNOWN) {
        return;
    }
    if (reference === UNKNOWN) {
        report("a value the preview does not know yet");
    } else if (reference !== own) {
        report(String(reference));
    }
}

const childrenOf = (resources: PolicyResource[], parent: PolicyResource, type: string) =>
    resources.filter(r => r.type === type && r.parent?.urn === parent.urn);

/** The stack policy of the boundary: what one resource may point at, compared with the others. */
export function boundaryStackPolicies(): StackValidationPolicy[] {
    return [{
        name: "registration-reach",
        description: "One CreatioOAuthApp; every resource of a declared type; the passwords on this stack's application, " +
            "the service principal of this application, consent grants for this service principal only, owners as " +
            "configured.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            for (const r of args.resources.filter(r => !ALLOWED_TYPES.includes(r.type))) {
                report(`the resource type ${r.type} (${r.name}) is not one this program declares.`, r.urn);
            }
            const components = args.resources.filter(r => r.type === BOUNDARY_TYPES.component);
            if (components.length > 1) {
                report(`the stack declares ${components.length} CreatioOAuthApp components; one registration per stack.`);
            }
            for (const r of args.resources.filter(r => r.type in CHILD_SUFFIXES)) {
                if (r.parent === undefined || r.parent.type !== BOUNDARY_TYPES.component) {
                    report(`${r.type} ${r.name} is not a child of a CreatioOAuthApp.`, r.urn);
                }
            }
            for (const component of components) {
                const configured = component.props as Recorded;
                const [app, ...moreApps] = childrenOf(args.resources, component, BOUNDARY_TYPES.application);
                const [sp, ...moreSps] = childrenOf(args.resources, component, BOUNDARY_TYPES.servicePrincipal);
                for (const extra of [...moreApps, ...moreSps]) {
                    report(`${extra.type} ${extra.name}: a CreatioOAuthApp has one application and one service principal.`, extra.urn);
                }
                const configuredOwners = recordedOwners(configured.owners);
                for (const owned of [app, sp].filter((r): r is PolicyResource => r !== undefined)) {
                    whenKnown(() => {
                        const problem = ownersProblem(list(owned.props.owners), configuredOwners);
                        if (problem) {
                            report(problem, owned.urn);
                        }
                    });
                }
                const ownApplication = app === undefined ? undefined : read(() => app.props.objectId);
                const ownApplicationId = ownApplication === undefined || ownApplication === UNKNOWN ? ownApplication
                    : `/applications/${ownApplication}`;
                for (const password of childrenOf(args.resources, component, BOUNDARY_TYPES.password)) {
                    compareReference(ownApplicationId, read(() => password.props.applicationId), shown =>
                        report(`the password ${password.name} is on ${shown}, not on this stack's application ` +
                            `${String(ownApplicationId)}.`, password.urn));
                }
                if (sp !== undefined && app !== undefined) {
                    const ownClient = read(() => app.props.clientId);
                    compareReference(ownClient, read(() => sp.props.clientId), shown =>
                        report(`the service principal ${sp.name} is for the client ${shown}, not this stack's ` +
                            `application ${String(ownClient)}.`, sp.urn));
                }
                const ownPrincipal = sp === undefined ? undefined : read(() => sp.props.objectId);
                for (const grant of childrenOf(args.resources, component, BOUNDARY_TYPES.grant)) {
                    compareReference(ownPrincipal, read(() => grant.props.servicePrincipalObjectId), shown =>
                        report(`the consent grant ${grant.name} is for the client service principal ${shown}, not this ` +
                            `stack's ${String(ownPrincipal)}.`, grant.urn));
                }
            }
        },
    }];
}
