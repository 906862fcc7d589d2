// The token endpoint: POST /token and /token/ (form-encoded) and GET /token/?… issue tokens for the
// three grants; answers match the auth document; errors use OAuth's {error, error_description};
// authorization codes are single-use and short-lived, refresh tokens single-use and bound to their
// client; tokens are stored only hashed, expire with the sandbox clock and never reach the log.
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { DEFAULT_CONFIG } from "../src/config.ts";
import { type JsonSchema, resolveRefs } from "../src/http/openapi/contract.ts";
import { OPENAPI_FORMATS } from "../src/http/openapi/formats.ts";
import { type RunningServer, startServer } from "../src/server.ts";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";

interface TokenBody {
  access_token: string;
  expires_in: number;
  token_type: string;
  refresh_token?: string;
  scope?: string;
}

interface OAuthErrorBody {
  error: string;
  error_description: string;
}

// --- The auth document's schemas, closed so that an undocumented field fails -------------------

interface AuthDocument {
  paths: {
    "/token": {
      post: {
        responses: Record<string, { content: { "application/json": { schema: JsonSchema } } }>;
      };
    };
  };
}

const authDocument = createRequire(import.meta.url)("@beseda/contract/auth.json") as AuthDocument;
const ajv = new Ajv({ allErrors: true, strict: false, formats: OPENAPI_FORMATS });

function closedSchema(status: string): ValidateFunction {
  const response = authDocument.paths["/token"].post.responses[status];
  if (!response) throw new Error(`the auth document has no ${status} answer for /token`);
  const schema = resolveRefs(authDocument, response.content["application/json"].schema);
  return ajv.compile({ ...schema, additionalProperties: false });
}

const validateToken = closedSchema("200");
const validateOAuthError400 = closedSchema("400");
const validateOAuthError401 = closedSchema("401");

function expectValid(validate: ValidateFunction, body: unknown): void {
  const ok = validate(body);
  expect(ok, `${JSON.stringify(validate.errors)} for ${JSON.stringify(body)}`).toBe(true);
}

/** A 200 token answer, validated against the document's /token 200 schema. */
function expectTokenAnswer(response: ApiResponse<TokenBody>): TokenBody {
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expectValid(validateToken, response.body);
  return response.body;
}

/** An OAuth error answer: exactly {error, error_description}, per the document's schema. */
function expectOAuthError(
  response: ApiResponse<OAuthErrorBody>,
  status: 400 | 401,
  error: string,
): OAuthErrorBody {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expectValid(status === 400 ? validateOAuthError400 : validateOAuthError401, response.body);
  expect(Object.keys(response.body).sort()).toEqual(["error", "error_description"]);
  expect(response.body.error).toBe(error);
  expect(typeof response.body.error_description).toBe("string");
  expect(response.body.error_description).not.toBe("");
  return response.body;
}

// --- Servers -------------------------------------------------------------------------------------

let server: TestServer;
let api: TestApi;
let ttlServer: TestServer;
let ttlApi: TestApi;

/** The OAuth app (its client_id asks for codes), the user who grants it, and a third account. */
let app: Credentials;
let user: Credentials;
let other: Credentials;
let userChatId: string;

beforeAll(async () => {
  [server, ttlServer] = await Promise.all([
    startTestServer(),
    startTestServer({ tokenTtlSeconds: 60 }),
  ]);
  api = new TestApi(server.url, server.adminToken);
  ttlApi = new TestApi(ttlServer.url, ttlServer.adminToken);
  app = await api.createAccount("Интеграция CRM");
  user = await api.createAccount("Пользователь");
  other = await api.createAccount("Другое приложение");
  const { item_id: itemId } = await api.createItem(other.user_id, "Самокат");
  ({ chat_id: userChatId } = await api.openChat({
    type: "u2i",
    item_id: itemId,
    user_id: user.user_id,
  }));
  await api.text(userChatId, user.user_id, "Добрый день");
});
afterAll(async () => {
  await Promise.all([server.stop(), ttlServer.stop()]);
});

