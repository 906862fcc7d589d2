// The fuzzer's requests, drawn with fast-check: for each route a valid draft aimed at real ids of
// the world (a scope: an account, one of its chats, a message of it), then, for about half of
// the traffic, one mutation of it; plus unknown paths and raw-socket requests. `caseAt(i)` draws
// request i from the run's seed alone, so that any request of a run can be drawn again.
import fc from "fast-check";
import type { JsonSchema } from "../../packages/server/src/http/openapi/contract.ts";
import {
  type Draft,
  encodeComponent,
  type HttpCase,
  render,
  type TokenChoice,
} from "./fuzz-draft.ts";
import type { FuzzWorldIndex } from "./fuzz-leaks.ts";
import {
  bodyValueMutation,
  bodyWireMutation,
  headerMutation,
  methodMutation,
  pathMutation,
  queryMutation,
  tokenMutation,
} from "./fuzz-mutations.ts";
import { type RawCase, rawCase } from "./fuzz-raw-cases.ts";
import {
  CORE_ROUTES,
  DRAWN_SANDBOX_ROUTES,
  linkRoute,
  MESSENGER_ROUTES,
  type RouteSpec,
  TOKEN_ROUTES,
} from "./fuzz-routes.ts";
import { type Hints, validValue } from "./fuzz-schema-arbitrary.ts";
import type { World, WorldAccount, WorldChat } from "./fuzz-world.ts";

export type FuzzCase = HttpCase | RawCase;

interface Scope {
  account: WorldAccount;
  chat: WorldChat;
  /** A user of the chat: the author of sandbox messages. */
  author: number;
}

function pick<T>(values: readonly T[]): fc.Arbitrary<T> {
  return fc.constantFrom(...values);
}

/** Hints that aim a route's parameters and body at the scope's real ids. */
function hintsFor(
  route: RouteSpec,
  world: World,
  scope: Scope,
): { path: Hints; query: Hints; body: Hints } {
  const messageIds = scope.chat.messages.map((m) => m.id);
  const own = scope.chat.messages
    .filter((m) => m.authorId === scope.account.userId)
    .map((m) => m.id);
  const allIds = [...world.actors.map((a) => a.userId), ...world.blacklistable];
  const imagesOf = (userId: number) =>
    world.images.filter((i) => i.ownerId === userId).map((i) => i.id);
  const itemIds = world.items.map((i) => i.id);
  if (route.family === "sandbox") {
    const authorImages = imagesOf(scope.author);
    return {
      path: {
        user_id: pick(allIds),
        chat_id: fc.constant(scope.chat.id),
        id: pick(
          world.deliveryIds.length > 0
            ? world.deliveryIds
            : ["00000000-0000-4000-8000-000000000000"],
        ),
      },
      query: { user_id: pick(allIds), chat_id: fc.constant(scope.chat.id) },
      body: {
        author_id: fc.constant(scope.author),
        "content.image_id": pick(
          authorImages.length > 0 ? authorImages : world.images.map((i) => i.id),
        ),
        "content.voice.voice_id": pick(world.voiceIds),
        "content.call.target_user_id": pick(scope.chat.userIds),
        quote_id: pick(messageIds.length > 0 ? messageIds : ["0".repeat(32)]),
        item_id: pick(itemIds),
        user_id: pick(allIds),
        "user_ids[]": pick(allIds),
        client_id: pick(world.actors.map((a) => a.clientId)),
      },
    };
  }
  return {
    path: {
      user_id: fc.constant(scope.account.userId),
      chat_id: fc.constant(scope.chat.id),
      message_id:
        own.length > 0
          ? fc.oneof(pick(own), pick(messageIds))
          : pick(messageIds.length > 0 ? messageIds : ["0".repeat(32)]),
      item_id: pick(itemIds),
    },
    query: { "voice_ids[]": pick(world.voiceIds), "item_ids[]": pick(itemIds) },
    body: {
      image_id: pick(imagesOf(scope.account.userId)),
      url: fc.constant(world.receiverUrl),
      "users[].user_id": pick(world.blacklistable),
      "users[].context.item_id": pick(itemIds),
    },
  };
}

