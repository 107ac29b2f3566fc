export interface FakeStackState {
    outputs: Record<string, unknown>;
    /** Outputs the CLI masks as "[secret]" without --show-secrets. */
    secrets?: string[];
    tags?: Record<string, string>;
    /** What `pulumi preview --json` prints for the stack. */
    preview?: string;
    /**
     * `pulumi up --replace <urn> --target <urn>` of a password slot: how many replacements ran, and
     * whether the next ones fail (a `pulumi up` that Entra ID refused), by slot letter.
     */
    replacements?: number;
    failUp?: string[];
}

export interface FakeBackendState {
    stacks: Record<string, FakeStackState>;
    /** The selected stack, used when `--stack` is missing or empty. */
    current?: string;
}

export function emulate(args: string[], state: FakeBackendState): { exitCode: number; stdout: string; stderr: string };