function postToken(
  fields: Record<string, string>,
  path = "/token",
  on: TestApi = api,
): Promise<ApiResponse<TokenBody & OAuthErrorBody>> {
  return on.request<TokenBody & OAuthErrorBody>("POST", path, { form: fields });
}

function clientCredentials(credentials: Credentials): Record<string, string> {
  return {
    grant_type: "client_credentials",
    client_id: credentials.client_id,
    client_secret: credentials.client_secret,
  };
}

async function authorizationCode(
  body: { client_id: string; user_id: number; scope?: string },
  on: TestApi = api,
): Promise<string> {
  const response = await on.sandbox<{ code: string; expires_in: number }>(
    "POST",
    "/authorization-codes",
    body,
  );
  expect(response.status, response.text).toBe(201);
  expect(typeof response.body.code).toBe("string");
  expect(response.body.expires_in).toBe(600);
  return response.body.code;
}

function exchangeCode(
  code: string,
  client: Credentials = app,
  on: TestApi = api,
): Promise<ApiResponse<TokenBody & OAuthErrorBody>> {
  return postToken(
    {
      grant_type: "authorization_code",
      client_id: client.client_id,
      client_secret: client.client_secret,
      code,
    },
    "/token",
    on,
  );
}

function refresh(
  refreshToken: string,
  client: Credentials = app,
): Promise<ApiResponse<TokenBody & OAuthErrorBody>> {
  return postToken({
    grant_type: "refresh_token",
    client_id: client.client_id,
    client_secret: client.client_secret,
    refresh_token: refreshToken,
  });
}

/** Who a token acts for: getChatsV2 on `userId` answers 200 only for the token's own account. */
function chatsOf(token: string, userId: number, on: TestApi = api) {
  return on.call<{ chats: { id: string }[] }>("getChatsV2", {
    token,
    params: { user_id: userId },
  });
}

// --- client_credentials --------------------------------------------------------------------------

describe("client_credentials", () => {
  test.each(["/token", "/token/"])(
    "POST %s form-encoded answers exactly the token",
    async (path) => {
      const response = await postToken(clientCredentials(user), path);
      const body = expectTokenAnswer(response);
      expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
      expect(body).toEqual({
        access_token: expect.any(String),
        expires_in: 86400,
        token_type: "Bearer",
      });
      expect(body.access_token.length).toBeGreaterThanOrEqual(16);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect((await chatsOf(body.access_token, user.user_id)).status).toBe(200);
    },
  );

  test.each(["/token", "/token/"])(
    "GET %s?grant_type=…&client_id=…&client_secret=… works too",
    async (path) => {
      const response = await api.request<TokenBody>("GET", path, {
        query: clientCredentials(user),
      });
      const body = expectTokenAnswer(response);
      expect(body).toEqual({
        access_token: expect.any(String),
        expires_in: 86400,
        token_type: "Bearer",
      });
      const chats = await chatsOf(body.access_token, user.user_id);
      expect(chats.status).toBe(200);
      expect(chats.body.chats.map((c) => c.id)).toEqual([userChatId]);
    },
  );

  test("every request issues a new token, and earlier ones stay valid", async () => {
    const first = expectTokenAnswer(await postToken(clientCredentials(user))).access_token;
    const second = expectTokenAnswer(await postToken(clientCredentials(user))).access_token;
    expect(second).not.toBe(first);
    expect((await chatsOf(first, user.user_id)).status).toBe(200);
    expect((await chatsOf(second, user.user_id)).status).toBe(200);
  });

  test("the token acts for the client's own account only", async () => {
    const token = expectTokenAnswer(await postToken(clientCredentials(app))).access_token;
    expect((await chatsOf(token, app.user_id)).status).toBe(200);
    expect((await chatsOf(token, user.user_id)).status).toBe(403);
  });
});

// --- authorization_code and refresh_token ---------------------------------------------------------

