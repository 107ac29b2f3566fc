/**
 * Self-signed certificates for the https stand-ins on 127.0.0.1. Making an RSA key is the costly
 * part of starting a stand-in, so each subject's certificate is made once per test process and
 * shared by every server of that subject.
 */
import { generate } from "selfsigned";

export interface Certificate {
    /** PEM of the certificate: what a client trusts. */
    cert: string;
    /** PEM of its private key: what the server presents with it. */
    private: string;
}

const made = new Map<string, Promise<Certificate>>();

/** A certificate for 127.0.0.1 with this common name (two stand-ins trusted together need two names). */
export function certificateFor(commonName: string): Promise<Certificate> {
    let certificate = made.get(commonName);
    if (certificate === undefined) {
        certificate = generate([{ name: "commonName", value: commonName }], {
            keySize: 2048,
            algorithm: "sha256",
            extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
        });
        made.set(commonName, certificate);
    }
    return certificate;
}
