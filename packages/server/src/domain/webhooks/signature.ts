// The signature header of a delivery. Production sends 64 hex characters and does not say how it
// makes them; Beseda's is HMAC-SHA256 of the raw body, keyed with the account's client secret.
import { createHmac } from "node:crypto";

export const SIGNATURE_HEADER = "x-avito-messenger-signature";

export function signBody(clientSecret: string, body: string): string {
  return createHmac("sha256", clientSecret).update(body).digest("hex");
}
