/**
 * Runs the real Pulumi program in this process against the stand-in tenant, with the stack
 * configuration `pulumi up` would pass, and collects what it declares and exports.
 *
 * The stack's rotation offset is drawn only at the first `pulumi up`, so the program is run twice:
 * with offset 0, and with an offset whose window differs (in the other slot, whenever some offset
 * puts the newest secret there). Every input or output that differs between the runs depends on
 * the offset, and the plan says so instead of showing either run's value.
 */
import * as pulumi from "@pulumi/pulumi";
import { createRequire } from "module";
import { pathToFileURL } from "url";
import { format } from "util";
import { rotationPlan } from "../../lib/rotation.ts";
import { type StackConfig } from "./config.ts";
import { type DeclaredResource, type Lookup, type Placeholder, StandInTenant } from "./tenant.ts";

export interface StackOutput {
    value: unknown;
    secret: boolean;
}

export interface Evaluation {
    declared: DeclaredResource[];
    lookups: Lookup[];
    outputs: Record<string, StackOutput>;
    placeholders: Placeholder[];
    /** What the program logged or printed, each message once, e.g. `warning: owners does not list ...`. */
    messages: string[];
}

/** Stands for a value that depends on the rotation offset drawn at the first `pulumi up`. */
export const OFFSET_DEPENDENT = Symbol("depends on the rotation offset");

