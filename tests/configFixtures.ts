/** What the config tests share: reading the problems validateConfig reports. */
import * as assert from "assert";
import { ConfigError, type RawConfig, validateConfig } from "../lib/settings.ts";

/** The problems validateConfig reports for this config (fails when it accepts it). */
export function problemsOf(raw: RawConfig): string[] {
    try {
        validateConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail(`config was accepted: ${JSON.stringify(raw)}`);
}

/** The "allowed" part of every siteUrl problem line. */
export const SITE_URL_ALLOWED = "allowed: an https base URL such as https://crm.example.com or " +
    "https://crm.example.com/creatio, without user info, query or fragment";
