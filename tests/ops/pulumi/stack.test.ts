/**
 * The operations commands: behaviour that mutation testing found unchecked by the command tests.
 * In-process throughout: the pure parts directly, the commands through main(io) and the fakes.
 */
import * as assert from "assert";
import { OpsError } from "../../../ops/cli.ts";
import { PulumiError } from "../../../ops/pulumi/runner.ts";
import { isIsoUtcInstant, optionalOutput, optionalWholeDays, readStackTag, requireOutput, requireStringList } from "../../../ops/pulumi/stack.ts";

describe("reading stack outputs", () => {
    it("takes null and empty text as missing, and other values as not a string", () => {
        for (const value of [null, ""]) {
            assert.throws(() => requireOutput({ clientId: value }, "clientId", "dev"), {
                message: 'stack "dev" has no output clientId: run pulumi up for it (with this version of the program)',
            });
        }
        assert.throws(() => requireOutput({ clientId: 7 }, "clientId", "dev"),
            (err: OpsError) => err.exitCode === 2 && err.message === 'stack "dev" has an output clientId that is not a string');
        assert.strictEqual(optionalOutput({ clientSecretKeyId: null }, "clientSecretKeyId", "dev"), undefined);
        assert.throws(() => requireStringList({ redirectUris: null }, "redirectUris", "dev"), /has no output redirectUris/);
        assert.throws(() => requireStringList({ redirectUris: ["https://a/x", 3] }, "redirectUris", "dev"),
            { message: 'stack "dev" has an output redirectUris that is not a list of strings' });
    });

    it("takes whole days from 1 only", () => {
        assert.strictEqual(optionalWholeDays({ d: null }, "d", "dev"), undefined);
        assert.strictEqual(optionalWholeDays({ d: 1 }, "d", "dev"), 1);
        for (const value of [0, 1.5, "30"]) {
            assert.throws(() => optionalWholeDays({ d: value }, "d", "dev"),
                (err: OpsError) => err.exitCode === 2 && err.message === 'stack "dev" has an output d that is not a whole number of days',
                JSON.stringify(value));
        }
    });

    it("takes only whole ISO 8601 UTC instants that exist", () => {
        assert.strictEqual(isIsoUtcInstant("2027-01-01T00:00:59Z"), true);
        for (const text of ["x2027-01-01T00:00:00Z", "2027-01-01T00:00:00Zx", "2027-01-01T00:00:60Z"]) {
            assert.strictEqual(isIsoUtcInstant(text), false, text);
        }
    });

    it("takes instants of the years 0000 to 0099 as such (Date.UTC would read them as 1900 to 1999)", () => {
        for (const text of ["0000-01-01T00:00:00Z", "0050-01-01T00:00:00Z", "0099-12-31T23:59:59.999Z", "0100-01-01T00:00:00Z"]) {
            assert.strictEqual(isIsoUtcInstant(text), true, text);
        }
        // The calendar of the year written, proleptic Gregorian: 0000 and 0048 are leap years, 0099 and 0100 are not;
        // 1948 is one too, so a check made in 1900 + year would take 0048-02-29 but also 0000-02-29 (1900 is not leap).
        assert.strictEqual(isIsoUtcInstant("0000-02-29T00:00:00Z"), true);
        assert.strictEqual(isIsoUtcInstant("0048-02-29T00:00:00Z"), true);
        for (const text of ["0099-02-29T00:00:00Z", "0100-02-29T00:00:00Z", "0050-13-01T00:00:00Z", "0050-04-31T00:00:00Z"]) {
            assert.strictEqual(isIsoUtcInstant(text), false, text);
        }
    });

    it("reads a stack tag: one trailing newline off, undefined when unset, other failures passed on", async () => {
        assert.strictEqual(await readStackTag(async () => "a\nb\n", "dev", "t"), "a\nb");
        const failing = (stderr: string) => async () => { throw new PulumiError("pulumi stack tag get failed", [], stderr); };
        // The CLI's text for an unset tag (pulumi/pulumi pkg/cmd/pulumi/stack/stack_tag.go).
        assert.strictEqual(await readStackTag(failing("error: stack tag 't' not found for stack 'dev'\n"), "dev", "t"), undefined);
        await assert.rejects(readStackTag(failing("error: permission denied\n"), "dev", "t"), { message: "pulumi stack tag get failed" });
        await assert.rejects(readStackTag(failing("error: no stack named 'dev' found\n"), "dev", "t"),
            { message: 'stack "dev" does not exist in this backend (pulumi stack ls lists the stacks)' });
    });
});
