/**
 * `npm run -s status [-- --stack a --stack b | --all] [--threshold-days 30]`: a table of each
 * environment's Client ID, secret expiry, next rotation and which secret Creatio holds. Exits 1
 * when a secret has expired or expires within the threshold, Creatio holds a secret about to
 * expire or one the stack no longer has, or a stack cannot be read, so a scheduled pipeline turns
 * red in time. Reads no secret.
 */
import { ewsDeadlineLine } from "../lib/ewsRetirement.ts";
import { DAY_MS, daysUntil } from "../lib/rotation.ts";
import {
    type CommandSpec, OpsError, PULUMI_ENVIRONMENT, PULUMI_TIMEOUT_OPTION, USAGE_EXIT_CODE, defineCommand, pulumiTimeoutMs, usageError,
} from "./cli.ts";
import { type CommandContext, runCommand } from "./io.ts";
import { PulumiMissingError, type PulumiRunner, limitCalls } from "./pulumi/runner.ts";
import {
    DELIVERED_KEY_ID_TAG, type StackOutputs, listStacks, optionalOutput, optionalWholeDays, readStackOutputs, readStackTag, requireInstant, requireOutput,
} from "./pulumi/stack.ts";
import { printable } from "./printable.ts";
import { quoted } from "../lib/configProblems.ts";

export const DEFAULT_THRESHOLD_DAYS = 30;

/** How many `pulumi` calls run at once unless --parallel says otherwise, and the most it takes. */
export const DEFAULT_PARALLEL = 4;
export const MAX_PARALLEL = 32;

/** Which of the stack's two secrets Creatio holds, by the delivered key id. */
export type CreatioHolds = "newest" | "previous" | "unknown";

export type StackState = "ok" | "expiring" | "expired" | "creatio-expiring" | "creatio-expired" | "creatio-gone" | "not-delivered" |
    "unreadable";

/** What status needs from one stack: its outputs, checked, and the delivered key id. */
export interface StackStatusInput {
    clientId: string;
    clientSecretExpiresAt: string;
    clientSecretRotatesAt: string;
    secretRotationDays: number | undefined;
    clientSecretKeyId: string | undefined;
    previousClientSecretKeyId: string | undefined;
    deliveredKeyId: string | undefined;
}

export interface StatusRow {
    stack: string;
    clientId: string;
    expiresAt: string;
    daysLeft: number | undefined;
    rotatesAt: string;
    /** The threshold in force: min(--threshold-days, the stack's rotation period). */
    thresholdDays: number | undefined;
    creatio: CreatioHolds | undefined;
    state: StackState;
    /** Why a stack is unreadable, or Creatio's secret is gone: a line for stderr. */
    problem?: string;
}

export interface StatusOptions {
    thresholdDays: number;
    /** `unknown` (Creatio's secret not recorded) counts as a problem. */
    requireDelivery: boolean;
}

/** Reads and checks the outputs status needs; an error names the stack, the output and the value. */
export function statusInputFrom(stack: string, outputs: StackOutputs, deliveredKeyId: string | undefined): StackStatusInput {
    return {
        clientId: requireOutput(outputs, "clientId", stack),
        clientSecretExpiresAt: requireInstant(outputs, "clientSecretExpiresAt", stack),
        clientSecretRotatesAt: requireInstant(outputs, "clientSecretRotatesAt", stack),
        secretRotationDays: optionalWholeDays(outputs, "secretRotationDays", stack),
        clientSecretKeyId: optionalOutput(outputs, "clientSecretKeyId", stack),
        previousClientSecretKeyId: optionalOutput(outputs, "previousClientSecretKeyId", stack),
        deliveredKeyId,
    };
}

export function creatioHolds(input: StackStatusInput): CreatioHolds {
    if (input.deliveredKeyId === undefined) {
        return "unknown";
    }
    if (input.deliveredKeyId === input.clientSecretKeyId) {
        return "newest";
    }
    return input.deliveredKeyId === input.previousClientSecretKeyId ? "previous" : "unknown";
}

