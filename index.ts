import * as pulumi from "@pulumi/pulumi";
import { CreatioOAuthApp } from "./components/creatioOAuthApp.ts";
import { unknownKeyProblems } from "./lib/configKeys.ts";
import { CONFIG_KEYS, ConfigError, type RawConfig, validateConfig } from "./lib/settings.ts";

// Pulumi's runtime installs source-map-support (@pulumi/pulumi cmd/run/index.js), whose formatting
// maps every frame of the stack trace the SDK records for each promise it creates
// (runtime/debuggable.js), parsing the SDK's own source maps: about 20 MiB and a tenth of the CPU of
// each preview. Node strips this program's types in place, so its own frames need no map; V8's
// own formatting stands instead (stack traces name the SDK's .js lines).
(Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] }).prepareStackTrace = undefined;

/**
 * Declares the stack and returns its outputs. Pulumi's Node.js runtime calls a program's default
 * export when it is a function and takes the result as the stack outputs (@pulumi/pulumi
 * cmd/run/run.ts); `npm run plan` and the tests call it too, once per evaluation, since an ES module
 * is evaluated only once per process.
 */
export default function creatioStack() {
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

    return {
        /** Creatio's "Client ID": the application (client) id. */
        clientId: app.clientId,
        /** Creatio's "Client Secret": the newest secret, a Pulumi secret. */
        clientSecret: app.clientSecret,
        tenantId: app.tenantId,
        redirectUris: app.redirectUris,
        applicationObjectId: app.applicationObjectId,
        servicePrincipalObjectId: app.servicePrincipalObjectId,
        clientSecretExpiresAt: app.clientSecretExpiresAt,
        clientSecretRotatesAt: app.clientSecretRotatesAt,
        /** The key id of the newest secret, and of the previous one (expires at clientSecretRotatesAt). Not secret. */
        clientSecretKeyId: app.clientSecretKeyId,
        previousClientSecretKeyId: app.previousClientSecretKeyId,
        /**
         * Each password slot on its own, for `--slot a|b` and rotate-now: its secret (a Pulumi secret), key id and
         * end date. `clientSecret` above is whichever of the two the schedule calls newest.
         */
        clientSecretA: app.slots[0].secret,
        clientSecretAKeyId: app.slots[0].keyId,
        clientSecretAExpiresAt: app.slots[0].expiresAt,
        clientSecretB: app.slots[1].secret,
        clientSecretBKeyId: app.slots[1].keyId,
        clientSecretBExpiresAt: app.slots[1].expiresAt,
        /** What the stack is configured for: the Creatio site, .NET Core or not, the sign-in audience, the rotation period. */
        siteBaseUrl: app.siteBaseUrl,
        netCore: app.netCore,
        signInAudience: app.signInAudience,
        secretRotationDays: app.secretRotationDays,
        /** Exchange Online PowerShell for an Exchange administrator: adds the Client ID to EwsAllowedAppIDs. */
        ewsAllowListScript: app.ewsAllowListScript,
    };
}
