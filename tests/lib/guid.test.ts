import * as assert from "assert";
import { NIL_GUID, isGuid, isNilGuid, objectIdProblem, readGuid } from "../../lib/guid";

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
