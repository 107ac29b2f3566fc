/**
 * Every command's --help, rendered from the declaration its parser reads, and the hints a wrong
 * command line gets: the closest option, the `--` npm needs.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { closest, editDistance } from "../../lib/closest.ts";
import { type CommandSpec, EXIT_CODES, USAGE_EXIT_CODE, optionSynopsis, renderHelp } from "../../ops/cli.ts";
import type { CommandMain } from "../../ops/io.ts";
import { SPEC as credentialsSpec, main as credentials } from "../../ops/credentials.ts";
import { SPEC as deliverSpec, main as deliver } from "../../ops/deliver.ts";
import { SPEC as planSpec, main as plan } from "../../ops/plan/command.ts";
import { SPEC as commentSpec, main as comment } from "../../ops/plan/comment.ts";
import { SPEC as rotateSpec, main as rotateNow } from "../../ops/rotateNow.ts";
import { SPEC as routineSpec, main as routineCheck } from "../../ops/routineCheck.ts";
import { SPEC as statusSpec, main as status } from "../../ops/status.ts";
import { SPEC as verifySpec, main as verify } from "../../ops/verify.ts";
import { runInProcess } from "../fakes/commands.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");

/** Each npm script, its command and its declaration, with the exact first line of its help. */
const COMMANDS: [string, CommandMain, CommandSpec, string][] = [
    ["plan", plan, planSpec, "plan: what pulumi up would register for a stack, worked out offline (no pulumi CLI, backend, Azure " +
        "tenant or network)"],
    ["plan-comment", comment, commentSpec, "plan-comment: the pull request's comment: the offline plans of every stack, base " +
        "branch against the pull request"],
    ["credentials", credentials, credentialsSpec, "credentials: prints a stack's Client ID and Client Secret, for a deploy " +
        "script or for typing into Creatio"],
    ["verify", verify, verifySpec, "verify: proves that a stack's Client ID and Client Secret work by asking Entra ID for a " +
        "token with them"],
    ["status", status, statusSpec, "status: a table of each environment's Client ID, secret expiry, next rotation and which " +
        "secret Creatio holds"],
    ["deliver", deliver, deliverSpec, "deliver: puts a stack's Client ID and newest Client Secret into Creatio's " +
        "OAuthApplications records"],
    ["rotate-now", rotateNow, rotateSpec, "rotate-now: replaces both client secrets of a stack now, after a leak, while " +
        "Creatio holds a working secret throughout"],
    ["routine-check", routineCheck, routineSpec, "routine-check: the deploy job's preview: fails when a change needs an " +
        "administrator, which the CI identity must not try"],
];

/** A world in which reading anything fails the test: no pulumi, a clock that must not be asked. */
async function run(name: string, main: CommandMain, argv: string[], env: Record<string, string> = {}) {
    const result = await runInProcess(name, main, argv, {}, { env });
    return result;
}

