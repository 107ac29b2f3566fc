/** What the deliver tests share: Creatio's class name of a Microsoft 365 record, and checking a CreatioError. */
import * as assert from "assert";
import { CreatioError } from "../ops/creatio/client";

// Creatio 8.1 mail server page (Resources/ClientApp/301.*.js): Office365 = "Office365OAuthAuthenticator",
// Google = "GoogleOAuthAuthenticator"
export const M365_CLASS = "Office365OAuthAuthenticator";
export const GOOGLE_CLASS = "GoogleOAuthAuthenticator";

/** Awaits a CreatioError with this outcome and this exact message (or one matching the pattern). */
export async function rejects(promise: Promise<unknown>, outcome: string, message: RegExp | string): Promise<CreatioError> {
    const err = await promise.then(() => assert.fail("expected a CreatioError"), (e: unknown) => e);
    assert.ok(err instanceof CreatioError, String(err));
    assert.strictEqual(err.outcome, outcome, err.message);
    if (typeof message === "string") {
        assert.strictEqual(err.message, message);
    } else {
        assert.match(err.message, message);
    }
    return err;
}
