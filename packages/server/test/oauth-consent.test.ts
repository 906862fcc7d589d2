// The consent page (GET and POST /oauth) over HTTP: what the page shows, every refused request
// (an HTML page with a 4xx, never a redirect, nothing stored, on GET and on a hand-made POST
// alike), state and the redirect URI's own query kept through the redirect, codes single-use,
// expiring after 10 minutes of the sandbox clock and bound to the redirect_uri at /token, scopes
// limiting what the token may do, and the routes that register an app's redirect URIs.
// The same flow in a real browser: oauth-consent.browser.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiResponse, Credentials, TestApi } from "./helpers/api.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

interface App extends Credentials {
  redirect_uris: string[];
}

interface TokenBody {
  access_token: string;
  refresh_token?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

type Params = Record<string, string | string[]>;

/** Never contacted here: redirects are read, not followed. Its query must survive as it is. */
const CALLBACK = "http://127.0.0.1:9/callback?from=beseda&x=a%20b";
const OTHER_CALLBACK = "https://crm.example/oauth/done";
const BOTH_SCOPES = "messenger:read,messenger:write";

let server: TestServer;
let api: TestApi;
let w: World;
/** Registered CALLBACK and OTHER_CALLBACK; its name needs escaping. */
let app: App;
/** Registered CALLBACK only. */
let singleUriApp: App;
/** Registered nothing. */
let bareApp: App;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  app = await createApp('Бот <CRM> & "Ко"', [CALLBACK, OTHER_CALLBACK]);
  singleUriApp = await createApp("Одна ссылка", [CALLBACK]);
  bareApp = await createApp("Без ссылок", []);
});

afterAll(async () => {
  await server?.stop();
});

async function createApp(name: string, redirectUris: string[]): Promise<App> {
  const response = await api.sandbox<App>("POST", "/accounts", {
    name,
    redirect_uris: redirectUris,
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

function encode(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  }
  return search.toString();
}

function authorizeParams(overrides: Params = {}): Params {
  return {
    response_type: "code",
    client_id: app.client_id,
    scope: BOTH_SCOPES,
    state: "xyz-1",
    redirect_uri: CALLBACK,
    ...overrides,
  };
}

function without(params: Params, name: string): Params {
  const copy = { ...params };
  delete copy[name];
  return copy;
}

async function openConsent(params: Params): Promise<Response> {
  return fetch(`${server.url}/oauth?${encode(params)}`, { redirect: "manual" });
}

/** The form's POST as a browser (or a hand-made form) sends it; the redirect is not followed. */
async function submit(fields: Params): Promise<Response> {
  return fetch(`${server.url}/oauth`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: encode(fields),
    redirect: "manual",
  });
}

function approve(params: Params, userId: number = w.seller.user_id): Promise<Response> {
  return submit({ ...params, user_id: String(userId), decision: "approve" });
}

function location(response: Response): URL {
  expect(response.status).toBe(303);
  const value = response.headers.get("location");
  if (value === null) throw new Error("no Location");
  return new URL(value);
}

/** Consent approved for the seller: the code from the redirect. */
async function consentCode(params: Params = authorizeParams()): Promise<string> {
  const code = location(await approve(params)).searchParams.get("code");
  if (!code) throw new Error("no code in the redirect");
  return code;
}

function exchange(
  code: string,
  redirectUri?: string,
  client: Credentials = app,
): Promise<ApiResponse<TokenBody>> {
  return api.request<TokenBody>("POST", "/token", {
    form: {
      grant_type: "authorization_code",
      client_id: client.client_id,
      client_secret: client.client_secret,
      code,
      ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
    },
  });
}

function expectInvalidGrant(response: ApiResponse<TokenBody>): TokenBody {
  expect(response.status, response.text).toBe(400);
  expect(response.body).toEqual({ error: "invalid_grant", error_description: expect.any(String) });
  return response.body;
}

function expectToken(response: ApiResponse<TokenBody>): TokenBody & { access_token: string } {
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** The hidden inputs of the page's form, decoded as a browser would send them back. */
function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const decode = (text: string) =>
    text.replaceAll(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decode(m[1] ?? "")] = decode(m[2] ?? "");
  }
  return fields;
}

