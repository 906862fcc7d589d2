// A small Avito Messenger integration of the kind integrators write, made to survive production's
// bad days: it signs a seller in through the consent page (authorization code, redirect URI,
// state), then sends a message a second to the seller's newest chat and keeps going through what
// the sandbox's fault rules throw at it:
// - 429: waits as Retry-After says, then sends again (nothing was stored);
// - 403 "access token expired" / "invalid access token": refreshes once, then sends again;
// - 5xx or a connection cut before the answer: the message may or may not be stored, so it looks
//   at the chat's newest messages for it before sending again (never a blind second send).
// At the end it checks that every message is in the chat exactly once.
//
//   CLIENT_ID=… CLIENT_SECRET=… npx node examples/five-minutes/client.ts [--base URL] [--port 3000] [--count 20]
//
// The app (CLIENT_ID) must have http://localhost:PORT/avito/callback among its redirect URIs.
// Zero dependencies: fetch and node:http.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    base: { type: "string", default: "http://127.0.0.1:8080" },
    port: { type: "string", default: "3000" },
    count: { type: "string", default: "20" },
  },
});
const base = (values.base as string).replace(/\/+$/, "");
const port = Number(values.port);
const count = Number(values.count);
const clientId = process.env.CLIENT_ID ?? "";
const clientSecret = process.env.CLIENT_SECRET ?? "";
if (!clientId || !clientSecret) {
  console.error("set CLIENT_ID and CLIENT_SECRET (from `npx beseda accounts create …`)");
  process.exit(2);
}
const redirectUri = `http://localhost:${port}/avito/callback`;
const scope = "messenger:read,messenger:write,user:read";

function log(line: string): void {
  console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`);
}

interface Tokens {
  access_token: string;
  refresh_token?: string;
}

async function tokenRequest(form: Record<string, string>): Promise<Tokens> {
  const response = await fetch(`${base}/token`, {
    method: "POST",
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...form }),
  });
  if (!response.ok) throw new Error(`/token answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Tokens;
}

/** Serves the redirect URI until the consent page sends the browser back with a code. */
async function signIn(): Promise<Tokens> {
  const state = randomBytes(12).toString("hex");
  const code = await new Promise<string>((resolve, reject) => {
    const callback = createServer((request, response) => {
      const url = new URL(request.url ?? "/", redirectUri);
      if (url.pathname !== "/avito/callback") {
        response.writeHead(404).end();
        return;
      }
      const error = url.searchParams.get("error");
      const ok = !error && url.searchParams.get("state") === state && url.searchParams.get("code");
      response
        .writeHead(ok ? 200 : 400, { "content-type": "text/html; charset=utf-8" })
        .end(
          ok
            ? "<p>Signed in. Back to the terminal.</p>"
            : `<p>Not signed in: ${error ?? "bad state"}</p>`,
        );
      callback.close();
      if (ok) resolve(url.searchParams.get("code") as string);
      else reject(new Error(`the consent came back without a code: ${error ?? "state differs"}`));
    });
    callback.listen(port, () => {
      const query = new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        scope,
        state,
        redirect_uri: redirectUri,
      });
      log(`Open ${base}/oauth?${query} and approve as the seller`);
    });
  });
  log("signed in: exchanging the code");
  return tokenRequest({ grant_type: "authorization_code", code, redirect_uri: redirectUri });
}

let tokens = await signIn();

/** One call; the answer, or null when the connection was cut before it came. */
async function call(method: string, path: string, body?: unknown): Promise<Response | null> {
  try {
    return await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return null;
  }
}

async function json<T>(method: string, path: string): Promise<T> {
  const response = await call(method, path);
  if (!response?.ok) throw new Error(`${method} ${path} answered ${response?.status ?? "nothing"}`);
  return (await response.json()) as T;
}

const self = await json<{ id: number; name: string }>("GET", "/core/v1/accounts/self");
const { chats } = await json<{ chats: { id: string }[] }>(
  "GET",
  `/messenger/v2/accounts/${self.id}/chats?limit=1&chat_types=u2i,u2u`,
);
const chatId = chats[0]?.id;
if (!chatId) throw new Error(`${self.name} has no chat to write to`);
log(`acting as ${self.name} (${self.id}); writing to ${chatId}`);
const messagesPath = `/messenger/v3/accounts/${self.id}/chats/${chatId}/messages/`;

async function isInChat(text: string): Promise<boolean> {
  const newest = await json<{ content: { text?: string } }[]>("GET", `${messagesPath}?limit=20`);
  return newest.some((message) => message.content.text === text);
}

/** Sends `text` once: never a second time when the first may have been stored. */
async function sendOnce(text: string): Promise<void> {
  const path = `/messenger/v1/accounts/${self.id}/chats/${chatId}/messages`;
  let backoffMs = 250;
  for (let attempt = 1; ; attempt++) {
    const response = await call("POST", path, { message: { text }, type: "text" });
    if (response?.ok) return;
    const fault = response?.headers.get("x-beseda-fault");
    const tag = fault ? ` [sandbox fault ${fault}]` : "";
    if (response?.status === 429) {
      const wait = Number(response.headers.get("retry-after") ?? "1");
      log(`429 on attempt ${attempt}${tag}: waiting ${wait} s as Retry-After says`);
      await sleep(wait * 1000);
      continue;
    }
    if (response?.status === 403 || response?.status === 401) {
      const body = await response.text();
      if (!/access token|invalid/.test(body) || !tokens.refresh_token) throw new Error(body);
      log(`${response.status} ${body}${tag}: refreshing the token`);
      tokens = await tokenRequest({
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token,
      });
      continue;
    }
    if (response === null || response.status >= 500) {
      log(
        `${response ? response.status : "no answer"} on attempt ${attempt}${tag}: was it stored? looking at the chat`,
      );
      if (await isInChat(text)) {
        log(`"${text}" is in the chat: not sending it again`);
        return;
      }
      await sleep(backoffMs + Math.random() * backoffMs);
      backoffMs = Math.min(backoffMs * 2, 5000);
      continue;
    }
    throw new Error(`send answered ${response.status}: ${await response.text()}`);
  }
}

const run = randomBytes(3).toString("hex");
const sent: string[] = [];
for (let i = 1; i <= count; i++) {
  const text = `Сообщение ${i} из ${count} (${run})`;
  await sendOnce(text);
  sent.push(text);
  log(`sent ${i}/${count}`);
  if (i < count) await sleep(1000);
}

const history = await json<{ content: { text?: string } }[]>("GET", `${messagesPath}?limit=100`);
const copies = sent.map((text) => history.filter((m) => m.content.text === text).length);
const wrong = copies.filter((n) => n !== 1).length;
log(
  wrong === 0
    ? `all ${count} messages are in the chat exactly once`
    : `${wrong} messages are not in the chat exactly once`,
);
process.exit(wrong === 0 ? 0 : 1);
