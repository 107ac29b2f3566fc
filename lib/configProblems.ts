/** How config validation speaks: one line per problem, naming the key, its value and what is allowed. */

/** Every problem found in a stack's config; the message lists them one per line. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration, nothing was declared:\n${problems.map(p => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export function problem(key: string, value: unknown, what: string, allowed: string): string {
    return `${key} = ${JSON.stringify(value)}: ${what}; allowed: ${allowed}`;
}

/** Empty or missing config values count as unset (the Pulumi.yaml files declare "" as their default). */
export function given(value: string | undefined): string | undefined {
    return value === undefined || value === "" ? undefined : value;
}
