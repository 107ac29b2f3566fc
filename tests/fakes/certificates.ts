/**
 * Self-signed certificates for the https stand-ins on 127.0.0.1. Loading the certificate library
 * (selfsigned) and making an RSA key is the costly part of starting a stand-in, about 0.3 s of CPU
 * in every test process, so each subject's certificate is made once, kept in
 * node_modules/.cache/test-certificates for the next processes and runs, and made again a day
 * before it expires.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Certificate {
    /** PEM of the certificate: what a client trusts. */
    cert: string;
    /** PEM of its private key: what the server presents with it. */
    private: string;
}

export const CERTIFICATE_CACHE = path.join(import.meta.dirname, "..", "..", "node_modules", ".cache", "test-certificates");
const DAY_MS = 24 * 60 * 60 * 1000;

const made = new Map<string, Promise<Certificate>>();

/** A certificate for 127.0.0.1 with this common name (two stand-ins trusted together need two names). */
export function certificateFor(commonName: string): Promise<Certificate> {
    let certificate = made.get(commonName);
    if (certificate === undefined) {
        certificate = keptOrMade(commonName, CERTIFICATE_CACHE);
        made.set(commonName, certificate);
    }
    return certificate;
}

/** The certificate kept in `folder` for this common name, or a new one, then kept there. */
export async function keptOrMade(commonName: string, folder: string): Promise<Certificate> {
    const attributes = [{ name: "commonName", value: commonName }];
    const options = {
        keySize: 2048,
        algorithm: "sha256",
        extensions: [{ name: "subjectAltName" as const, altNames: [{ type: 7 as const, ip: "127.0.0.1" }] }],
    };
    // Named after what it is made from, so that a change here makes a new one.
    const name = crypto.createHash("sha256").update(JSON.stringify([attributes, options])).digest("hex").slice(0, 16);
    const file = path.join(folder, `${name}.json`);
    const kept = usable(file);
    if (kept) {
        return kept;
    }
    const { generate } = await import("selfsigned");
    const { cert, private: key } = await generate(attributes, options);
    // Written whole under another name first: a process reading it meanwhile sees the old file or none.
    // A folder that cannot be made or written keeps nothing: the certificate serves this process alone.
    const partial = `${file}.${process.pid}`;
    try {
        fs.mkdirSync(folder, { recursive: true });
        fs.rmSync(partial, { force: true }); // left by a process of the same id that died: "wx" sets the mode of a new file only
        fs.writeFileSync(partial, JSON.stringify({ cert, private: key }), { mode: 0o600, flag: "wx" });
        fs.renameSync(partial, file);
    } catch {
        try {
            fs.rmSync(partial, { force: true });
        } catch {
            // No folder, so no partial file either.
        }
    }
    return { cert, private: key };
}

/** The certificate kept in this file, if it is whole, matches its key and holds for another day. */
function usable(file: string): Certificate | undefined {
    try {
        const { cert, private: key } = JSON.parse(fs.readFileSync(file, "utf8")) as Certificate;
        const x509 = new crypto.X509Certificate(cert);
        if (x509.checkPrivateKey(crypto.createPrivateKey(key)) && Date.parse(x509.validTo) > Date.now() + DAY_MS) {
            return { cert, private: key };
        }
    } catch {
        // None kept yet, or not readable: made again.
    }
    return undefined;
}
