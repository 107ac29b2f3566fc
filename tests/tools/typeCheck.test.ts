import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { recordPassingCheck, typeCheckArgs } from "../../tools/typeCheck.ts";

describe("npm test's type check (tools/typeCheck.ts)", () => {
    let root: string;
    const tsc = () => path.join(root, "node_modules", "typescript", "bin", "tsc");
    const BUILD_INFO = "bin/tsc.tsbuildinfo";
    const INSTALLED = "node_modules/.package-lock.json";
    const touch = (file: string, secondsAgo: number) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), "{}");
        const at = new Date(Date.now() - secondsAgo * 1000);
        fs.utimesSync(path.join(root, file), at, at);
    };
    const modified = (file: string) => fs.statSync(path.join(root, file)).mtimeMs;

    beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), "type-check-")); });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("checks every file with plain tsc when no check has passed here yet", () => {
        touch(INSTALLED, 60);
        assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-p", root]);
    });

    it("lets tsc -b compare the project's files with the build info of the last check", () => {
        touch(INSTALLED, 60);
        touch("package.json", 60);
        touch(BUILD_INFO, 10);
        assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-b", root]);
    });

    // tsc -b compares package.json files only within one process (typescript.js getUpToDateStatusWorker, packageJsonLookups).
    for (const newer of [INSTALLED, "package.json"]) {
        it(`checks every file again when ${newer} is newer than the build info, which tsc -b would not notice`, () => {
            touch(BUILD_INFO, 60);
            touch(INSTALLED, 120);
            touch("package.json", 120);
            touch(newer, 10);
            assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-p", root]);
        });
    }

    it("dates the build info at the start of a passing plain tsc, so that the next run takes tsc -b again", () => {
        touch(INSTALLED, 30);
        touch(BUILD_INFO, 60);
        const started = new Date(Date.now() - 5000);
        recordPassingCheck(root, typeCheckArgs(root), started);
        assert.strictEqual(modified(BUILD_INFO), started.getTime());
        assert.deepStrictEqual(typeCheckArgs(root), [tsc(), "-b", root]);
    });

    it("leaves a build info tsc wrote after the start, one tsc -b kept, and a missing one as they are", () => {
        touch(BUILD_INFO, 1);
        const written = modified(BUILD_INFO);
        recordPassingCheck(root, [tsc(), "-p", root], new Date(Date.now() - 5000));
        assert.strictEqual(modified(BUILD_INFO), written);
        touch(BUILD_INFO, 60);
        const kept = modified(BUILD_INFO);
        recordPassingCheck(root, [tsc(), "-b", root], new Date());
        assert.strictEqual(modified(BUILD_INFO), kept);
        fs.rmSync(path.join(root, BUILD_INFO));
        recordPassingCheck(root, [tsc(), "-p", root], new Date());
        assert.ok(!fs.existsSync(path.join(root, BUILD_INFO)));
    });
});
