import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { typeCheckArgs } from "../../tools/typeCheck.ts";

describe("npm test's type check (tools/typeCheck.ts)", () => {
    let root: string;
    const tsc = () => path.join(root, "node_modules", "typescript", "bin", "tsc");
    const touch = (file: string, secondsAgo: number) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), "{}");
        const at = new Date(Date.now() - secondsAgo * 1000);
        fs.utimesSync(path.join(root, file), at, at);
    };

    beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), "type-check-")); });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("checks every file with plain tsc when no check has passed here yet", () => {
        touch("node_modules/.package-lock.json", 60);
        assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-p", root]);
    });

    it("lets tsc -b compare the project's files with the build info of the last check", () => {
        touch("node_modules/.package-lock.json", 60);
        touch("bin/tsc.tsbuildinfo", 10);
        assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-b", root]);
    });

    it("checks every file again after an npm install, which tsc -b would not notice", () => {
        touch("bin/tsc.tsbuildinfo", 60);
        touch("node_modules/.package-lock.json", 10);
        assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-p", root]);
    });
});
