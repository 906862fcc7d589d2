// Mutations of a valid draft, each changing one thing: the body's values (from the schema), the
// body's bytes and content type, a path value, the query, the token, the method. Each is an
// arbitrary of drafts, derived from a valid one.
import fc from "fast-check";
import { type Draft, encodeComponent, type TokenChoice } from "./fuzz-draft.ts";
import type { MultipartPart } from "./fuzz-multipart.ts";
import { type Hints, hostileString, mutatedValue } from "./fuzz-schema-arbitrary.ts";
import type { World } from "./fuzz-world.ts";

function mutated(draft: Draft, what: string, change: Partial<Draft>): Draft {
  return { ...draft, ...change, mutations: [...draft.mutations, what] };
}

/** The body's values broken in one place, from the route's schema. */
export function bodyValueMutation(draft: Draft, hints: Hints): fc.Arbitrary<Draft> | null {
  const body = draft.route.body;
  if (body.kind !== "json" && body.kind !== "form") return null;
  return mutatedValue(body.schema, hints).map((value) =>
    mutated(draft, "body value", { body: { kind: body.kind, value } }),
  );
}

const INVALID_JSON = [
  "{",
  '{"a":}',
  "{'a':1}",
  "[1,2,",
  "NaN",
  "\ufeff{}",
  '{"a":1}garbage',
  '{"a":1,}',
  '"\\u00"',
  "nul",
  "\u0000",
  '{"message":{"text":"\\ud800"},"type":"text"}',
];

function nested(depth: number, open: string, inner: string, close: string): Buffer {
  return Buffer.from(`${open.repeat(depth)}${inner}${close.repeat(depth)}`);
}

/** Built once: bodies of up to a megabyte would cost more to build than to send, per request. */
const DEEP_BODIES: [string, Buffer][] = [1_000, 10_000, 100_000].flatMap((depth) => [
  [`arrays nested ${depth} deep`, nested(depth, "[", "", "]")],
  [`objects nested ${depth} deep`, nested(depth, '{"a":', "1", "}")],
]);
const OVERSIZED_BODY = Buffer.from(`{"pad":"${"x".repeat(1_100_000)}"}`);

