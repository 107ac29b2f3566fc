import * as assert from "assert";
import { formatCredentials } from "../ops/credentials";
import { main as credentialsMain } from "../ops/credentials";
import { FakeStack, runInProcess, spawnCommand } from "./fakes/commands";

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
        const result = await runInProcess("credentials", credentialsMain, ["--stack", "dev"], { dev: DEV });
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

    it("runs as npm runs it: a child process with the pulumi executable on PATH", async () => {
        const result = await spawnCommand("credentials", ["--stack", "dev"], { dev: DEV });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout.split("\n")[1], "CREATIO_CLIENT_SECRET='Zx8Q~s3cr3t.value_with-'\\''quote'");
        assert.deepStrictEqual(result.pulumiCalls, [["stack", "output", "--json", "--stack", "dev", "--show-secrets"]]);
    });

    it("prints JSON", async () => {
        const result = await runInProcess("credentials", credentialsMain, ["--stack", "dev", "--format", "json"], { dev: DEV });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(JSON.parse(result.stdout), {
            clientId: "c1c1c1c1-0000-4000-8000-000000000003",
            clientSecret: SECRET,
            tenantId: "72f988bf-0000-4000-8000-000000000001",
            clientSecretExpiresAt: "2027-07-21T00:00:00Z",
        });
    });

    it("prints the fields of Creatio's mail server settings", async () => {
        const result = await runInProcess("credentials", credentialsMain, ["--stack", "dev", "--format", "creatio"], { dev: DEV });
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stdout,
            `Application (client) ID: c1c1c1c1-0000-4000-8000-000000000003\nClient secret: ${SECRET}\n`);
    });

    it("fails clearly for a missing stack, without the secret anywhere", async () => {
        const result = await runInProcess("credentials", credentialsMain, ["--stack", "prod"], { dev: DEV });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr,
            'credentials: stack "prod" does not exist in this backend (pulumi stack ls lists the stacks)\n');
    });

    it("fails clearly for a missing output", async () => {
        const { clientSecret, ...withoutSecret } = DEV.outputs;
        assert.ok(clientSecret);
        const result = await runInProcess("credentials", credentialsMain, ["--stack", "dev"], { dev: { outputs: withoutSecret } });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, 'credentials: stack "dev" has no output clientSecret: ' +
            "run pulumi up for it (with this version of the program)\n");
    });

    it("fails clearly without the Pulumi CLI", async () => {
        const result = await runInProcess("credentials", credentialsMain, ["--stack", "dev"], { dev: DEV }, { installed: false });
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(result.stderr, "credentials: the Pulumi CLI (pulumi) is not on PATH: install it " +
            "(https://www.pulumi.com/docs/install/) and sign in to the stacks' backend\n");
    });

    it("refuses an unknown format and a missing --stack", async () => {
        const badFormat = await runInProcess("credentials", credentialsMain, ["--stack", "dev", "--format", "yaml"], { dev: DEV });
        assert.strictEqual(badFormat.code, 2);
        assert.strictEqual(badFormat.stderr, 'credentials: --format "yaml" is not one of env, json, creatio\n' +
            "usage: npm run -s credentials -- --stack <name> [--format env|json|creatio] [--pulumi-timeout-seconds 120]\n");
        assert.deepStrictEqual(badFormat.pulumiCalls, []);
        const noStack = await runInProcess("credentials", credentialsMain, [], { dev: DEV });
        assert.strictEqual(noStack.code, 2);
        assert.match(noStack.stderr, /^credentials: --stack is required\n/);
    });
});
