import * as assert from "assert";
import { printable } from "../../ops/printable.ts";

describe("printable (outside text on a terminal or in a CI log)", () => {
    it("replaces control, format and line or paragraph separator characters, and keeps the rest", () => {
        // Unicode categories Cc (C0/C1 controls, e.g. ESC, LF, U+0085), Cf (U+202E bidi override, U+200B zero width),
        // Zl (U+2028) and Zp (U+2029): each starts a new line or hides text somewhere
        assert.strictEqual(printable("a\nb\r\u001b[31mc\u0085d\u202ee\u200bf\u2028g\u2029h"),
            "a\uFFFDb\uFFFD\uFFFD[31mc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh");
        assert.strictEqual(printable("Zx8Q~ äé 🙂 ::notice"), "Zx8Q~ äé 🙂 ::notice");
    });
});
