/**
 * `npm run -s status [-- --stack a --stack b | --all] [--threshold-days 30]`: a table of each
 * environment's Client ID, secret expiry and next rotation. Exits non-zero when a secret has
 * expired or expires within the threshold, or a stack cannot be read, so a scheduled pipeline
 * turns red in time. Reads no secret.
 */
import { DAY_MS } from "../lib/rotation";
import { OpsError, USAGE_EXIT_CODE, parseCommandLine } from "./cli";
import { CommandIO, runCommand } from "./io";
import { StackOutputs, listStacks, readStackOutputs, requireOutput } from "./pulumiStack";
import { daysUntil } from "./verify";

export const DEFAULT_THRESHOLD_DAYS = 30;

export interface StatusRow {
    stack: string;
    clientId: string;
    expiresAt: string;
    daysLeft: number | undefined;
    rotatesAt: string;
    state: "ok" | "expiring" | "expired" | "unreadable";
    /** Why a stack is unreadable. */
    problem?: string;
}

/** One stack's row from its outputs (or the error reading them). */
export function statusRow(stack: string, outputs: StackOutputs | Error, now: Date, thresholdDays: number): StatusRow {
    try {
        if (outputs instanceof Error) {
            throw outputs;
        }
        const expiresAt = requireOutput(outputs, "clientSecretExpiresAt", stack);
        if (Number.isNaN(Date.parse(expiresAt))) {
            throw new OpsError(`stack "${stack}" has an output clientSecretExpiresAt that is not a date: ${expiresAt}`);
        }
        const msLeft = Date.parse(expiresAt) - now.getTime();
        return {
            stack,
            clientId: requireOutput(outputs, "clientId", stack),
            expiresAt,
            daysLeft: daysUntil(expiresAt, now),
            rotatesAt: requireOutput(outputs, "clientSecretRotatesAt", stack),
            state: msLeft <= 0 ? "expired" : msLeft <= thresholdDays * DAY_MS ? "expiring" : "ok",
        };
    } catch (err) {
        return {
            stack, clientId: "-", expiresAt: "-", daysLeft: undefined, rotatesAt: "-",
            state: "unreadable", problem: (err as Error).message,
        };
    }
}

export function renderTable(rows: StatusRow[]): string {
    const table = [
        ["ENVIRONMENT", "CLIENT ID", "SECRET EXPIRES", "DAYS LEFT", "NEXT ROTATION", "STATE"],
        ...rows.map(r => [r.stack, r.clientId, r.expiresAt, r.daysLeft === undefined ? "-" : String(r.daysLeft),
            r.rotatesAt, r.state]),
    ];
    const widths = table[0].map((_, col) => Math.max(...table.map(line => line[col].length)));
    const lines = table.map(line => line.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd());
    const problems = rows.filter(r => r.problem).map(r => `${r.stack}: ${r.problem}`);
    return [...lines, ...(problems.length ? ["", ...problems] : [])].join("\n") + "\n";
}

/** 0 when every secret is valid for longer than the threshold, 1 otherwise. */
export function exitCodeFor(rows: StatusRow[]): number {
    return rows.every(r => r.state === "ok") ? 0 : 1;
}

const USAGE = "npm run -s status -- [--stack <name>]... | --all [--threshold-days 30]";

export async function main(io: CommandIO): Promise<number> {
    const args = parseCommandLine(io.argv, {
        stack: { type: "string", multiple: true },
        all: { type: "boolean", default: false },
        "threshold-days": { type: "string", default: String(DEFAULT_THRESHOLD_DAYS) },
    }, USAGE);
    const thresholdText = args["threshold-days"]!;
    if (!/^\d{1,3}$/.test(thresholdText)) {
        throw new OpsError(`--threshold-days ${JSON.stringify(thresholdText)} is not a whole number of days from 0 to 999`,
            USAGE_EXIT_CODE);
    }
    const named = args.stack ?? [];
    if (args.all && named.length > 0) {
        throw new OpsError(`give --stack or --all, not both\nusage: ${USAGE}`, USAGE_EXIT_CODE);
    }
    const stacks = named.length > 0 ? named : await listStacks(io.pulumi);
    if (stacks.length === 0) {
        throw new OpsError("the backend has no stack of this project", USAGE_EXIT_CODE);
    }
    const now = io.now();
    const rows = await Promise.all(stacks.map(async stack =>
        statusRow(stack, await readStackOutputs(io.pulumi, stack, false).catch((err: Error) => err), now, Number(thresholdText))));
    io.stdout(renderTable(rows));
    return exitCodeFor(rows);
}

if (require.main === module) {
    runCommand("status", main);
}
