/**
 * The plumbing of the operations commands: the Pulumi runner (in-process around a stand-in
 * executor, and around real short-lived `pulumi` shell scripts to prove the execFile wiring), the
 * https client MSAL uses (against a local https stand-in), and the process IO.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { AuthError } from "@azure/msal-node";
import { OpsError } from "../ops/cli";
import { httpsNetworkClient } from "../ops/httpsClient";
import { CommandIO, processIO, runCommand } from "../ops/io";
import {
    PulumiError, PulumiProcessResult, PulumiUnavailableError, pulumiRunner, spawnPulumi,
} from "../ops/pulumiRunner";
import { certificateFor } from "./fakes/certificates";
import { PulumiOnPath, installPulumiOnPath } from "./fakes/pulumiOnPath";

const ROOT = path.join(__dirname, "..");

/** Resolves when `check` holds, polling; rejects after `ms`. */
async function eventually(what: string, check: () => boolean, ms = 2000): Promise<void> {
    const until = Date.now() + ms;
    while (!check()) {
        if (Date.now() > until) {
            throw new Error(`not within ${ms} ms: ${what}`);
        }
        await new Promise(resolve => setTimeout(resolve, 20));
    }
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("operations plumbing (bites)", () => {
    describe("the pulumi runner around an executor", () => {
        const ok = (stdout: string): PulumiProcessResult => ({ exitCode: 0, stdout, stderr: "" });

        it("names its errors", () => {
            assert.strictEqual(String(new PulumiError("x", [], "")), "PulumiError: x");
            assert.strictEqual(String(new PulumiUnavailableError("y")), "PulumiUnavailableError: y");
        });

        it("aborts the call it gave up on", async () => {
            let signal: AbortSignal | undefined;
            const run = pulumiRunner((_, s) => {
                signal = s;
                return new Promise(() => undefined); // a process that never ends by itself
            });
            await assert.rejects(run(["stack", "ls", "--json"], { timeoutMs: 30 }), (err: unknown) =>
                err instanceof PulumiUnavailableError && err.message.startsWith("pulumi stack ls gave no answer within 0.03 s"));
            assert.strictEqual(signal?.aborted, true);
        });

        it("leaves a call that answered in time alone: no abort, no timer left running", async () => {
            let signal: AbortSignal | undefined;
            const run = pulumiRunner((_, s) => {
                signal = s;
                return Promise.resolve(ok("{}\n"));
            });
            assert.strictEqual(await run(["stack", "output", "--json"], { timeoutMs: 30 }), "{}\n");
            await new Promise(resolve => setTimeout(resolve, 90));
            assert.strictEqual(signal?.aborted, false);
        });

        it("an executor failure with neither code nor signal: one line, none of its text", async () => {
            const run = pulumiRunner(() => Promise.reject(new Error("spawn failed\n    at secret Zx8Q~leaked")));
            await assert.rejects(run(["stack", "output", "--json", "--stack", "dev"]), (err: unknown) =>
                err instanceof PulumiUnavailableError && err.exitCode === 2 && err.message === "pulumi stack output could not be run");
        });

        it("a failed call without stderr names its exit code", async () => {
            const run = pulumiRunner(() => Promise.resolve({ exitCode: 3, stdout: "{}", stderr: "" }));
            await assert.rejects(run(["stack", "ls"]), (err: unknown) =>
                err instanceof PulumiError && err.exitCode === 2 && err.message === "pulumi stack ls failed: exit code 3" &&
                err.stderr === "");
        });

        it("a failed call gives the last non-empty line of stderr, trimmed", async () => {
            const stderr = "warning: A\n\nerror: update failed\n   error: no stack named 'prod' found";
            const run = pulumiRunner(() => Promise.resolve({ exitCode: 6, stdout: "", stderr }));
            await assert.rejects(run(["stack", "output", "--json", "--stack", "prod"]), (err: unknown) =>
                err instanceof PulumiError && err.message === "pulumi stack output failed: error: no stack named 'prod' found" &&
                err.stderr === stderr && err.args.join(" ") === "stack output --json --stack prod");
        });
        it("skips blank and whitespace-only lines at the end of stderr", async () => {
            const run = pulumiRunner(() => Promise.resolve({ exitCode: 1, stdout: "", stderr: "error: x\r\n  \n\t\n" }));
            await assert.rejects(run(["stack", "ls"]), { message: "pulumi stack ls failed: error: x" });
        });
    });

    describe("the pulumi runner around a real process", () => {
        let fake: PulumiOnPath;
        let dir: string;
        const pulumiScript = (script: string) => fake.script(script);
        beforeEach(() => {
            fake = installPulumiOnPath("runner-bites");
            dir = fake.dir;
        });
        afterEach(() => fake.restore());

        it("resolves the stdout of a call that exits 0, run in the folder given", async () => {
            pulumiScript('echo "warning: ignored" >&2\npwd -P\necho \'{"a": 1}\'');
            assert.strictEqual(await spawnPulumi(dir)(["stack", "output", "--json"]), `${fs.realpathSync(dir)}\n{"a": 1}\n`);
        });

        it("runs in the project folder by default", async () => {
            pulumiScript("pwd -P");
            assert.strictEqual(await spawnPulumi()(["whoami"]), `${fs.realpathSync(ROOT)}\n`);
        });

        it("a call that exits non-zero: pulumi's own error line, and its stderr for the caller", async () => {
            // cmdutil.DisplayErrorMessage prints `error: <message>`; a missing stack exits 6 (pkg/cmd/pulumi/cmd/exit_codes.go)
            pulumiScript("echo \"error: no stack named 'prod' found\" >&2\nexit 6");
            await assert.rejects(spawnPulumi(dir)(["stack", "output", "--json", "--stack", "prod"]), (err: unknown) =>
                err instanceof PulumiError && err.exitCode === 2 &&
                err.message === "pulumi stack output failed: error: no stack named 'prod' found" &&
                err.stderr === "error: no stack named 'prod' found\n");
        });

        it("stops a call at the limit it was given, and keeps none of its stderr", async () => {
            pulumiScript('echo "Zx8Q~leaked" >&2\nhead -c 100000 /dev/zero');
            await assert.rejects(spawnPulumi(dir, 64 * 1024)(["stack", "output", "--json"]), (err: unknown) =>
                err instanceof PulumiError && err.message === "pulumi stack output printed more than 0.0625 MiB" && err.stderr === "");
        });

        it("kills a process that gave no answer in time, even one that ignores SIGTERM", async () => {
            const pidFile = path.join(dir, "pid");
            pulumiScript(`trap '' TERM\necho $$ > ${pidFile}\nexec sleep 30`);
            await assert.rejects(spawnPulumi(dir)(["stack", "ls", "--json"], { timeoutMs: 400 }), PulumiUnavailableError);
            const pid = Number(fs.readFileSync(pidFile, "utf8"));
            assert.ok(pid > 0);
            await eventually(`process ${pid} is gone`, () => !isAlive(pid));
        });
    });

    describe("the https client of MSAL", () => {
        let server: https.Server;
        let base: string;
        let ca: string;
        const sockets: net.Socket[] = [];
        const received: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

        before(async () => {
            const pems = await certificateFor("127.0.0.1");
            ca = pems.cert;
            server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
                let body = "";
                req.on("data", chunk => (body += chunk));
                req.on("end", () => {
                    received.push({ method: req.method, url: req.url, headers: req.headers, body });
                    switch (req.url) {
                        case "/json":
                            res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
                            res.writeHead(200, { "content-type": "application/json" });
                            return res.end('{"ok":true}');
                        case "/html":
                            res.writeHead(502, { "content-type": "text/html" });
                            return res.end("<html>Bad gateway</html>");
                        case "/cut":
                            // Headers and half a body, then the connection drops.
                            res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
                            res.write('{"a":');
                            return setTimeout(() => req.socket.destroy(), 20);
                        case "/silent":
                            return; // never answers
                        default:
                            res.writeHead(200, { "content-type": "application/json" });
                            return res.end(JSON.stringify({ echoed: true }));
                    }
                });
            });
            server.on("secureConnection", socket => sockets.push(socket));
            await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
            base = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        });
        after(() => new Promise<void>(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        }));
        beforeEach(() => {
            received.length = 0;
        });

        it("answers with status, JSON body and headers, repeated headers joined by a comma and a space", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
            const answer = await client.sendGetRequestAsync(`${base}/json`);
            assert.strictEqual(answer.status, 200);
            assert.deepStrictEqual(answer.body, { ok: true });
            // Fetch's Headers (what MSAL's own HttpClient reads) combine repeated values with ", " (fetch.spec.whatwg.org, "combine").
            assert.strictEqual(answer.headers["set-cookie"], "a=1; Path=/, b=2; Path=/");
            assert.strictEqual(answer.headers["content-type"], "application/json");
            assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}/json`, outcome: "answer", status: 200, body: { ok: true } }]);
        });

        it("sends a POST without a body as an empty one", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
            await client.sendPostRequestAsync(`${base}/token`);
            assert.strictEqual(received.length, 1);
            assert.strictEqual(received[0].method, "POST");
            assert.strictEqual(received[0].body, "");
            assert.strictEqual(received[0].headers["content-length"], "0");
        });

        it("sends a POST's body and headers", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
            await client.sendPostRequestAsync(`${base}/token`,
                { body: "grant_type=client_credentials&é=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
            assert.strictEqual(received[0].body, "grant_type=client_credentials&é=1");
            assert.strictEqual(received[0].headers["content-length"], String(Buffer.byteLength("grant_type=client_credentials&é=1")));
            assert.strictEqual(received[0].headers["content-type"], "application/x-www-form-urlencoded");
        });

        it("refuses an answer that is not JSON as MSAL does, and records its status", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
            await assert.rejects(client.sendGetRequestAsync(`${base}/html`), (err: unknown) =>
                // ClientAuthErrorCodes.tokenParsingError; message as msal-node's HttpClient.sendRequest words it (src/network/HttpClient.ts)
                err instanceof AuthError && err.errorCode === "token_parsing_error" && err.errorMessage === "Failed to parse response: HTTP 502" &&
                err.correlationId === "");
            assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}/html`, outcome: "not-json", status: 502 }]);
        });

        it("records a connection that drops in the middle of an answer", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 2000 });
            await assert.rejects(client.sendGetRequestAsync(`${base}/cut`), (err: unknown) =>
                // ClientAuthErrorCodes.networkError, "Network request failed: <message>" (msal-node src/network/HttpClient.ts)
                err instanceof AuthError && err.errorCode === "network_error" && err.errorMessage === "Network request failed: aborted" &&
                err.correlationId === "");
            // Node's IncomingMessage fails with ECONNRESET "aborted" when the socket closes before the body ends.
            assert.deepStrictEqual(client.requests,
                [{ method: "GET", url: `${base}/cut`, outcome: "connection", code: "ECONNRESET", message: "aborted" }]);
        });

        it("gives up on a silent host after its timeout: one record, and the connection closed", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 150 });
            const before = sockets.length;
            await assert.rejects(client.sendGetRequestAsync(`${base}/silent`), (err: unknown) =>
                // ClientAuthErrorCodes.networkError, "Request timeout" (msal-node src/network/HttpClient.ts)
                err instanceof AuthError && err.errorCode === "network_error" && err.errorMessage === "Request timeout" &&
                err.correlationId === "");
            const socket = sockets[before];
            assert.ok(socket, "the request reached the host");
            await eventually("the connection is closed", () => socket.destroyed);
            assert.deepStrictEqual(client.requests, [{ method: "GET", url: `${base}/silent`, outcome: "timeout" }]);
        });

        it("takes a GET's own timeout over the default one", async () => {
            const client = httpsNetworkClient({ trustedCa: ca, timeoutMs: 10_000 });
            const started = Date.now();
            await assert.rejects(client.sendGetRequestAsync(`${base}/silent`, undefined, 100), { errorCode: "network_error" });
            assert.ok(Date.now() - started < 2000);
        });
    });

    describe("the process IO", () => {
        function capture(stream: NodeJS.WriteStream, into: string[]): () => void {
            const write = stream.write;
            stream.write = ((chunk: unknown, ...rest: unknown[]) => {
                into.push(String(chunk));
                const done = rest.find(arg => typeof arg === "function") as (() => void) | undefined;
                if (done) {
                    setImmediate(done);
                }
                return true;
            }) as typeof stream.write;
            return () => {
                stream.write = write;
            };
        }

        it("is this process's arguments, environment, streams and clock", () => {
            const io = processIO();
            assert.deepStrictEqual(io.argv, process.argv.slice(2));
            assert.strictEqual(io.env, process.env);
            assert.strictEqual(io.trustedCa, undefined);
            const before = Date.now();
            const now = io.now();
            assert.ok(now instanceof Date && now.getTime() >= before && now.getTime() <= Date.now());
            const out: string[] = [];
            const err: string[] = [];
            const restoreOut = capture(process.stdout, out);
            const restoreErr = capture(process.stderr, err);
            try {
                io.stdout("to stdout\n");
                io.stderr("to stderr\n");
            } finally {
                restoreOut();
                restoreErr();
            }
            assert.deepStrictEqual(out, ["to stdout\n"]);
            assert.deepStrictEqual(err, ["to stderr\n"]);
        });

        it("runs pulumi from PATH in the project folder", async () => {
            const fake = installPulumiOnPath("io-pulumi");
            fake.script('pwd -P\necho "$@"');
            try {
                assert.strictEqual(await processIO().pulumi(["stack", "ls", "--json"]), `${fs.realpathSync(ROOT)}\nstack ls --json\n`);
            } finally {
                fake.restore();
            }
        });

        it("runCommand exits with the command's code once stdout is flushed", async () => {
            const events: string[] = [];
            let exited: (code: number | undefined) => void = () => undefined;
            const exit = new Promise<number | undefined>(resolve => (exited = resolve));
            const io: CommandIO = {
                argv: [], env: {}, now: () => new Date(), pulumi: () => Promise.reject(new Error("not used")),
                stdout: text => events.push(`io.stdout ${text}`),
                stderr: text => events.push(`io.stderr ${text}`),
            };
            const realExit = process.exit;
            const writes: string[] = [];
            const restore = capture(process.stdout, writes);
            process.exit = ((code?: number) => {
                events.push(`exit ${code} after ${writes.length} write(s)`);
                exited(code);
            }) as typeof process.exit;
            let code: number | undefined | "none";
            try {
                runCommand("status", async () => {
                    throw new OpsError("no such stack", 2);
                }, io);
                code = await Promise.race([exit, new Promise<"none">(resolve => setTimeout(() => resolve("none"), 1000))]);
            } finally {
                process.exit = realExit;
                restore();
            }
            assert.strictEqual(code, 2);
            assert.deepStrictEqual(writes, [""]);
            assert.deepStrictEqual(events, ["io.stderr status: no such stack\n", "exit 2 after 1 write(s)"]);
        });
    });
});