/** One stack's row from its checked outputs (or the error reading them). */
export function statusRow(stack: string, input: StackStatusInput | Error, now: Date, options: StatusOptions): StatusRow {
    if (input instanceof Error) {
        return {
            stack, clientId: "-", expiresAt: "-", daysLeft: undefined, rotatesAt: "-", thresholdDays: undefined,
            creatio: undefined, state: "unreadable", problem: input.message,
        };
    }
    const thresholdDays = Math.min(options.thresholdDays, input.secretRotationDays ?? Infinity);
    const within = (isoDate: string) => {
        const msLeft = Date.parse(isoDate) - now.getTime();
        return msLeft <= 0 ? "expired" : msLeft <= thresholdDays * DAY_MS ? "expiring" : "ok";
    };
    const creatio = creatioHolds(input);
    const newest = within(input.clientSecretExpiresAt);
    // The previous secret lives until the end of the current window: clientSecretRotatesAt.
    const held = creatio === "previous" ? within(input.clientSecretRotatesAt) : "ok";
    // deliver records only this stack's key ids, and a slot is replaced only when its secret is done: a
    // recorded key id of neither slot is a secret Creatio still holds but the stack no longer has. The
    // most urgent state, as mail sync has stopped or is about to. A stack without key id outputs cannot tell.
    const gone = input.deliveredKeyId !== undefined && input.clientSecretKeyId !== undefined && creatio === "unknown";
    // An expired secret in Creatio outranks a newest one that is only expiring: mail sync has stopped.
    const state: StackState = gone ? "creatio-gone"
        : newest === "expired" ? newest
            : held === "expired" ? "creatio-expired"
                : newest !== "ok" ? newest
                    : held !== "ok" ? `creatio-${held}`
                        : creatio === "unknown" && options.requireDelivery ? "not-delivered" : "ok";
    return {
        stack,
        clientId: input.clientId,
        expiresAt: input.clientSecretExpiresAt,
        daysLeft: daysUntil(input.clientSecretExpiresAt, now),
        rotatesAt: input.clientSecretRotatesAt,
        thresholdDays,
        creatio,
        state,
        ...(gone ? { problem: goneProblem(stack, input.deliveredKeyId!) } : {}),
    };
}

function goneProblem(stack: string, keyId: string): string {
    return `the stack tag ${DELIVERED_KEY_ID_TAG} names the key id ${keyId}, neither clientSecretKeyId nor previousClientSecretKeyId: ` +
        "Creatio holds a secret this stack no longer has (rotated away after it expired, or replaced by a change of " +
        `secretRotationDays); deliver the newest: npm run -s deliver -- --stack ${stack}`;
}

export function renderTable(rows: StatusRow[]): string {
    const table = [
        ["ENVIRONMENT", "CLIENT ID", "SECRET EXPIRES", "DAYS LEFT", "NEXT ROTATION", "THRESHOLD", "CREATIO HOLDS", "STATE"],
        ...rows.map(r => [r.stack, r.clientId, r.expiresAt, r.daysLeft === undefined ? "-" : String(r.daysLeft),
            r.rotatesAt, r.thresholdDays === undefined ? "-" : String(r.thresholdDays), r.creatio ?? "-", r.state]
            .map(printable)),
    ];
    const widths = table[0].map((_, col) => Math.max(...table.map(line => line[col].length)));
    return table.map(line => line.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd()).join("\n") + "\n";
}

/** 0 when every stack is ok, 1 otherwise. */
export function exitCodeFor(rows: StatusRow[]): number {
    return rows.every(r => r.state === "ok") ? 0 : 1;
}

/**
 * Reads one stack; a problem of that stack, a timeout or a signal included, becomes its row's
 * error. Only a missing CLI ends the command.
 */
async function readStack(pulumi: PulumiRunner, stack: string): Promise<StackStatusInput | Error> {
    try {
        const [outputs, deliveredKeyId] = await Promise.all([
            readStackOutputs(pulumi, stack, false),
            readStackTag(pulumi, stack, DELIVERED_KEY_ID_TAG),
        ]);
        return statusInputFrom(stack, outputs, deliveredKeyId);
    } catch (err) {
        if (err instanceof PulumiMissingError) {
            throw err;
        }
        return err instanceof Error ? err : new Error(String(err));
    }
}