describe("authorization_code", () => {
  test("a code exchanges for a token of the granting user, with a refresh token and both scopes", async () => {
    const code = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    const body = expectTokenAnswer(await exchangeCode(code));
    expect(body).toEqual({
      access_token: expect.any(String),
      expires_in: 86400,
      token_type: "Bearer",
      refresh_token: expect.any(String),
      scope: "messenger:read,messenger:write",
    });
    expect(body.refresh_token).not.toBe(body.access_token);

    const chats = await chatsOf(body.access_token, user.user_id);
    expect(chats.status).toBe(200);
    expect(chats.body.chats.map((c) => c.id)).toEqual([userChatId]);
    // Not the app's own account.
    expect((await chatsOf(body.access_token, app.user_id)).status).toBe(403);
  });

  test("POST /token/ and GET /token/ exchange codes too", async () => {
    const viaSlash = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    const first = expectTokenAnswer(
      await postToken(
        {
          grant_type: "authorization_code",
          client_id: app.client_id,
          client_secret: app.client_secret,
          code: viaSlash,
        },
        "/token/",
      ),
    );
    expect(first.scope).toBe("messenger:read,messenger:write");
    const viaGet = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    const second = expectTokenAnswer(
      await api.request<TokenBody>("GET", "/token/", {
        query: {
          grant_type: "authorization_code",
          client_id: app.client_id,
          client_secret: app.client_secret,
          code: viaGet,
        },
      }),
    );
    expect(second.refresh_token).toEqual(expect.any(String));
    expect((await chatsOf(second.access_token, user.user_id)).status).toBe(200);
  });

  test("the granted scope is answered as asked", async () => {
    const code = await authorizationCode({
      client_id: app.client_id,
      user_id: user.user_id,
      scope: "messenger:read",
    });
    const body = expectTokenAnswer(await exchangeCode(code));
    expect(body.scope).toBe("messenger:read");
    expect(body.refresh_token).toEqual(expect.any(String));
  });

  test("a code is single-use", async () => {
    const code = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    expectTokenAnswer(await exchangeCode(code));
    expectOAuthError(await exchangeCode(code), 400, "invalid_grant");
  });

  test("a code works only for the client it was given to", async () => {
    const code = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    expectOAuthError(await exchangeCode(code, other), 400, "invalid_grant");
  });

  test("an unknown code is an invalid grant", async () => {
    expectOAuthError(await exchangeCode("no-such-code"), 400, "invalid_grant");
  });

  test("a code expires 600 s of the sandbox clock after it was given", async () => {
    const early = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    const late = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    await api.advanceClock(590);
    expectTokenAnswer(await exchangeCode(early));
    await api.advanceClock(10);
    const expired = expectOAuthError(await exchangeCode(late), 400, "invalid_grant");
    expect(expired.error_description).toMatch(/expired/i);
  });

  test("sandbox: a code needs a known client_id and user_id", async () => {
    const unknownClient = await api.sandbox("POST", "/authorization-codes", {
      client_id: "no-such-client",
      user_id: user.user_id,
    });
    expect(unknownClient.status).toBe(404);
    const unknownUser = await api.sandbox("POST", "/authorization-codes", {
      client_id: app.client_id,
      user_id: 987654321,
    });
    expect(unknownUser.status).toBe(404);
  });
});