describe("the commands' --help", () => {
    it("covers every npm script that runs a command", () => {
        const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
        const commands = Object.entries(scripts).filter(([, script]) => / ops\//.test(script)).map(([name]) => name).sort();
        assert.deepStrictEqual(commands, COMMANDS.map(([name]) => name).sort());
        for (const [name, , spec] of COMMANDS) {
            assert.strictEqual(spec.name, name);
            assert.ok(spec.usage.startsWith(`npm run -s ${name} -- `), spec.usage);
        }
    });

    for (const [name, main, spec, firstLine] of COMMANDS) {
        describe(name, () => {
            it("prints its help on stdout and exits 0 before anything is read, also with -h and among bad options", async () => {
                const help = renderHelp(spec);
                for (const argv of [["--help"], ["-h"], ["--stack", "dev", "--help"], ["--bogus", "x", "--help", "--stack"],
                    ["extra", "-h"]]) {
                    // No pulumi answers (an empty backend) and no environment: a call would show in pulumiCalls.
                    const result = await run(name, main, argv, { npm_config_stack: "true" });
                    assert.deepStrictEqual({ code: result.code, stdout: result.stdout, stderr: result.stderr },
                        { code: 0, stdout: help, stderr: "" }, argv.join(" "));
                    assert.deepStrictEqual(result.pulumiCalls, []);
                }
                assert.strictEqual(help.split("\n")[0], firstLine);
            });

            it("names every option its parser accepts, in the help and in the usage line", () => {
                const help = renderHelp(spec);
                for (const [option, declared] of Object.entries(spec.options)) {
                    assert.ok(help.includes(`  ${optionSynopsis(option, declared)}`), `--${option} is not in ${name}'s help`);
                    assert.ok(spec.usage.includes(`--${option}`), `--${option} is not in ${name}'s usage line`);
                }
                assert.ok(help.includes("  -h, --help "));
            });

            it("says its exit codes, from the one table, usage error included, and gives two examples", () => {
                const codes = Object.keys(spec.exitCodes);
                assert.ok(codes.every(code => code in EXIT_CODES), codes.join());
                assert.ok(codes.includes("0") && codes.includes(String(USAGE_EXIT_CODE)), codes.join());
                const help = renderHelp(spec);
                for (const [code, meaning] of Object.entries(spec.exitCodes)) {
                    assert.ok(help.replace(/\n {5}(?=\S)/g, " ").includes(`\n  ${code}  ${meaning}\n`), `${name}: exit ${code}`);
                }
                // ops/io.ts executeCommand ends any command with 1 on an error it does not expect: every help says what 1 means.
                assert.match(help, /\n {2}1 {2}\S/, `${name}: exit 1`);
                assert.ok(spec.exitCodes[1] !== undefined || help.includes("\n  1  an unexpected error (its first line is on stderr)\n"), name);
                assert.ok(spec.examples.length >= 2);
                for (const [line] of spec.examples) {
                    assert.match(line, new RegExp(`npm run -s ${name}( -- |$)`), line);
                    assert.ok(help.includes(`\n  ${line}\n`), line);
                }
            });

            it("refuses an unknown option naming the closest one", async () => {
                const [option] = Object.keys(spec.options);
                const typo = `${option.slice(0, -2)}${option.slice(-1)}${option.slice(-2, -1)}`; // the last two letters swapped
                const result = await run(name, main, [`--${typo}`, "x"]);
                assert.strictEqual(result.code, 2);
                assert.strictEqual(result.stderr, `${name}: Unknown option '--${typo}': did you mean --${option}? (usage: ${spec.usage}; --help says more)\n`);
            });

            it("says that npm took an option of the command for itself (npm run without --)", async () => {
                const [option] = Object.keys(spec.options);
                // `npm run -s <name> --<option> value`: npm sets npm_config_<option>=true and passes `value` on.
                const result = await run(name, main, ["value"], { [`npm_config_${option.replace(/-/g, "_")}`]: "true" });
                assert.strictEqual(result.code, 2);
                assert.strictEqual(result.stderr, `${name}: npm took --${option} for itself: put -- before the command's options: ` +
                    `npm run -s ${name} -- --${option} value\n`);
                assert.deepStrictEqual(result.pulumiCalls, []);
            });
        });
    }

    it("takes a --help after -- as an argument, not as a request for help", async () => {
        const result = await run("plan", plan, ["--stack", "dev", "--", "--help"]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.match(result.stderr, /^plan: Unexpected argument '--help': plan takes options only\. /);
    });

    it("says plainly which commands print or send a secret", () => {
        assert.ok(renderHelp(credentialsSpec).includes("\nSECRET: prints the stack's client secret, as it is, on stdout."));
        assert.ok(renderHelp(deliverSpec).includes("\nSECRET: sends the stack's client secret to Creatio"));
        assert.ok(renderHelp(rotateSpec).includes("\nSECRET: creates two new client secrets"));
        for (const spec of [planSpec, commentSpec, verifySpec, statusSpec, routineSpec]) {
            assert.ok(!renderHelp(spec).includes("SECRET:"), spec.name);
        }
    });

    it("names every environment variable the commands read", () => {
        // Each variable read in ops/ (io.env.X, env.X, env[NAME_CONSTANT]) appears in the help of a command.
        const sources = ["ops/credentials.ts", "ops/routineCheck.ts", "ops/entra/token.ts", "ops/entra/graphKeyIds.ts",
            "ops/creatio/delivery.ts", "ops/creatio/environmentPins.ts"].map(file => fs.readFileSync(path.join(ROOT, file), "utf8")).join("\n");
        const read = new Set([...sources.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map(m => m[1]));
        for (const m of sources.matchAll(/const \{ ([A-Z_, ]+) \} = env/g)) {
            m[1].split(/, */).forEach(name => read.add(name));
        }
        ["CREATIO_SITE_URL", "AZURE_TENANT_ID"].forEach(pin => read.add(pin));
        const helps = COMMANDS.map(([, , spec]) => renderHelp(spec)).join("\n");
        for (const name of read) {
            assert.ok(helps.includes(name), `${name} is in no command's help`);
        }
        assert.ok(read.size >= 12, [...read].join());
        for (const name of ["NODE_EXTRA_CA_CERTS", "CREATIO_PASSWORD", "GITHUB_ACTIONS", "ARM_TENANT_ID", "GRAPH_ACCESS_TOKEN"]) {
            assert.ok(helps.includes(name), name);
        }
    });
});

describe("a help text", () => {
    it("is laid out from the declaration: options with defaults, tables wrapped at 100 columns, examples indented", () => {
        const spec: CommandSpec = {
            name: "demo", summary: "does a thing", usage: "npm run -s demo -- --name <name> [--fast]",
            description: ["First paragraph.", "Second paragraph."],
            secret: "prints one",
            options: {
                name: { type: "string", value: "<name>", multiple: true, description: "a name" },
                fast: { type: "boolean", default: false, description: "quicker" },
                wait: { type: "string", default: "30", description: "word ".repeat(25).trim() },
            },
            environment: [["DEMO_TOKEN", "a token"]],
            exitCodes: { 0: "done", [USAGE_EXIT_CODE]: "wrong usage" },
            examples: [["npm run -s demo -- --name a", "names a"], ["npm run -s demo -- --name a --fast", "quickly"]],
        };
        assert.strictEqual(renderHelp(spec), [
            "demo: does a thing",
            "",
            "Usage: npm run -s demo -- --name <name> [--fast]",
            "(npm passes a command only what follows --; npm run -s keeps npm's own lines out of the output)",
            "",
            "SECRET: prints one",
            "",
            "First paragraph.",
            "",
            "Second paragraph.",
            "",
            "Options:",
            "  --name <name> ...  a name",
            "  --fast             quicker",
            "  --wait <value>     word word word word word word word word word word word word word word word word",
            "                     word word word word word word word word word (default 30)",
            "  -h, --help         print this help and exit 0; nothing else is read or checked",
            "",
            "Environment:",
            "  DEMO_TOKEN  a token",
            "",
            "Exit codes:",
            "  0  done",
            "  1  an unexpected error (its first line is on stderr)",
            "  2  wrong usage",
            "",
            "Examples:",
            "  npm run -s demo -- --name a",
            "      names a",
            "  npm run -s demo -- --name a --fast",
            "      quickly",
            "",
        ].join("\n"));
    });
});

describe("npm run without --", () => {
    it("pairs npm's values with the options it took, and keeps what followed --", async () => {
        // `npm run -s deliver --stack dev --dry-run -- --mail-server X`: npm keeps --stack (true, `dev` passed on) and --dry-run.
        const result = await run("deliver", deliver, ["dev", "--mail-server", "Microsoft 365"],
            { npm_config_stack: "true", npm_config_dry_run: "true" });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "deliver: npm took --stack and --dry-run for itself: put -- before the command's options: " +
            'npm run -s deliver -- --stack dev --dry-run --mail-server "Microsoft 365"\n');
    });

    it("reads a value given with = (npm_config_stack=dev)", async () => {
        const result = await run("plan", plan, [], { npm_config_stack: "dev" });
        assert.strictEqual(result.stderr, "plan: npm took --stack for itself: put -- before the command's options: npm run -s plan -- --stack dev\n");
    });

    it("knows plan's retired --json when npm took it", async () => {
        // `npm run -s plan --json --stack dev`: npm keeps both (json is its own setting), `dev` comes as an argument.
        const result = await run("plan", plan, ["dev"], { npm_config_json: "true", npm_config_stack: "true" });
        assert.strictEqual(result.stderr, "plan: npm took --stack and --json for itself: put -- before the command's options: npm run -s plan -- --stack dev --json\n");
    });

    // @npmcli/config lib/set-envs.js: every setting that differs from its default, from any layer (.npmrc, environment), becomes npm_config_*.
    it("lets a command line that works run, whatever .npmrc sets (stack=prod, json=true)", async () => {
        for (const env of [{ npm_config_stack: "prod" }, { npm_config_json: "true" }, { npm_config_stack: "prod", npm_config_json: "true" }] as Record<string, string>[]) {
            const result = await run("plan", plan, ["--stack", "nosuch"], env);
            assert.match(result.stderr, /^plan: stack "nosuch" has no stack file/, JSON.stringify(env));
        }
        const withEquals = await run("plan", plan, ["--stack=nosuch"], { npm_config_stack: "prod" });
        assert.match(withEquals.stderr, /^plan: stack "nosuch" has no stack file/);
    });

    it("names a string option npm took only when the command line fails without it", async () => {
        // A stray value (`npm run -s plan --stack dev`) or the option missing (`npm run -s plan --stack=dev`).
        assert.strictEqual((await run("plan", plan, ["dev"], { npm_config_stack: "prod" })).stderr,
            "plan: npm took --stack for itself: put -- before the command's options: npm run -s plan -- --stack prod dev\n");
        assert.strictEqual((await run("credentials", credentials, ["--format", "json"], { npm_config_stack: "dev" })).stderr,
            "credentials: npm took --stack for itself: put -- before the command's options: npm run -s credentials -- --stack dev --format json\n");
        // An unrelated mistake keeps its own message.
        assert.match((await run("plan", plan, ["--stak", "dev"], { npm_config_stack: "prod" })).stderr, /^plan: Unknown option '--stak': did you mean --stack\?/);
    });

    it("does not refuse a --dry-run given on the command line because npm has one too", async () => {
        const result = await run("deliver", deliver, ["--stack", "dev", "--dry-run"], { npm_config_dry_run: "true" });
        assert.ok(!result.stderr.includes("npm took"), result.stderr);
        // Without it on the command line, a --dry-run npm took stops the command before anything runs.
        const lost = await run("deliver", deliver, ["--stack", "dev"], { npm_config_dry_run: "true" });
        assert.deepStrictEqual([lost.code, lost.stderr, lost.pulumiCalls], [2,
            "deliver: npm took --dry-run for itself: put -- before the command's options: npm run -s deliver -- --dry-run --stack dev\n", []]);
    });

    it("ignores npm's own settings and the empty ones npm sets for every script", async () => {
        const result = await run("plan", plan, ["--stack", "nosuch"], { npm_config_yes: "", npm_config_stack: "", npm_config_loglevel: "silent" });
        assert.match(result.stderr, /^plan: stack "nosuch" has no stack file/);
    });

    it("explains a bare argument, whatever npm took (npm's abbreviations: --format is its format-package-lock)", async () => {
        const result = await run("credentials", credentials, ["json", "--stack", "dev"]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "credentials: Unexpected argument 'json': credentials takes options only. npm keeps the " +
            "options before a -- for itself and passes on what follows them: put -- before the command's options (usage: " +
            `${credentialsSpec.usage}; --help says more)\n`);
    });

    it("is what a real npm run -s plan --stack dev says", function () {
        this.timeout(60000);
        // npm's documentation (docs/content/commands/npm-run.md): "Use `--` to pass `-`-prefixed flags and options which
        // would otherwise be parsed by npm"; npm 11 sets npm_config_stack=true and passes `dev` on.
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
        const result = spawnSync("npm", ["run", "-s", "plan", "--stack", "dev"], { cwd: ROOT, env, encoding: "utf8", timeout: 50000 });
        assert.deepStrictEqual({ status: result.status, stdout: result.stdout, stderr: result.stderr }, {
            status: 2, stdout: "",
            stderr: "plan: npm took --stack for itself: put -- before the command's options: npm run -s plan -- --stack dev\n",
        });
    });
});

describe("the closest name", () => {
    it("counts a swap of two neighbouring letters as one edit", () => {
        assert.strictEqual(editDistance("stakc", "stack"), 1);
        assert.strictEqual(editDistance("creatioVerison", "creatioVersion"), 1);
        assert.strictEqual(editDistance("", "abc"), 3);
        assert.strictEqual(editDistance("kitten", "sitting"), 3);
    });

    it("offers the one close name, none when two are as close or none is close", () => {
        assert.strictEqual(closest("stak", ["stack", "slot"]), "stack");
        assert.strictEqual(closest("FORMAT", ["format"]), "format");
        assert.strictEqual(closest("yes", ["stack", "format"]), undefined);
        assert.strictEqual(closest("sot", ["slot", "soft"]), undefined);
        assert.strictEqual(closest("x".repeat(101), ["x".repeat(101)]), undefined);
    });
});

describe("docs/commands.md", () => {
    it("shows each command's help as the command prints it", () => {
        // The section between the markers is the helps, in the table's order; UPDATE_COMMANDS_DOC=1 writes it.
        const file = path.join(ROOT, "docs", "commands.md");
        const doc = fs.readFileSync(file, "utf8");
        const begin = "<!-- COMMANDS:BEGIN (each command's --help, as it prints it; tests/ops/help.test.ts keeps them equal) -->\n";
        const end = "\n<!-- COMMANDS:END -->";
        const order = ["plan", "credentials", "verify", "status", "deliver", "rotate-now", "routine-check", "plan-comment"];
        const section = order.map(name => COMMANDS.find(([n]) => n === name)![2])
            .map(spec => `\n### ${spec.name}\n\n\`\`\`text\n${renderHelp(spec)}\`\`\`\n`).join("");
        const start = doc.indexOf(begin);
        const stop = doc.indexOf(end);
        assert.ok(start >= 0 && stop > start, "docs/commands.md has no COMMANDS markers");
        const expected = doc.slice(0, start + begin.length) + section + doc.slice(stop);
        if (process.env.UPDATE_COMMANDS_DOC === "1" && doc !== expected) {
            fs.writeFileSync(file, expected);
            return;
        }
        assert.ok(doc === expected, "docs/commands.md: a command's help differs; UPDATE_COMMANDS_DOC=1 npm test rewrites it");
    });

    it("has the one exit-code table", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "commands.md"), "utf8");
        for (const [code, meaning] of Object.entries(EXIT_CODES)) {
            assert.ok(doc.includes(`\n| ${code} | ${meaning} |\n`), `exit code ${code}`);
        }
    });
});
