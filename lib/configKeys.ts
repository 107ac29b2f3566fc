/**
 * Keys of the project's namespace that Pulumi.yaml does not declare: a misspelt key would otherwise
 * be ignored by `pulumi up` and the default used instead. Pure; `index.ts` and `plan` refuse them
 * with the same words before anything is declared.
 */
import { quoted } from "./configProblems.ts";
import { CONFIG_KEYS } from "./settings.ts";

/**
 * Levenshtein distance of the lower-cased strings, as pulumi/pulumi suggests Pulumi.yaml attributes
 * (sdk/go/common/workspace/project.go findClosestKey: lower case, at most 2 edits).
 */
function distance(a: string, b: string): number {
    const x = [...a.toLowerCase()];
    const y = [...b.toLowerCase()];
    let row = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const next = [i];
        for (let j = 1; j <= y.length; j++) {
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        }
        row = next;
    }
    return row[y.length];
}

const MAX_SUGGESTION_DISTANCE = 2;

/** The declared key closest to `key` within two edits (letter case aside), first in documented order on a tie. */
export function closestConfigKey(key: string, declaredKeys: readonly string[] = CONFIG_KEYS): string | undefined {
    let best: string | undefined;
    let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
    for (const declared of declaredKeys) {
        const d = distance(key, declared);
        if (d < bestDistance) {
            best = declared;
            bestDistance = d;
        }
    }
    return best;
}

/** A key as written when it is plain, else as JSON text with invisible characters escaped. */
export function shownKey(key: string): string {
    return /^[A-Za-z0-9_.:-]+$/.test(key) ? key : quoted(key);
}

/**
 * One problem per key of the project's namespace (`<project>:<name>`, as `pulumi.runtime.allConfig()`
 * gives them) that Pulumi.yaml does not declare, sorted. The value is never shown: it may be a secret.
 * Keys of other namespaces (`azuread:`, `pulumi:`, ...) are not this project's and are left alone.
 * The program passes its CONFIG_KEYS, `plan` Pulumi.yaml's keys (tests/projectFiles.test.ts keeps them equal).
 */
export function unknownKeyProblems(keys: Iterable<string>, project: string,
    declaredKeys: readonly string[] = CONFIG_KEYS): string[] {
    const prefix = `${project}:`;
    const declared = new Set<string>(declaredKeys);
    const unknown = [...keys].filter(key => key.startsWith(prefix) && !declared.has(key.slice(prefix.length))).sort();
    return unknown.map(key => {
        const name = key.slice(prefix.length);
        const closest = closestConfigKey(name, declaredKeys);
        return `${shownKey(key)} is not a config key of this project` +
            (closest === undefined ? "" : ` (did you mean ${closest}?)`) +
            `; allowed: the keys Pulumi.yaml declares: ${declaredKeys.join(", ")}`;
    });
}
