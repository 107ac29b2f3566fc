import * as assert from "assert";
import { GoNumber, YamlRefusal, decodeText, readYaml, resolvePlain, valueText } from "../../../ops/plan/stackYaml.ts";

/** Asserts a YamlRefusal with exactly this message. */
function refuses(run: () => unknown, message: string): void {
    assert.throws(run, (err: Error) => {
        assert.ok(err instanceof YamlRefusal, String(err));
        assert.strictEqual(err.message, message);
        return true;
    });
}

/** A value as JSON text, numbers as pulumi passes them. */
const json = (text: string) => valueText(readYaml(text, "f"));

describe("plan: YAML as pulumi reads it with gopkg.in/yaml.v3 (ops/plan/stackYaml.ts)", () => {
    describe("plain scalars", () => {
        // go-yaml/yaml v3.0.1 resolve.go resolve; then resource/config/object.go MarshalString writes numbers as Go's JSON
        const shown = (yaml: string) => { const v = resolvePlain(yaml); return typeof v === "string" ? `"${v}"` : valueText(v); };
        const cases: [string, string, string][] = [
            ["017", "15", "strconv.ParseInt(s, 0, 64): a leading 0 is octal (YAML 1.1)"],
            ["0o17", "15", "0o is octal (YAML 1.2)"],
            ["-0o17", "-15", "ParseInt takes a sign before the prefix"],
            ["1_80", "180", "every _ is dropped first (strings.Replace)"],
            ["0x1E", "30", "0x is hexadecimal"],
            ["0b101", "5", "0b is binary"],
            ["+12", "12", "a sign"],
            ["00", "0", "a leading 0: octal 0"],
            ["08", "8", "not octal, then yamlStyleFloat: the float 8"],
            ["8.10", "8.1", "yamlStyleFloat: the float 8.1"],
            ["8.0", "8", "the float 8, Go's JSON 8"],
            ["1e3", "1000", "yamlStyleFloat with an exponent"],
            ["1_000.5", "1000.5", "_ dropped before the float too"],
            [".5", "0.5", "a '.' first: strconv.ParseFloat"],
            // resolve.go case '.': a float only if strconv.ParseFloat returns no error (ErrRange for an overflow)
            [".5e400", '".5e400"', "a '.' first, beyond float64: strconv.ParseFloat fails, so text"],
            ["9223372036854775807", "9223372036854775807", "the largest int64, exact"],
            ["9223372036854775808", "9223372036854775808", "beyond int64: strconv.ParseUint, exact"],
            ["-9223372036854775809", "-9223372036854776000", "beyond int64 with a sign: the float64"],
            ["1.5.0", '"1.5.0"', "no number: text"],
            ["0x", '"0x"', "no digits: text"],
            ["+", '"+"', "a sign alone: text"],
            ["_1", '"_1"', "resolveTable has no hint for _: text"],
            ["yes", '"yes"', "YAML 1.1 booleans are text in v3 (resolveMap has true, True, TRUE only)"],
            ["on", '"on"', "as yes"],
            ["True", "true", "resolveMap: true, True, TRUE"],
            ["FALSE", "false", "resolveMap: false, False, FALSE"],
            ["~", "null", "resolveMap: '', ~, null, Null, NULL"],
            ["2026-13-01", '"2026-13-01"', "parseTimestamp fails (month 13) and no number: text"],
            ["2026-02-30", '"2026-02-30"', "parseTimestamp fails (no 30 February): text"],
            ["2026-01-02T10:00:00", '"2026-01-02T10:00:00"', "a T time needs a zone (2006-1-2T15:4:5.999999999Z07:00): text"],
            ["2026-01-02 10:00:00Z", '"2026-01-02 10:00:00Z"', "a time after a space has no zone (2006-1-2 15:4:5.999999999): text"],
        ];
        for (const [yaml, expected, why] of cases) {
            it(`reads ${yaml} as ${expected}: ${why}`, () => {
                assert.strictEqual(shown(yaml), expected);
            });
        }

        it("refuses timestamps, whose Go time text plan does not write", () => {
            // resolve.go parseTimestamp; object.go unmarshalObject passes time.Time's String()
            for (const text of ["2026-01-02", "2026-1-2", "2026-01-02T10:00:00Z", "2026-01-02t10:00:00.5+02:00", "2026-01-02 10:00:00"]) {
                refuses(() => readYaml(`a: ${text}`, "f"), `f: a is ${JSON.stringify(text)} unquoted, a YAML timestamp, which pulumi ` +
                    "up passes as Go's time text (such as \"2026-01-02 00:00:00 +0000 UTC\"), not as written; quote it for the text");
            }
        });

        it("keeps what is written beside the number's text", () => {
            assert.deepStrictEqual(resolvePlain("1_80"), new GoNumber("180", "1_80"));
        });
    });

    describe("documents, maps and aliases", () => {
        it("reads the first document only", () => {
            // go-yaml/yaml v3.0.1 yaml.go unmarshal: p.parse() once, one document; the rest is never parsed
            assert.strictEqual(json("a: first\n---\na: second\n---\n[not: valid\n"), '{"a":"first"}');
        });

        it("refuses a key given twice by its text, quoted or not, in linear time", () => {
            // go-yaml/yaml v3.0.1 decode.go mapping: "line %d: mapping key %#v already defined at line %d", by node kind and text
            refuses(() => readYaml("a: x\n'a': y\n", "f"),
                'f is not valid YAML for pulumi up: line 2: mapping key "a" already defined at line 1 (yaml.v3)');
            refuses(() => readYaml("l: [{a: 1, b: 2, a: 3}]\n", "f"),
                'f is not valid YAML for pulumi up: line 1: mapping key "a" already defined at line 1 (yaml.v3)');
            // Different text, one number: not the same key to yaml.v3
            assert.throws(() => readYaml("0x1: a\n1: b\n", "f"), /expected only string keys/);
        });

        it("merges << keys: the map's own keys first, then the merged maps in order", () => {
            // go-yaml/yaml v3.0.1 decode.go mapping and merge: mergedFields keeps the keys already set
            assert.strictEqual(json([
                "base: &base {a: base, b: 1}",
                "more: &more {a: more, c: true}",
                "m:",
                "  <<: [*more, *base]",
                "  b: 2",
            ].join("\n")), '{"base":{"a":"base","b":1},"m":{"a":"more","b":2,"c":true},"more":{"a":"more","c":true}}');
            assert.strictEqual(json("b: &b {x: 1}\nm: {<<: *b, y: 2}\n"), '{"b":{"x":1},"m":{"x":1,"y":2}}');
            // A quoted "<<" is an ordinary key (decode.go isMerge: a plain scalar)
            assert.strictEqual(json("m: {'<<': {x: 1}}\n"), '{"m":{"<<":{"x":1}}}');
            // decode.go merge: failWantMap
            refuses(() => readYaml("m:\n  <<: [a]\n", "f"), "f: line 2: map merge requires map or sequence of maps as the value (yaml.v3)");
            // decode.go merge: case AliasNode: merge.Alias.Kind != MappingNode -> failWantMap, a list of maps included
            refuses(() => readYaml("l: &l [{x: 1}]\nm:\n  <<: *l\n", "f"), "f: line 3: map merge requires map or sequence of maps as the value (yaml.v3); " +
                "the alias *l names a list, and after << an alias must name a map");
            refuses(() => readYaml("s: &s text\nm: {<<: *s}\n", "f"), "f: line 2: map merge requires map or sequence of maps as the value (yaml.v3); " +
                "the alias *s names a scalar, and after << an alias must name a map");
            refuses(() => readYaml("l: &l [{x: 1}]\nm: {<<: [*l]}\n", "f"), "f: line 2: map merge requires map or sequence of maps as the value (yaml.v3)");
        });

        it("refuses keys that are no text, as pulumi does", () => {
            // sdk/go/common/workspace/project.go SimplifyMarshalledValue: "expected only string keys, got '%s'"
            refuses(() => readYaml("a:\n  1: x\n", "f"), "f: line 2: expected only string keys, got 1; quote the key");
            refuses(() => readYaml("a:\n  ~: x\n", "f"), "f: line 2: expected only string keys, got null; quote the key");
        });

        it("refuses a document that is mostly aliases, as yaml.v3 does", () => {
            // go-yaml/yaml v3.0.1 decode.go unmarshal: "document contains excessive aliasing" (allowedAliasRatio)
            const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
            for (let i = 1; i < 8; i++) {
                lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
            }
            refuses(() => readYaml(lines.join("\n"), "f"), "f: yaml.v3 refuses it: document contains excessive aliasing");
            // A few aliases are fine
            assert.strictEqual(json("a: &a [1]\nb: *a\n"), '{"a":[1],"b":[1]}');
        });

        it("reads 20,000 aliases in linear time, each the latest anchor of its name before it", function () {
            this.timeout(60000);
            // yaml 2.9.1 Alias.resolve walks the whole document on every call: 4,000 aliases took 16.7 s before.
            // Against the same file without aliases (the parse alone is most of it), so a busy machine slows both alike.
            const timed = (value: string) => {
                const text = "a: &a x\n" + Array.from({ length: 20000 }, (_, i) => `k${i}: ${value}\n`).join("");
                const start = Date.now();
                assert.strictEqual(Object.keys(readYaml(text, "f") as object).length, 20001);
                return Date.now() - start;
            };
            const plain = timed("x");
            const aliased = timed("*a");
            assert.ok(aliased < 3 * plain + 1000 && aliased < 10000, `${aliased} ms with aliases, ${plain} ms without`);
            // YAML 1.2.2 3.2.2.2: "an alias node refers to the most recent preceding node having the same anchor"
            assert.strictEqual(json("a: &x one\nb: *x\nc: &x two\nd: *x\ne: [&x three, *x]\n"),
                '{"a":"one","b":"one","c":"two","d":"two","e":["three","three"]}');
            // An anchor after the alias is none of it (go-yaml parser.go: "unknown anchor '%s' referenced").
            refuses(() => readYaml("a: *x\nb: &x one\n", "f"), 'f: line 1: anchor "x" is unknown or contains itself');
            refuses(() => readYaml("a: &x [*x]\n", "f"), 'f: line 1: anchor "x" is unknown or contains itself');
        });

        it("reads 40,000 keys in linear time", function () {
            this.timeout(60000);
            // The yaml package's own uniqueKeys check compares every pair of keys: 31 s for 40,000 keys before.
            const text = Array.from({ length: 40000 }, (_, i) => `k${i}: v${i}\n`).join("");
            const start = Date.now();
            assert.strictEqual(Object.keys(readYaml(text, "f") as object).length, 40000);
            assert.ok(Date.now() - start < 10000, `${Date.now() - start} ms`);
        });

        it("reads an empty file as null", () => {
            assert.strictEqual(readYaml("", "f"), null);
            assert.strictEqual(readYaml("# only a comment\n", "f"), null);
        });
    });

    describe("the bytes of a file", () => {
        const text = "config:\n  proj:name: acme\n";
        it("drops a UTF-8 byte order mark", () => {
            // sdk/go/common/workspace/loaders.go readFileStripUTF8BOM
            assert.strictEqual(decodeText(Buffer.from(`\ufeff${text}`), "f"), text);
        });

        it("reads UTF-16 with a byte order mark, what Windows PowerShell 5.1's > and Out-File write", () => {
            // go-yaml/yaml v3.0.1 readerc.go yaml_parser_determine_encoding: bom_UTF16LE, bom_UTF16BE.
            // learn.microsoft.com about_Character_Encoding (5.1): Out-File and > write Unicode (UTF-16LE) with a BOM.
            const le = Buffer.from(`\ufeff${text}`, "utf16le");
            assert.strictEqual(decodeText(le, "f"), text);
            assert.strictEqual(decodeText(Buffer.from(le).swap16(), "f"), text);
        });

        it("refuses invalid UTF-8, UTF-16 without a byte order mark, and control characters", () => {
            // readerc.go yaml_parser_update_buffer: "invalid leading UTF-8 octet", "control characters are not allowed"
            refuses(() => decodeText(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]), "f"), "f is neither UTF-8 nor UTF-16 with a " +
                "byte order mark: pulumi up refuses it too (yaml.v3: invalid UTF-8 or UTF-16); save it as UTF-8");
            refuses(() => decodeText(Buffer.from([0xff, 0xfe, 0x61]), "f"), "f is neither UTF-8 nor UTF-16 with a " +
                "byte order mark: pulumi up refuses it too (yaml.v3: invalid UTF-8 or UTF-16); save it as UTF-8");
            refuses(() => decodeText(Buffer.from(text, "utf16le"), "f"), "f holds the control character U+0000 on line 1: " +
                "pulumi up refuses it too (yaml.v3: control characters are not allowed); in a double-quoted string write it as an escape such as \\t");
            for (const [character, name] of [["\u001b", "U+001B"], ["\u007f", "U+007F"], ["\u0080", "U+0080"], ["\ufffe", "U+FFFE"]]) {
                refuses(() => decodeText(Buffer.from(`a: 1\nb: x${character}\n`), "f"), `f holds the control character ${name} on ` +
                    "line 2: pulumi up refuses it too (yaml.v3: control characters are not allowed); in a double-quoted string write it " +
                    "as an escape such as \\t");
            }
            // readerc.go: tab, newline, carriage return, NEL and everything from U+00A0 are allowed
            assert.strictEqual(decodeText(Buffer.from("a:\t\"x\u0085\u00a0\u{1F600}\"\r\n"), "f"), "a:\t\"x\u0085\u00a0\u{1F600}\"\r\n");
        });
    });
});