function scopeArbitrary(world: World): fc.Arbitrary<Scope> {
  return pick(world.actors).chain((account) => {
    const chats = world.chats.filter((c) => c.userIds.includes(account.userId));
    return pick(chats).chain((chat) =>
      pick(chat.userIds).map((author) => ({ account, chat, author })),
    );
  });
}

/** Query parameters rendered as production's clients send them: comma lists or repeated keys. */
function queryArbitrary(schema: JsonSchema | null, hints: Hints): fc.Arbitrary<string[]> {
  if (!schema) return fc.constant([]);
  return fc.tuple(validValue(schema, hints), fc.boolean()).map(([value, repeated]) => {
    const out: string[] = [];
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      const list = Array.isArray(v) ? v.map(String) : [String(v)];
      if (Array.isArray(v) && !repeated) out.push(`${name}=${encodeComponent(list.join(","))}`);
      else for (const item of list) out.push(`${name}=${encodeComponent(item)}`);
    }
    return out;
  });
}

function pathArbitrary(route: RouteSpec, hints: Hints): fc.Arbitrary<Record<string, string>> {
  const entries = Object.entries(route.pathParams).map(
    ([name, schema]) =>
      [name, validValue(schema, hints, name).map((v) => encodeComponent(String(v)))] as const,
  );
  return fc.record(Object.fromEntries(entries));
}

function tokenFor(route: RouteSpec, scope: Scope): TokenChoice {
  if (route.auth === "admin") return { kind: "admin" };
  if (route.auth === "messenger") return { kind: "actor", account: scope.account };
  return { kind: "none" };
}

function tokenRouteHints(world: World): fc.Arbitrary<Hints> {
  const sets = [
    ...world.actors.map((a) => ({ clientId: a.clientId, clientSecret: a.clientSecret })),
    ...world.codes,
  ];
  return pick(sets).map((set) => ({
    client_id: fc.constant(set.clientId),
    client_secret: fc.constant(set.clientSecret),
    code: pick(world.codes.map((c) => c.code)),
    refresh_token: pick(world.refreshTokens.map((r) => r.refreshToken)),
  }));
}

/** A valid request of `route`, aimed at the world. */
function validDraft(route: RouteSpec, world: World): fc.Arbitrary<{ draft: Draft; hints: Hints }> {
  if (route.family === "token") {
    return tokenRouteHints(world).chain((hints) => {
      const schema = route.body.kind === "form" ? route.body.schema : (route.query as JsonSchema);
      return validValue(schema, hints).map((value) => {
        const draft: Draft = {
          route,
          method: route.method,
          pathValues: {},
          query:
            route.method === "GET"
              ? Object.entries(value as object).map(
                  ([k, v]) => `${k}=${encodeComponent(String(v))}`,
                )
              : [],
          token: { kind: "none" },
          body: route.method === "GET" ? { kind: "none" } : { kind: "form", value },
          headers: {},
          mutations: [],
        };
        return { draft, hints };
      });
    });
  }
  return scopeArbitrary(world).chain((scope) => {
    const hints = hintsFor(route, world, scope);
    const body = route.body;
    const bodyArbitrary: fc.Arbitrary<Draft["body"]> =
      body.kind === "json" || body.kind === "form"
        ? validValue(body.schema, hints.body).map((value) => ({ kind: body.kind, value }))
        : body.kind === "multipart"
          ? fc.constant({
              kind: "multipart",
              parts: [
                {
                  field: body.field,
                  bytes: body.file === "image" ? world.imageBytes : world.voiceBytes,
                  filename: body.file === "image" ? "photo.bmp" : "voice.mp4",
                },
              ],
            })
          : fc.constant({ kind: "none" });
    return fc
      .tuple(
        pathArbitrary(route, hints.path),
        queryArbitrary(route.query, hints.query),
        bodyArbitrary,
      )
      .map(([pathValues, query, draftBody]) => ({
        draft: {
          route,
          method: route.method,
          pathValues,
          query,
          token: tokenFor(route, scope),
          body: draftBody,
          headers: {},
          mutations: [],
        },
        hints: hints.body,
      }));
  });
}

