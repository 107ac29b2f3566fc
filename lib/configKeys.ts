/**
 * Keys of the project's namespace that Pulumi.yaml does not declare: a misspelt key would otherwise
 * be ignored by `pulumi up` and the default used instead. Pure; `index.ts` and `plan` refuse them
 * with the same words before anything is declared.
 */
import { quoted } from "./configProblems.ts";
import { editDistance } from "./closest.ts";
import { CONFIG_KEYS } from "./settings.ts";

/**
 * Edits between the lower-cased strings (lib/closest.ts, where a swap of two neighbouring letters is one edit), as
 * pulumi/pulumi suggests Pulumi.yaml attributes (sdk/go/common/workspace/project.go findClosestKey: lower case, at
 * most 2 edits).
 */
const distance = (a: string, b: string) => editDistance(a.toLowerCase(), b.toLowerCase());

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
