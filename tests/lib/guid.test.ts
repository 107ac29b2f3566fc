import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { NIL_GUID, isGuid, isNilGuid, objectIdProblem, readGuid } from "../../lib/guid.ts";

const ID = "3F2504E0-4f89-41d3-9a0c-0305e82c3301";

describe("reading a GUID", () => {
    it("reads 8-4-4-4-12 hexadecimal digits in either case, in lower case", () => {
        assert.strictEqual(readGuid(ID), "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
        assert.strictEqual(isGuid(ID), true);
    });

    for (const bad of [`{${ID}}`, ID.replace(/-/g, ""), `${ID}\n`, ` ${ID}`, `${ID}'; x`, "3f2504e0-4f89-41d3-9a0c-0305e82c330g",
        "3f2504e0-4f89-41d3-9a0c0-305e82c3301", "", 42, undefined, [ID]]) {
        it(`refuses ${JSON.stringify(bad)}`, () => {
            assert.strictEqual(readGuid(bad), undefined);
            assert.strictEqual(isGuid(bad), false);
            assert.strictEqual(objectIdProblem(bad), "not a GUID (8-4-4-4-12 hexadecimal digits)");
        });
    }

    it("knows the nil GUID, a GUID but the id of no object", () => {
        assert.strictEqual(isGuid(NIL_GUID), true);
        assert.strictEqual(isNilGuid(NIL_GUID), true);
        assert.strictEqual(isNilGuid("00000000-0000-0000-0000-000000000001"), false);
        assert.strictEqual(isNilGuid("000000000000000000000000000000000000"), false);
        assert.strictEqual(objectIdProblem(NIL_GUID), "the nil GUID, the id of no object");
        assert.strictEqual(objectIdProblem(ID), undefined);
    });
});

describe("one GUID reader", () => {
    const ROOT = path.join(import.meta.dirname, "..", "..");
    /** The TypeScript files of the program, the commands, the policy pack and the bootstrap. */
    function sources(dir: string): string[] {
        return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap(entry => {
            const relative = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                return entry.name === "node_modules" ? [] : sources(relative);
            }
            return entry.name.endsWith(".ts") ? [relative.split(path.sep).join("/")] : [];
        });
    }

    it("is lib/guid.ts: no other source file has a pattern of 8-4-4-4-12 hexadecimal digits", () => {
        const files = ["lib", "ops", "policy", "bootstrap", "components"].flatMap(sources).concat("index.ts");
        assert.ok(files.includes("ops/entra/graphKeyIds.ts") && files.includes("lib/settings.ts"), files.join(" "));
        const own = files.filter(file => /\{8\}-[^\n]*\{12\}/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
        assert.deepStrictEqual(own, ["lib/guid.ts"]);
    });
});