function linkDraft(world: World): fc.Arbitrary<{ draft: Draft; hints: Hints }> {
  const imageIds = world.images.map((i) => i.id);
  const crafted = fc
    .tuple(
      pick([
        "constructor",
        "__proto__",
        "toString",
        "hasOwnProperty",
        "1280x960",
        "32x32",
        "0x0",
        "99999x99999",
      ]),
      pick(imageIds),
    )
    .map(([size, id]) => `/media/images/${size}/${id}.jpg`);
  return fc
    .oneof({ weight: 3, arbitrary: pick(world.links) }, { weight: 1, arbitrary: crafted })
    .map((path) => ({
      draft: {
        route: linkRoute(path),
        method: "GET",
        pathValues: {},
        query: [],
        token: { kind: "none" },
        body: { kind: "none" },
        headers: {},
        mutations: [],
      },
      hints: {},
    }));
}

/** Cross-account requests with a valid token: another account's chat, message, image, voice. */
function crossDraft(draft: Draft, world: World): fc.Arbitrary<Draft> | null {
  const { token } = draft;
  if (draft.route.family !== "messenger" || token.kind !== "actor") return null;
  const me = token.account.userId;
  const foreignChats = world.chats.filter((c) => !c.userIds.includes(me));
  const foreignMessages = foreignChats.flatMap((c) => c.messages.map((m) => m.id));
  const foreignImages = world.images.filter((i) => i.ownerId !== me).map((i) => i.id);
  const options: fc.Arbitrary<Draft>[] = [];
  const cross = (what: string, change: Partial<Draft>) => ({
    ...draft,
    ...change,
    mutations: [...draft.mutations, what],
  });
  if ("chat_id" in draft.pathValues && foreignChats.length > 0) {
    options.push(
      pick(foreignChats).map((c) =>
        cross("another account's chat", {
          pathValues: { ...draft.pathValues, chat_id: encodeComponent(c.id) },
        }),
      ),
    );
  }
  if ("message_id" in draft.pathValues && foreignMessages.length > 0) {
    options.push(
      pick(foreignMessages).map((m) =>
        cross("another chat's message", { pathValues: { ...draft.pathValues, message_id: m } }),
      ),
    );
  }
  if ("user_id" in draft.pathValues) {
    const others = [...world.actors.map((a) => a.userId), ...world.blacklistable].filter(
      (id) => id !== me,
    );
    options.push(
      pick(others).map((id) =>
        cross("another account's user_id", {
          pathValues: { ...draft.pathValues, user_id: String(id) },
        }),
      ),
    );
  }
  if (draft.route.label === "postSendImageMessage" && foreignImages.length > 0) {
    options.push(
      pick(foreignImages).map((id) =>
        cross("another account's image", { body: { kind: "json", value: { image_id: id } } }),
      ),
    );
  }
  if (draft.route.label === "getVoiceFiles") {
    const voices = [world.privateVoice.id, world.unpostedVoice, ...world.voiceIds];
    options.push(
      fc
        .subarray(voices, { minLength: 1 })
        .map((ids) => cross("voices of other chats", { query: [`voice_ids=${ids.join(",")}`] })),
    );
  }
  return options.length > 0 ? fc.oneof(...options) : null;
}

const UNKNOWN_PATHS = [
  "/",
  "/favicon.ico",
  "/.env",
  "/robots.txt",
  "/messenger",
  "/messenger/v4/accounts/1/chats",
  "/messenger/v2/accounts",
  "/sandbox",
  "/sandbox/v2/clock",
  "/sandbox/v1",
  "/sandbox/v1/../../etc/passwd",
  "/media",
  "/media/images",
  "/media/voices/",
  "/static/avatars/",
  "/user//profile",
  "/token/extra",
  "/%FF",
  "/%00",
  "/%2e%2e/%2e%2e/etc/passwd",
  `/${"a".repeat(3000)}`,
  "/core/v1/accounts",
  "/core/v1/items/1",
  "/healthz/x",
];

