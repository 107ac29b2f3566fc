/**
 * What every https client here shares (MSAL's network client in ops/entra/msalNetwork.ts, the
 * Creatio client and runtime probe, the Graph key-id read): the trust of a test's stand-in, the
 * bounded reading of an answer's body and the words for an answer too large or a certificate not
 * trusted.
 */
import type * as http from "http";
import * as https from "https";
import * as tls from "tls";

const trusts = new Map<string, { secureContext: tls.SecureContext; agent: https.Agent }>();

/**
 * The TLS options of every request here. `rejectUnauthorized: true` stated, so that
 * NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn the certificate check off (Node's lib/_tls_wrap.js
 * takes the variable only as the default of this option). The trust: Node's default (which honours
 * NODE_EXTRA_CA_CERTS) through Node's global agent, or, with `extraCa` (a test's stand-in, PEM),
 * Node's root certificates plus that one, through an agent of that CA's own: a pool shared across
 * trusts could hand a socket trusted one way to a request trusting another (Node 24's agents tell
 * pooled sockets apart by host, port and TLS options, not by secureContext). That agent keeps
 * connections alive with the global agent's options (Node 22 lib/https.js, Node 24
 * lib/internal/http.js: keepAlive, scheduling lifo, timeout 5000), so the requests a test sends
 * travel as a user's do; an idle kept socket keeps no process alive. A request that must have a
 * connection of its own (`agent: false`) keeps the `secureContext`. Both are built once per CA:
 * building a context parses every root certificate.
 */
export function trustOptions(extraCa: string | undefined):
    { rejectUnauthorized: true; secureContext?: tls.SecureContext; agent?: https.Agent } {
    if (extraCa === undefined || extraCa === "") {
        return { rejectUnauthorized: true };
    }
    let trust = trusts.get(extraCa);
    if (trust === undefined) {
        const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, extraCa] });
        trust = { secureContext, agent: new https.Agent({ keepAlive: true, scheduling: "lifo", timeout: 5000, secureContext }) };
        trusts.set(extraCa, trust);
    }
    return { rejectUnauthorized: true, ...trust };
}

/**
 * The most an HTTP answer may hold, for Entra ID here and Creatio (ops/creatio/client.ts): their
 * answers are a few KiB; more is not what they send, and is not read.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Reads an answer's body up to MAX_ANSWER_BYTES: `done` with the whole body, or `tooLarge` once, as
 * soon as the declared length or the bytes received pass the limit (the rest is not kept).
 */
export function collectBody(response: http.IncomingMessage, tooLarge: () => void, done: (body: Buffer) => void): void {
    if (Number(response.headers["content-length"]) > MAX_ANSWER_BYTES) {
        tooLarge();
        return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
            if (!over) {
                over = true;
                tooLarge();
            }
        } else {
            chunks.push(chunk);
        }
    });
    response.on("end", () => {
        if (!over) {
            done(Buffer.concat(chunks));
        }
    });
}

/** How an answer over the limit is described. */
export function tooLargeAnswer(origin: string): string {
    return `${origin} answered more than ${MAX_ANSWER_BYTES / (1024 * 1024)} MiB; the rest was not read`;
}

/** Node's error codes of a TLS certificate that is not trusted or not for this host. */
export function isCertificateError(code: string | undefined): boolean {
    return code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/.test(code);
}
