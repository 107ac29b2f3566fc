/** For tests that wait on something another process or a socket does: poll until it holds, within a bound. */

/** Resolves when `check` holds, polling; rejects after `ms`. */
export async function eventually(what: string, check: () => boolean, ms = 2000): Promise<void> {
    const until = Date.now() + ms;
    while (!check()) {
        if (Date.now() > until) {
            throw new Error(`not within ${ms} ms: ${what}`);
        }
        await new Promise(resolve => setTimeout(resolve, 20));
    }
}
