// verifyAndParse: the one call a hand-written receiver needs. The signature is checked on the
// bytes as they arrived, before anything is parsed: a body re-serialised by a framework's JSON
// parser no longer matches, so receivers must hand over the raw body.
import { parseEvent, type WebhookEvent } from "./webhooks-event.ts";
import { checkSignature, createSigner, type HeadersLike, toBytes } from "./webhooks-signature.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The raw body's text; bytes that are not UTF-8 are a payload fault, not a signature one. */
export function bodyText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    return "\uFFFD";
  }
}

/**
 * Checks the delivery's signature against `secret` (the account's client secret) in constant time
 * and reads the body as a v3 message event.
 *
 * @throws WebhookSignatureError when the signature is missing, malformed or wrong.
 * @throws WebhookPayloadError when the body is not a v3 message envelope.
 */
export async function verifyAndParse(
  rawBody: string | Uint8Array,
  headers: HeadersLike,
  secret: string,
): Promise<WebhookEvent> {
  if (typeof secret !== "string" || secret === "") {
    throw new TypeError("verifyAndParse needs the account's client secret");
  }
  const bytes = toBytes(rawBody);
  await checkSignature(createSigner(secret), bytes, headers);
  return parseEvent(typeof rawBody === "string" ? rawBody : bodyText(bytes));
}
