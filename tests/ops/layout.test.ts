/**
 * The shape of ops/: each command is a file an npm script runs, and no command imports another
 * (directly or through a module), so a reader finds a command's behaviour in its own file and the
 * modules it shares, grouped by the outside system they talk to.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(import.meta.dirname, "..", "..");

/** The files the package's npm scripts run from ops/: the commands. */
function commandFiles(root: string): string[] {
    const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
    return Object.values(scripts).flatMap(script => [...script.matchAll(/(?:^|\s)(ops\/\S+\.ts)(?=\s|$)/g)].map(m => m[1])).sort();
}

/**
 * The repository files a TypeScript file imports by relative path, as TypeScript's own scanner finds them
 * (import and export ... from, import x = require, require(), import() of a literal, in any quotes).
 */
function relativeImports(root: string, file: string): string[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const specs = ts.preProcessFile(text, true, true).importedFiles.map(f => f.fileName).filter(spec => /^\.{1,2}\//.test(spec));
    return specs.map(spec => {
        const base = path.join(path.dirname(file), spec.replace(/\.ts$/, ""));
        const found = [`${base}.ts`, path.join(base, "index.ts")].find(candidate => fs.existsSync(path.join(root, candidate)));
        assert.ok(found, `${file} imports ${spec}, which is no file`);
        return found.split(path.sep).join("/");
    });
}

/** For each command, the other commands it reaches through its imports, with the chain. */
function commandsReached(root: string): string[] {
    const commands = commandFiles(root);
    const found: string[] = [];
    for (const command of commands) {
        const via = new Map<string, string>([[command, command]]);
        const queue = [command];
        while (queue.length > 0) {
            const file = queue.shift()!;
            for (const imported of relativeImports(root, file)) {
                if (via.has(imported)) {
                    continue;
                }
                via.set(imported, `${via.get(file)} -> ${imported}`);
                if (commands.includes(imported)) {
                    found.push(via.get(imported)!);
                }
                queue.push(imported);
            }
        }
    }
    return found;
}

describe("ops/ layout", () => {
    it("runs each command from a file of its own", () => {
        assert.deepStrictEqual(commandFiles(ROOT), [
            "ops/credentials.ts", "ops/deliver.ts", "ops/plan/command.ts", "ops/plan/comment.ts", "ops/rotateNow.ts",
            "ops/routineCheck.ts", "ops/status.ts", "ops/verify.ts",
        ]);
    });

    it("has no command that imports another command, directly or through a module", () => {
        assert.deepStrictEqual(commandsReached(ROOT), []);
    });

    it("catches a command that reaches another through a module", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "ops-layout-"));
        try {
            fs.mkdirSync(path.join(root, "ops", "shared"), { recursive: true });
            fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ scripts: { a: "node ops/a.ts", b: "node ops/b.ts --x" } }));
            fs.writeFileSync(path.join(root, "ops", "a.ts"), 'import { x } from "./shared/util";\n');
            fs.writeFileSync(path.join(root, "ops", "shared", "util.ts"), 'export { y as x } from "../b";\n');
            fs.writeFileSync(path.join(root, "ops", "b.ts"), "export const y = 1;\n");
            assert.deepStrictEqual(commandsReached(root), ["ops/a.ts -> ops/shared/util.ts -> ops/b.ts"]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("catches a reach written in any form an import takes", () => {
        for (const line of ["import { y } from '../b';", 'const b = require("../b");', "import b = require('../b');",
            "const b = import(`../b`);", 'export * from "../b";', "import '../b';", "import type { Y } from '../b';"]) {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "ops-layout-"));
            try {
                fs.mkdirSync(path.join(root, "ops", "shared"), { recursive: true });
                fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ scripts: { a: "node ops/a.ts", b: "node ops/b.ts" } }));
                fs.writeFileSync(path.join(root, "ops", "a.ts"), 'import { x } from "./shared/util";\n');
                fs.writeFileSync(path.join(root, "ops", "shared", "util.ts"), `${line}\nexport const x = 1;\n`);
                fs.writeFileSync(path.join(root, "ops", "b.ts"), "export const y = 1;\nexport type Y = number;\n");
                assert.deepStrictEqual(commandsReached(root), ["ops/a.ts -> ops/shared/util.ts -> ops/b.ts"], line);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        }
    });
});
