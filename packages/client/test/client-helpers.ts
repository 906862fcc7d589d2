// Shared by the client tests: a fetch that records what the client sends over the wire (the real
// fetch underneath: nothing is mocked) and the sandbox calls the tests make as the other side.
import type { Credentials, TestApi } from "../../server/test/helpers/api.ts";
import { AvitoMessenger, type AvitoMessengerOptions } from "../src/index.ts";

export interface SentRequest {
  at: number;
  method: string;
  path: string;
  /** The /token form's grant_type, for token calls. */
  grant?: string | null;
  status: number | "no answer";
  /** When the answer's headers arrived (or the connection failed). */
  answeredAt?: number;
}

export function recordingFetch(): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const entry: SentRequest = {
      at: Date.now(),
      method: init?.method ?? "GET",
      path: url.pathname,
      status: "no answer",
    };
    if (url.pathname === "/token" && init?.body instanceof URLSearchParams)
      entry.grant = init.body.get("grant_type");
    sent.push(entry);
    try {
      const response = await fetch(input, init);
      entry.status = response.status;
      return response;
    } finally {
      entry.answeredAt = Date.now();
    }
  };
  return { fetch: recording, sent };
}

/** A client acting for `account` with its personal (client_credentials) token. */
export function clientFor(
  base: string,
  account: Credentials,
  options: AvitoMessengerOptions = {},
): AvitoMessenger {
  return new AvitoMessenger({
    baseUrl: base,
    clientId: account.client_id,
    clientSecret: account.client_secret,
    userId: account.user_id,
    ...options,
  });
}

export async function addFault(api: TestApi, rule: Record<string, unknown>): Promise<string> {
  const answer = await api.sandbox<{ id: string }>("POST", "/faults", rule);
  if (answer.status !== 201) throw new Error(`fault answered ${answer.status}: ${answer.text}`);
  return answer.body.id;
}

export async function faultFired(api: TestApi, id: string): Promise<number> {
  const answer = await api.sandbox<{ faults: { id: string; fired: number }[] }>("GET", "/faults");
  return answer.body.faults.find((fault) => fault.id === id)?.fired ?? -1;
}

/** The chat's messages as the sandbox sees them (not through the client under test). */
export async function chatTexts(api: TestApi, chatId: string): Promise<string[]> {
  const answer = await api.sandbox<{ messages: { content: { text?: string } }[] }>(
    "GET",
    `/chats/${encodeURIComponent(chatId)}/messages?limit=100`,
  );
  if (answer.status !== 200) throw new Error(`messages answered ${answer.status}: ${answer.text}`);
  return answer.body.messages.map((message) => message.content.text ?? "");
}
