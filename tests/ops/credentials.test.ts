import * as assert from "assert";
import { formatCredentials, githubMaskCommands, main as credentialsMain } from "../../ops/credentials.ts";
import { type FakeStack, type InProcessOptions, runInProcess, spawnCommand } from "../fakes/commands.ts";
import type { CommandMain } from "../../ops/io.ts";
import { killedBy, printedTooMuch } from "../fakes/pulumiRunner.ts";

const SECRET = "Zx8Q~s3cr3t.value_with-'quote";
const DEV: FakeStack = {
    outputs: {
        clientId: "c1c1c1c1-0000-4000-8000-000000000003",
        clientSecret: SECRET,
        tenantId: "72f988bf-0000-4000-8000-000000000001",
        clientSecretExpiresAt: "2027-07-21T00:00:00Z",
        clientSecretRotatesAt: "2027-01-22T00:00:00Z",
    },
    secrets: ["clientSecret"],
};

function credentials(argv: string[], stacks: Record<string, FakeStack> = { dev: DEV }, options: InProcessOptions = {}) {
    return runInProcess("credentials", credentialsMain, argv, stacks, options);
}

const withOutputs = (outputs: Record<string, unknown>): FakeStack => ({ ...DEV, outputs: { ...DEV.outputs, ...outputs } });

