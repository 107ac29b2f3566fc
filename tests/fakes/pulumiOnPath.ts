/**
 * A `pulumi` shell script first on PATH, for the tests that run the real process runner
 * (ops/pulumi/runner.ts spawnPulumi): install it before a test, restore PATH and remove it after.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface PulumiOnPath {
    /** The folder holding the script, first on PATH. */
    readonly dir: string;
    /** Writes the script's body (after `#!/bin/sh`), executable. */
    script(body: string): void;
    /** Puts PATH back and deletes the folder. */
    restore(): void;
}

export function installPulumiOnPath(prefix: string): PulumiOnPath {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    const oldPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${oldPath}`;
    return {
        dir,
        script: body => fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\n${body}\n`, { mode: 0o755 }),
        restore: () => {
            process.env.PATH = oldPath;
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
