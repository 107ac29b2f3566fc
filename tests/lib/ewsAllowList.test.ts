import * as assert from "assert";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import { Language, Node, Parser } from "web-tree-sitter";
import { EWS_ALLOW_LIST_SCRIPT, ewsAllowListScript } from "../../lib/ewsAllowList.ts";
import { type PsValue, callFunction, parameterNames } from "./powershellSubset.ts";

// There is no PowerShell on this machine: the script is parsed with the tree-sitter PowerShell
// grammar (npm tree-sitter-powershell, WebAssembly) and its commands, arguments and the
// conditions around them are checked on the syntax tree; its pure decision functions are run on
// that tree (tests/lib/powershellSubset.ts) for every state of a tenant.

const ROOT = path.join(import.meta.dirname, "..", "..");
const CLIENT_ID = "c1c1c1c1-0000-4000-8000-000000000003";

let parser: Parser;

async function loadParser(): Promise<Parser> {
    await Parser.init();
    const grammar = await Language.load(createRequire(import.meta.url).resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
    const p = new Parser();
    p.setLanguage(grammar);
    return p;
}

function parse(source: string): Node {
    const tree = parser.parse(source);
    assert.ok(tree, "the parser returned a tree");
    return tree.rootNode;
}

function descendants(node: Node): Node[] {
    const found: Node[] = [];
    const visit = (n: Node) => {
        found.push(n);
        for (const child of n.namedChildren) {
            if (child) visit(child);
        }
    };
    visit(node);
    return found;
}

/** Syntax errors as `line: text`. */
function syntaxErrors(root: Node): string[] {
    return descendants(root).filter(n => n.type === "ERROR" || n.isMissing)
        .map(n => `${n.startPosition.row + 1}: ${n.text.slice(0, 60)}`);
}

const commandName = (command: Node) => command.childForFieldName("command_name")?.text ?? "";

/** Every command invocation (PowerShell command names are case-insensitive). */
function commands(root: Node, name?: string): Node[] {
    return descendants(root).filter(n => n.type === "command" &&
        (name === undefined || commandName(n).toLowerCase() === name.toLowerCase()));
}

/**
 * What must hold for a statement to run, innermost first: `if <condition>`,
 * `elseif <condition>`, `else of <condition of the if>`, `function <name>`.
 */
function guards(node: Node): string[] {
    const found: string[] = [];
    for (let n: Node | null = node; n; n = n.parent) {
        const parent = n.parent;
        if (n.type === "statement_block" && parent) {
            if (parent.type === "if_statement") found.push(`if ${parent.childForFieldName("condition")?.text}`);
            if (parent.type === "elseif_clause") found.push(`elseif ${parent.childForFieldName("condition")?.text}`);
            if (parent.type === "else_clause") found.push(`else of ${parent.parent?.childForFieldName("condition")?.text}`);
        }
        if (n.type === "function_statement") found.push(`function ${functionName(n)}`);
    }
    return found;
}

function functionName(fn: Node): string {
    return fn.namedChildren.find(c => c?.type === "function_name")?.text ?? "";
}

/** The statements that follow `node`'s statement in the same statement list. */
function followingStatements(node: Node): Node[] {
    let statement: Node = node;
    while (statement.parent && statement.parent.type !== "statement_list") statement = statement.parent;
    const list = statement.parent;
    assert.ok(list, "the command stands in a statement list");
    const siblings = list.namedChildren.filter((c): c is Node => c !== null);
    return siblings.slice(siblings.findIndex(s => s.id === statement.id) + 1);
}

function assignments(root: Node, variable: string): string[] {
    return descendants(root).filter(n => n.type === "assignment_expression")
        .filter(n => n.namedChildren[0]?.text.toLowerCase() === variable.toLowerCase())
        .map(n => n.text);
}

describe("EWS allow list", () => {
    const scriptPath = path.join(ROOT, EWS_ALLOW_LIST_SCRIPT);
    const source = fs.readFileSync(scriptPath, "utf8");
    let root: Node;

    before(async () => {
        parser = await loadParser();
        root = parse(source);
    });

    describe("the command line (stack output ewsAllowListScript)", () => {
        it("runs the script from the repository folder with this app's Client ID, in lower case", () => {
            assert.strictEqual(ewsAllowListScript(CLIENT_ID.toUpperCase()),
                `./scripts/Grant-CreatioEwsAccess.ps1 -AppId '${CLIENT_ID}'`);
        });

        it("is one PowerShell command with the id as a single-quoted literal", () => {
            // The grammar reads a leading `./` as dot-sourcing and fails; PowerShell runs `./x.ps1` and `& ./x.ps1` alike
            // (about_Scripts, MicrosoftDocs/PowerShell-Docs), so the line is parsed behind the call operator.
            const line = parse(`& ${ewsAllowListScript(CLIENT_ID)}`);
            assert.deepStrictEqual(syntaxErrors(line), []);
            const [command, ...others] = commands(line);
            assert.strictEqual(others.length, 0);
            assert.strictEqual(command.childForFieldName("command_name")?.text, "./scripts/Grant-CreatioEwsAccess.ps1");
            assert.strictEqual(command.childForFieldName("command_elements")?.namedChildren
                .filter(c => c?.type !== "command_argument_sep").map(c => c?.text).join(" "), `-AppId '${CLIENT_ID}'`);
        });

        const allowed = "allowed: 8-4-4-4-12 hexadecimal digits such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301, nothing before or after";
        for (const bad of [
            `${CLIENT_ID}'; Remove-Item *`,   // a GUID and then a second command
            `${CLIENT_ID}\n`,                  // a trailing newline ($ in .NET would let it through)
            `{${CLIENT_ID}}`,                  // braces: [guid]::Parse accepts them
            CLIENT_ID.replace(/-/g, ""),       // no hyphens: [guid]::Parse accepts that too
            ` ${CLIENT_ID}`,
            "x'; Remove-Item *",
            "",
        ]) {
            it(`refuses ${JSON.stringify(bad)}, naming the value and what is allowed`, () => {
                assert.throws(() => ewsAllowListScript(bad), (e: Error) => {
                    assert.strictEqual(e.message,
                        `ewsAllowListScript: the Client ID ${JSON.stringify(bad)} is not a GUID; ${allowed}`);
                    return true;
                });
            });
        }
    });

    describe("scripts/Grant-CreatioEwsAccess.ps1", () => {
        it("is valid PowerShell syntax (and the check finds a broken copy)", () => {
            assert.deepStrictEqual(syntaxErrors(root), []);
            const broken = source.replace("if ($listed) {", "if ($listed {");
            assert.notStrictEqual(broken, source);
            assert.notDeepStrictEqual(syntaxErrors(parse(broken)), []);
        });

        it("runs on Windows PowerShell 5.1 too: no pipeline chains, ternaries or null-coalescing", () => {
            // about_Pipeline_Chain_Operators, about_Operators (MicrosoftDocs/PowerShell-Docs): &&, ||, ?:, ?? and ?. came with PowerShell 7.
            assert.match(source, /^#Requires -Version 5\.1$/m);
            assert.deepStrictEqual(descendants(root).filter(n => n.type === "pipeline_chain_tail").map(n => n.text), []);
            const code = descendants(root).filter(n => n.type === "command" || n.type === "assignment_expression" || n.type === "if_statement");
            assert.deepStrictEqual(code.filter(n => /\?\?|\?\.|\s\?\s/.test(n.text.replace(/'[^']*'|"[^"]*"/g, ""))).map(n => n.text), []);
        });

        it("supports -WhatIf and -Confirm, and asks before it writes", () => {
            // about_Functions_CmdletBindingAttribute (MicrosoftDocs/PowerShell-Docs): SupportsShouldProcess adds -WhatIf and -Confirm.
            const binding = descendants(root).find(n => n.type === "attribute" && /^\[CmdletBinding\(/i.test(n.text));
            assert.strictEqual(binding?.text, "[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]");
        });

        it("takes -AppId (mandatory), -EnableEws and -Force, nothing else", () => {
            const parameters = descendants(root).filter(n => n.type === "script_parameter" && n.parent?.parent?.parent?.type === "program");
            assert.deepStrictEqual(parameters.map(p => p.text.replace(/^\s*#.*\n/gm, "").replace(/\s+/g, " ")), [
                "[Parameter(Mandatory)] [ValidatePattern('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\z')] [string] $AppId",
                "[switch] $EnableEws",
                "[switch] $Force",
            ]);
        });

        it("accepts only the hyphenated GUID, anchored at both ends with \\z", () => {
            const attribute = descendants(root).find(n => n.type === "attribute" && /^\[ValidatePattern\(/i.test(n.text));
            const literal = attribute && descendants(attribute).find(n => n.type === "string_literal");
            assert.ok(literal, "ValidatePattern has a string literal");
            const pattern = literal.text.slice(1, -1);
            // .NET "Anchors in Regular Expressions" (dotnet/docs): $ and \Z also match before a final \n; \z only at the very end.
            assert.ok(pattern.startsWith("^") && pattern.endsWith("\\z") && !pattern.includes("$"), pattern);
            // The same class structure in JavaScript, whose $ (without the m flag) is the end of input like \z.
            const js = new RegExp(pattern.replace(/\\z$/, "$"), "i");
            assert.ok(js.test(CLIENT_ID) && js.test(CLIENT_ID.toUpperCase()));
            for (const bad of [`${CLIENT_ID}\n`, `${CLIENT_ID}'; Remove-Item *`, `{${CLIENT_ID}}`, CLIENT_ID.replace(/-/g, "")]) {
                assert.ok(!js.test(bad), JSON.stringify(bad));
            }
        });

        it("uses no command but these (no mailbox change, no Invoke-Expression)", () => {
            const names = [...new Set(commands(root).map(c => commandName(c).toLowerCase()))].sort();
            assert.deepStrictEqual(names, [
                "convertto-appidlist", "foreach-object", "format-appidlist", "format-restorecommand", "get-allowlistaction",
                "get-command", "get-connectioninformation", "get-enableewsaction", "get-ewsenabledmeaning",
                "get-organizationconfig", "read-ewsallowedappidlist", "set-organizationconfig", "set-strictmode",
                "where-object", "write-error", "write-host", "write-warning",
            ]);
        });

        it("reads EwsAllowedAppIDs only through Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy", () => {
            // Set-OrganizationConfig.md (MicrosoftDocs/office-docs-powershell), -EwsAllowedAppIDs and Example 7:
            // the list is read with Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy.
            const reads = commands(root, "Get-OrganizationConfig");
            const withSwitch = reads.filter(c => /-RetrieveEwsOperationAccessPolicy\b/i.test(c.text));
            assert.deepStrictEqual(withSwitch.map(c => [c.text, guards(c)]),
                [["Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy -ErrorAction Stop", ["function Read-EwsAllowedAppIdList"]]]);
            const members = descendants(root).filter(n => n.type === "member_access" && /\.EwsAllowedAppIDs$/i.test(n.text));
            assert.deepStrictEqual(members.map(m => [m.text, guards(m)]),
                [["$policy.EwsAllowedAppIDs", ["function Read-EwsAllowedAppIdList"]]]);
            assert.deepStrictEqual(assignments(root, "$policy"), ["$policy = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy -ErrorAction Stop"]);
            // A missing property stops the script instead of reading as an empty list.
            const fn = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "Read-EwsAllowedAppIdList");
            assert.match(fn?.text ?? "", /if \(\$null -eq \$policy -or \$null -eq \$policy\.PSObject\.Properties\['EwsAllowedAppIDs'\]\) \{\s*throw '/);
        });

        it("splits the comma-joined string and keeps every id it read", () => {
            // Set-OrganizationConfig.md, -EwsAllowedAppIDs: "a comma-separated list of GUIDs: "AppId1,AppId2,...AppIdN"".
            const fn = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "ConvertTo-AppIdList");
            assert.match(fn?.text ?? "", /@\(\$Value\) \| ForEach-Object \{ "\$_" -split ',' \} \| ForEach-Object \{ \$_\.Trim\(\) \} \| Where-Object \{ \$_ \}/);
            assert.deepStrictEqual(assignments(root, "$allowed"), ["$allowed = @(Read-EwsAllowedAppIdList)"]);
            assert.deepStrictEqual(assignments(root, "$appId"), ["$appId = $AppId.ToLowerInvariant()"]);
            // about_Comparison_Operators (MicrosoftDocs/PowerShell-Docs): -contains is case-insensitive.
            assert.deepStrictEqual(assignments(root, "$listed"), ["$listed = $allowed -contains $appId"]);
            assert.deepStrictEqual(assignments(root, "$merged"), ["$merged = @($allowed) + $appId"]);
        });

        it("writes the merged list once, only when the id is missing and after ShouldProcess", () => {
            // Set-OrganizationConfig.md, -EwsAllowedAppIDs: the value replaces the list; Example 7 writes "id1,id2".
            const writes = commands(root, "Set-OrganizationConfig").filter(c => /-EwsAllowedAppIDs\b/i.test(c.text));
            assert.deepStrictEqual(writes.map(c => [c.text, guards(c)]), [[
                "Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',') -Confirm:$false -ErrorAction Stop",
                [
                    "if $listAction -ne 'add-first' -or $Force -or $PSCmdlet.ShouldContinue('Block every EWS application that is not on the allow list?', 'First id on the allow list')",
                    "if $PSCmdlet.ShouldProcess(\"EwsAllowedAppIDs, $($allowed.Count) ids\", \"Set-OrganizationConfig -EwsAllowedAppIDs '$($merged -join ',')'\")",
                    "else of $listAction -eq 'keep'",
                ],
            ]]);
            assert.deepStrictEqual(assignments(root, "$listAction"), ["$listAction = Get-AllowListAction $ewsEnabled $allowed.Count $listed"]);
            const already = descendants(root).find(n => n.type === "if_statement" && n.parent?.parent?.type === "program" &&
                n.childForFieldName("condition")?.text === "$listAction -eq 'keep'");
            assert.ok(already, "a top-level if ($listAction -eq 'keep')");
            assert.match(already.namedChildren.find(c => c?.type === "statement_block")?.text ?? "",
                /^\{\s*Write-Host "\$appId is already on the allow list: nothing written\."\s*\}$/);
        });

        it("asks again before the first id when EwsEnabled is $true and the list is empty", () => {
            // Set-OrganizationConfig.md, -EwsAllowedAppIDs: "When EwsEnabled is $true, only applications specified by this parameter can access EWS."
            const warning = commands(root, "Write-Warning").find(c => guards(c)[0] === "if $listAction -eq 'add-first'");
            assert.strictEqual(warning?.text,
                "Write-Warning 'EwsEnabled is $true and the allow list is empty: since October 2026 that blocks all EWS; where the tenant " +
                "still follows the earlier rule, once this id is on the list every other EWS application of the tenant is blocked.'");
        });

        it("reads the list back right after writing it and checks every id is there", () => {
            const [write] = commands(root, "Set-OrganizationConfig").filter(c => /-EwsAllowedAppIDs\b/i.test(c.text));
            const next = followingStatements(write).map(s => s.text);
            assert.deepStrictEqual(next.slice(0, 2), ["$written = $true", "$readBack = @(Read-EwsAllowedAppIdList)"]);
            assert.ok(next.includes("$missing = @($merged | Where-Object { $readBack -notcontains $_ })"), next.join("\n"));
            // On the list for -EnableEws only if the list read back holds it.
            assert.strictEqual(next.at(-1), "$onList = $readBack -contains $appId");
        });

        it("changes EwsEnabled only with -EnableEws, to $true, after a warning and ShouldProcess", () => {
            // Set-OrganizationConfig.md, -EwsEnabled: $true / $false / $null (blank, the default) for the entire organization.
            const changes = commands(root, "Set-OrganizationConfig").filter(c => /-EwsEnabled\b/i.test(c.text));
            assert.deepStrictEqual(changes.map(c => [c.text, guards(c)]), [[
                "Set-OrganizationConfig -EwsEnabled $true -Confirm:$false -ErrorAction Stop",
                [
                    "if $Force -or $PSCmdlet.ShouldContinue('Change EWS for every EWS client of the tenant?', 'EwsEnabled')",
                    "if $PSCmdlet.ShouldProcess('EwsEnabled of the organization', 'Set-OrganizationConfig -EwsEnabled $true')",
                    "elseif $enableAction -eq 'set'",
                ],
            ]]);
            assert.deepStrictEqual(assignments(root, "$enableAction"), ["$enableAction = Get-EnableEwsAction $ewsEnabled $EnableEws.IsPresent $onList"]);
            const warning = commands(root, "Write-Warning").find(c => guards(c).join("|") === "elseif $enableAction -eq 'set'");
            assert.match(warning?.text ?? "", /^Write-Warning "Setting the organization's EwsEnabled from \$ewsEnabledText to `\$true affects every EWS client of the tenant\./);
            assert.deepStrictEqual(commands(root, "Set-OrganizationConfig").length, 2, "no other write");
        });

        it("reports the four gates, the mailbox one with Get-CASMailbox", () => {
            // "Control access to EWS in Exchange" (MicrosoftDocs/office-developer-exchange-docs): organization EwsEnabled,
            // EwsAllowedAppIDs, EwsApplicationAccessPolicy with EwsAllowList/EwsBlockList, and Get-CASMailbox ... | Format-List EwsEnabled.
            const report = commands(root, "Write-Host").map(c => c.text);
            const line = (start: string) => report.find(t => t.startsWith(`Write-Host ${start}`));
            assert.ok(line("\"1. Organization EwsEnabled: $(Get-EwsEnabledMeaning $ewsEnabled $allowed.Count)\""));
            assert.ok(line("\"2. Allow list EwsAllowedAppIDs, $($allowed.Count) ids: $(Format-AppIdList $allowed)\""));
            assert.ok(line("\"3. EwsApplicationAccessPolicy: '$($organization.EwsApplicationAccessPolicy)'; EwsAllowList: '$(@($organization.EwsAllowList) -join ', ')'; EwsBlockList: '$(@($organization.EwsBlockList) -join ', ')'.\""));
            // Get-CASMailbox.md (MicrosoftDocs/office-docs-powershell), Example 3: Get-CASMailbox <mailbox> | Format-List Ews*.
            assert.ok(line("'4. Each mailbox: Get-CASMailbox -Identity <mailbox> | Format-List EwsEnabled"));
        });

        it("implements -Force the documented way, so -WhatIf still wins", () => {
            // "Everything you wanted to know about ShouldProcess" (MicrosoftDocs/PowerShell-Docs): -Force sets $ConfirmPreference = 'None'
            // and short-circuits ShouldContinue; ShouldProcess always runs.
            assert.deepStrictEqual(assignments(root, "$ConfirmPreference").map(a => [a, guards(descendants(root).find(n => n.text === a)!)]),
                [["$ConfirmPreference = 'None'", ["if $Force -and -not $PSBoundParameters.ContainsKey('Confirm')"]]]);
        });
    });

    describe("scripts/Grant-CreatioEwsAccess.ps1: its decisions for each state of the tenant", () => {
        const fn = (name: string) => {
            const found = descendants(root).find(n => n.type === "function_statement" && functionName(n) === name);
            assert.ok(found, `function ${name}`);
            return found;
        };
        const call = (name: string, args: Record<string, PsValue>) => callFunction(fn(name), args);

        // EwsEnabled: $null (not set), $true, $false (Set-OrganizationConfig.md, -EwsEnabled). The list: empty, other
        // applications' ids, or already holding Creatio's.
        const STATES = [null, true, false] as const;
        const LISTS = { empty: { count: 0, listed: false }, others: { count: 2, listed: false }, listed: { count: 3, listed: true } };

        it("takes the parameters the script passes them, in that order", () => {
            assert.deepStrictEqual(parameterNames(fn("Get-AllowListAction")), ["$EwsEnabled", "$AllowedCount", "$Listed"]);
            assert.deepStrictEqual(parameterNames(fn("Get-EnableEwsAction")), ["$EwsEnabled", "$EnableEws", "$OnList"]);
            assert.deepStrictEqual(parameterNames(fn("Get-EwsEnabledMeaning")), ["$EwsEnabled", "$AllowedCount"]);
        });

        it("writes the list unless the id is on it, and asks twice before the first id under $true", () => {
            const table = STATES.flatMap(enabled => Object.entries(LISTS).map(([list, { count, listed }]) =>
                [String(enabled), list, call("Get-AllowListAction", { EwsEnabled: enabled, AllowedCount: count, Listed: listed })]));
            assert.deepStrictEqual(table, [
                ["null", "empty", "add"], ["null", "others", "add"], ["null", "listed", "keep"],
                // Set-OrganizationConfig.md, -EwsAllowedAppIDs: with $true "only applications specified by this parameter can access EWS".
                ["true", "empty", "add-first"], ["true", "others", "add"], ["true", "listed", "keep"],
                ["false", "empty", "add"], ["false", "others", "add"], ["false", "listed", "keep"],
            ]);
        });

        it("sets EwsEnabled with -EnableEws only when the id is on the list, already or written in this run", () => {
            // The script's flow: after a confirmed write the list read back holds the id ($onList); a declined write leaves it off.
            const rows: string[][] = [];
            for (const enabled of STATES) {
                for (const [list, { count, listed }] of Object.entries(LISTS)) {
                    const action = call("Get-AllowListAction", { EwsEnabled: enabled, AllowedCount: count, Listed: listed });
                    for (const enableEws of [false, true]) {
                        const confirmed = call("Get-EnableEwsAction", { EwsEnabled: enabled, EnableEws: enableEws, OnList: listed || action !== "keep" });
                        const declined = call("Get-EnableEwsAction", { EwsEnabled: enabled, EnableEws: enableEws, OnList: listed });
                        rows.push([String(enabled), list, enableEws ? "-EnableEws" : "-", String(confirmed), String(declined)]);
                    }
                }
            }
            // Since October 2026 $true with an empty list blocks all EWS, and $true lets in only listed applications (FACTS.md;
            // Set-OrganizationConfig.md): never $true while Creatio's id is not on the list.
            assert.deepStrictEqual(rows, [
                ["null", "empty", "-", "advise", "advise"], ["null", "empty", "-EnableEws", "set", "refuse"],
                ["null", "others", "-", "advise", "advise"], ["null", "others", "-EnableEws", "set", "refuse"],
                ["null", "listed", "-", "advise", "advise"], ["null", "listed", "-EnableEws", "set", "set"],
                ["true", "empty", "-", "none", "none"], ["true", "empty", "-EnableEws", "already", "already"],
                ["true", "others", "-", "none", "none"], ["true", "others", "-EnableEws", "already", "already"],
                ["true", "listed", "-", "none", "none"], ["true", "listed", "-EnableEws", "already", "already"],
                ["false", "empty", "-", "advise", "advise"], ["false", "empty", "-EnableEws", "set", "refuse"],
                ["false", "others", "-", "advise", "advise"], ["false", "others", "-EnableEws", "set", "refuse"],
                ["false", "listed", "-", "advise", "advise"], ["false", "listed", "-EnableEws", "set", "set"],
            ]);
        });

        it("acts on each decision: refuses with an error, writes only on set, warns on advise", () => {
            const branch = (decision: string) => descendants(root).find(n =>
                (n.type === "if_statement" || n.type === "elseif_clause") && n.childForFieldName("condition")?.text === `$enableAction -eq '${decision}'`);
            const refuse = branch("refuse");
            assert.ok(refuse);
            assert.match(refuse.text, /^elseif \(\$enableAction -eq 'refuse'\) \{\s*throw "-EnableEws refused: \$appId is not on the allow list \(not written in this run\), and EwsEnabled `\$true would block it; since October 2026 `\$true with an empty list blocks all EWS\./);
            assert.ok(branch("set")?.text.includes("Set-OrganizationConfig -EwsEnabled $true"));
            assert.ok(branch("advise")?.text.includes("Write-Warning \"EwsEnabled is $ewsEnabledText, not `$true: not changed."));
            assert.ok(branch("already")?.text.includes("Write-Host 'EwsEnabled is already $true: not changed.'"));
            // -WhatIf shows the EwsEnabled change the real run would make after writing the list; a declined write does not.
            assert.deepStrictEqual(assignments(root, "$onList").map(a => [a, guards(descendants(root).find(n => n.text === a)!)[0]]), [
                ["$onList = $listed", undefined],
                ["$onList = $readBack -contains $appId", "if $listAction -ne 'add-first' -or $Force -or $PSCmdlet.ShouldContinue('Block every EWS application that is not on the allow list?', 'First id on the allow list')"],
                ["$onList = $true", "elseif $WhatIfPreference"],
            ]);
        });

        it("prints what EwsEnabled and the list mean by the rules since October 2026", () => {
            const meaning = (enabled: boolean | null, count: number) => call("Get-EwsEnabledMeaning", { EwsEnabled: enabled, AllowedCount: count });
            // FACTS.md (Exchange team, MC1227454): from 2026-10-01 $null becomes $false tenant by tenant; $true with an empty list
            // blocks all EWS. Set-OrganizationConfig.md: $false blocks all EWS regardless of the list.
            assert.strictEqual(meaning(null, 0), "not set ($null): until October 2026 it counted as $true and the allow list had no " +
                "effect; from 2026-10-01 Microsoft turns $null into $false, tenant by tenant, and $false blocks all EWS.");
            assert.strictEqual(meaning(null, 2), meaning(null, 0));
            assert.strictEqual(meaning(false, 0), "$false: every EWS request of the organization is blocked, allow list or not.");
            assert.strictEqual(meaning(false, 2), meaning(false, 0));
            assert.strictEqual(meaning(true, 0),
                "$true with an empty allow list: since October 2026 that blocks all EWS (before, it held back no application).");
            assert.strictEqual(meaning(true, 2), "$true: only the applications on the allow list can use EWS.");
        });

        it("prints the 2027-04-01 shutdown on every run", () => {
            // Microsoft's Exchange team: EWS in Exchange Online is switched off on 2027-04-01, no exceptions (FACTS.md).
            const line = commands(root, "Write-Host").find(c => c.text.includes("2027-04-01"));
            assert.strictEqual(line?.text, "Write-Host 'On 2027-04-01 Exchange Online switches EWS off for good: after that no setting " +
                "here keeps EWS working, allow list or not.'");
            assert.deepStrictEqual(guards(line), []);
        });

        it("prints the list as it was and the command that restores it before writing", () => {
            const [write] = commands(root, "Set-OrganizationConfig").filter(c => /-EwsAllowedAppIDs\b/i.test(c.text));
            const block = descendants(root).find(n => n.type === "statement_block" && n.parent?.type === "else_clause" &&
                n.parent.parent?.childForFieldName("condition")?.text === "$listAction -eq 'keep'");
            assert.ok(block && block.text.includes(write.text));
            const before = block.text.slice(0, block.text.indexOf("$PSCmdlet.ShouldProcess"));
            assert.ok(before.includes('Write-Host "The allow list as it is now, $($allowed.Count) ids: $(Format-AppIdList $allowed)"'), before);
            assert.ok(before.includes('Write-Host "To restore it: $(Format-RestoreCommand $allowed)"'), before);
            // Set-OrganizationConfig.md, -EwsAllowedAppIDs: a comma-separated string; $null removes the list.
            const restore = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "Format-RestoreCommand")!;
            assert.match(restore.text, /if \(@\(\$Ids\)\.Count -eq 0\) \{ return 'Set-OrganizationConfig -EwsAllowedAppIDs \$null' \}\s*return "Set-OrganizationConfig -EwsAllowedAppIDs '\$\(\$Ids -join ','\)'"/);
            const enabledBlock = descendants(root).find(n => n.type === "elseif_clause" && n.childForFieldName("condition")?.text === "$enableAction -eq 'set'")!;
            assert.ok(enabledBlock.text.indexOf('Write-Host "To restore it: $restoreEnabled"') < enabledBlock.text.indexOf("$PSCmdlet.ShouldProcess"));
            assert.ok(enabledBlock.text.includes("$restoreEnabled = if ($null -eq $ewsEnabled) { 'Set-OrganizationConfig -EwsEnabled $null' } else { 'Set-OrganizationConfig -EwsEnabled $false' }"));
        });

        it("stops on any id read that is not a GUID, with the same pattern as -AppId", () => {
            const read = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "Read-EwsAllowedAppIdList")!;
            assert.ok(read.text.includes("$notIds = @($ids | Where-Object { $_ -notmatch $GuidPattern })"));
            assert.match(read.text, /if \(\$notIds\.Count -gt 0\) \{\s*throw "EwsAllowedAppIDs holds \$\(\$notIds\.Count\) entries that are not application ids/);
            const attribute = descendants(root).find(n => n.type === "attribute" && /^\[ValidatePattern\(/i.test(n.text))!;
            const validate = descendants(attribute).find(n => n.type === "string_literal")!.text;
            assert.deepStrictEqual(assignments(root, "$GuidPattern"), [`$GuidPattern = ${validate}`]);
            // The same pattern in JavaScript (\z is JavaScript's $ without the m flag).
            const js = new RegExp(validate.slice(1, -1).replace(/\\z$/, "$"), "i");
            for (const bad of ["not-a-guid", `${CLIENT_ID}}`, "{" + CLIENT_ID + "}", "*", "11111111-2222-3333-4444-55555555555"]) {
                assert.ok(!js.test(bad), bad);
            }
        });

        it("tells an empty list from one that was not returned", () => {
            const read = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "Read-EwsAllowedAppIdList")!;
            assert.match(read.text, /throw 'Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy returned no EwsAllowedAppIDs \(not returned, which is not an empty list\): nothing was changed\./);
            const format = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "Format-AppIdList")!;
            assert.ok(format.text.includes("return '(empty: returned, with no application id)'"));
        });

        it("shows the organization it is connected to and names the Exchange roles", () => {
            // Get-ConnectionInformation.md (MicrosoftDocs/office-docs-powershell): TenantID, UserPrincipalName, ConnectionUri, State.
            const shown = commands(root, "Write-Host").find(c => c.text.startsWith('Write-Host "Connected to tenant'));
            assert.strictEqual(shown?.text,
                'Write-Host "Connected to tenant $($connection.TenantID) as $($connection.UserPrincipalName) ($($connection.ConnectionUri), $($connection.State))."');
            // FACTS.md: Set-OrganizationConfig needs Organization Configuration; a read-only run View-Only Configuration.
            assert.deepStrictEqual(assignments(root, "$RolesNeeded"), ["$RolesNeeded = 'the Exchange role Organization Configuration " +
                "(role group Organization Management); a read-only run (-WhatIf) needs View-Only Configuration'"]);
            assert.ok(commands(root, "Write-Host").some(c => c.text === 'Write-Host "Exchange roles needed: $RolesNeeded."'));
            const none = commands(root, "Write-Host").find(c => c.text.includes("lists no connection"));
            assert.deepStrictEqual(none && guards(none).slice(0, 1), ["if $connections.Count -eq 0"]);
            assert.match(source, /^Configuration \(role group Organization Management\) to write; View-Only Configuration for a$/m);
        });

        it("stops when Set-OrganizationConfig fails, whatever $ErrorActionPreference the cmdlets see", () => {
            const writes = commands(root, "Set-OrganizationConfig");
            assert.strictEqual(writes.length, 2);
            for (const write of writes) {
                assert.match(write.text, / -ErrorAction Stop$/, write.text);
            }
        });

        it("stops when a read of the organization fails, instead of taking the failure for EwsEnabled $null", () => {
            const reads = commands(root, "Get-OrganizationConfig");
            // The first read, the allow list's, and the read-back of EwsEnabled.
            assert.strictEqual(reads.length, 3);
            for (const read of reads) {
                assert.match(read.text, / -ErrorAction Stop$/, read.text);
            }
            assert.ok(source.includes("if ($null -eq $organization) {\n    throw 'Get-OrganizationConfig returned nothing"));
            assert.ok(source.includes("if ($enabledBack -ne $true) {\n                Write-Error \"EwsEnabled reads back as"));
        });

        it("says changes take up to 24 hours only after it wrote something", () => {
            const line = commands(root, "Write-Host").filter(c => c.text.includes("24 hours"));
            assert.deepStrictEqual(line.map(c => [c.text, guards(c)]),
                [["Write-Host 'Changes can take up to 24 hours to take effect.'", ["if $written"]]]);
            // $written turns true right after each write, nowhere else.
            for (const write of commands(root, "Set-OrganizationConfig")) {
                assert.strictEqual(followingStatements(write)[0]?.text, "$written = $true");
            }
            assert.deepStrictEqual(assignments(root, "$written"), ["$written = $false", "$written = $true", "$written = $true"]);
        });

        it("leaves the subset's evaluator no way to pass a function it cannot read", () => {
            // A construct outside the subset throws instead of being taken for a value.
            const probe = parse("function P {\n    param([int] $A)\n    if ($A -gt 1) { return 'x' }\n}\n");
            const p = descendants(probe).find(n => n.type === "function_statement")!;
            assert.throws(() => callFunction(p, { A: 2 }), /outside the subset/);
            assert.throws(() => call("Get-AllowListAction", { EwsEnabled: null }), /no argument for \$AllowedCount/);
        });
    });
});
