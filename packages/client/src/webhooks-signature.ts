// Checks a delivery's `x-avito-messenger-signature`: 64 hex characters, the HMAC-SHA256 of the raw
// body keyed with the account's client secret. That is Beseda's documented scheme; production
// sends a header of the same form but has never said how it computes it. Web Crypto only, so
// the check runs on Node 20+, Bun, Deno, browsers and workers alike.
import { WebhookSignatureError } from "./webhooks-errors.ts";

export const SIGNATURE_HEADER = "x-avito-messenger-signature";

/**
 * Request headers as servers hand them over: a fetch `Headers`, Node's `IncomingHttpHeaders`
 * (lower-case names, arrays for repeated headers) or a plain record in any case.
 */
export type HeadersLike =
  | Headers
  | { readonly [name: string]: string | readonly string[] | number | undefined };

const encoder = new TextEncoder();

function isFetchHeaders(headers: HeadersLike): headers is Headers {
  const candidate = headers as Partial<Headers>;
  return typeof candidate.get === "function" && typeof candidate.has === "function";
}

/** Every value given for `name` (lower case), whatever shape the headers come in. */
export function headerValues(headers: HeadersLike, name: string): string[] {
  if (isFetchHeaders(headers)) {
    const value = headers.get(name);
    return value === null ? [] : [value];
  }
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (Array.isArray(value)) values.push(...value.map(String));
    else values.push(String(value));
  }
  return values;
}

export function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : body;
}

/**
 * The HMAC-SHA256 of a body under one secret. A function rather than Web Crypto's CryptoKey, so
 * that the declarations this package publishes name no DOM-only type: a Node project compiled
 * with only `@types/node` (and `skipLibCheck: false`) must be able to read them.
 */
export type Signer = (body: Uint8Array) => Promise<Uint8Array>;

/** The signer of a client secret; its key is imported once, on first use. */
export function createSigner(secret: string): Signer {
  let key: ReturnType<typeof crypto.subtle.importKey> | undefined;
  return async (body) => {
    key ??= crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    // A copy, so that a view over a shared or pooled buffer (Node's Buffer) is acceptable to
    // crypto.subtle, which wants its own ArrayBuffer.
    return new Uint8Array(await crypto.subtle.sign("HMAC", await key, new Uint8Array(body)));
  };
}

function fromHex(hex: string): Uint8Array | null {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Compares every byte whatever the first difference, so that the time taken says nothing about
 * how much of a forged signature was right. Lengths are fixed (32) before this is called.
 */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** Resolves if the headers carry the body's signature (as `sign` makes it), else throws why. */
export async function checkSignature(
  sign: Signer,
  body: Uint8Array,
  headers: HeadersLike,
): Promise<void> {
  const values = headerValues(headers, SIGNATURE_HEADER);
  const [value] = values;
  if (value === undefined) {
    throw new WebhookSignatureError("missing", `the request has no ${SIGNATURE_HEADER} header`);
  }
  if (values.length > 1) {
    throw new WebhookSignatureError("ambiguous", `the request has ${values.length} signatures`);
  }
  const given = fromHex(value.trim());
  if (given === null) {
    throw new WebhookSignatureError("malformed", `${SIGNATURE_HEADER} is not 64 hex characters`);
  }
  const expected = await sign(body);
  if (!equalInConstantTime(given, expected)) {
    throw new WebhookSignatureError(
      "mismatch",
      `${SIGNATURE_HEADER} does not match the body: forged, altered, re-encoded, or signed with another client secret`,
    );
  }
}