export const SPEC = {
    name: "status",
    summary: "a table of each environment's Client ID, secret expiry, next rotation and which secret Creatio holds",
    usage: "npm run -s status -- [--stack <name>]... | --all [--threshold-days 30] [--require-delivery] " +
        `[--parallel ${DEFAULT_PARALLEL}] [--pulumi-timeout-seconds 120]`,
    description: [
        "Reads each stack's outputs with pulumi stack output --json (without --show-secrets: it reads no secret) and its " +
        "stack tag creatio-delivered-key-id (written by deliver), for the stacks named, or for every stack of the backend " +
        "(pulumi stack ls) with --all or without --stack.",
        "Prints on stdout one row per stack (ENVIRONMENT, CLIENT ID, SECRET EXPIRES, DAYS LEFT, NEXT ROTATION, THRESHOLD, " +
        "CREATIO HOLDS, STATE) and the Exchange Online EWS deadline line; each stack's problem goes to stderr. STATE is ok, " +
        "expiring, expired, creatio-expiring, creatio-expired, creatio-gone (Creatio holds a secret the stack no longer " +
        "has), not-delivered (with --require-delivery) or unreadable.",
    ],
    options: {
        stack: { type: "string", multiple: true, value: "<name>", description: "a stack to report; give it once per stack" },
        all: { type: "boolean", default: false, description: "every stack of the backend (also the default without --stack)" },
        "threshold-days": { type: "string", default: String(DEFAULT_THRESHOLD_DAYS), value: "<days>", description: "a secret " +
            "expiring within this many days (or within the stack's rotation period, when shorter) is not ok; 0 to 999" },
        "require-delivery": { type: "boolean", default: false, description: "a stack whose delivered secret is not recorded " +
            "is not ok (not-delivered)" },
        parallel: { type: "string", default: String(DEFAULT_PARALLEL), value: "<calls>",
            description: `how many pulumi calls run at once, 1 to ${MAX_PARALLEL}` },
        ...PULUMI_TIMEOUT_OPTION,
    },
    environment: PULUMI_ENVIRONMENT,
    exitCodes: {
        0: "every stack is ok",
        1: "a stack is not ok: its secret expired or expires within the threshold, Creatio holds an expiring secret or one " +
            "the stack no longer has, not-delivered, or the stack cannot be read",
        [USAGE_EXIT_CODE]: "wrong usage, no stack in the backend, no pulumi CLI, or the stack list cannot be read",
    },
    examples: [
        ["npm run -s status", "every stack of the backend"],
        ["npm run -s status -- --stack prod --threshold-days 14 --require-delivery",
            "prod only; exits 1 when its secret expires within 14 days or its delivery is not recorded"],
    ],
} as const satisfies CommandSpec;

export const main = defineCommand(SPEC, async (io: CommandContext, args) => {
    const parallelText = args.parallel!;
    if (!/^\d{1,2}$/.test(parallelText) || Number(parallelText) < 1 || Number(parallelText) > MAX_PARALLEL) {
        throw usageError(`--parallel ${JSON.stringify(parallelText)} is not a whole number of pulumi calls at once from 1 to ` +
            `${MAX_PARALLEL}`, SPEC.usage);
    }
    const thresholdText = args["threshold-days"]!;
    if (!/^\d{1,3}$/.test(thresholdText)) {
        throw new OpsError(`--threshold-days ${quoted(thresholdText)} is not a whole number of days from 0 to 999`,
            USAGE_EXIT_CODE);
    }
    const named = args.stack ?? [];
    const empty = named.find(name => name.trim() === "");
    if (empty !== undefined) {
        throw usageError(`--stack ${JSON.stringify(empty)} is empty: name the stack`, SPEC.usage);
    }
    if (args.all && named.length > 0) {
        throw usageError("give --stack or --all, not both", SPEC.usage);
    }
    const timeoutMs = pulumiTimeoutMs(args["pulumi-timeout-seconds"]!);
    const pulumi = limitCalls(pulumiArgs => io.pulumi(pulumiArgs, { timeoutMs }), Number(parallelText));
    const stacks = named.length > 0 ? [...new Set(named)] : await listStacks(pulumi);
    if (stacks.length === 0) {
        throw new OpsError("the backend has no stack of this project", USAGE_EXIT_CODE);
    }
    const now = io.now();
    const options = { thresholdDays: Number(thresholdText), requireDelivery: args["require-delivery"]! };
    const inputs = await Promise.all(stacks.map(stack => readStack(pulumi, stack)));
    const rows = stacks.map((stack, i) => statusRow(stack, inputs[i], now, options));
    io.stdout(renderTable(rows) + `\n${ewsDeadlineLine(now)}\n`);
    for (const row of rows.filter(r => r.problem !== undefined)) {
        io.stderr(`status: ${printable(row.stack)}: ${printable(row.problem!)}\n`);
    }
    return exitCodeFor(rows);
});

if (import.meta.main) {
    runCommand("status", main);
}