/** Bodies a JSON route must refuse with 4xx (or, for the last few, may accept). */
function jsonWireBody(draft: Draft, world: World): fc.Arbitrary<Draft> {
  const validText = JSON.stringify(draft.body.kind === "json" ? draft.body.value : {}) ?? "{}";
  const raw = (what: string, contentType: string | null, text: string | Buffer) =>
    mutated(draft, what, {
      body: {
        kind: "raw",
        contentType,
        bytes: typeof text === "string" ? Buffer.from(text) : text,
      },
    });
  return fc.oneof(
    fc
      .constantFrom(...INVALID_JSON)
      .map((text) =>
        raw(`invalid JSON ${JSON.stringify(text.slice(0, 20))}`, "application/json", text),
      ),
    fc
      .nat({ max: Math.max(0, validText.length - 1) })
      .map((cut) => raw("truncated JSON", "application/json", validText.slice(0, cut))),
    fc.constant(raw("empty body, JSON type", "application/json", "")),
    fc.constant(raw("JSON without a content type", null, validText)),
    fc
      .constantFrom(
        "text/plain",
        "application/xml",
        "application/json; charset=latin1",
        "application/json; charset=utf-16",
        "APPLICATION/JSON",
        "application/json, text/plain",
        "application/vnd.api+json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "*/*",
        ";",
      )
      .map((type) => raw(`content type ${type}`, type, validText)),
    fc.constant(
      mutated(draft, "multipart where JSON is expected", {
        body: {
          kind: "multipart",
          parts: [{ field: "uploadfile[]", bytes: world.imageBytes, filename: "a.bmp" }],
        },
      }),
    ),
    fc.constant(
      mutated(draft, "form where JSON is expected", {
        body: { kind: "form", value: draft.body.kind === "json" ? draft.body.value : {} },
      }),
    ),
    fc.constantFrom(...DEEP_BODIES).map(([what, bytes]) => raw(what, "application/json", bytes)),
    fc.constant(
      raw(
        "duplicate keys",
        "application/json",
        `{"type":"text","type":"image",${validText.slice(1)}`,
      ),
    ),
    fc.constant(raw("a body over 1 MB", "application/json", OVERSIZED_BODY)),
  );
}

/** Upload bodies a multipart route must refuse (or accept, for the odd valid ones). */
function multipartWireBody(
  draft: Draft,
  world: World,
  field: string,
  file: Buffer,
): fc.Arbitrary<Draft> {
  const parts = (what: string, list: MultipartPart[]) =>
    mutated(draft, what, { body: { kind: "multipart", parts: list } });
  const raw = (what: string, contentType: string | null, bytes: Buffer) =>
    mutated(draft, what, { body: { kind: "raw", contentType, bytes } });
  return fc.oneof(
    fc.constant(parts("no file", [])),
    fc.constant(parts("another field name", [{ field: "file2", bytes: file, filename: "a.bin" }])),
    fc.constant(
      parts("two files", [
        { field, bytes: file, filename: "a" },
        { field, bytes: file, filename: "b" },
      ]),
    ),
    fc.constant(parts("an empty file", [{ field, bytes: Buffer.alloc(0), filename: "a" }])),
    fc.constant(parts("a plain field, no file", [{ field, bytes: file.subarray(0, 64) }])),
    fc
      .nat({ max: file.length - 1 })
      .map((cut) =>
        parts("a truncated file", [{ field, bytes: file.subarray(0, cut), filename: "a" }]),
      ),
    fc
      .uint8Array({ minLength: 1, maxLength: 4096 })
      .map((bytes) =>
        parts("random bytes", [
          { field, bytes: Buffer.from(bytes), filename: "a.jpg", type: "image/jpeg" },
        ]),
      ),
    fc.constant(
      parts("the other upload's file", [
        {
          field,
          bytes: file === world.imageBytes ? world.voiceBytes : world.imageBytes,
          filename: "a",
        },
      ]),
    ),
    fc
      .string({ maxLength: 300 })
      .map((name) =>
        parts("a hostile file name", [{ field, bytes: file, filename: name.replaceAll('"', "") }]),
      ),
    fc.constant(raw("multipart without a boundary", "multipart/form-data", file)),
    fc.constant(
      raw(
        "JSON where multipart is expected",
        "application/json",
        Buffer.from('{"uploadfile[]":"x"}'),
      ),
    ),
    fc.constant(
      raw(
        "an unterminated multipart body",
        "multipart/form-data; boundary=x",
        Buffer.from(`--x\r\nContent-Disposition: form-data; name="${field}"; filename="a"\r\n\r\n`),
      ),
    ),
    fc.constant(raw("no body", null, Buffer.alloc(0))),
  );
}

export function bodyWireMutation(draft: Draft, world: World): fc.Arbitrary<Draft> {
  const body = draft.route.body;
  if (body.kind === "multipart") {
    return multipartWireBody(
      draft,
      world,
      body.field,
      body.file === "image" ? world.imageBytes : world.voiceBytes,
    );
  }
  if (body.kind === "none") {
    // Bodies where none is expected: harmless, but parsed first.
    return fc.oneof(
      jsonWireBody(draft, world),
      fc.constant(
        mutated(draft, "a JSON body where none is expected", {
          body: { kind: "json", value: { a: 1 } },
        }),
      ),
    );
  }
  return jsonWireBody(draft, world);
}

const BAD_PATH_VALUES = [
  "%FF",
  "%00",
  "%",
  "%zz",
  "..",
  "%2e%2e",
  "%2F",
  "a%2Fb",
  "%C0%AE",
  "%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82",
  "%F0%9F%98%80",
  "%EF%BB%BF1",
  "é",
  "-1",
  "0",
  "00000000001",
  "1e3",
  "0x10",
  "1.0",
  "9".repeat(30),
  "9007199254740993",
  "x".repeat(200),
  "1".repeat(200),
  "constructor",
  "__proto__",
  "toString",
  ";",
  "*",
  "~",
  "null",
  "%20",
  "+",
];

export function pathMutation(draft: Draft): fc.Arbitrary<Draft> {
  const names = Object.keys(draft.pathValues);
  const replaced =
    names.length === 0
      ? null
      : fc
          .tuple(fc.constantFrom(...names), fc.constantFrom(...BAD_PATH_VALUES))
          .map(([name, value]) =>
            mutated(draft, `path ${name}=${value.slice(0, 20)}`, {
              pathValues: { ...draft.pathValues, [name]: value },
            }),
          );
  const shaped = fc
    .constantFrom(
      (p: string) => `${p}/`,
      (p: string) => `${p}//`,
      (p: string) => p.replace("/", "//"),
      (p: string) => `${p}/..`,
      (p: string) => `${p}/../../healthz`,
      (p: string) => `${p}/%2e%2e/%2e%2e`,
      (p: string) => `${p}/extra`,
      (p: string) => p.toUpperCase(),
      (p: string) => `${p};jsessionid=1`,
      (p: string) => `${p}%00`,
      (p: string) => `${p}#frag`,
      (p: string) => p.replace(/\/[^/]*$/, ""),
    )
    .map((shape) =>
      mutated(draft, `path shape ${shape("{p}")}`, {
        pathOverride: shape(draft.pathOverride ?? draft.route.path),
      }),
    );
  return replaced
    ? fc.oneof({ weight: 3, arbitrary: replaced }, { weight: 1, arbitrary: shaped })
    : shaped;
}

export function queryMutation(draft: Draft): fc.Arbitrary<Draft> {
  const names = [
    "limit",
    "offset",
    "chat_types",
    "item_ids",
    "unread_only",
    "voice_ids",
    "user_id",
    "status",
    "grant_type",
  ];
  const values = [
    "",
    "-1",
    "0",
    "101",
    "1001",
    "1e2",
    "0x10",
    "abc",
    "true",
    "TRUE",
    "2147483648",
    "9".repeat(40),
    "%FF",
    "%00",
    "u2i,,u2u",
    "a2u,xyz",
    "[]",
    "%E2%80%AE",
  ];
  const add = (what: string, extra: string[]) =>
    mutated(draft, what, { query: [...draft.query, ...extra] });
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...names), fc.constantFrom(...values))
      .map(([n, v]) => add(`query ${n}=${v}`, [`${n}=${v}`])),
    fc
      .tuple(fc.constantFrom(...names), fc.constantFrom(...values), fc.constantFrom(...values))
      .map(([n, a, b]) => add(`query ${n} repeated`, [`${n}=${a}`, `${n}=${b}`])),
    fc
      .constantFrom(
        "__proto__=1",
        "__proto__[x]=1",
        "constructor=1",
        "constructor[prototype]=1",
        "hasOwnProperty=1",
        "limit[]=1",
        "a[b][c]=1",
        "=",
        "&&&",
        "%=",
        "limit",
      )
      .map((q) => add(`query ${q}`, [q])),
    hostileString.map((s) => add("query with a hostile value", [`limit=${encodeComponent(s)}`])),
    fc.constant(add("a 100 KB query", [`q=${"a".repeat(100_000)}`])),
  );
}

