/** The closest of some names to a misspelt one, for a "did you mean" hint. Pure. */

/**
 * Edits between two texts: insertions, deletions, substitutions and swaps of two neighbouring
 * characters (the optimal string alignment distance), so that `stakc` is one edit from `stack`.
 */
export function editDistance(a: string, b: string): number {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}

/** Texts longer than this are no misspelling of a name: not compared (the distance costs their product). */
const MAX_COMPARED = 100;

/**
 * The candidate closest to `typed`, compared without regard to case, when it is close enough to be
 * a slip: at most a third of its length in edits (at least one). Undefined when none is, or when
 * two are equally close.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
    if (typed.length > MAX_COMPARED) {
        return undefined;
    }
    const scored = candidates.map(name => ({ name, distance: editDistance(typed.toLowerCase(), name.toLowerCase()) }))
        .filter(({ name, distance }) => distance <= Math.max(1, Math.floor(name.length / 3)))
        .sort((x, y) => x.distance - y.distance);
    if (scored.length === 0 || (scored.length > 1 && scored[1].distance === scored[0].distance)) {
        return undefined;
    }
    return scored[0].name;
}