describe("npm run credentials", () => {
    it("formats env lines a shell can source, quoting the secret literally", () => {
        assert.strictEqual(formatCredentials({
            clientId: "id", clientSecret: "a'b", tenantId: "t", clientSecretExpiresAt: "2027-07-21T00:00:00Z",
        }, "env"), [
            "CREATIO_CLIENT_ID='id'",
            "CREATIO_CLIENT_SECRET='a'\\''b'",
            "CREATIO_TENANT_ID='t'",
            "CREATIO_CLIENT_SECRET_EXPIRES_AT='2027-07-21T00:00:00Z'",
            "",
        ].join("\n"));
    });

    it("prints env format by default, reading the stack with --show-secrets", async () => {
        const result = await credentials(["--stack", "dev"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout, [
            "CREATIO_CLIENT_ID='c1c1c1c1-0000-4000-8000-000000000003'",
            "CREATIO_CLIENT_SECRET='Zx8Q~s3cr3t.value_with-'\\''quote'",
            "CREATIO_TENANT_ID='72f988bf-0000-4000-8000-000000000001'",
            "CREATIO_CLIENT_SECRET_EXPIRES_AT='2027-07-21T00:00:00Z'",
            "",
        ].join("\n"));
        assert.strictEqual(result.stderr, "");
        assert.deepStrictEqual(result.pulumiCalls, [["stack", "output", "--json", "--stack", "dev", "--show-secrets"]]);
    });

    it("in GitHub Actions, masks the secret on stderr before printing it, and only there", async () => {
        const outside = await credentials(["--stack", "dev"], { dev: DEV }, { env: { GITHUB_ACTIONS: "false" } });
        assert.strictEqual(outside.stderr, "");
        const order: string[] = [];
        const recording: CommandMain = io => credentialsMain({ ...io,
            stdoutWithSecret: text => { order.push("stdout"); io.stdoutWithSecret(text); },
            stderrWithSecret: text => { order.push("stderr"); io.stderrWithSecret(text); } });
        const result = await runInProcess("credentials", recording, ["--stack", "dev", "--format", "json"], { dev: DEV },
            { env: { GITHUB_ACTIONS: "true" } });
        assert.strictEqual(result.code, 0, result.stderr);
        // github/docs workflow-commands "Masking a value in a log": ::add-mask::{value}; the runner reads commands on
        // stderr as on stdout (actions/runner ScriptHandler.cs: an OutputManager on each), and stdout may be captured
        assert.strictEqual(result.stderr, `::add-mask::${SECRET}\n`);
        assert.strictEqual(JSON.parse(result.stdout).clientSecret, SECRET);
        assert.deepStrictEqual(order, ["stderr", "stdout"]);
    });

    it("escapes a mask's value as GitHub's toolkit does, and masks each line of a multi-line value", () => {
        // actions/toolkit packages/core/src/command.ts escapeData: % -> %25, \r -> %0D, \n -> %0A
        assert.strictEqual(githubMaskCommands("a%0Ab~c"), "::add-mask::a%250Ab~c\n");
        // actions/runner PR #1521: a multi-line mask; each line masked on its own as well, for runners before it
        assert.strictEqual(githubMaskCommands("first\r\nsecond\nfirst"),
            "::add-mask::first%0D%0Asecond%0Afirst\n::add-mask::first\n::add-mask::second\n");
    });

    it("runs as npm runs it: a child process with the pulumi executable on PATH", async () => {
        const result = await spawnCommand("credentials", ["--stack", "dev"], { dev: DEV });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout.split("\n")[1], "CREATIO_CLIENT_SECRET='Zx8Q~s3cr3t.value_with-'\\''quote'");
        assert.deepStrictEqual(result.pulumiCalls, [["stack", "output", "--json", "--stack", "dev", "--show-secrets"]]);
    });

    it("prints JSON", async () => {
        const result = await credentials(["--stack", "dev", "--format", "json"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(JSON.parse(result.stdout), {
            clientId: "c1c1c1c1-0000-4000-8000-000000000003",
            clientSecret: SECRET,
            tenantId: "72f988bf-0000-4000-8000-000000000001",
            clientSecretExpiresAt: "2027-07-21T00:00:00Z",
        });
    });

    it("prints the fields of Creatio's mail server settings", async () => {
        const result = await credentials(["--stack", "dev", "--format", "creatio"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout,
            `Application (client) ID: c1c1c1c1-0000-4000-8000-000000000003\nClient secret: ${SECRET}\n`);
    });

    it("fails clearly for a missing stack, without the secret anywhere", async () => {
        const result = await credentials(["--stack", "prod"]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        // "no stack named '%s' found": backenderr.StackNotFoundError (pulumi/pulumi pkg/backend/backenderr/backenderr.go)
        assert.strictEqual(result.stderr,
            'credentials: stack "prod" does not exist in this backend (pulumi stack ls lists the stacks)\n');
    });

    it("fails clearly for a missing output", async () => {
        const { clientSecret, ...withoutSecret } = DEV.outputs;
        assert.ok(clientSecret);
        const result = await credentials(["--stack", "dev"], { dev: { outputs: withoutSecret } });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, 'credentials: stack "dev" has no output clientSecret: ' +
            "run pulumi up for it (with this version of the program)\n");
    });

    it("refuses a secret the CLI handed back masked", async () => {
        // Without decryption the CLI prints every secret output as "[secret]" (pulumi/pulumi pkg/backend/display/json.go, massagePropertyValue)
        const result = await credentials(["--stack", "dev"], { dev: withOutputs({ clientSecret: "[secret]" }) });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, 'credentials: stack "dev": pulumi handed back the output clientSecret masked as "[secret]", ' +
            "not its value; check that this Pulumi CLI decrypts secrets with --show-secrets\n");
    });

    it("refuses an expiry that is not an ISO 8601 UTC instant, without printing the secret in the message", async () => {
        const bad = await credentials(["--stack", "dev"], { dev: withOutputs({ clientSecretExpiresAt: "2027-07-21" }) });
        assert.strictEqual(bad.code, 2);
        assert.strictEqual(bad.stdout, "");
        assert.strictEqual(bad.stderr, 'credentials: stack "dev" has an output clientSecretExpiresAt that is not an ISO 8601 UTC ' +
            'instant (YYYY-MM-DDTHH:MM:SS[.fff]Z): "2027-07-21"\n');
        const leaking = await credentials(["--stack", "dev"], { dev: withOutputs({ clientSecretExpiresAt: `x${SECRET}x` }) });
        assert.strictEqual(leaking.code, 2);
        assert.ok(!leaking.stderr.includes(SECRET), leaking.stderr);
        assert.match(leaking.stderr, /: "x\[redacted\]x"\n$/);
        // JSON.stringify escapes control characters but keeps format characters such as a bidirectional override.
        const hiding = await credentials(["--stack", "dev"], { dev: withOutputs({ clientSecretExpiresAt: "2027\u202e-07-21" }) });
        assert.strictEqual(hiding.code, 2);
        assert.match(hiding.stderr, /: "2027\uFFFD-07-21"\n$/);
    });

    it("exits 2 when pulumi prints something other than a JSON object", async () => {
        for (const [stdout, message] of [["warning: something\n{}", 'pulumi printed something other than JSON for the outputs of stack "dev"'],
            ["[]", 'the outputs of stack "dev" are not a JSON object'], ['"text"', 'the outputs of stack "dev" are not a JSON object']]) {
            const result = await credentials(["--stack", "dev"], undefined, { answer: () => ({ exitCode: 0, stdout, stderr: "" }) });
            assert.strictEqual(result.code, 2, stdout);
            assert.strictEqual(result.stderr, `credentials: ${message}\n`);
        }
    });

    it("shows pulumi's own last error line", async () => {
        const result = await credentials(["--stack", "dev"], undefined,
            { answer: () => ({ exitCode: 1, stdout: "", stderr: "error: getting secrets manager: passphrase must be set\n" }) });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "credentials: pulumi stack output failed: error: getting secrets manager: passphrase must be set\n");
    });

    it("reports a pulumi ended by a signal, or printing too much, in one line without its stderr (exit 2)", async () => {
        const panic = "panic: runtime error: value=Zx8Q~leaked-in-panic\ngoroutine 1 [running]:\n";
        const killed = await credentials(["--stack", "dev"], undefined, { answer: args => killedBy("SIGKILL", args, panic) });
        assert.strictEqual(killed.code, 2);
        assert.strictEqual(killed.stdout, "");
        assert.strictEqual(killed.stderr, "credentials: pulumi stack output ended by SIGKILL\n");
        const huge = await credentials(["--stack", "dev"], undefined, { answer: () => printedTooMuch() });
        assert.strictEqual(huge.code, 2);
        assert.strictEqual(huge.stderr, "credentials: pulumi stack output printed more than 16 MiB\n");
    });

    it("shows pulumi's last error line without control characters", async () => {
        const result = await credentials(["--stack", "dev"], undefined,
            { answer: () => ({ exitCode: 1, stdout: "", stderr: "error: \u001b[31mbad\u001b[0m\n" }) });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, "credentials: pulumi stack output failed: error: \uFFFD[31mbad\uFFFD[0m\n");
    });

    it("reports an unexpected failure as its first line only, printable, exit 1", async () => {
        const result = await runInProcess("credentials", async () => { throw new Error("boom\u001b[2J\nsecond line with Zx8Q~value"); }, [], {});
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stderr, "credentials: Error: boom\uFFFD[2J\n");
    });

    it("fails clearly without the Pulumi CLI", async () => {
        const result = await credentials(["--stack", "dev"], undefined, { installed: false });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, "credentials: the Pulumi CLI (pulumi) is not on PATH: install it " +
            "(https://www.pulumi.com/docs/install/) and sign in to the stacks' backend\n");
    });

    it("gives up on a pulumi that does not answer: 120 s by default, --pulumi-timeout-seconds to change it", async () => {
        const started = Date.now();
        const result = await credentials(["--stack", "dev", "--pulumi-timeout-seconds", "1"], undefined, { answer: () => "hang" });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr,
            "credentials: pulumi stack output gave no answer within 1 s (--pulumi-timeout-seconds sets the limit)\n");
        assert.ok(Date.now() - started < 5000);
    });

    it("refuses an unknown format, a missing or empty --stack, and an option given twice", async () => {
        const badFormat = await credentials(["--stack", "dev", "--format", "yaml"]);
        assert.strictEqual(badFormat.code, 2);
        const usage = "(usage: npm run -s credentials -- --stack <name> [--format env|json|creatio] [--pulumi-timeout-seconds 120]; --help says more)";
        assert.strictEqual(badFormat.stderr, `credentials: --format "yaml" is not one of env, json, creatio ${usage}\n`);
        assert.deepStrictEqual(badFormat.pulumiCalls, []);
        const noStack = await credentials([]);
        assert.strictEqual(noStack.code, 2);
        assert.strictEqual(noStack.stderr, `credentials: --stack is required ${usage}\n`);
        const empty = await credentials(["--stack", ""], { dev: DEV }, { current: "dev" });
        assert.strictEqual(empty.code, 2);
        assert.strictEqual(empty.stderr, `credentials: --stack "" is empty: name the stack ${usage}\n`);
        assert.deepStrictEqual(empty.pulumiCalls, []);
        const twice = await credentials(["--stack", "prod", "--stack", "dev"]);
        assert.strictEqual(twice.code, 2);
        assert.strictEqual(twice.stderr, `credentials: --stack is given more than once: give it once ${usage}\n`);
        // Node's parser names an unknown option as typed: a newline in it does not start a second line.
        const unknown = await credentials(["--stack", "dev", "--x\nverify: forged"]);
        assert.strictEqual(unknown.code, 2);
        assert.strictEqual(unknown.stderr.split("\n").length, 2, unknown.stderr);
        assert.match(unknown.stderr, /^credentials: Unknown option '--x\uFFFDverify: forged'.* \(usage: npm run -s credentials -- .*\)\n$/);
        assert.deepStrictEqual(twice.pulumiCalls, []);
    });

    it("refuses a secret its format cannot carry instead of printing another value (a NUL, a lone surrogate)", async () => {
        const nul = withOutputs({ clientSecret: "Zx8Q~a\0b" });
        for (const format of ["env", "creatio"]) {
            const result = await credentials(["--stack", "dev", "--format", format], { dev: nul });
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, 'credentials: stack "dev": the output clientSecret holds a NUL character (U+0000), ' +
                `which a shell variable and a text field cannot hold; --format ${format} cannot print it as it is (--format json can)\n`);
        }
        // A lone surrogate would be written to stdout as U+FFFD: another secret.
        const surrogate = await credentials(["--stack", "dev"], { dev: withOutputs({ clientSecret: "Zx8Q~\ud800" }) });
        assert.strictEqual(surrogate.code, 2);
        assert.strictEqual(surrogate.stderr, 'credentials: stack "dev": the output clientSecret holds a lone surrogate (U+D800), ' +
            "which is not UTF-8 text; --format env cannot print it as it is (--format json can)\n");
        // JSON carries both as escapes that read back as the same value.
        const json = await credentials(["--stack", "dev", "--format", "json"], { dev: nul });
        assert.strictEqual(json.code, 0, json.stderr);
        assert.strictEqual(JSON.parse(json.stdout).clientSecret, "Zx8Q~a\0b");
    });

    it("refuses a line break in the creatio format, where a shell-quoted env value carries it", async () => {
        const dev = withOutputs({ clientSecret: "Zx8Q~a\nb" });
        const creatio = await credentials(["--stack", "dev", "--format", "creatio"], { dev });
        assert.strictEqual(creatio.code, 2);
        assert.strictEqual(creatio.stderr, 'credentials: stack "dev": the output clientSecret holds the control or format character ' +
            "U+000A, which cannot be typed or pasted into Creatio's settings; --format creatio cannot print it as it is (--format json can)\n");
        const env = await credentials(["--stack", "dev"], { dev });
        assert.strictEqual(env.code, 0, env.stderr);
        assert.match(env.stdout, /^CREATIO_CLIENT_SECRET='Zx8Q~a\nb'$/m);
    });

    it("prints the secret as the one unredacted value: another output holding it is redacted", async () => {
        const result = await credentials(["--stack", "dev", "--format", "json"], { dev: withOutputs({ tenantId: `x${SECRET}` }) });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(JSON.parse(result.stdout), {
            clientId: DEV.outputs.clientId, clientSecret: SECRET, tenantId: "x[redacted]", clientSecretExpiresAt: "2027-07-21T00:00:00Z",
        });
    });
});

describe("credentials: the formats", () => {
    it("credentials: prints the env format one variable a line, ending with a newline", () => {
        assert.strictEqual(formatCredentials({ clientId: "c", clientSecret: "s", tenantId: "t", clientSecretExpiresAt: "e" }, "env"),
            "CREATIO_CLIENT_ID='c'\nCREATIO_CLIENT_SECRET='s'\nCREATIO_TENANT_ID='t'\nCREATIO_CLIENT_SECRET_EXPIRES_AT='e'\n");
    });
    it("credentials: prints the json format as one indented object ending with a newline, as jq and shells expect", () => {
        assert.strictEqual(formatCredentials({ clientId: "c", clientSecret: "s", tenantId: "t", clientSecretExpiresAt: "e" }, "json"),
            '{\n  "clientId": "c",\n  "clientSecret": "s",\n  "tenantId": "t",\n  "clientSecretExpiresAt": "e"\n}\n');
    });
});