/** Resolves an Output's value, rejecting when the Output failed (Output.promise() is internal to the SDK). */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Waits until every registration and lookup the program started has finished. */
function allRegistrations(): Promise<void> {
    // Not in the SDK's typings, but what pulumi.runtime.disconnect() waits on.
    const settings = createRequire(import.meta.url)("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    return settings.waitForRPCs();
}

const CONSOLE_METHODS = ["debug", "info", "log", "warn", "error"] as const;

/**
 * Runs `work` with the console captured. Without an engine (as under setMocks) the SDK's
 * pulumi.log.warn/info/error write `warning: [runtime] <message>` (and `info:`, `error:`) with
 * console.warn/log/error (@pulumi/pulumi log/index.js): kept for the plan instead, as
 * `warning: <message>`, so that no stand-in value reaches the terminal.
 */
async function capturingConsole<T>(work: () => Promise<T>): Promise<{ result: T; messages: string[] }> {
    const messages: string[] = [];
    const saved = CONSOLE_METHODS.map(method => [method, console[method]] as const);
    for (const method of CONSOLE_METHODS) {
        console[method] = (...args: unknown[]) => {
            messages.push(format(...args).replace(/^(debug|info|warning|error): \[runtime\] /, "$1: "));
        };
    }
    try {
        return { result: await work(), messages };
    } finally {
        for (const [method, original] of saved) {
            console[method] = original;
        }
    }
}

/**
 * Runs `evaluate` (a program or component declared against mocks) without the stack trace the SDK
 * formats for every promise it creates (runtime/debuggable.js), which only its promise-leak report at
 * exit would show: three quarters of an evaluation's CPU. Resources keep their source positions
 * (Resource.callsites raises the limit for itself). An error raised inside has no stack: plan shows
 * a failed program's first line only.
 */
export async function withoutPromiseStacks<T>(evaluate: () => Promise<T>): Promise<T> {
    // Scopes may overlap (two evaluations awaited together): the first one in keeps the limit, the last one out restores it.
    if (openScopes++ === 0) {
        limitOutside = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
    }
    try {
        return await evaluate();
    } finally {
        if (--openScopes === 0) {
            Error.stackTraceLimit = limitOutside;
        }
    }
}

let openScopes = 0;
let limitOutside = Error.stackTraceLimit;

/** One evaluation of the program with this rotation offset. */
export async function evaluateOnce(programPath: string, config: StackConfig, rotationOffset: number): Promise<Evaluation> {
    const { result, messages } = await capturingConsole(() => withoutPromiseStacks(() => evaluateQuietly(programPath, config, rotationOffset)));
    return { ...result, messages: [...new Set(messages)] };
}

async function evaluateQuietly(programPath: string, config: StackConfig, rotationOffset: number): Promise<Omit<Evaluation, "messages">> {
    const tenant = new StandInTenant(rotationOffset);
    await pulumi.runtime.setMocks(tenant, config.project, config.stack, false);
    // The values as the SDK reads them from PULUMI_CONFIG (sdk/nodejs/runtime/config.ts), keys <namespace>:<name>.
    pulumi.runtime.setAllConfig(config.values);
    const exports = await declareStack(programPath);
    const outputs: Record<string, StackOutput> = {};
    for (const [name, exported] of Object.entries(exports)) {
        if (pulumi.Output.isInstance(exported)) {
            outputs[name] = { value: await valueOf(exported), secret: (await pulumi.isSecret(exported)) === true };
        } else {
            outputs[name] = { value: exported, secret: false };
        }
    }
    await allRegistrations();
    return { declared: tenant.declared, lookups: tenant.lookups, outputs, placeholders: tenant.placeholders };
}

/**
 * Runs the program's default export, the function that declares the stack, as Pulumi's runtime
 * does (@pulumi/pulumi cmd/run/run.ts: a function export is called, its result is the stack
 * outputs). The module itself is loaded once per process, so each evaluation declares afresh.
 */
async function declareStack(programPath: string): Promise<Record<string, unknown>> {
    const program: { default?: unknown } = await import(pathToFileURL(programPath).href);
    if (typeof program.default !== "function") {
        throw new Error(`${programPath} does not export default the function that declares the stack`);
    }
    return (await program.default()) ?? {};
}

/** `a` where `b` agrees with it, OFFSET_DEPENDENT where they differ. */
export function agreement(a: unknown, b: unknown): unknown {
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
        return a.map((item, i) => agreement(item, b[i]));
    }
    if (isPlainObject(a) && isPlainObject(b) && sameKeys(a, b)) {
        return Object.fromEntries(Object.keys(a).map(k => [k, agreement(a[k], b[k])]));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? a : OFFSET_DEPENDENT;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/**
 * What the program declares and exports for this stack, with every value that depends on the
 * rotation offset replaced by OFFSET_DEPENDENT. Throws what the program throws (its ConfigError).
 */
export async function evaluateProgram(programPath: string, config: StackConfig): Promise<Evaluation> {
    const first = await evaluateOnce(programPath, config, 0);
    let result = first;
    for (const offset of contrastingOffsets(first, new Date())) {
        result = agreeing(result, await evaluateOnce(programPath, config, offset));
    }
    return result;
}

/** The rotation period the program declared: the component records it from the stack config. */
export function declaredPeriodDays(evaluation: Evaluation): number | undefined {
    for (const resource of evaluation.declared) {
        const days = resource.inputs.secretRotationDays;
        if (typeof days === "number" && Number.isInteger(days) && days > 0) {
            return days;
        }
    }
    const output = evaluation.outputs.secretRotationDays?.value;
    return typeof output === "number" ? output : undefined;
}

/** The range the declared random rotation offset is drawn from. */
export function declaredOffsetRange(evaluation: Evaluation): { min: number; max: number } | undefined {
    const offset = evaluation.declared.find(r => r.type === "random:index/randomInteger:RandomInteger");
    const { min, max } = offset?.inputs ?? {};
    return typeof min === "number" && typeof max === "number" ? { min, max } : undefined;
}

/**
 * An offset whose evaluation differs from offset 0's wherever any offset would: one that puts the
 * newest secret in the other slot if some offset does, else one with another window.
 * `instant` is the program's own clock.
 */
export function contrastingOffset(periodDays: number, range: { min: number; max: number }, instant: Date): number {
    const base = rotationPlan(instant, periodDays, 0);
    let otherWindow: number | undefined;
    for (let offset = range.min; offset <= range.max; offset++) {
        const plan = rotationPlan(instant, periodDays, offset);
        if (plan.newestSlot !== base.newestSlot) {
            return offset;
        }
        if (otherWindow === undefined && plan.current.start.getTime() !== base.current.start.getTime()) {
            otherWindow = offset;
        }
    }
    return otherWindow ?? 1;
}

function contrastingOffsets(evaluation: Evaluation, instant: Date): number[] {
    const period = declaredPeriodDays(evaluation);
    const range = declaredOffsetRange(evaluation);
    return [period === undefined || range === undefined ? 1 : contrastingOffset(period, range, instant)];
}

/** One evaluation's values where the other agrees, OFFSET_DEPENDENT where it does not. */
function agreeing(a: Evaluation, b: Evaluation): Evaluation {
    const key = (r: DeclaredResource) => `${r.type}::${r.name}`;
    const others = new Map(b.declared.map(r => [key(r), r]));
    return {
        declared: a.declared.map(r => {
            const other = others.get(key(r));
            return other ? { ...r, inputs: agreement(r.inputs, other.inputs) as Record<string, unknown> } : r;
        }),
        lookups: a.lookups,
        outputs: Object.fromEntries(Object.entries(a.outputs).map(([name, output]) =>
            [name, { ...output, value: agreement(output.value, b.outputs[name]?.value) }])),
        placeholders: a.placeholders,
        messages: [...new Set([...a.messages, ...b.messages])],
    };
}
