import * as assert from "assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generate } from "selfsigned";
import { keptOrMade } from "./certificates.ts";

describe("the stand-ins' certificates (tests/fakes/certificates.ts)", () => {
    let folder: string;
    beforeEach(() => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), "test-certificates-"));
    });
    afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

    const keptFiles = () => fs.readdirSync(folder).map(name => path.join(folder, name));

    it("makes one for 127.0.0.1 with the common name, keeps it for the owner alone, and gives the kept one next time", async () => {
        const first = await keptOrMade("creatio-stand-in", folder);
        const x509 = new crypto.X509Certificate(first.cert);
        assert.strictEqual(x509.subject, "CN=creatio-stand-in");
        assert.strictEqual(x509.subjectAltName, "IP Address:127.0.0.1");
        assert.ok(x509.checkPrivateKey(crypto.createPrivateKey(first.private)));
        const [file] = keptFiles();
        assert.strictEqual(keptFiles().length, 1);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        assert.deepStrictEqual(await keptOrMade("creatio-stand-in", folder), first);
        // Another name, another certificate.
        assert.strictEqual(new crypto.X509Certificate((await keptOrMade("127.0.0.1", folder)).cert).subject, "CN=127.0.0.1");
        assert.strictEqual(keptFiles().length, 2);
    });

    it("makes one all the same where none can be kept (the folder cannot be made or written)", async () => {
        // A file where the folder would be: mkdir fails (ENOTDIR) even for root, as a read-only node_modules would.
        const file = path.join(folder, "a-file");
        fs.writeFileSync(file, "");
        const made = await keptOrMade("creatio-stand-in", path.join(file, "test-certificates"));
        assert.strictEqual(new crypto.X509Certificate(made.cert).subject, "CN=creatio-stand-in");
    });

    it("makes a new one when the kept one ends within a day, is not whole, or is not its key's", async () => {
        const first = await keptOrMade("creatio-stand-in", folder);
        const [file] = keptFiles();
        const soon = await generate([{ name: "commonName", value: "creatio-stand-in" }],
            { keySize: 2048, notAfterDate: new Date(Date.now() + 23 * 60 * 60 * 1000) });
        for (const kept of [JSON.stringify(soon), JSON.stringify(first).slice(0, 100), JSON.stringify({ cert: first.cert, private: soon.private })]) {
            fs.writeFileSync(file, kept);
            const made = await keptOrMade("creatio-stand-in", folder);
            assert.notStrictEqual(made.cert, first.cert);
            assert.notStrictEqual(made.cert, soon.cert);
            assert.ok(Date.parse(new crypto.X509Certificate(made.cert).validTo) > Date.now() + 300 * 24 * 60 * 60 * 1000);
            assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, "utf8")), made);
        }
    });
});
