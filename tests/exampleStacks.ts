/**
 * The example stacks the tests plan and check (tests/fixtures/stacks): the tests' own files, so no
 * test depends on which Pulumi.<stack>.yaml files a user keeps in the repository's root.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(import.meta.dirname, "..");
/** Pulumi.dev.yaml (acme-dev.creatio.com) and Pulumi.prod.yaml (acme.creatio.com), both Creatio 8.1. */
export const EXAMPLE_STACKS = path.join(import.meta.dirname, "fixtures", "stacks");

let project: string | undefined;

/**
 * A project folder as `pulumi` and `plan` read one: this project's own Pulumi.yaml beside the
 * example stack files. Made once per test process, removed when it exits.
 */
export function exampleProject(): string {
    if (project === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "example-project-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        for (const file of fs.readdirSync(EXAMPLE_STACKS)) {
            fs.copyFileSync(path.join(EXAMPLE_STACKS, file), path.join(dir, file));
        }
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        project = dir;
    }
    return project;
}

/** What a copy of the repository leaves out: installed and generated folders, and the root's stack files. */
const NOT_COPIED = /^(?:node_modules|\.git|\.ci\/node|reports|\.stryker-tmp|bin|Pulumi\.[^/]*\.ya?ml)$/;

/**
 * A copy of the repository in a temporary folder, as a user's clone with exactly these stack
 * files in its root (name → text); node_modules is a link to this checkout's.
 */
export function repositoryCopy(stackFiles: Record<string, string>): { root: string; remove(): void } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "repository-copy-"));
    fs.cpSync(ROOT, root, {
        recursive: true,
        filter: source => !NOT_COPIED.test(path.relative(ROOT, source).split(path.sep).join("/")),
    });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    for (const [name, text] of Object.entries(stackFiles)) {
        fs.writeFileSync(path.join(root, name), text);
    }
    return { root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The text of an example stack file (`dev` or `prod`). */
export const exampleStack = (stack: "dev" | "prod") => fs.readFileSync(path.join(EXAMPLE_STACKS, `Pulumi.${stack}.yaml`), "utf8");
