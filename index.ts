import * as pulumi from "@pulumi/pulumi";
import { CreatioOAuthApp } from "./components/creatioOAuthApp";
import { unknownKeyProblems } from "./lib/configKeys";
import { CONFIG_KEYS, ConfigError, RawConfig, validateConfig } from "./lib/settings";

// Validate everything before declaring anything: bad config creates nothing. A key of this project
// that Pulumi.yaml does not declare is a misspelling whose value would be ignored: refused first.
const unknownKeys = unknownKeyProblems(Object.keys(pulumi.runtime.allConfig()), pulumi.getProject());
if (unknownKeys.length > 0) {
    throw new ConfigError(unknownKeys);
}
const config = new pulumi.Config();
const raw: RawConfig = Object.fromEntries(CONFIG_KEYS.map(key => [key, config.get(key)]));
const settings = validateConfig(raw);

const app = new CreatioOAuthApp("creatio", settings);

/** Creatio's "Client ID": the application (client) id. */
export const clientId = app.clientId;
/** Creatio's "Client Secret": the newest secret, a Pulumi secret. */
export const clientSecret = app.clientSecret;
export const tenantId = app.tenantId;
export const redirectUris = app.redirectUris;
export const applicationObjectId = app.applicationObjectId;
export const servicePrincipalObjectId = app.servicePrincipalObjectId;
export const clientSecretExpiresAt = app.clientSecretExpiresAt;
export const clientSecretRotatesAt = app.clientSecretRotatesAt;
/** The key id of the newest secret, and of the previous one (expires at clientSecretRotatesAt). Not secret. */
export const clientSecretKeyId = app.clientSecretKeyId;
export const previousClientSecretKeyId = app.previousClientSecretKeyId;
/**
 * Each password slot on its own, for `--slot a|b` and rotate-now: its secret (a Pulumi secret), key id and
 * end date. `clientSecret` above is whichever of the two the schedule calls newest.
 */
export const clientSecretA = app.slots[0].secret;
export const clientSecretAKeyId = app.slots[0].keyId;
export const clientSecretAExpiresAt = app.slots[0].expiresAt;
export const clientSecretB = app.slots[1].secret;
export const clientSecretBKeyId = app.slots[1].keyId;
export const clientSecretBExpiresAt = app.slots[1].expiresAt;
/** What the stack is configured for: the Creatio site, .NET Core or not, the sign-in audience, the rotation period. */
export const siteBaseUrl = app.siteBaseUrl;
export const netCore = app.netCore;
export const signInAudience = app.signInAudience;
export const secretRotationDays = app.secretRotationDays;
/** Exchange Online PowerShell for an Exchange administrator: adds the Client ID to EwsAllowedAppIDs. */
export const ewsAllowListScript = app.ewsAllowListScript;
