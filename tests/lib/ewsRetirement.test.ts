import * as assert from "assert";
import { EWS_SHUTDOWN_DAY, ewsDeadlineLine } from "../../lib/ewsRetirement.ts";
import { PROFILES } from "../../lib/creatioProfile.ts";

const WATCH = "watch for a Creatio version whose Microsoft 365 mail provider uses Microsoft Graph.";

describe("the EWS deadline", () => {
    it("is 2027-04-01", () => {
        // Microsoft's Exchange team: EWS in Exchange Online is switched off on April 1, 2027, "no exceptions" (FACTS.md).
        assert.strictEqual(EWS_SHUTDOWN_DAY, "2027-04-01");
    });

    it("counts whole days left by the clock it is given", () => {
        assert.strictEqual(ewsDeadlineLine(new Date("2026-11-28T10:00:00Z")),
            "EWS deadline: Exchange Online switches EWS off for good on 2027-04-01 (123 days left), and Creatio's " +
            `Microsoft 365 mail sync uses EWS: ${WATCH}`);
        assert.match(ewsDeadlineLine(new Date("2027-03-30T23:59:59Z")), /\(1 day left\)/);
        assert.match(ewsDeadlineLine(new Date("2027-03-31T00:00:00Z")), /\(1 day left\)/);
        assert.match(ewsDeadlineLine(new Date("2027-03-31T00:00:01Z")), /\(0 days left\)/);
    });

    it("says from the first instant of 2027-04-01 on that EWS is gone", () => {
        const after = "Creatio's Microsoft 365 mail sync through EWS no longer works; only a Creatio version whose " +
            "Microsoft 365 mail provider uses Microsoft Graph does.";
        assert.strictEqual(ewsDeadlineLine(new Date("2027-04-01T00:00:00Z")),
            `EWS deadline: Exchange Online switched EWS off for good on 2027-04-01 (0 days ago): ${after}`);
        assert.match(ewsDeadlineLine(new Date("2027-04-02T00:00:00Z")), /\(1 day ago\)/);
        assert.match(ewsDeadlineLine(new Date("2027-05-01T12:00:00Z")), /\(30 days ago\)/);
    });

    it("applies to every profile there is: all of them sync mail through EWS", () => {
        // Creatio 8.1 source: resource=https://outlook.office365.com, EWS/Exchange.asmx (FACTS.md); no public Creatio
        // source shows a Graph mailbox sync.
        assert.deepStrictEqual(Object.entries(PROFILES).map(([name, p]) => [name, p.mailProtocol]),
            [["7.16", "EWS"], ["7.17+", "EWS"], ["any", "EWS"]]);
    });
});
