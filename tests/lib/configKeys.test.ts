import * as assert from "assert";
import { closestConfigKey, shownKey, unknownKeyProblems } from "../../lib/configKeys.ts";
import { CONFIG_KEYS } from "../../lib/settings.ts";

describe("keys Pulumi.yaml does not declare (lib/configKeys.ts)", () => {
    it("suggests the declared key at most two edits away, letter case aside", () => {
        // pulumi/pulumi sdk/go/common/workspace/project.go findClosestKey: lower-cased Levenshtein, maxValidationAttributeDistance 2
        assert.strictEqual(closestConfigKey("creatioVerison"), "creatioVersion");
        assert.strictEqual(closestConfigKey("secretRotationDay"), "secretRotationDays");
        assert.strictEqual(closestConfigKey("SITENAME"), "siteName");
        assert.strictEqual(closestConfigKey("siteUr"), "siteUrl");
        assert.strictEqual(closestConfigKey("netcor"), "netCore");
        assert.strictEqual(closestConfigKey("ntcr"), undefined);
        assert.strictEqual(closestConfigKey("region"), undefined);
        // One edit counter for the project (lib/closest.ts editDistance): a swap of two neighbouring letters is one edit,
        // so two swaps are still a slip (Levenshtein counts 4). Three swaps are not.
        assert.strictEqual(closestConfigKey("craetioVesrion"), "creatioVersion");
        assert.strictEqual(closestConfigKey("craetioVesrino"), undefined);
    });

    it("names only keys of the project's namespace that are not declared, sorted", () => {
        const keys = ["p:siteName", "p:zz", "p:aa", "azuread:tenantId", "pulumi:tags", "q:sitename", "p2:x"];
        assert.deepStrictEqual(unknownKeyProblems(keys, "p").map(p => p.split(" is ")[0]), ["p:aa", "p:zz"]);
        assert.deepStrictEqual(unknownKeyProblems(["p:a", "p:b"], "p", ["a", "c"]),
            ["p:b is not a config key of this project (did you mean a?); allowed: the keys Pulumi.yaml declares: a, c"]);
        assert.deepStrictEqual(unknownKeyProblems(CONFIG_KEYS.map(k => `p:${k}`), "p"), []);
    });

    it("shows a key with anything but letters, digits and ._:- as escaped JSON text", () => {
        assert.strictEqual(shownKey("p:site-name.x_1"), "p:site-name.x_1");
        assert.strictEqual(shownKey("p:a b"), '"p:a b"');
        // lib/configProblems.ts quoted: invisible characters as \u escapes
        assert.strictEqual(shownKey("p:\u001b[2J\u202e"), '"p:\\u001b[2J\\u202e"');
    });
});
