/**
 * How `npm test` type-checks. `tsc -b` ends in a fraction of a second when the last check passed
 * and no file of the project (tsconfig.json's include, and tsconfig.json itself) is newer than the
 * build info that check wrote; otherwise it checks what changed. Plain `tsc` parses every file the
 * program reaches first, the dependencies' types included: about 3 s on every run. `-b` looks
 * neither at the dependencies nor at package.json across runs, so after an npm install or an edit
 * of package.json the whole program is compared again with plain `tsc`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const modified = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** tsconfig.json's tsBuildInfoFile. */
const buildInfo = (root: string) => path.join(root, "bin", "tsc.tsbuildinfo");

/** node's arguments for the type check of the project in `root`. */
export function typeCheckArgs(root: string): string[] {
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    // npm rewrites node_modules/.package-lock.json on every install (@npmcli/arborist reify.js, meta.save()).
    const outside = Math.max(modified(path.join(root, "node_modules", ".package-lock.json")), modified(path.join(root, "package.json")));
    return outside >= modified(buildInfo(root)) ? [tsc, "-p", root] : [tsc, "-b", root];
}

/**
 * After a passing plain `tsc` that `started` then: plain `tsc` leaves the build info as it was when
 * nothing changed, which would keep every later run on plain `tsc`. The build info holds a passing
 * check of the program as it was at the start, so it is dated then, not later: a file edited while
 * tsc ran stays newer and is checked next time. (A build info that records errors is checked again
 * by `tsc -b` whatever its date.)
 */
export function recordPassingCheck(root: string, args: string[], started: Date): void {
    if (args.includes("-p") && modified(buildInfo(root)) > 0 && modified(buildInfo(root)) < started.getTime()) {
        fs.utimesSync(buildInfo(root), started, started);
    }
}