describe("refresh_token", () => {
  async function grant(): Promise<TokenBody & { refresh_token: string }> {
    const code = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    const body = expectTokenAnswer(await exchangeCode(code));
    if (body.refresh_token === undefined) throw new Error("no refresh_token");
    return { ...body, refresh_token: body.refresh_token };
  }

  test("a refresh gives a new pair acting for the same user; the old refresh token is spent", async () => {
    const first = await grant();
    const second = expectTokenAnswer(await refresh(first.refresh_token));
    expect(second).toEqual({
      access_token: expect.any(String),
      expires_in: 86400,
      token_type: "Bearer",
      refresh_token: expect.any(String),
      scope: "messenger:read,messenger:write",
    });
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await chatsOf(second.access_token, user.user_id)).status).toBe(200);

    const reused = expectOAuthError(await refresh(first.refresh_token), 400, "invalid_grant");
    expect(reused.error_description).not.toBe("");

    // The new refresh token works, once.
    const third = expectTokenAnswer(await refresh(second.refresh_token as string));
    expect((await chatsOf(third.access_token, user.user_id)).status).toBe(200);
    expectOAuthError(await refresh(second.refresh_token as string), 400, "invalid_grant");
  });

  test("a refresh keeps the granted scope", async () => {
    const code = await authorizationCode({
      client_id: app.client_id,
      user_id: user.user_id,
      scope: "messenger:read",
    });
    const first = expectTokenAnswer(await exchangeCode(code));
    const second = expectTokenAnswer(await refresh(first.refresh_token as string));
    expect(second.scope).toBe("messenger:read");
  });

  test("a refresh token of another client is refused and stays usable by its own client", async () => {
    const pair = await grant();
    expectOAuthError(await refresh(pair.refresh_token, other), 400, "invalid_grant");
    expectTokenAnswer(await refresh(pair.refresh_token));
  });

  test("an access token or an unknown string is no refresh token; a refresh token is no bearer token", async () => {
    const pair = await grant();
    expectOAuthError(await refresh(pair.access_token), 400, "invalid_grant");
    expectOAuthError(await refresh("no-such-refresh-token"), 400, "invalid_grant");
    const asBearer = await chatsOf(pair.refresh_token, user.user_id);
    expect(asBearer.status).toBe(403);
    expect(asBearer.body).toEqual({ result: { status: false, message: "invalid access token" } });
  });
});

// --- Errors ----------------------------------------------------------------------------------------

describe("errors", () => {
  test.each([
    ["grant_type", { client_id: "x", client_secret: "y" }],
    ["client_id", { grant_type: "client_credentials", client_secret: "y" }],
    ["client_secret", { grant_type: "client_credentials", client_id: "x" }],
    ["code", { grant_type: "authorization_code", client_id: "x", client_secret: "y" }],
    ["refresh_token", { grant_type: "refresh_token", client_id: "x", client_secret: "y" }],
  ])("missing %s → 400 invalid_request naming it", async (name, fields) => {
    const viaPost = expectOAuthError(await postToken(fields), 400, "invalid_request");
    expect(viaPost.error_description).toContain(name);
    const viaGet = expectOAuthError(
      await api.request<OAuthErrorBody>("GET", "/token/", { query: fields }),
      400,
      "invalid_request",
    );
    expect(viaGet.error_description).toContain(name);
  });

  test("an empty parameter counts as missing", async () => {
    const body = expectOAuthError(
      await postToken({
        grant_type: "client_credentials",
        client_id: user.client_id,
        client_secret: "",
      }),
      400,
      "invalid_request",
    );
    expect(body.error_description).toContain("client_secret");
  });

  test("a POST without any body → 400 invalid_request", async () => {
    const response = await api.request<OAuthErrorBody>("POST", "/token");
    expectOAuthError(response, 400, "invalid_request");
  });

  test("a wrong secret → 401 invalid_client", async () => {
    const response = await postToken({
      ...clientCredentials(user),
      client_secret: `${user.client_secret}x`,
    });
    expectOAuthError(response, 401, "invalid_client");
    // Another account's secret is no better.
    expectOAuthError(
      await postToken({ ...clientCredentials(user), client_secret: other.client_secret }),
      401,
      "invalid_client",
    );
  });

  test("an unknown client → 401 invalid_client, for every grant", async () => {
    const unknown = { client_id: "no-such-client", client_secret: "whatever-secret" };
    expectOAuthError(
      await postToken({ grant_type: "client_credentials", ...unknown }),
      401,
      "invalid_client",
    );
    expectOAuthError(
      await postToken({ grant_type: "authorization_code", code: "c", ...unknown }),
      401,
      "invalid_client",
    );
    expectOAuthError(
      await postToken({ grant_type: "refresh_token", refresh_token: "r", ...unknown }),
      401,
      "invalid_client",
    );
    expectOAuthError(
      await api.request<OAuthErrorBody>("GET", "/token/", {
        query: { grant_type: "client_credentials", ...unknown },
      }),
      401,
      "invalid_client",
    );
  });

  test("a wrong secret cannot spend a code", async () => {
    const code = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
    expectOAuthError(
      await postToken({
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: "wrong-secret-0000",
        code,
      }),
      401,
      "invalid_client",
    );
    expectTokenAnswer(await exchangeCode(code));
  });

  test.each(["password", "implicit", "client-credentials"])(
    "grant_type=%s → 400 unsupported_grant_type",
    async (grantType) => {
      const response = await postToken({ ...clientCredentials(user), grant_type: grantType });
      expectOAuthError(response, 400, "unsupported_grant_type");
    },
  );
});