export function tokenMutation(draft: Draft, world: World): fc.Arbitrary<Draft> {
  const others = world.actors;
  const choices: fc.Arbitrary<[string, TokenChoice]>[] = [
    fc.constant(["no token", { kind: "none" }]),
    fc.constant(["expired token", { kind: "expired" }]),
    fc.constant(["admin token", { kind: "admin" }]),
    fc.constant([
      "messenger:read token",
      { kind: "read-only", account: others[0] as World["actors"][0] },
    ]),
    fc
      .constantFrom(...others)
      .map(
        (account) =>
          [`token of ${account.userId}`, { kind: "actor", account }] as [string, TokenChoice],
      ),
    fc
      .constantFrom<string | string[]>(
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        `Bearer ${"a".repeat(5000)}`,
        `Basic ${Buffer.from("a:b").toString("base64")}`,
        "bearer\tx y",
        `Bearer ${world.actors[0]?.token ?? ""}x`,
        `Bearer ${world.actors[0]?.token.slice(0, -1) ?? ""}`,
        `Token ${world.actors[0]?.token ?? ""}`,
        `Bearer ${world.adminToken} ${world.adminToken}`,
        "Bearer %FF",
        "Bearer é",
      )
      .map(
        (header) => ["bad Authorization header", { kind: "bad", header }] as [string, TokenChoice],
      ),
    // Two Authorization headers: refusing them is right; honouring the first is what Node does.
    fc.tuple(fc.constantFrom(...others), fc.constantFrom(...others)).map(
      ([first, second]) =>
        [
          "two Authorization headers",
          {
            kind: "bad",
            header: [`Bearer ${first.token}`, `Bearer ${second.token}`],
            honoured: { kind: "actor", account: first },
          },
        ] as [string, TokenChoice],
    ),
    fc.constant<[string, TokenChoice]>([
      "two Authorization headers",
      {
        kind: "bad",
        header: [`Bearer ${world.adminToken}`, "Bearer x"],
        honoured: { kind: "admin" },
      },
    ]),
  ];
  return fc.oneof(...choices).map(([what, token]) => mutated(draft, what, { token }));
}

export function methodMutation(draft: Draft): fc.Arbitrary<Draft> {
  return fc
    .constantFrom(
      "HEAD",
      "OPTIONS",
      "PUT",
      "DELETE",
      "PATCH",
      "TRACE",
      "PROPFIND",
      draft.method === "GET" ? "POST" : "GET",
    )
    .map((method) => mutated(draft, `method ${method}`, { method }));
}

export function headerMutation(draft: Draft): fc.Arbitrary<Draft> {
  return fc
    .constantFrom<[string, Record<string, string | string[]>]>(
      ["Accept: application/xml", { accept: "application/xml" }],
      ["Accept-Encoding: gzip, br", { "accept-encoding": "gzip, br" }],
      ["Range: bytes=0-10", { range: "bytes=0-10" }],
      ["Range: bytes=5-2", { range: "bytes=5-2" }],
      ["Range: bytes=999999999-", { range: "bytes=999999999-" }],
      ["Range: bytes=-0", { range: "bytes=-0" }],
      ["Range: bytes=0-1,3-4", { range: "bytes=0-1,3-4" }],
      ["Range: garbage", { range: "lines=1-2" }],
      ["If-None-Match: *", { "if-none-match": "*" }],
      ["X-HTTP-Method-Override: DELETE", { "x-http-method-override": "DELETE" }],
      ["X-Forwarded-For: garbage", { "x-forwarded-for": "not-an-ip, ::1, 999.1.1.1" }],
      ["Content-Encoding: gzip", { "content-encoding": "gzip" }],
      ["Transfer-Encoding: gzip", { "transfer-encoding": "gzip" }],
    )
    .map(([what, headers]) => mutated(draft, what, { headers: { ...draft.headers, ...headers } }));
}
