import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Language, Node, Parser } from "web-tree-sitter";
import { EWS_ALLOW_LIST_SCRIPT, ewsAllowListScript } from "../lib/ewsAllowList";

// There is no PowerShell on this machine: the script is parsed with the tree-sitter PowerShell
// grammar (npm tree-sitter-powershell, WebAssembly) and its commands, arguments and the
// conditions around them are checked on the syntax tree.

const ROOT = path.join(__dirname, "..");
const CLIENT_ID = "c1c1c1c1-0000-4000-8000-000000000003";

let parser: Parser;

async function loadParser(): Promise<Parser> {
    await Parser.init();
    const grammar = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
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

        const allowed = "allowed: 8-4-4-4-12 hexadecimal digits such as 00000000-0000-0000-0000-000000000000, nothing before or after";
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
                "convertto-appidlist", "foreach-object", "format-appidlist", "get-command", "get-ewsenabledmeaning",
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
                [["Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy", ["function Read-EwsAllowedAppIdList"]]]);
            const members = descendants(root).filter(n => n.type === "member_access" && /\.EwsAllowedAppIDs$/i.test(n.text));
            assert.deepStrictEqual(members.map(m => [m.text, guards(m)]),
                [["$policy.EwsAllowedAppIDs", ["function Read-EwsAllowedAppIdList"]]]);
            assert.deepStrictEqual(assignments(root, "$policy"), ["$policy = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy"]);
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
                "Set-OrganizationConfig -EwsAllowedAppIDs ($merged -join ',') -Confirm:$false",
                [
                    "if -not $firstId -or $Force -or $PSCmdlet.ShouldContinue('Block every EWS application that is not on the allow list?', 'First id on the allow list')",
                    "if $PSCmdlet.ShouldProcess(\"EwsAllowedAppIDs, $($allowed.Count) ids\", \"Set-OrganizationConfig -EwsAllowedAppIDs '$($merged -join ',')'\")",
                    "else of $listed",
                ],
            ]]);
            const already = descendants(root).find(n => n.type === "if_statement" && n.parent?.parent?.type === "program" &&
                n.childForFieldName("condition")?.text === "$listed");
            assert.ok(already, "a top-level if ($listed)");
            assert.match(already.namedChildren.find(c => c?.type === "statement_block")?.text ?? "",
                /^\{\s*Write-Host "\$appId is already on the allow list: nothing written\."\s*\}$/);
        });

        it("asks again before the first id when EwsEnabled is $true and the list is empty", () => {
            // Set-OrganizationConfig.md, -EwsAllowedAppIDs: "When EwsEnabled is $true, only applications specified by this parameter can access EWS."
            assert.deepStrictEqual(assignments(root, "$firstId"), ["$firstId = ($ewsEnabled -eq $true) -and ($allowed.Count -eq 0)"]);
            const warning = commands(root, "Write-Warning").find(c => guards(c)[0] === "if $firstId");
            assert.strictEqual(warning?.text,
                "Write-Warning 'EwsEnabled is $true and the allow list is empty: once this id is on it, every other EWS application of the tenant is blocked.'");
        });

        it("reads the list back right after writing it and checks every id is there", () => {
            const [write] = commands(root, "Set-OrganizationConfig").filter(c => /-EwsAllowedAppIDs\b/i.test(c.text));
            const next = followingStatements(write).map(s => s.text);
            assert.strictEqual(next[0], "$readBack = @(Read-EwsAllowedAppIdList)");
            assert.ok(next.includes("$missing = @($merged | Where-Object { $readBack -notcontains $_ })"), next.join("\n"));
        });

        it("changes EwsEnabled only with -EnableEws, to $true, after a warning and ShouldProcess", () => {
            // Set-OrganizationConfig.md, -EwsEnabled: $true / $false / $null (blank, the default) for the entire organization.
            const changes = commands(root, "Set-OrganizationConfig").filter(c => /-EwsEnabled\b/i.test(c.text));
            assert.deepStrictEqual(changes.map(c => [c.text, guards(c)]), [[
                "Set-OrganizationConfig -EwsEnabled $true -Confirm:$false",
                [
                    "if $Force -or $PSCmdlet.ShouldContinue('Change EWS for every EWS client of the tenant?', 'EwsEnabled')",
                    "if $PSCmdlet.ShouldProcess('EwsEnabled of the organization', 'Set-OrganizationConfig -EwsEnabled $true')",
                    "else of $ewsEnabled -eq $true",
                    "if $EnableEws",
                ],
            ]]);
            const warning = commands(root, "Write-Warning").find(c => guards(c).join("|") === "else of $ewsEnabled -eq $true|if $EnableEws");
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

        it("explains each value of EwsEnabled", () => {
            // Set-OrganizationConfig.md, -EwsEnabled and -EwsAllowedAppIDs: $false blocks all EWS regardless of the list;
            // $null (blank, the default): the list has no effect; $true: only listed applications.
            const fn = descendants(root).find(n => n.type === "function_statement" && functionName(n) === "Get-EwsEnabledMeaning");
            const returns = descendants(fn!).filter(n => n.type === "flow_control_statement").map(n => [n.text, guards(n)[0]]);
            assert.deepStrictEqual(returns, [
                ["return 'not set ($null, the default): the allow list has no effect; from October 2026 Microsoft''s EWS retirement acts on tenants left at $null.'", "if $null -eq $EwsEnabled"],
                ["return '$false: every EWS request of the organization is blocked, allow list or not.'", "if $EwsEnabled -eq $false"],
                ["return '$true with an empty allow list: no application is held back by its application id.'", "if $AllowedCount -eq 0"],
                ["return '$true: only the applications on the allow list can use EWS.'", "function Get-EwsEnabledMeaning"],
            ]);
        });

        it("implements -Force the documented way, so -WhatIf still wins", () => {
            // "Everything you wanted to know about ShouldProcess" (MicrosoftDocs/PowerShell-Docs): -Force sets $ConfirmPreference = 'None'
            // and short-circuits ShouldContinue; ShouldProcess always runs.
            assert.deepStrictEqual(assignments(root, "$ConfirmPreference").map(a => [a, guards(descendants(root).find(n => n.text === a)!)]),
                [["$ConfirmPreference = 'None'", ["if $Force -and -not $PSBoundParameters.ContainsKey('Confirm')"]]]);
        });
    });
});