async function codeCount(): Promise<number> {
  const rows = await server.ctx.store.db.selectFrom("authorization_code").selectAll().execute();
  return rows.length;
}

// --- The page ------------------------------------------------------------------------------------

describe("the consent page", () => {
  test("shows the app, its client_id, each scope with its description, and the accounts; a plain form", async () => {
    const response = await openConsent(authorizeParams());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const html = await response.text();
    // The app's name, escaped: its < > & " never reach the page raw.
    expect(html).toContain("Бот &#60;CRM&#62; &#38; &#34;Ко&#34;");
    expect(html).not.toContain("<CRM>");
    expect(html).toContain(app.client_id);
    expect(html).toContain("<code>messenger:read</code> — Чтение сообщений в мессенджере Авито");
    expect(html).toContain(
      "<code>messenger:write</code> — Модифицирование сообщений в мессенджере Авито",
    );
    for (const account of [w.seller, w.buyer, w.stranger, app, singleUriApp]) {
      expect(html).toContain(`<option value="${account.user_id}">`);
    }
    expect(html).toMatch(/<form method="post" action="\/oauth">/);
    expect(html).toMatch(/<select id="user_id" name="user_id" required>/);
    expect(html).toContain('<button type="submit" name="decision" value="approve">');
    expect(html).toContain('<button type="submit" name="decision" value="deny" formnovalidate>');
    // No script, nothing loaded from elsewhere.
    expect(html).not.toMatch(/<script|\bsrc=|<link|@import|url\(/i);
    expect(hiddenFields(html)).toEqual({
      response_type: "code",
      client_id: app.client_id,
      redirect_uri: CALLBACK,
      scope: BOTH_SCOPES,
      state: "xyz-1",
    });
  });

  test("needs no token: a browser carries none", async () => {
    const withJunk = await fetch(`${server.url}/oauth?${encode(authorizeParams())}`, {
      headers: { authorization: "Bearer not-a-token" },
    });
    expect(withJunk.status).toBe(200);
    expect(location(await approve(authorizeParams())).searchParams.get("code")).toEqual(
      expect.any(String),
    );
  });

  test("only the scopes asked for are listed", async () => {
    const html = await (await openConsent(authorizeParams({ scope: "messenger:read" }))).text();
    expect(html).toContain("<code>messenger:read</code>");
    expect(html).not.toContain("<code>messenger:write</code>");
  });

  test("elsewhere errors are still the JSON envelope", async () => {
    const unknownPath = await api.request("GET", "/oauth/elsewhere");
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.headers.get("content-type")).toContain("application/json");
    expect(unknownPath.body).toEqual({ error: { code: 404, message: expect.any(String) } });
    const sandbox = await api.sandbox("POST", "/accounts", { name: "" });
    expect(sandbox.status).toBe(400);
    expect(sandbox.headers.get("content-type")).toContain("application/json");
  });
});

// --- Refused requests ----------------------------------------------------------------------------