// --- Storage ---------------------------------------------------------------------------------------

test("tokens and codes are stored only hashed", async () => {
  const secrets: string[] = [];
  secrets.push(expectTokenAnswer(await postToken(clientCredentials(user))).access_token);
  const code = await authorizationCode({ client_id: app.client_id, user_id: user.user_id });
  secrets.push(code);
  const pair = expectTokenAnswer(await exchangeCode(code));
  secrets.push(pair.access_token, pair.refresh_token as string);
  const refreshed = expectTokenAnswer(await refresh(pair.refresh_token as string));
  secrets.push(refreshed.access_token, refreshed.refresh_token as string);

  const db = server.ctx.store.db;
  const tokens = await db.selectFrom("token").selectAll().execute();
  const codes = await db.selectFrom("authorization_code").selectAll().execute();
  // Every issued token has a row (a hash of it), and no column holds a token or code.
  expect(tokens.length).toBeGreaterThanOrEqual(5);
  expect(codes.length).toBeGreaterThanOrEqual(1);
  const values = [...tokens, ...codes].flatMap((row) => Object.values(row).map(String));
  const hashes = new Set([...tokens.map((t) => t.token_hash), ...codes.map((c) => c.code_hash)]);
  for (const secret of secrets) {
    expect(hashes.has(createHash("sha256").update(secret).digest("hex"))).toBe(true);
  }
  for (const secret of secrets) {
    expect(values).not.toContain(secret);
    expect(values.filter((v) => v.includes(secret))).toEqual([]);
  }
});

// --- Custom lifetime ------------------------------------------------------------------------------

test("tokenTtlSeconds sets expires_in and the lifetime on the sandbox clock", async () => {
  const owner = await ttlApi.createAccount("Короткий токен");
  const body = expectTokenAnswer(await postToken(clientCredentials(owner), "/token", ttlApi));
  expect(body).toEqual({ access_token: expect.any(String), expires_in: 60, token_type: "Bearer" });

  const app2 = await ttlApi.createAccount("Приложение");
  const code = await authorizationCode(
    { client_id: app2.client_id, user_id: owner.user_id },
    ttlApi,
  );
  const granted = expectTokenAnswer(await exchangeCode(code, app2, ttlApi));
  expect(granted.expires_in).toBe(60);

  expect((await chatsOf(body.access_token, owner.user_id, ttlApi)).status).toBe(200);
  await ttlApi.advanceClock(50);
  expect((await chatsOf(body.access_token, owner.user_id, ttlApi)).status).toBe(200);
  await ttlApi.advanceClock(10);
  for (const token of [body.access_token, granted.access_token]) {
    const expired = await chatsOf(token, owner.user_id, ttlApi);
    expect(expired.status).toBe(403);
    expect(expired.body).toEqual({ result: { status: false, message: "access token expired" } });
  }
  // The refresh token outlives the access token and gives a fresh one.
  const refreshed = await ttlApi.request<TokenBody>("POST", "/token", {
    form: {
      grant_type: "refresh_token",
      client_id: app2.client_id,
      client_secret: app2.client_secret,
      refresh_token: granted.refresh_token as string,
    },
  });
  const fresh = expectTokenAnswer(refreshed);
  expect(fresh.expires_in).toBe(60);
  expect((await chatsOf(fresh.access_token, owner.user_id, ttlApi)).status).toBe(200);
});

