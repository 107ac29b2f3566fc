/** lib/stackFiles.ts: which files of a folder are stacks, in which order, and what is refused. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MAX_STACKS, StackFilesError, stackNamed, stacksIn } from "../../lib/stackFiles.ts";

/** A folder holding these (empty) files. */
function folderWith(files: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
    for (const file of files) {
        fs.writeFileSync(path.join(dir, file), "");
    }
    return dir;
}

function refusal(files: string[]): StackFilesError {
    const dir = folderWith(files);
    try {
        stacksIn(dir);
    } catch (err) {
        assert.ok(err instanceof StackFilesError, String(err));
        assert.strictEqual(err.name, "StackFilesError");
        return err;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return assert.fail("expected a refusal");
}

describe("stacksIn", () => {
    it("lists only files named exactly Pulumi.<stack>.yaml, sorted as bytes (capitals first, as LC_ALL=C)", () => {
        // Made in an order that is neither the sorted one nor its reverse.
        const dir = folderWith(["Pulumi.yaml", "Pulumi.b.yaml", "Pulumi.B.yaml.bak", "xPulumi.c.yaml", "Pulumi.a.yml",
            "Pulumi.Z.yaml", "Pulumi.a.yaml", "pulumi.d.yaml"]);
        try {
            assert.deepStrictEqual(stacksIn(dir), ["Z", "a", "b"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a stack that starts with rotation-, in any case, and takes one that only holds it", () => {
        assert.match(refusal(["Pulumi.Rotation-dev.yaml"]).message, /^Pulumi\.Rotation-dev\.yaml names a stack that starts with rotation-/);
        const dir = folderWith(["Pulumi.my-rotation-x.yaml"]);
        try {
            assert.deepStrictEqual(stacksIn(dir), ["my-rotation-x"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it(`takes ${MAX_STACKS} stacks and refuses one more`, () => {
        const names = (count: number) => Array.from({ length: count }, (_, i) => `Pulumi.s${String(i).padStart(3, "0")}.yaml`);
        const dir = folderWith(names(MAX_STACKS));
        try {
            assert.strictEqual(stacksIn(dir).length, MAX_STACKS);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.strictEqual(refusal(names(MAX_STACKS + 1)).message, `${MAX_STACKS + 1} Pulumi.<stack>.yaml files, and one GitHub ` +
            `Actions matrix runs at most ${MAX_STACKS} jobs; split the stacks across repositories.`);
    });
});

describe("stackNamed", () => {
    it("takes the one stack named, also one that only holds rotation- inside, whatever else the folder holds", () => {
        const dir = folderWith(["Pulumi.my-rotation-x.yaml", "Pulumi.acme.prod.yaml"]);
        try {
            assert.deepStrictEqual(stackNamed(dir, "my-rotation-x"), ["my-rotation-x"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a stack it has no file for, listing the stacks there are sorted as bytes", () => {
        const dir = folderWith(["Pulumi.b.yaml", "Pulumi.Z.yaml", "Pulumi.a.yaml", "Pulumi.x.y.yaml"]);
        try {
            assert.throws(() => stackNamed(dir, "prod"), {
                name: "StackFilesError",
                message: "There is no stack file Pulumi.prod.yaml in the repository's root; the stacks are: Z a b",
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
