// The console's sign-in, against /console/session (not part of the sandbox API: it only turns the
// admin token into the session cookie).
import { errorOf } from "./api.ts";

/**
 * Whether this browser's session is live: "ended" when the server says so (401), "unknown" when
 * it could not be asked (a restart, a proxy's 5xx, no network).
 */
export async function sessionState(): Promise<"live" | "ended" | "unknown"> {
  const response = await fetch("/console/session", { credentials: "same-origin" }).catch(
    () => null,
  );
  if (response?.ok) return "live";
  return response?.status === 401 ? "ended" : "unknown";
}

export async function signIn(token: string): Promise<void> {
  const response = await fetch("/console/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Beseda-Console": "1" },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) throw await errorOf(response);
}

export async function signOut(): Promise<void> {
  await fetch("/console/session", {
    method: "DELETE",
    credentials: "same-origin",
    headers: { "X-Beseda-Console": "1" },
  });
}
