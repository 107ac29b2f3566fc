import * as assert from "assert";
import { ewsAllowListScript } from "../lib/ewsAllowList";

const CLIENT_ID = "c1c1c1c1-0000-4000-8000-000000000003";

describe("EWS allow-list script", () => {
    const script = ewsAllowListScript(CLIENT_ID.toUpperCase());

    it("names this app's Client ID, in lower case", () => {
        assert.ok(script.includes(`$appId = '${CLIENT_ID}'`), script);
    });

    it("reads the ids already allowed and writes them back with this one added", () => {
        const lines = script.split("\n");
        const read = lines.indexOf("$config = Get-OrganizationConfig");
        const keep = lines.findIndex(l => l.startsWith("$allowed = @($config.EwsAllowedAppIDs"));
        const add = lines.indexOf("if ($allowed -notcontains $appId) { $allowed += $appId }");
        const write = lines.indexOf("Set-OrganizationConfig -EwsEnabled $true -EwsAllowedAppIDs ($allowed -join ',')");
        assert.ok(read >= 0 && read < keep && keep < add && add < write, script);
        // Existing ids may come back as a list or as one comma-separated string: both are split.
        assert.ok(lines[keep].includes("-split ','"), lines[keep]);
        // The only write is the one that carries the merged list.
        assert.strictEqual(lines.filter(l => l.includes("Set-OrganizationConfig")).length, 1);
    });

    it("enables EWS and shows the result", () => {
        assert.ok(script.includes("-EwsEnabled $true"));
        assert.ok(script.trimEnd().endsWith("Get-OrganizationConfig | Format-List EwsEnabled, EwsAllowedAppIDs"));
    });

    it("refuses something that is not a Client ID", () => {
        assert.throws(() => ewsAllowListScript("x'; Remove-Item *"), /^Error: not a Client ID: "x'; Remove-Item \*"$/);
    });
});
