/**
 * How `npm test` type-checks. `tsc -b` ends in a fraction of a second when the last check passed
 * and no file of the project (tsconfig.json's include, and tsconfig.json itself) is newer than the
 * build info that check wrote; otherwise it checks what changed. Plain `tsc` parses every file the
 * program reaches first, the dependencies' types included: about 3 s on every run. `-b` does not look
 * at the dependencies, so after an npm install the whole program is compared again with plain `tsc`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const modified = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** node's arguments for the type check of the project in `root`. */
export function typeCheckArgs(root: string): string[] {
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    // tsconfig.json's tsBuildInfoFile; npm rewrites node_modules/.package-lock.json on every install.
    const buildInfo = modified(path.join(root, "bin", "tsc.tsbuildinfo"));
    const installed = modified(path.join(root, "node_modules", ".package-lock.json"));
    return installed >= buildInfo ? [tsc, "-p", root] : [tsc, "-b", root];
}
