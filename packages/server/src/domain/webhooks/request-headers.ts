// The headers of a delivery's POST, made in one place: the transport sends them, and the sandbox's
// delivery log shows them, so what the log shows is exactly what went out (Node adds only `host`
// and `connection`).
import { SIGNATURE_HEADER, signBody } from "./signature.ts";

export const WEBHOOK_USER_AGENT = "Beseda-Webhooks/0.1 (Avito Messenger API sandbox)";

/** What every delivery carries besides its signature and length. */
export const DELIVERY_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json",
  "user-agent": WEBHOOK_USER_AGENT,
};

export function requestHeaders(
  headers: Readonly<Record<string, string>>,
  body: string,
  signingKey: string | undefined,
): Record<string, string> {
  return {
    ...headers,
    ...(signingKey === undefined ? {} : { [SIGNATURE_HEADER]: signBody(signingKey, body) }),
    "content-length": String(Buffer.byteLength(body)),
  };
}
