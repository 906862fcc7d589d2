// One POST to a webhook receiver over node:http(s): a 2-second limit on the whole exchange, no
// redirects followed, the first 4 KB of the answer kept, keep-alive connections reused. In
// production mode the address each connection goes to is checked when it is resolved.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { requestHeaders } from "./request-headers.ts";
import { isForbiddenAddress } from "./url-guard.ts";

export const WEBHOOK_TIMEOUT_MS = 2000;
export const EXCERPT_BYTES = 4096;

export interface PostResult {
  statusCode: number | null;
  durationMs: number;
  /** Why there is no status: timeout, refused, forbidden address… */
  error: string | null;
  excerpt: string | null;
  retryAfter: string | undefined;
}

export interface PostRequest {
  url: string;
  body: string;
  headers: Readonly<Record<string, string>>;
  /** Signs the body with this key (see signature.ts), where the POST is made. */
  signingKey?: string;
}

export interface WebhookTransport {
  post(request: PostRequest): Promise<PostResult>;
  close(): void;
}

class ForbiddenAddressError extends Error {}

/** dns.lookup that refuses inside addresses: runs for every new connection to a name. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    const list = addresses as LookupAddress[];
    const allowed = list.find((a) => !isForbiddenAddress(a.address));
    if (!allowed || list.some((a) => isForbiddenAddress(a.address))) {
      const shown = list.map((a) => a.address).join(", ");
      return callback(
        new ForbiddenAddressError(`${hostname} resolves to a non-public address (${shown})`),
        "",
        4,
      );
    }
    if ((options as { all?: boolean }).all)
      return callback(null, [allowed] as never, allowed.family);
    return callback(null, allowed.address, allowed.family);
  });
};

export function httpTransport(mode: "sandbox" | "production"): WebhookTransport {
  const agentOptions = {
    keepAlive: true,
    maxSockets: 64,
    ...(mode === "production" ? { lookup: guardedLookup } : {}),
  };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

  async function post({ url, body, headers, signingKey }: PostRequest): Promise<PostResult> {
    const started = performance.now();
    const done = (partial: Partial<PostResult>): PostResult => ({
      statusCode: null,
      error: null,
      excerpt: null,
      retryAfter: undefined,
      ...partial,
      durationMs: Math.round(performance.now() - started),
    });
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, "");
    if (mode === "production" && isIP(host) !== 0 && isForbiddenAddress(host)) {
      return done({ error: `${host} is not a public address` });
    }
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const agent = target.protocol === "https:" ? agents.https : agents.http;
    return new Promise<PostResult>((resolve) => {
      const request = send(target, {
        method: "POST",
        agent,
        headers: requestHeaders(headers, body, signingKey),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      request.on("response", (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept < EXCERPT_BYTES) chunks.push(chunk.subarray(0, EXCERPT_BYTES - kept));
          kept += chunk.length;
        });
        response.on("end", () =>
          resolve(
            done({
              statusCode: response.statusCode ?? null,
              // stream: a character cut in two at the 4 KB mark is dropped, not turned into U+FFFD.
              excerpt: new TextDecoder().decode(Buffer.concat(chunks), { stream: true }),
              retryAfter: response.headers["retry-after"],
            }),
          ),
        );
        response.on("error", (error) =>
          resolve(done({ statusCode: response.statusCode ?? null, error: describe(error) })),
        );
      });
      request.on("error", (error) => resolve(done({ error: describe(error) })));
      request.end(body);
    });
  }

  return {
    post,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function describe(error: Error): string {
  if (error.name === "TimeoutError" || error.name === "AbortError") {
    return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  }
  if (error instanceof ForbiddenAddressError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}