describe("a refused request: an HTML error page with a 4xx, never a redirect, nothing stored", () => {
  const cases: [string, () => Params, string][] = [
    ["no client_id", () => without(authorizeParams(), "client_id"), "client_id"],
    ["an empty client_id", () => authorizeParams({ client_id: "" }), "client_id"],
    ["an unknown client_id", () => authorizeParams({ client_id: "no-such-app" }), "client_id"],
    ["client_id twice", () => authorizeParams({ client_id: [app.client_id, "x"] }), "client_id"],
    ["no response_type", () => without(authorizeParams(), "response_type"), "response_type"],
    ["response_type=token", () => authorizeParams({ response_type: "token" }), "response_type"],
    ["no scope", () => without(authorizeParams(), "scope"), "scope"],
    ["an empty scope", () => authorizeParams({ scope: "" }), "scope"],
    ["an unknown scope", () => authorizeParams({ scope: "messenger:read,items:delete" }), "scope"],
    [
      "an empty scope entry",
      () => authorizeParams({ scope: "messenger:read,,messenger:write" }),
      "scope",
    ],
    [
      "space-separated scopes",
      () => authorizeParams({ scope: "messenger:read messenger:write" }),
      "scope",
    ],
    [
      "a redirect_uri the app did not register",
      () => authorizeParams({ redirect_uri: "https://evil.example/steal" }),
      "redirect_uri",
    ],
    [
      "a registered redirect_uri with something added",
      () => authorizeParams({ redirect_uri: `${CALLBACK}&more=1` }),
      "redirect_uri",
    ],
    [
      "a redirect_uri of another app",
      () => authorizeParams({ client_id: bareApp.client_id }),
      "redirect_uri",
    ],
    [
      "no redirect_uri, the app registered several",
      () => without(authorizeParams(), "redirect_uri"),
      "redirect_uri",
    ],
    [
      "no redirect_uri, the app registered none",
      () => without(authorizeParams({ client_id: bareApp.client_id }), "redirect_uri"),
      "redirect_uri",
    ],
    ["state twice", () => authorizeParams({ state: ["a", "b"] }), "state"],
    // A browser's form sends these back changed (CRLF for a lone LF or CR, U+FFFD for NUL).
    ["a state with a lone LF", () => authorizeParams({ state: "a\nb" }), "state"],
    ["a state with a lone CR", () => authorizeParams({ state: "a\rb" }), "state"],
    ["a state with a NUL", () => authorizeParams({ state: "a\u0000b" }), "state"],
  ];

  async function expectErrorPage(response: Response, field: string, status = 400) {
    expect(response.status).toBe(status);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`<code>${field}</code>:`);
    expect(html).toContain(`(HTTP ${status})`);
    expect(html).not.toMatch(/<form|<script/);
    return html;
  }

  test.each(cases)("GET with %s", async (_, params, field) => {
    const before = await storeSnapshot(server.ctx.store);
    await expectErrorPage(await openConsent(params()), field);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test.each(cases)("a hand-made POST with %s, approved", async (_, params, field) => {
    const before = await storeSnapshot(server.ctx.store);
    await expectErrorPage(await approve(params()), field);
    const denied = await submit({ ...params(), decision: "deny" });
    await expectErrorPage(denied, field);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test.each([
    ["no account chosen", {}],
    ["an empty user_id", { user_id: "" }],
    ["an account that does not exist", { user_id: "987654321" }],
    ["a user_id that is no number", { user_id: "12abc" }],
    ["a user_id too large", { user_id: "99999999999999999999" }],
    ["user_id twice", { user_id: ["1", "2"] }],
  ] as [string, Params][])("approve with %s", async (_, fields) => {
    const before = await codeCount();
    const response = await submit({ ...authorizeParams(), ...fields, decision: "approve" });
    await expectErrorPage(response, "user_id");
    expect(await codeCount()).toBe(before);
  });

  test.each([
    ["no decision", {}],
    ["an unknown decision", { decision: "maybe" }],
  ] as [string, Params][])("%s", async (_, fields) => {
    const before = await codeCount();
    const response = await submit({
      ...authorizeParams(),
      user_id: String(w.seller.user_id),
      ...fields,
    });
    await expectErrorPage(response, "decision");
    expect(await codeCount()).toBe(before);
  });

  test("user data on the error page is escaped", async () => {
    const response = await openConsent(authorizeParams({ client_id: "<script>alert(1)</script>" }));
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
  });

  test("a POST body the form never sends: still an HTML page", async () => {
    const badJson = await fetch(`${server.url}/oauth`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
      redirect: "manual",
    });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get("location")).toBeNull();
    expect(badJson.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const wrongType = await fetch(`${server.url}/oauth`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "a,b",
      redirect: "manual",
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const empty = await fetch(`${server.url}/oauth`, { method: "POST", redirect: "manual" });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("<code>client_id</code>:");
  });
});

// --- The redirect --------------------------------------------------------------------------------

describe("the redirect back to the app", () => {
  const STATE = "a b&c=d+e%20f/?#ü\"<>'{}";

  test("approve: code and the untouched state, the redirect URI's own query kept", async () => {
    const page = await (await openConsent(authorizeParams({ state: STATE }))).text();
    expect(page).not.toContain(STATE);
    // What a browser sends back: the page's hidden fields, decoded, plus the choice.
    const fields = hiddenFields(page);
    expect(fields.state).toBe(STATE);
    const response = await submit({
      ...fields,
      user_id: String(w.seller.user_id),
      decision: "approve",
    });
    expect(response.status).toBe(303);
    const raw = response.headers.get("location") ?? "";
    expect(raw.startsWith(`${CALLBACK}&code=`)).toBe(true);
    const url = new URL(raw);
    expect(url.searchParams.get("state")).toBe(STATE);
    expect(url.searchParams.get("from")).toBe("beseda");
    expect(url.searchParams.get("x")).toBe("a b");
    expect([...url.searchParams.keys()]).toEqual(["from", "x", "code", "state"]);
    expect(url.hash).toBe("");
    expect(expectToken(await exchange(url.searchParams.get("code") ?? "", CALLBACK)).scope).toBe(
      BOTH_SCOPES,
    );
  });

  test("deny: error=access_denied and the state, no code, nothing stored", async () => {
    const before = await storeSnapshot(server.ctx.store);
    const response = await submit({ ...authorizeParams({ state: STATE }), decision: "deny" });
    const raw = response.headers.get("location") ?? "";
    expect(raw.startsWith(`${CALLBACK}&error=access_denied&state=`)).toBe(true);
    const url = location(response);
    expect(url.searchParams.get("error")).toBe("access_denied");
    expect(url.searchParams.get("state")).toBe(STATE);
    expect(url.searchParams.has("code")).toBe(false);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("a state with CRLF or a tab comes back as it is: a browser's form keeps those", async () => {
    const state = "line 1\r\nline 2\tend";
    const fields = hiddenFields(await (await openConsent(authorizeParams({ state }))).text());
    const url = location(await approve(fields));
    expect(url.searchParams.get("state")).toBe(state);
  });

  test("no state: none comes back; an empty state comes back empty", async () => {
    const none = location(await approve(without(authorizeParams(), "state")));
    expect([...none.searchParams.keys()]).toEqual(["from", "x", "code"]);
    const empty = await approve(authorizeParams({ state: "" }));
    expect(rawLocation(empty)).toMatch(/&state=$/);
  });

  test("a redirect URI without a query gets one", async () => {
    const url = location(await approve(authorizeParams({ redirect_uri: OTHER_CALLBACK })));
    expect(url.href.startsWith(`${OTHER_CALLBACK}?code=`)).toBe(true);
  });

  test("no redirect_uri when the app registered exactly one: sent there, the code bound to none", async () => {
    const params = without(authorizeParams({ client_id: singleUriApp.client_id }), "redirect_uri");
    expect((await openConsent(params)).status).toBe(200);
    const url = location(await approve(params));
    expect(url.href.startsWith(`${CALLBACK}&code=`)).toBe(true);
    const code = url.searchParams.get("code") ?? "";
    // RFC 6749, section 4.1.3: the exchange repeats redirect_uri only if the request named one.
    expectToken(await exchange(code, undefined, singleUriApp));
  });

  test("the POST follows the registered list as it is now, not as the page saw it", async () => {
    const changing = await createApp("Меняет ссылки", [CALLBACK]);
    const params = authorizeParams({ client_id: changing.client_id });
    expect((await openConsent(params)).status).toBe(200);
    await api.sandbox("PUT", `/accounts/${changing.user_id}/redirect-uris`, {
      redirect_uris: [OTHER_CALLBACK],
    });
    const response = await approve(params);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });
});

function rawLocation(response: Response): string {
  expect(response.status).toBe(303);
  return response.headers.get("location") ?? "";
}

// --- Codes ---------------------------------------------------------------------------------------

describe("codes from the consent page", () => {
  test("act for the chosen account, once", async () => {
    const code = await consentCode(authorizeParams());
    const token = expectToken(await exchange(code, CALLBACK));
    const chats = await api.call<{ chats: { id: string }[] }>("getChatsV2", {
      token: token.access_token,
      params: { user_id: w.seller.user_id },
    });
    expect(chats.status).toBe(200);
    expect(chats.body.chats.map((c) => c.id)).toContain(w.chatId);
    // Not the app's own account, nor another.
    const other = await api.call("getChatsV2", {
      token: token.access_token,
      params: { user_id: app.user_id },
    });
    expect(other.status).toBe(403);

    const again = expectInvalidGrant(await exchange(code, CALLBACK));
    expect(again.error_description).toMatch(/already used/);
  });

  test("the chosen account is the one the token acts for", async () => {
    const code = location(await approve(authorizeParams(), w.buyer.user_id)).searchParams.get(
      "code",
    );
    const token = expectToken(await exchange(code ?? "", CALLBACK));
    const own = await api.call("getChatsV2", {
      token: token.access_token,
      params: { user_id: w.buyer.user_id },
    });
    expect(own.status).toBe(200);
    const seller = await api.call("getChatsV2", {
      token: token.access_token,
      params: { user_id: w.seller.user_id },
    });
    expect(seller.status).toBe(403);
  });

  test("only the app they were given to can spend them", async () => {
    const code = await consentCode();
    expectInvalidGrant(await exchange(code, CALLBACK, singleUriApp));
    expectToken(await exchange(code, CALLBACK));
  });

  test("are bound to the redirect_uri the request named", async () => {
    const code = await consentCode();
    const missing = expectInvalidGrant(await exchange(code));
    expect(missing.error_description).toMatch(/redirect_uri/);
    const other = expectInvalidGrant(await exchange(code, OTHER_CALLBACK));
    expect(other.error_description).toMatch(/redirect_uri/);
    expectInvalidGrant(await exchange(code, `${CALLBACK}/`));
    // A mismatch does not spend the code.
    expectToken(await exchange(code, CALLBACK));
  });

  test("expire 10 minutes of the sandbox clock after consent", async () => {
    const early = await consentCode();
    const late = await consentCode();
    // 10 s short of the expiry, not 1: real time passes too between the consent and the
    // exchange, and on two busy cores that once took a second.
    await api.advanceClock(590);
    expectToken(await exchange(early, CALLBACK));
    await api.advanceClock(10);
    const expired = expectInvalidGrant(await exchange(late, CALLBACK));
    expect(expired.error_description).toMatch(/expired/);
  });

  test("a consent for messenger:read alone reads but cannot send; the refresh keeps it and is single-use", async () => {
    const code = await consentCode(authorizeParams({ scope: "messenger:read" }));
    const granted = expectToken(await exchange(code, CALLBACK));
    expect(granted.scope).toBe("messenger:read");
    const read = await api.call("getMessagesV3", {
      token: granted.access_token,
      params: { user_id: w.seller.user_id, chat_id: w.chatId },
    });
    expect(read.status).toBe(200);
    const before = await storeSnapshot(server.ctx.store);
    const send = await api.call<{ error: { message: string } }>("postSendMessage", {
      token: granted.access_token,
      params: { user_id: w.seller.user_id, chat_id: w.chatId },
      json: { message: { text: "Нельзя" }, type: "text" },
    });
    expect(send.status).toBe(403);
    expect(send.body.error.message).toContain("messenger:write");
    expect(await storeSnapshot(server.ctx.store)).toBe(before);

    const refreshToken = granted.refresh_token ?? "";
    const refresh = () =>
      api.request<TokenBody>("POST", "/token", {
        form: {
          grant_type: "refresh_token",
          client_id: app.client_id,
          client_secret: app.client_secret,
          refresh_token: refreshToken,
        },
      });
    const refreshed = expectToken(await refresh());
    expect(refreshed.scope).toBe("messenger:read");
    expectInvalidGrant(await refresh());
    const stillNoSend = await api.call("postSendMessage", {
      token: refreshed.access_token,
      params: { user_id: w.seller.user_id, chat_id: w.chatId },
      json: { message: { text: "Нельзя" }, type: "text" },
    });
    expect(stillNoSend.status).toBe(403);
  });

  test("a consent for messenger:write alone sends but cannot list chats", async () => {
    const code = await consentCode(authorizeParams({ scope: "messenger:write" }));
    const granted = expectToken(await exchange(code, CALLBACK));
    const send = await api.call("postSendMessage", {
      token: granted.access_token,
      params: { user_id: w.seller.user_id, chat_id: w.chatId },
      json: { message: { text: "Можно" }, type: "text" },
    });
    expect(send.status).toBe(200);
    const list = await api.call("getChatsV2", {
      token: granted.access_token,
      params: { user_id: w.seller.user_id },
    });
    expect(list.status).toBe(403);
  });
});

// --- The sandbox's own code route keeps the same rules -------------------------------------------

describe("POST /sandbox/v1/authorization-codes", () => {
  async function sandboxCode(body: Record<string, unknown>) {
    return api.sandbox<{ code: string; error?: { fields?: Record<string, string> } }>(
      "POST",
      "/authorization-codes",
      { client_id: app.client_id, user_id: w.seller.user_id, ...body },
    );
  }

  test("a redirect_uri must be registered, and binds the code", async () => {
    const before = await codeCount();
    const unregistered = await sandboxCode({ redirect_uri: "https://evil.example/steal" });
    expect(unregistered.status).toBe(400);
    expect(unregistered.body.error?.fields).toEqual({ redirect_uri: expect.any(String) });
    expect(await codeCount()).toBe(before);

    const bound = await sandboxCode({ redirect_uri: CALLBACK });
    expect(bound.status).toBe(201);
    expectInvalidGrant(await exchange(bound.body.code));
    expectToken(await exchange(bound.body.code, CALLBACK));

    const unbound = await sandboxCode({});
    expect(unbound.status).toBe(201);
    expectToken(await exchange(unbound.body.code));
  });

  test("any redirect_uri the app could register will do, as the consent page takes it", async () => {
    // Printable ASCII that a strict URI format refuses, yet registration accepts.
    const odd = "http://127.0.0.1:9/cb/{app}?x=a|b";
    const registering = await createApp("Странные ссылки", [odd]);
    const response = await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
      client_id: registering.client_id,
      user_id: w.seller.user_id,
      redirect_uri: odd,
    });
    expect(response.status, response.text).toBe(201);
    expectToken(await exchange(response.body.code, odd, registering));
  });

  test("only known scopes", async () => {
    const unknown = await sandboxCode({ scope: "messenger:read,items:delete" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.fields).toEqual({ scope: expect.stringContaining("items:delete") });
  });
});

// --- Registering redirect URIs -------------------------------------------------------------------

describe("redirect URIs", () => {
  test("POST /sandbox/v1/accounts registers them and answers them; without, none", async () => {
    const response = await api.sandbox<App>("POST", "/accounts", {
      name: "С адресами",
      redirect_uris: [OTHER_CALLBACK, "http://localhost:3000/cb?a=1"],
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user_id: expect.any(Number),
      name: "С адресами",
      client_id: expect.any(String),
      client_secret: expect.any(String),
      redirect_uris: [OTHER_CALLBACK, "http://localhost:3000/cb?a=1"],
    });
    const plain = await api.sandbox<App>("POST", "/accounts", { name: "Без" });
    expect(plain.body.redirect_uris).toEqual([]);
  });

  const invalid: [string, unknown, string][] = [
    ["not an array", "http://x.example/cb", "redirect_uris"],
    ["a number", [42], "redirect_uris[0]"],
    ["an empty string", [""], "redirect_uris[0]"],
    ["a relative path", ["/callback"], "redirect_uris[0]"],
    ["another scheme", ["ftp://x.example/cb"], "redirect_uris[0]"],
    ["a javascript: URL", ["javascript:alert(1)"], "redirect_uris[0]"],
    ["no host", ["http://"], "redirect_uris[0]"],
    ["a fragment", ["http://x.example/cb#top"], "redirect_uris[0]"],
    ["a space", ["http://x.example/a b"], "redirect_uris[0]"],
    ["a non-ASCII letter", ["http://x.example/ü"], "redirect_uris[0]"],
    ["a duplicate", [OTHER_CALLBACK, OTHER_CALLBACK], "redirect_uris[1]"],
    ["too many", Array.from({ length: 21 }, (_, i) => `http://x.example/${i}`), "redirect_uris"],
    ["too long", [`http://x.example/${"a".repeat(2000)}`], "redirect_uris[0]"],
  ];

  test.each(invalid)(
    "POST /accounts with %s: 400 naming the field, nothing created",
    async (_, value, field) => {
      const before = await storeSnapshot(server.ctx.store);
      const response = await api.sandbox<{ error: { fields: Record<string, string> } }>(
        "POST",
        "/accounts",
        { name: "Отказ", redirect_uris: value },
      );
      expect(response.status, response.text).toBe(400);
      expect(response.body).toEqual({
        error: { code: 400, message: expect.any(String), fields: { [field]: expect.any(String) } },
      });
      expect(await storeSnapshot(server.ctx.store)).toBe(before);
    },
  );

  test("PUT …/redirect-uris replaces them; the consent page follows at once", async () => {
    const changing = await createApp("Переезжает", [CALLBACK]);
    const params = authorizeParams({ client_id: changing.client_id });
    expect((await openConsent(params)).status).toBe(200);

    const response = await api.sandbox<App>("PUT", `/accounts/${changing.user_id}/redirect-uris`, {
      redirect_uris: [OTHER_CALLBACK],
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ ...changing, redirect_uris: [OTHER_CALLBACK] });
    expect((await openConsent(params)).status).toBe(400);
    expect((await openConsent({ ...params, redirect_uri: OTHER_CALLBACK })).status).toBe(200);
    // The only one: it may be left out.
    expect((await openConsent(without(params, "redirect_uri"))).status).toBe(200);

    const cleared = await api.sandbox<App>("PUT", `/accounts/${changing.user_id}/redirect-uris`, {
      redirect_uris: [],
    });
    expect(cleared.body.redirect_uris).toEqual([]);
    const none = await openConsent({ ...params, redirect_uri: OTHER_CALLBACK });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("no registered redirect URI");
  });

  test("PUT …/redirect-uris refuses what POST refuses, an unknown account, and no admin token; changes nothing", async () => {
    const path = `/accounts/${singleUriApp.user_id}/redirect-uris`;
    const appToken = await api.token(singleUriApp);
    const before = await storeSnapshot(server.ctx.store);
    for (const [, value, field] of invalid) {
      const response = await api.sandbox<{ error: { fields: Record<string, string> } }>(
        "PUT",
        path,
        { redirect_uris: value },
      );
      expect(response.status, String(value)).toBe(400);
      expect(response.body.error.fields).toEqual({ [field]: expect.any(String) });
    }
    const missing = await api.sandbox<{ error: { fields: Record<string, string> } }>(
      "PUT",
      path,
      {},
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toEqual({ redirect_uris: expect.any(String) });

    const unknown = await api.sandbox("PUT", "/accounts/987654321/redirect-uris", {
      redirect_uris: [CALLBACK],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 404, message: expect.any(String) } });
    const badId = await api.sandbox("PUT", "/accounts/abc/redirect-uris", {
      redirect_uris: [CALLBACK],
    });
    expect(badId.status).toBe(400);

    const anonymous = await api.request("PUT", `/sandbox/v1${path}`, {
      json: { redirect_uris: [OTHER_CALLBACK] },
    });
    expect(anonymous.status).toBe(401);
    const asApp = await api.request("PUT", `/sandbox/v1${path}`, {
      token: appToken,
      json: { redirect_uris: [OTHER_CALLBACK] },
    });
    expect(asApp.status).toBe(401);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
    const uris = await server.ctx.store.db
      .selectFrom("app_redirect_uri")
      .select("uri")
      .where("user_id", "=", singleUriApp.user_id)
      .execute();
    expect(uris.map((r) => r.uri)).toEqual([CALLBACK]);
  });
});
