/** lib/closest.ts: the edit distance behind every "did you mean" hint, and which name it offers. */
import * as assert from "assert";
import { closest, editDistance } from "../../lib/closest.ts";

describe("editDistance", () => {
    it("counts insertions and deletions against an empty text", () => {
        assert.strictEqual(editDistance("", "abc"), 3);
        assert.strictEqual(editDistance("abc", ""), 3);
        assert.strictEqual(editDistance("", ""), 0);
    });

    it("counts a substitution, an insertion and a deletion as one edit each", () => {
        assert.strictEqual(editDistance("stack", "stock"), 1);
        assert.strictEqual(editDistance("stack", "stacks"), 1);
        assert.strictEqual(editDistance("stacks", "stack"), 1);
        assert.strictEqual(editDistance("kitten", "sitting"), 3);
    });

    it("counts a swap of two neighbouring characters as one edit, at the start, inside and at the end", () => {
        assert.strictEqual(editDistance("ab", "ba"), 1);
        assert.strictEqual(editDistance("tsack", "stack"), 1);
        assert.strictEqual(editDistance("stakc", "stack"), 1);
        assert.strictEqual(editDistance("sitename", "siteanme"), 1);
    });

    it("takes a swap only of neighbours: characters that merely appear in both texts are edits", () => {
        // The optimal string alignment distance: "ca" to "abc" is 3 (no edit of a swapped pair again).
        assert.strictEqual(editDistance("ca", "abc"), 3);
        assert.strictEqual(editDistance("abc", "cab"), 2);
        assert.strictEqual(editDistance("aab", "aba"), 1);
    });
});

describe("closest", () => {
    it("offers the closest name, whatever the order of the candidates and the case", () => {
        assert.strictEqual(closest("creatioVerison", ["siteName", "creatioVersion"]), "creatioVersion");
        assert.strictEqual(closest("STAK", ["stacks-of-things", "stack"]), "stack");
        assert.strictEqual(closest("stak", ["status", "stack"]), "stack");
    });

    it("offers the closer of two names close enough, wherever it stands among the candidates", () => {
        assert.strictEqual(editDistance("abcdefgh", "abcdefXY"), 2);
        assert.strictEqual(closest("abcdefgh", ["abcdefXY", "abcdefgX"]), "abcdefgX");
        assert.strictEqual(closest("abcdefgh", ["abcdefgX", "abcdefXY"]), "abcdefgX");
    });

    it("offers a two-letter name one edit away: at least one edit is allowed", () => {
        assert.strictEqual(closest("xb", ["ab"]), "ab");
    });

    it("allows a third of the candidate's length in edits, not more", () => {
        // "secretRotationDays" is 18 long: 6 substitutions still a slip, 7 not.
        const name = "secretRotationDays";
        const substituted = (count: number) => [...name].map((c, i) => i % 2 === 1 && i < 2 * count ? "_" : c).join("");
        assert.strictEqual(editDistance(substituted(6), name), 6);
        assert.strictEqual(closest(substituted(6), [name]), name);
        assert.strictEqual(closest(substituted(7), [name]), undefined);
    });

    it("offers nothing when no candidate is close, or two are equally close", () => {
        assert.strictEqual(closest("zzzz", ["stack", "slot"]), undefined);
        assert.strictEqual(closest("ab", ["aa", "bb"]), undefined);
        assert.strictEqual(closest("x", []), undefined);
    });

    it("compares a text of 100 characters, and offers nothing for a longer one", () => {
        const name = "a".repeat(99);
        assert.strictEqual(closest("a".repeat(100), [name]), name);
        assert.strictEqual(closest("a".repeat(101), ["a".repeat(101)]), undefined);
    });
});
