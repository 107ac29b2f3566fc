import * as assert from "assert";
import { type RotationPlan, cappedPeriodDays, rfc3339, rotationPlan, slotOf } from "../../lib/rotation.ts";

const DAY = 24 * 60 * 60 * 1000;

/** What the ApplicationPassword resource of a slot receives: equal inputs mean no change. */
function inputsOf(plan: RotationPlan, slot: 0 | 1) {
    const s = plan.slots[slot];
    return { windowStart: rfc3339(s.window.start), endDate: rfc3339(s.endDate) };
}

describe("rotation schedule", () => {
    it("computes the windows of a known stack (period 180, offset 37)", () => {
        const plan = rotationPlan(new Date("2026-11-28T10:00:00Z"), 180, 37);
        assert.strictEqual(plan.current.index, 5);
        assert.strictEqual(rfc3339(plan.current.start), "2026-07-26T00:00:00Z");
        assert.strictEqual(rfc3339(plan.current.end), "2027-01-22T00:00:00Z");
        assert.strictEqual(plan.newestSlot, 1);
        assert.deepStrictEqual(inputsOf(plan, 1), { windowStart: "2026-07-26T00:00:00Z", endDate: "2027-07-21T00:00:00Z" });
        assert.deepStrictEqual(inputsOf(plan, 0), { windowStart: "2026-01-27T00:00:00Z", endDate: "2027-01-22T00:00:00Z" });
        assert.strictEqual(rfc3339(plan.newestExpiresAt), "2027-07-21T00:00:00Z");
        assert.strictEqual(rfc3339(plan.rotatesAt), "2027-01-22T00:00:00Z");
    });

    it("starts a window at its first millisecond", () => {
        const before = rotationPlan(new Date("2027-01-21T23:59:59.999Z"), 180, 37);
        const at = rotationPlan(new Date("2027-01-22T00:00:00Z"), 180, 37);
        assert.strictEqual(before.current.index, 5);
        assert.strictEqual(at.current.index, 6);
        assert.strictEqual(at.newestSlot, 0);
        assert.deepStrictEqual(inputsOf(at, 0), { windowStart: "2027-01-22T00:00:00Z", endDate: "2028-01-17T00:00:00Z" });
        assert.deepStrictEqual(inputsOf(at, 1), inputsOf(before, 1));
    });

    it("uses only the offset's remainder modulo the period", () => {
        const t = new Date("2026-11-28T10:00:00Z");
        assert.deepStrictEqual(rotationPlan(t, 90, 400), rotationPlan(t, 90, 40));
        assert.notDeepStrictEqual(rotationPlan(t, 90, 41), rotationPlan(t, 90, 40));
    });

    it("assigns windows to slots by parity, also before the epoch", () => {
        assert.deepStrictEqual([-3, -2, -1, 0, 1, 2].map(slotOf), [1, 0, 1, 0, 1, 0]);
    });

    it("rejects a period that is not a positive whole number of days", () => {
        assert.throws(() => rotationPlan(new Date(), 0, 0), /periodDays must be a positive whole number, got 0/);
        assert.throws(() => rotationPlan(new Date(), 1.5, 0), /periodDays must be a positive whole number, got 1.5/);
        assert.throws(() => rotationPlan(new Date(), 30, 0.5), /offsetDays must be a whole number, got 0.5/);
    });

    it("keeps every secret within a lifetime cap, whenever in its window pulumi up creates it", () => {
        for (const [cap, expected] of [[90, 45], [91, 45], [14, 7], [365, 180], [730, 180]] as const) {
            const period = cappedPeriodDays(180, cap);
            assert.strictEqual(period, expected, `cap ${cap}`);
            for (let day = 0; day < 3 * period; day++) {
                const t = new Date(Date.UTC(2026, 10, 28, 10) + day * DAY);
                for (const secret of rotationPlan(t, period, 37).slots) {
                    // Entra ID measures a password from its creation (startDateTime, now) to endDateTime; the earliest a
                    // slot's secret is created is the start of its window.
                    const created = Math.max(t.getTime(), secret.window.start.getTime());
                    assert.ok(secret.endDate.getTime() - created <= cap * DAY, `cap ${cap}, ${t.toISOString()}`);
                }
            }
        }
        assert.strictEqual(cappedPeriodDays(180, undefined), 180);
        assert.strictEqual(cappedPeriodDays(30, 90), 30);
    });

    const cases: [number, number][] = [[180, 37], [7, 0], [30, 13], [90, 400], [365, 364], [45, 37]];
    for (const [period, offset] of cases) {
        it(`walks two years day by day: period ${period}, offset ${offset}`, () => {
            const start = Date.UTC(2026, 10, 28, 10, 0, 0);
            const days = 2 * 366;
            let previous = rotationPlan(new Date(start), period, offset);
            let rotations = 0;
            for (let day = 1; day <= days; day++) {
                const t = new Date(start + day * DAY);
                const plan = rotationPlan(t, period, offset);
                const { current } = plan;

                assert.ok(current.start <= t && t < current.end, `${t.toISOString()} lies in its window`);
                assert.strictEqual(current.end.getTime() - current.start.getTime(), period * DAY);
                assert.strictEqual(rfc3339(current.start).slice(10), "T00:00:00Z", "windows start at midnight UTC");
                assert.strictEqual(plan.rotatesAt.getTime(), current.end.getTime());

                const newest = plan.slots[plan.newestSlot];
                const other = plan.slots[1 - plan.newestSlot];
                assert.ok(newest.endDate.getTime() - t.getTime() >= period * DAY,
                    `${t.toISOString()}: the newest secret is valid for at least one more period`);
                assert.strictEqual(plan.newestExpiresAt.getTime(), newest.endDate.getTime());
                assert.strictEqual(other.endDate.getTime(), current.end.getTime(),
                    `${t.toISOString()}: the previous secret is valid until the end of the current window`);
                assert.ok(newest.endDate.getTime() - newest.window.start.getTime() <= 2 * period * DAY,
                    "no secret lives longer than two periods");

                const changed = ([0, 1] as const).filter(
                    slot => JSON.stringify(inputsOf(plan, slot)) !== JSON.stringify(inputsOf(previous, slot)));
                if (current.index === previous.current.index) {
                    assert.deepStrictEqual(changed, [], `${t.toISOString()}: nothing changes inside a window`);
                } else {
                    rotations++;
                    assert.strictEqual(current.index, previous.current.index + 1);
                    assert.deepStrictEqual(changed, [plan.newestSlot],
                        `${t.toISOString()}: exactly the slot of two windows ago is replaced`);
                    assert.ok(previous.slots[plan.newestSlot].endDate <= t,
                        "the replaced secret had already expired");
                    assert.deepStrictEqual(other, previous.slots[previous.newestSlot],
                        "the secret Creatio used stays as it was");
                }
                previous = plan;
            }
            const expected = Math.floor(days / period);
            assert.ok(rotations === expected || rotations === expected + 1,
                `${rotations} rotations in ${days} days with a ${period}-day period`);
        });
    }
});
