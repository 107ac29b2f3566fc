/**
 * MSAL's network client, on Node's https module instead of fetch: it can trust an extra CA
 * (a test's local stand-in; msal-node 7 has no `customAgentOptions`, only `system.networkClient`,
 * see node_modules/@azure/msal-node/src/config/Configuration.ts), it bounds every request, and it
 * remembers why the last request failed. MSAL swallows discovery failures into a generic error,
 * so that record is what says "unknown host" or "bad certificate" to the user.
 */
import * as https from "https";
import * as tls from "tls";
import { AuthError, INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

/** How one request ended, when it did not end with a JSON answer. */
export type NetworkFailure =
    | { kind: "connection"; url: string; code: string | undefined; message: string }
    | { kind: "timeout"; url: string }
    | { kind: "not-json"; url: string; status: number };

/** One answered request: its status and parsed body. */
export interface NetworkExchange {
    method: "GET" | "POST";
    url: string;
    status: number;
    body: unknown;
}

export interface RecordingNetworkClient extends INetworkModule {
    /** Every request that got a JSON answer, in order. */
    readonly exchanges: NetworkExchange[];
    /** The failures of requests that got none. */
    readonly failures: NetworkFailure[];
}

/** MSAL's own error for a request that failed (as its HttpClient throws it). */
function networkError(message: string): AuthError {
    return new AuthError("network_error", "", `Network request failed: ${message}`);
}

export function httpsNetworkClient(options: { trustedCa?: string; timeoutMs: number }): RecordingNetworkClient {
    const exchanges: NetworkExchange[] = [];
    const failures: NetworkFailure[] = [];
    // Only with an extra CA is the trust store replaced (by the default roots plus that CA);
    // otherwise Node's default, which honours NODE_EXTRA_CA_CERTS.
    const ca = options.trustedCa ? [...tls.rootCertificates, options.trustedCa] : undefined;

    function send<T>(method: "GET" | "POST", url: string, req?: NetworkRequestOptions, timeoutMs = options.timeoutMs):
        Promise<NetworkResponse<T>> {
        return new Promise((resolve, reject) => {
            const body = method === "POST" ? req?.body ?? "" : undefined;
            const request = https.request(url, {
                method,
                headers: { ...req?.headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) },
                ca,
                timeout: timeoutMs,
            }, response => {
                let text = "";
                response.setEncoding("utf8");
                response.on("data", chunk => (text += chunk));
                response.on("error", err => fail({ kind: "connection", url, code: (err as NodeJS.ErrnoException).code, message: err.message }));
                response.on("end", () => {
                    const status = response.statusCode ?? 0;
                    let parsed: unknown;
                    try {
                        parsed = JSON.parse(text);
                    } catch {
                        failures.push({ kind: "not-json", url, status });
                        reject(new AuthError("token_parsing_error", "", `Failed to parse response: HTTP ${status}`));
                        return;
                    }
                    exchanges.push({ method, url, status, body: parsed });
                    const headers: Record<string, string> = {};
                    for (const [name, value] of Object.entries(response.headers)) {
                        if (value !== undefined) {
                            headers[name] = Array.isArray(value) ? value.join(", ") : value;
                        }
                    }
                    resolve({ headers, body: parsed as T, status });
                });
            });
            function fail(failure: NetworkFailure & { kind: "connection" | "timeout" }) {
                failures.push(failure);
                request.destroy();
                reject(networkError(failure.kind === "timeout" ? "Request timeout" : failure.message));
            }
            request.on("timeout", () => fail({ kind: "timeout", url }));
            request.on("error", err => {
                if (!failures.some(f => f.url === url && f.kind === "timeout")) {
                    fail({ kind: "connection", url, code: (err as NodeJS.ErrnoException).code, message: err.message });
                }
            });
            request.end(body);
        });
    }

    return {
        exchanges,
        failures,
        sendGetRequestAsync: (url, req, timeout) => send("GET", url, req, timeout),
        sendPostRequestAsync: (url, req) => send("POST", url, req),
    };
}