// --- Logs -------------------------------------------------------------------------------------------

describe("logs", () => {
  const lines: string[] = [];
  let logged: RunningServer;
  let logApi: TestApi;
  let dataDir: string;
  let stopped = false;

  async function stopLogged(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await logged.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  beforeAll(async () => {
    dataDir = tempDataDir();
    const logger = pino(
      { level: "info", base: { service: "beseda" } },
      { write: (line: string) => void lines.push(line) },
    );
    logged = await startServer({ ...DEFAULT_CONFIG, port: 0, demo: false, dataDir }, logger);
    logApi = new TestApi(logged.url, logged.adminToken);
  });
  afterAll(stopLogged);

  interface RequestLine {
    msg: string;
    method: string;
    url: string;
    status: number;
  }

  function requestLines(): RequestLine[] {
    return lines
      .map((line) => JSON.parse(line) as RequestLine)
      .filter((line) => line.msg === "request");
  }

  test("neither client secrets nor tokens reach the log; one line per request", async () => {
    const linesBefore = lines.length;
    const account = await logApi.createAccount("Логируемый");
    const client = await logApi.createAccount("Логируемое приложение");
    let requests = 2;

    const viaGet = expectTokenAnswer(
      await logApi.request<TokenBody>("GET", "/token", { query: clientCredentials(account) }),
    );
    const viaPost = expectTokenAnswer(
      await postToken(clientCredentials(account), "/token/", logApi),
    );
    const wrongSecret = `${account.client_secret}-wrong`;
    await logApi.request("GET", "/token/", {
      query: { ...clientCredentials(account), client_secret: wrongSecret },
    });
    requests += 3;

    const code = await authorizationCode(
      { client_id: client.client_id, user_id: account.user_id },
      logApi,
    );
    const granted = expectTokenAnswer(
      await logApi.request<TokenBody>("GET", "/token/", {
        query: {
          grant_type: "authorization_code",
          client_id: client.client_id,
          client_secret: client.client_secret,
          code,
        },
      }),
    );
    const refreshed = expectTokenAnswer(
      await logApi.request<TokenBody>("GET", "/token", {
        query: {
          grant_type: "refresh_token",
          client_id: client.client_id,
          client_secret: client.client_secret,
          refresh_token: granted.refresh_token as string,
        },
      }),
    );
    requests += 3;

    for (const token of [viaGet.access_token, viaPost.access_token, refreshed.access_token]) {
      expect((await chatsOf(token, account.user_id, logApi)).status).toBe(200);
      expect(
        (
          await logApi.call("getChatByIdV2", {
            token,
            params: { user_id: account.user_id, chat_id: "u2i-nope" },
          })
        ).status,
      ).toBe(404);
      requests += 2;
    }
    // A refused token is not logged either.
    await chatsOf(`${viaGet.access_token}x`, account.user_id, logApi);
    requests += 1;

    await vi.waitFor(() => expect(requestLines().length).toBeGreaterThanOrEqual(requests));
    await stopLogged();

    const written = lines.slice(linesBefore);
    expect(written.filter((line) => JSON.parse(line).msg === "request")).toHaveLength(requests);
    const secrets = [
      account.client_secret,
      client.client_secret,
      wrongSecret,
      code,
      viaGet.access_token,
      viaPost.access_token,
      granted.access_token,
      granted.refresh_token as string,
      refreshed.access_token,
      refreshed.refresh_token as string,
      logged.adminToken,
    ];
    for (const line of written) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
    // The token requests are logged, with their credentials masked.
    const tokenLines = requestLines().filter((line) => line.url.startsWith("/token"));
    expect(tokenLines).toHaveLength(5);
    for (const line of tokenLines.filter((l) => l.method === "GET")) {
      expect(line.url).toContain("client_secret=***");
      expect(line.url).not.toMatch(/client_secret=(?!\*\*\*)/);
    }
  });
});
