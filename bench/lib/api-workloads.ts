// The API's requests that the HTTP scenarios load (http-api, postgres): reads and writes of the
// seeded world's hot seller at the data sizes both seed, and the summary of several load runs of
// one.
import type { LoadRequest, LoadResult } from "./autocannon.ts";
import { median } from "./stats.ts";

export interface Size {
  label: string;
  chats: number;
  messages: number;
}

/** The data sizes the HTTP scenarios seed, smallest first. */
export function seedSizes({ smoke, large }: { smoke: boolean; large: boolean }): Size[] {
  return smoke
    ? [{ label: "1k", chats: 100, messages: 1_000 }]
    : [
        { label: "10k", chats: 1_000, messages: 10_000 },
        { label: "1M", chats: 50_000, messages: 1_000_000 },
        ...(large ? [{ label: "10M", chats: 500_000, messages: 10_000_000 }] : []),
      ];
}

export interface Workload {
  name: string;
  request: LoadRequest;
  /** Prism mocks reads only: it cannot hold state. */
  read: boolean;
  /** Scenarios measured at every size; the others at the largest size only. */
  scaled: boolean;
}

export function workloads(
  base: string,
  manifest: {
    seller: { user_id: number; client_id: string; client_secret: string };
    busiest_chat_id: string;
  },
  token: string,
): Workload[] {
  const user = manifest.seller.user_id;
  const chat = manifest.busiest_chat_id;
  const auth = { authorization: `Bearer ${token}` };
  return [
    {
      name: "chats list (limit 100)",
      read: true,
      scaled: true,
      request: { url: `${base}/messenger/v2/accounts/${user}/chats?limit=100`, headers: auth },
    },
    {
      name: "chat by id",
      read: true,
      scaled: true,
      request: { url: `${base}/messenger/v2/accounts/${user}/chats/${chat}`, headers: auth },
    },
    {
      name: "messages (limit 100)",
      read: true,
      scaled: true,
      request: {
        url: `${base}/messenger/v3/accounts/${user}/chats/${chat}/messages/?limit=100`,
        headers: auth,
      },
    },
    {
      name: "send text",
      read: false,
      scaled: false,
      request: {
        url: `${base}/messenger/v1/accounts/${user}/chats/${chat}/messages`,
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({
          message: { text: "Здравствуйте! Да, ещё продаётся." },
          type: "text",
        }),
      },
    },
    {
      name: "read chat",
      read: false,
      scaled: false,
      request: {
        url: `${base}/messenger/v1/accounts/${user}/chats/${chat}/read`,
        method: "POST",
        headers: auth,
      },
    },
    {
      name: "token",
      read: false,
      scaled: false,
      request: {
        url: `${base}/token`,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: manifest.seller.client_id,
          client_secret: manifest.seller.client_secret,
        }).toString(),
      },
    },
  ];
}

export function summary(results: readonly LoadResult[]) {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}
