/**
 * Keeping a secret out of anything printed: text from outside (a `pulumi` error line, an Entra ID
 * error description) is passed through `redact` once the secret is known.
 */
import { OpsError } from "./cli";

export const REDACTED = "[redacted]";

/** The forms a secret takes in text: as is, URL-encoded (a form body), JSON-escaped. */
function forms(secret: string): string[] {
    return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])]
        .filter(form => form.length > 0)
        .sort((a, b) => b.length - a.length);
}

export class Redactor {
    private readonly secrets: string[] = [];

    add(secret: string): void {
        this.secrets.push(...forms(secret));
        this.secrets.sort((a, b) => b.length - a.length);
    }

    redact(text: string): string {
        return this.secrets.reduce((result, secret) => result.split(secret).join(REDACTED), text);
    }

    /** The same error with the secret removed from its message (an OpsError keeps its exit code). */
    redactError(err: unknown): unknown {
        if (err instanceof OpsError) {
            const clean = this.redact(err.message);
            return clean === err.message ? err : new OpsError(clean, err.exitCode);
        }
        if (err instanceof Error) {
            return new Error(this.redact(err.message));
        }
        return new Error(this.redact(String(err)));
    }
}
