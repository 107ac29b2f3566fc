/**
 * The client-secret rotation schedule: a pure function of (instant, period, offset).
 *
 * Time is cut into windows of `periodDays` days, counted from a fixed epoch shifted by a
 * per-stack offset. Two password slots take turns: the secret of window k lives in slot k mod 2
 * and is valid until the end of window k+1. So in window w, one slot holds the newest secret
 * (window w) and the other the previous one (window w-1), which stays valid until the end of
 * window w while Creatio moves over. Entering window w+1 replaces only the slot holding window
 * w-1's secret, which expires at that very moment. Nothing here depends on when `pulumi up`
 * last ran, so every run inside one window computes the same inputs.
 */

/** Windows count from 2024-01-01T00:00:00Z; changing this would rotate every stack's secrets. */
export const ROTATION_EPOCH = new Date(Date.UTC(2024, 0, 1));

/** The per-stack offset is drawn from 0..364 days, enough to spread any period up to a year. */
export const MAX_OFFSET_DAYS = 364;

export const DAY_MS = 24 * 60 * 60 * 1000;

export type Slot = 0 | 1;
export const SLOTS: readonly Slot[] = [0, 1];

export interface RotationWindow {
    /** Windows since the (shifted) epoch; negative before it. */
    readonly index: number;
    readonly start: Date;
    /** Exclusive: the start of the next window. */
    readonly end: Date;
}

/** The secret a slot should hold at some instant. */
export interface SlotSecret {
    readonly slot: Slot;
    /** The window the secret belongs to; it changes exactly when the slot must be replaced. */
    readonly window: RotationWindow;
    /** The end of the window after its own. */
    readonly endDate: Date;
}

export interface RotationPlan {
    readonly current: RotationWindow;
    /** Indexed by slot. */
    readonly slots: readonly [SlotSecret, SlotSecret];
    /** The slot of the secret Creatio should use: the current window's. */
    readonly newestSlot: Slot;
    /** When the newest secret expires. */
    readonly newestExpiresAt: Date;
    /** From when the next `pulumi up` replaces a secret: the end of the current window. */
    readonly rotatesAt: Date;
}

/** Where window 0 starts, in milliseconds: the epoch shifted by `shiftDays`. */
const originOf = (shiftDays: number) => ROTATION_EPOCH.getTime() + shiftDays * DAY_MS;

function windowByIndex(index: number, periodDays: number, shiftDays: number): RotationWindow {
    const origin = originOf(shiftDays);
    return {
        index,
        start: new Date(origin + index * periodDays * DAY_MS),
        end: new Date(origin + (index + 1) * periodDays * DAY_MS),
    };
}

/** The slot holding the secret of window `index` (also for negative indexes). */
export function slotOf(index: number): Slot {
    return (((index % 2) + 2) % 2) as Slot;
}

/**
 * The rotation plan at `instant`. `offsetDays` is any whole number (the stack's random offset);
 * only its remainder modulo `periodDays` matters.
 */
export function rotationPlan(instant: Date, periodDays: number, offsetDays: number): RotationPlan {
    if (!Number.isInteger(periodDays) || periodDays < 1) {
        throw new RangeError(`periodDays must be a positive whole number, got ${periodDays}`);
    }
    if (!Number.isInteger(offsetDays)) {
        throw new RangeError(`offsetDays must be a whole number, got ${offsetDays}`);
    }
    const shift = ((offsetDays % periodDays) + periodDays) % periodDays;
    const index = Math.floor((instant.getTime() - originOf(shift)) / (periodDays * DAY_MS));

    const secretOf = (windowIndex: number): SlotSecret => ({
        slot: slotOf(windowIndex),
        window: windowByIndex(windowIndex, periodDays, shift),
        endDate: windowByIndex(windowIndex + 1, periodDays, shift).end,
    });
    const newest = secretOf(index);
    const previous = secretOf(index - 1);
    const slots: [SlotSecret, SlotSecret] = newest.slot === 0 ? [newest, previous] : [previous, newest];
    return {
        current: newest.window,
        slots,
        newestSlot: newest.slot,
        newestExpiresAt: newest.endDate,
        rotatesAt: newest.window.end,
    };
}

/**
 * The rotation period under a cap on a secret's lifetime (a tenant's app management policy): a
 * secret lives at most two periods (from the start of its window to the end of the next), so the
 * period is at most half the cap, in whole days.
 */
export function cappedPeriodDays(periodDays: number, maxLifetimeDays: number | undefined): number {
    return maxLifetimeDays === undefined ? periodDays : Math.min(periodDays, Math.floor(maxLifetimeDays / 2));
}

/** RFC 3339 in UTC with whole seconds, the form Entra ID returns (`2027-05-04T00:00:00Z`). */
export function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `2026-11-05`: the day a window starts, for display names. */
export function isoDay(date: Date): string {
    return date.toISOString().slice(0, 10);
}

/** Whole days from `now` until `isoDate`; negative once it has passed. */
export function daysUntil(isoDate: string, now: Date): number {
    return Math.floor((Date.parse(isoDate) - now.getTime()) / DAY_MS);
}
