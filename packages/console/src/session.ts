// The console's sign-in, against /console/session (not part of the sandbox API: it only turns the
// admin token into the session cookie).
import { errorOf } from "./api.ts";

export async function sessionIsLive(): Promise<boolean> {
  const response = await fetch("/console/session", { credentials: "same-origin" });
  return response.ok;
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
