/**
 * The operations commands: behaviour that mutation testing found unchecked by the command tests.
 * In-process throughout: the pure parts directly, the commands through main(io) and the fakes.
 */
import * as assert from "assert";
import { OpsError, stackOption } from "../../ops/cli.ts";
import { main as credentialsMain } from "../../ops/credentials.ts";
import { type FakeStack, runInProcess } from "../fakes/commands.ts";

describe("command lines", () => {
    it("refuses positional arguments and unknown options", async () => {
        const dev: FakeStack = { outputs: {}, secrets: [] };
        for (const argv of [["--stack", "dev", "extra"], ["--stack", "dev", "--bogus"]]) {
            const result = await runInProcess("credentials", credentialsMain, argv, { dev });
            assert.strictEqual(result.code, 2, argv.join(" "));
            assert.match(result.stderr, /^credentials: .* \(usage: npm run -s credentials -- --stack <name>.*\)\n$/);
            assert.deepStrictEqual(result.pulumiCalls, []);
        }
    });

    it("refuses a blank stack name", () => {
        assert.throws(() => stackOption("  ", "u"), (err: OpsError) =>
            err.exitCode === 2 && err.message === '--stack "  " is empty: name the stack (usage: u; --help says more)');
    });

    it("names its errors OpsError", () => {
        assert.strictEqual(String(new OpsError("x")), "OpsError: x");
    });
});
