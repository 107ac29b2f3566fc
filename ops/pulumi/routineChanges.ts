/**
 * Which changes of a `pulumi preview` the routine CI identity may make, and which are an
 * administrator's: reads the preview's JSON (`pulumi preview --json`, pulumi/pulumi
 * sdk/go/common/display/json.go, PreviewDigest) and judges every step. Pure.
 *
 * The routine identity holds Application.ReadWrite.OwnedBy and Application.Read.All (bootstrap/):
 * it keeps a registration it owns as configured and rotates its passwords. Consent grants
 * (DelegatedPermissionGrant.ReadWrite.All), owners (Graph: "Application.ReadWrite.OwnedBy will not
 * be sufficient to add another owner") and the permissions consent covers are not its to change,
 * and a stack's first deploy (which does both) is an administrator's.
 */
import { printable } from "../printable.ts";

/** One step of the preview, as far as the judgement needs it. */
export interface PreviewStep {
    op: string;
    urn: string;
    /** The resource type token, from the URN. */
    type: string;
    /** The resource name, from the URN. */
    name: string;
    /** Top-level properties that differ (diffReasons, replaceReasons, detailedDiff). */
    changed: string[];
}

export interface JudgedStep extends PreviewStep {
    /** Why an administrator must make this change; undefined when it is routine. */
    adminReason?: string;
}

const TYPES = {
    application: "azuread:index/application:Application",
    servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
    consentGrant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    password: "azuread:index/applicationPassword:ApplicationPassword",
    rotationOffset: "random:index/randomInteger:RandomInteger",
    component: "creatio:m365:CreatioOAuthApp",
    stack: "pulumi:pulumi:Stack",
} as const;

/** Steps that change nothing (pulumi/pulumi pkg/resource/deploy/step.go: OpSame, OpRead). */
const NO_CHANGE = new Set(["same", "read"]);

/** The changes of an existing registration or principal that keep it (and its consent and owners); any other op makes, unmakes or replaces it. */
const KEEPS = new Set(["update", "refresh"]);

/** Properties of the registration and its principal that only an administrator changes. */
const ADMIN_PROPERTIES: Record<string, string> = {
    owners: "owners (adding one needs more than Application.ReadWrite.OwnedBy)",
    requiredResourceAccesses: "the permissions the registration requests, which the admin consent covers",
};

function adminReason(step: PreviewStep): string | undefined {
    if (NO_CHANGE.has(step.op)) {
        return undefined;
    }
    switch (step.type) {
        case TYPES.password:       // the rotation itself
        case TYPES.rotationOffset: // when the rotation windows fall
        case TYPES.component:
        case TYPES.stack:
            return undefined;
        case TYPES.consentGrant:
            return "admin consent (DelegatedPermissionGrant.ReadWrite.All)";
        case TYPES.application:
        case TYPES.servicePrincipal: {
            if (!KEEPS.has(step.op)) {
                return step.op === "create" || step.op === "import"
                    ? "a new registration: its consent and owners are set by an administrator's first pulumi up"
                    : "replacing or removing the registration takes its consent and owners with it";
            }
            const admin = step.changed.filter(key => key in ADMIN_PROPERTIES);
            return admin.length > 0 ? admin.map(key => ADMIN_PROPERTIES[key]).join("; ") : undefined;
        }
        default:
            // Provider resources change with the provider's version: routine.
            return step.type.startsWith("pulumi:providers:") ? undefined : "a resource type this program does not declare";
    }
}

/** A step's type and name from its URN: `urn:pulumi:<stack>::<project>::<type chain>::<name>`. */
function typeAndName(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const chain = parts[2] ?? "";
    return { type: chain.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

const topLevel = (key: string) => key.split(/[.[]/)[0];

/** Thrown when the text is not a preview digest: the judgement cannot be made, so nothing is routine. */
export class PreviewFormatError extends Error {}

/** The steps of `pulumi preview --json` output, or a PreviewFormatError. */
export function previewSteps(json: string): PreviewStep[] {
    let digest: unknown;
    try {
        digest = JSON.parse(json);
    } catch {
        throw new PreviewFormatError("the preview is not JSON");
    }
    if (typeof digest !== "object" || digest === null || Array.isArray(digest)) {
        throw new PreviewFormatError("the preview is not a JSON object");
    }
    const steps = (digest as { steps?: unknown }).steps;
    if (!Array.isArray(steps)) {
        throw new PreviewFormatError("the preview's steps are not a list");
    }
    const parsed = steps.map((raw, index) => {
        const step = raw as Record<string, unknown>;
        if (typeof step !== "object" || step === null || typeof step.op !== "string" || typeof step.urn !== "string" ||
            !step.urn.startsWith("urn:pulumi:")) {
            throw new PreviewFormatError(`the preview's step ${index + 1} has no op and URN`);
        }
        const keys = [
            ...(Array.isArray(step.diffReasons) ? step.diffReasons : []),
            ...(Array.isArray(step.replaceReasons) ? step.replaceReasons : []),
            ...(typeof step.detailedDiff === "object" && step.detailedDiff !== null ? Object.keys(step.detailedDiff) : []),
        ].filter((key): key is string => typeof key === "string").map(topLevel);
        return { op: step.op, urn: step.urn, ...typeAndName(step.urn), changed: [...new Set(keys)].sort() };
    });
    // Every preview shows the stack itself, changed or not (pulumi/pulumi pkg/backend/display/json.go, isRootStack):
    // a digest without it is not a whole preview.
    if (!parsed.some(step => step.type === TYPES.stack)) {
        throw new PreviewFormatError("the preview has no step for the stack itself");
    }
    return parsed;
}

/** Every step that changes something, judged. */
export function judgeSteps(steps: PreviewStep[]): JudgedStep[] {
    return steps.filter(step => !NO_CHANGE.has(step.op)).map(step => ({ ...step, adminReason: adminReason(step) }));
}

/** One line per change: `  <op> <type> <name> (<changed>)`, marked when it is an administrator's. */
export function renderSteps(judged: JudgedStep[]): string {
    return judged.map(step => `  ${step.adminReason === undefined ? "" : "[admin] "}${step.op} ${printable(step.type)} ${printable(step.name)}` +
        (step.changed.length > 0 ? ` (${step.changed.map(printable).join(", ")})` : "") +
        (step.adminReason === undefined ? "" : `: ${step.adminReason}`) + "\n").join("");
}
