/**
 * MSAL's network client, on Node's https module instead of fetch: it can trust an extra CA
 * (a test's local stand-in; msal-node 7 has no `customAgentOptions`, only `system.networkClient`,
 * see node_modules/@azure/msal-node/src/config/Configuration.ts), it bounds every request, and it
 * remembers why the last request failed. MSAL swallows discovery failures into a generic error,
 * so that record is what says "unknown host" or "bad certificate" to the user.
 */
import * as https from "https";
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { collectBody, tooLargeAnswer, trustOptions } from "../httpsClient.ts";

/** How one request ended: a JSON answer, or why there was none. */
export type NetworkRecord = { method: "GET" | "POST"; url: string } & (
    | { outcome: "answer"; status: number; body: unknown }
    | { outcome: "not-json"; status: number }
    | { outcome: "too-large"; status: number }
    | { outcome: "connection"; code: string | undefined; message: string }
    | { outcome: "timeout" });

export interface RecordingNetworkClient extends INetworkModule {
    /** Every request, in order, with how it ended. */
    readonly requests: NetworkRecord[];
}

/** MSAL's own error for a request that failed (as its HttpClient throws it). */
function networkError(message: string): AuthError {
    return new AuthError("network_error", "", `Network request failed: ${message}`);
}
/** MSAL's HttpClient reports a timeout as network_error with this message alone, without the prefix above. */
const TIMEOUT_ERROR_MESSAGE = "Request timeout";

export function httpsNetworkClient(options: { trustedCa?: string; timeoutMs: number }): RecordingNetworkClient {
    const requests: NetworkRecord[] = [];
    const trust = trustOptions(options.trustedCa);

    function send<T>(method: "GET" | "POST", url: string, req?: NetworkRequestOptions, timeoutMs = options.timeoutMs):
        Promise<NetworkResponse<T>> {
        return new Promise((resolve, reject) => {
            let settled = false;
            const settle = (record: NetworkRecord, result: NetworkResponse<T> | AuthError) => {
                if (settled) {
                    return;
                }
                settled = true;
                requests.push(record);
                if (result instanceof AuthError) {
                    request.destroy();
                    reject(result);
                } else {
                    resolve(result);
                }
            };
            const body = method === "POST" ? req?.body ?? "" : undefined;
            const request = https.request(url, {
                method,
                headers: { ...req?.headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) },
                ...trust,
                timeout: timeoutMs,
            }, response => {
                response.on("error", err => settle({ method, url, outcome: "connection", code: (err as NodeJS.ErrnoException).code,
                    message: err.message }, networkError(err.message)));
                collectBody(response, () => settle({ method, url, outcome: "too-large", status: response.statusCode ?? 0 },
                    networkError(tooLargeAnswer(new URL(url).origin))), body => {
                    const status = response.statusCode ?? 0;
                    let parsed: unknown;
                    try {
                        parsed = JSON.parse(body.toString("utf8"));
                    } catch {
                        settle({ method, url, outcome: "not-json", status },
                            new AuthError("token_parsing_error", "", `Failed to parse response: HTTP ${status}`));
                        return;
                    }
                    const headers: Record<string, string> = {};
                    for (const [name, value] of Object.entries(response.headers)) {
                        if (value !== undefined) {
                            headers[name] = Array.isArray(value) ? value.join(", ") : value;
                        }
                    }
                    settle({ method, url, outcome: "answer", status, body: parsed }, { headers, body: parsed as T, status });
                });
            });
            request.on("timeout", () => settle({ method, url, outcome: "timeout" }, new AuthError("network_error", "", TIMEOUT_ERROR_MESSAGE)));
            request.on("error", err => settle({ method, url, outcome: "connection", code: (err as NodeJS.ErrnoException).code,
                message: err.message }, networkError(err.message)));
            request.end(body);
        });
    }

    return {
        requests,
        sendGetRequestAsync: (url, req, timeout) => send("GET", url, req, timeout),
        sendPostRequestAsync: (url, req) => send("POST", url, req),
    };
}