function unknownPathCase(world: World, index: FuzzWorldIndex): fc.Arbitrary<HttpCase> {
  const path = fc.oneof(
    pick(UNKNOWN_PATHS),
    fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
  );
  return fc
    .tuple(path, pick(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]))
    .map(([p, method]) => {
      const route = linkRoute(p);
      const draft: Draft = {
        route,
        method,
        pathValues: {},
        query: [],
        token: { kind: "none" },
        body: { kind: "none" },
        headers: {},
        mutations: ["unknown path"],
        pathOverride: p,
      };
      return { ...render(draft, world, index), route: null, label: "unknown path" };
    });
}

/**
 * How often each kind of request is drawn: about half are valid (those find the 5xx deep in the
 * domain), the rest change one thing. Routes without a body send a valid request instead of a
 * body-value mutation, and non-messenger routes a token mutation instead of a cross-account one.
 */
const MUTATION_KIND = fc.oneof(
  ...(
    [
      ["valid", 46],
      ["body value", 14],
      ["body wire", 8],
      ["path", 7],
      ["query", 5],
      ["token", 8],
      ["method", 4],
      ["header", 3],
      ["cross", 5],
    ] as const
  ).map(([kind, weight]) => ({ weight, arbitrary: fc.constant(kind) })),
);

export interface FuzzGenerator {
  caseAt(index: number): FuzzCase;
}

/** Mixes the run's seed with a request's index: each request has a seed of its own. */
function seedOf(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) | 0;
}

export function fuzzGenerator(world: World, index: FuzzWorldIndex, seed: number): FuzzGenerator {
  const routes: fc.WeightedArbitrary<RouteSpec | "links">[] = [
    ...MESSENGER_ROUTES.map((r) => ({ weight: 3, arbitrary: fc.constant<RouteSpec | "links">(r) })),
    ...TOKEN_ROUTES.map((r) => ({ weight: 2, arbitrary: fc.constant<RouteSpec | "links">(r) })),
    ...CORE_ROUTES.map((r) => ({ weight: 2, arbitrary: fc.constant<RouteSpec | "links">(r) })),
    ...DRAWN_SANDBOX_ROUTES.map((r) => ({
      weight: 2,
      arbitrary: fc.constant<RouteSpec | "links">(r),
    })),
    { weight: 4, arbitrary: fc.constant<RouteSpec | "links">("links") },
  ];
  const draftOf = fc
    .oneof(...routes)
    .chain((r) => (r === "links" ? linkDraft(world) : validDraft(r, world)));
  const http: fc.Arbitrary<HttpCase> = draftOf
    .chain(({ draft, hints }) =>
      // The kind first, then only that mutation's arbitrary is built: building them all for
      // every request cost more than sending it.
      MUTATION_KIND.chain((kind): fc.Arbitrary<Draft> => {
        switch (kind) {
          case "body wire":
            return bodyWireMutation(draft, world);
          case "path":
            return pathMutation(draft);
          case "query":
            return queryMutation(draft);
          case "token":
            return tokenMutation(draft, world);
          case "method":
            return methodMutation(draft);
          case "header":
            return headerMutation(draft);
          case "body value":
            return bodyValueMutation(draft, hints) ?? fc.constant(draft);
          case "cross":
            return crossDraft(draft, world) ?? tokenMutation(draft, world);
          default:
            return fc.constant(draft);
        }
      }),
    )
    .map((draft) => render(draft, world, index));
  const top: fc.Arbitrary<FuzzCase> = fc.oneof(
    { weight: 94, arbitrary: http },
    { weight: 2, arbitrary: unknownPathCase(world, index) },
    { weight: 4, arbitrary: rawCase(world) },
  );
  return {
    caseAt: (i) => {
      const [drawn] = fc.sample(top, { seed: seedOf(seed, i), numRuns: 1 });
      if (!drawn) throw new Error(`fast-check drew nothing for request ${i}`);
      return drawn;
    },
  };
}
