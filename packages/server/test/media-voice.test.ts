// Voice: the sandbox stores Opus-in-MP4 files only, voice messages carry their voice_id, and
// getVoiceFiles answers signed links (every array form of voice_ids, only for voice messages in the
// account's chats) that serve the exact bytes with ranges for one hour of the sandbox clock.
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from "vitest";
import { type ApiResponse, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertOperationResponse } from "./helpers/contract-validator.ts";
import { mediaFiles, postMultipart, type UploadPart } from "./helpers/media.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

const SAMPLE = readFileSync(new URL("../assets/voice-sample.mp4", import.meta.url));
const AAC = readFileSync(new URL("./fixtures/voice-aac.m4a", import.meta.url));
const OGG = readFileSync(new URL("./fixtures/voice-opus.ogg", import.meta.url));
const VOICE_ID = /^[0-9a-f]{32}$/;

interface ErrorBody {
  error: { code: number; message: string; fields?: Record<string, string> };
}

interface VoiceUrls {
  voices_urls: Record<string, string>;
}

interface MessageBody {
  id: string;
  author_id: number;
  type: string;
  direction: "in" | "out";
  content: Record<string, unknown>;
}

let server: TestServer;
let api: TestApi;
let w: World;
/** Voice ids: two sent in w.chatId, one in a chat of other people, one never sent. */
let inChat: [string, string];
let elsewhere: string;
let unsent: string;

/** The sandbox's voice upload; `null` sends no Authorization header. */
function uploadVoice(parts: UploadPart[], token: string | null = server.adminToken) {
  return postMultipart<{ voice_id: string }>(
    `${server.url}/sandbox/v1/voices`,
    token ?? undefined,
    parts,
  );
}

function voicePart(bytes: Uint8Array, filename = "voice.mp4", type = "audio/mp4"): UploadPart {
  return { field: "file", bytes, filename, type };
}

async function storedVoice(bytes: Uint8Array = SAMPLE): Promise<string> {
  const response = await uploadVoice([voicePart(bytes)]);
  expect(response.status, response.text).toBe(201);
  return response.body.voice_id;
}

function postVoice(chatId: string, authorId: number, voiceId: string) {
  return api.sandbox<MessageBody>("POST", `/chats/${encodeURIComponent(chatId)}/messages`, {
    author_id: authorId,
    type: "voice",
    content: { voice: { voice_id: voiceId } },
  });
}

/** getVoiceFiles with the query string exactly as given, validated against the document. */
async function voiceFiles(
  token: string,
  userId: number,
  rawQuery: string,
): Promise<ApiResponse<VoiceUrls>> {
  const path = api.pathOf("getVoiceFiles", { user_id: userId });
  const response = await api.request<VoiceUrls>(
    "GET",
    rawQuery === "" ? path : `${path}?${rawQuery}`,
    { token },
  );
  if (response.status < 300) assertOperationResponse("getVoiceFiles", response.body);
  else assertErrorEnvelope(response.status, response.body);
  return response;
}

async function linkOf(voiceId: string, as = { token: w.sellerToken, userId: w.seller.user_id }) {
  const response = await voiceFiles(as.token, as.userId, `voice_ids=${voiceId}`);
  expect(response.status).toBe(200);
  const url = response.body.voices_urls[voiceId];
  expect(url, `a link for ${voiceId}`).toBeDefined();
  return url as string;
}

async function voiceCount(): Promise<number> {
  return (await server.ctx.store.db.selectFrom("voice").select("id").execute()).length;
}

function fieldsOf(response: ApiResponse<unknown>): Record<string, string> {
  return (response.body as ErrorBody).error.fields ?? {};
}

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
  const a = await storedVoice();
  const b = await storedVoice();
  inChat = [a, b];
  expect((await postVoice(w.chatId, w.buyer.user_id, a)).status).toBe(201);
  expect((await postVoice(w.chatId, w.seller.user_id, b)).status).toBe(201);
  // A chat between the stranger and another seller: none of w.seller's business.
  const otherSeller = await api.createAccount("Другой продавец");
  const { item_id } = await api.createItem(otherSeller.user_id, "Самокат");
  const other = await api.openChat({ type: "u2i", item_id, user_id: w.stranger.user_id });
  elsewhere = await storedVoice();
  expect((await postVoice(other.chat_id, w.stranger.user_id, elsewhere)).status).toBe(201);
  unsent = await storedVoice();
});
afterAll(() => server.stop());

describe("POST /sandbox/v1/voices", () => {
  test("stores Opus in MP4 → 201 {voice_id}", async () => {
    const response = await uploadVoice([voicePart(SAMPLE)]);
    expect(response.status).toBe(201);
    expect(Object.keys(response.body)).toEqual(["voice_id"]);
    expect(response.body.voice_id).toMatch(VOICE_ID);
    for (const id of [...inChat, elsewhere, unsent]) expect(id).toMatch(VOICE_ID);
    expect(new Set([...inChat, elsewhere, unsent]).size).toBe(4);
  });

  test.each([
    ["AAC in MP4", AAC, "voice.m4a", /mp4a.*Opus|Opus.*mp4a/],
    ["Opus in Ogg", OGG, "voice.ogg", /not an MP4/],
  ])(
    "refuses %s → 400 naming the problem; nothing stored",
    async (_name, bytes, filename, reason) => {
      const files = mediaFiles(server.dataDir);
      const voices = await voiceCount();
      const response = await uploadVoice([voicePart(bytes, filename)]);
      expect(response.status).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(fieldsOf(response).file).toMatch(reason);
      expect(mediaFiles(server.dataDir)).toEqual(files);
      expect(await voiceCount()).toBe(voices);
    },
  );

  test("refuses a JPEG, an empty file, the wrong field, two files, no multipart; needs the admin token", async () => {
    const jpeg = await sharp({
      create: { width: 8, height: 8, channels: 3, background: "#336699" },
    })
      .jpeg()
      .toBuffer();
    const files = mediaFiles(server.dataDir);
    const voices = await voiceCount();
    const cases: [string, Promise<ApiResponse<unknown>>, number][] = [
      ["a JPEG named voice.mp4", uploadVoice([voicePart(jpeg)]), 400],
      ["an empty file", uploadVoice([voicePart(Buffer.alloc(0))]), 400],
      [
        "the field uploadfile[]",
        uploadVoice([{ ...voicePart(SAMPLE), field: "uploadfile[]" }]),
        400,
      ],
      ["two files", uploadVoice([voicePart(SAMPLE), voicePart(SAMPLE)]), 400],
      ["a JSON body", api.sandbox("POST", "/voices", { file: "abc" }), 400],
      ["a bearer token of an account", uploadVoice([voicePart(SAMPLE)], w.sellerToken), 401],
      ["no token", uploadVoice([voicePart(SAMPLE)], null), 401],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      expect(response.status, name).toBe(status);
      assertErrorEnvelope(status, response.body);
      if (status === 400) expect(fieldsOf(response).file, name).toBeDefined();
    }
    const jpegAnswer = await uploadVoice([voicePart(jpeg)]);
    expect(fieldsOf(jpegAnswer).file).toMatch(/not an MP4/);
    expect(mediaFiles(server.dataDir)).toEqual(files);
    expect(await voiceCount()).toBe(voices);
  });
});

describe("voice messages", () => {
  test("both sides' history shows {voice: {voice_id}}", async () => {
    const own = await api.call<MessageBody[]>("getMessagesV3", {
      token: w.sellerToken,
      params: { user_id: w.seller.user_id, chat_id: w.chatId },
    });
    const theirs = await api.call<MessageBody[]>("getMessagesV3", {
      token: w.buyerToken,
      params: { user_id: w.buyer.user_id, chat_id: w.chatId },
    });
    const [a, b] = inChat;
    expect(own.body.slice(0, 2)).toMatchObject([
      {
        type: "voice",
        author_id: w.seller.user_id,
        direction: "out",
        content: { voice: { voice_id: b } },
      },
      {
        type: "voice",
        author_id: w.buyer.user_id,
        direction: "in",
        content: { voice: { voice_id: a } },
      },
    ]);
    expect(theirs.body.slice(0, 2)).toMatchObject([
      { type: "voice", direction: "in", content: { voice: { voice_id: b } } },
      { type: "voice", direction: "out", content: { voice: { voice_id: a } } },
    ]);
    expect(theirs.body[0]?.content).toEqual({ voice: { voice_id: b } });
  });

  test("an unknown voice_id or a missing voice object → 400 naming it; nothing changes", async () => {
    const before = await storeSnapshot(server.ctx.store);
    const unknown = await postVoice(w.chatId, w.buyer.user_id, "f".repeat(32));
    expect(unknown.status).toBe(400);
    assertErrorEnvelope(400, unknown.body);
    expect(fieldsOf(unknown)["content.voice.voice_id"]).toBeDefined();
    const missing = await api.sandbox("POST", `/chats/${encodeURIComponent(w.chatId)}/messages`, {
      author_id: w.buyer.user_id,
      type: "voice",
      content: {},
    });
    expect(missing.status).toBe(400);
    expect(Object.keys(fieldsOf(missing)).join()).toMatch(/content\.voice/);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });
});

describe("getVoiceFiles", () => {
  test.each([
    ["repeated keys", (a: string, b: string) => `voice_ids=${a}&voice_ids=${b}`],
    ["a comma list", (a: string, b: string) => `voice_ids=${a},${b}`],
    ["an encoded comma list", (a: string, b: string) => `voice_ids=${a}%2C${b}`],
    ["voice_ids[]", (a: string, b: string) => `voice_ids[]=${a}&voice_ids[]=${b}`],
    ["voice_ids%5B%5D", (a: string, b: string) => `voice_ids%5B%5D=${a}&voice_ids%5B%5D=${b}`],
  ])("answers a link for each id given as %s", async (_form, query) => {
    const [a, b] = inChat;
    const response = await voiceFiles(w.sellerToken, w.seller.user_id, query(a, b));
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["voices_urls"]);
    expect(Object.keys(response.body.voices_urls).sort()).toEqual([a, b].sort());
    for (const [id, url] of Object.entries(response.body.voices_urls)) {
      expect(url.startsWith(`${server.url}/media/voices/${id}`), url).toBe(true);
      const link = new URL(url);
      expect(link.searchParams.get("expires")).toMatch(/^\d+$/);
      expect(link.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test("leaves out ids of other chats, unsent and unknown ids; no error", async () => {
    const [a, b] = inChat;
    const query = `voice_ids=${a},${elsewhere},${unsent},${"0".repeat(32)},not-an-id`;
    const seller = await voiceFiles(w.sellerToken, w.seller.user_id, query);
    expect(seller.status).toBe(200);
    expect(Object.keys(seller.body.voices_urls)).toEqual([a]);
    // The other participant of the chat may ask too.
    const buyer = await voiceFiles(w.buyerToken, w.buyer.user_id, `voice_ids=${a},${b}`);
    expect(Object.keys(buyer.body.voices_urls).sort()).toEqual([a, b].sort());
    // The stranger sees its own chat's voice, not w.chatId's.
    const stranger = await voiceFiles(
      w.strangerToken,
      w.stranger.user_id,
      `voice_ids=${a},${b},${elsewhere}`,
    );
    expect(stranger.status).toBe(200);
    expect(Object.keys(stranger.body.voices_urls)).toEqual([elsewhere]);
    const none = await voiceFiles(w.sellerToken, w.seller.user_id, `voice_ids=${unsent}`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ voices_urls: {} });
  });

  test("a missing or empty voice_ids → 400 naming voice_ids", async () => {
    for (const query of ["", "voice_ids=", "voice_ids[]=", "voice_ids=,", "other=1"]) {
      const response = await voiceFiles(w.sellerToken, w.seller.user_id, query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(fieldsOf(response).voice_ids, JSON.stringify(query)).toBeDefined();
    }
  });

  test("another account's token → 403", async () => {
    const [a] = inChat;
    const response = await voiceFiles(w.strangerToken, w.seller.user_id, `voice_ids=${a}`);
    expect(response.status).toBe(403);
    const buyer = await voiceFiles(w.buyerToken, w.seller.user_id, `voice_ids=${a}`);
    expect(buyer.status).toBe(403);
  });
});

describe("voice links", () => {
  test("serve the exact bytes as audio/mp4, privately cacheable", async () => {
    const response = await fetch(await linkOf(inChat[0]));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("audio/mp4");
    expect(response.headers.get("content-length")).toBe(String(SAMPLE.length));
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("cache-control")).toMatch(/private/);
    expect(Buffer.from(await response.arrayBuffer()).equals(SAMPLE)).toBe(true);
  });

  test("answer byte ranges: 206 with Content-Range, suffix ranges, 416 when unsatisfiable", async () => {
    const url = await linkOf(inChat[1]);
    const size = SAMPLE.length;
    const get = (range: string) => fetch(url, { headers: { range } });

    const first = await get("bytes=0-99");
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe(`bytes 0-99/${size}`);
    expect(first.headers.get("content-type")).toBe("audio/mp4");
    const firstBytes = Buffer.from(await first.arrayBuffer());
    expect(firstBytes.length).toBe(100);
    expect(firstBytes.equals(SAMPLE.subarray(0, 100))).toBe(true);

    const suffix = await get("bytes=-10");
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get("content-range")).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(SAMPLE.subarray(size - 10))).toBe(true);

    const rest = await get(`bytes=${size - 5}-`);
    expect(rest.status).toBe(206);
    expect(Buffer.from(await rest.arrayBuffer()).equals(SAMPLE.subarray(size - 5))).toBe(true);

    for (const range of [`bytes=${size}-`, `bytes=${size + 100}-${size + 200}`, "bytes=-0"]) {
      const response = await get(range);
      expect(response.status, range).toBe(416);
      expect(response.headers.get("content-range"), range).toBe(`bytes */${size}`);
      await response.arrayBuffer();
    }
  });

  test("a tampered signature, expires or voice id → 403 with the error envelope", async () => {
    const [a, b] = inChat;
    const url = new URL(await linkOf(a));
    const signature = url.searchParams.get("signature") as string;
    const expires = Number(url.searchParams.get("expires"));
    const flipped = `${signature[0] === "0" ? "1" : "0"}${signature.slice(1)}`;
    const variants: [string, string][] = [
      ["flipped signature", `${url.pathname}?expires=${expires}&signature=${flipped}`],
      ["later expires", `${url.pathname}?expires=${expires + 3600}&signature=${signature}`],
      ["no signature", `${url.pathname}?expires=${expires}`],
      ["no expires", `${url.pathname}?signature=${signature}`],
      ["short signature", `${url.pathname}?expires=${expires}&signature=${signature.slice(2)}`],
      ["another voice's path", `/media/voices/${b}.mp4?expires=${expires}&signature=${signature}`],
    ];
    for (const [name, path] of variants) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, name).toBe(403);
      expect(response.headers.get("content-type"), name).toMatch(/json/);
      const body = (await response.json()) as ErrorBody;
      assertErrorEnvelope(403, body);
      expect(body.error.message, name).toMatch(/link/i);
    }
  });

  test("work until the sandbox clock has moved 3599 s, answer 403 from 3600 s; a new link works", async () => {
    // The sandbox clock is real time plus an offset: real time is held still here (in this
    // in-process server only), so that only the sandbox API moves it and a second that happens to
    // tick between two requests cannot move the boundary.
    const held = Date.now();
    const clock = server.clock;
    const spy = vi.spyOn(clock, "nowMs").mockImplementation(() => held + clock.offsetMs);
    onTestFinished(() => spy.mockRestore());
    const [a] = inChat;
    const url = await linkOf(a);
    const ranged = await linkOf(a);
    const issuedAt = (await api.sandbox<{ now: number }>("GET", "/clock")).body.now;
    expect(Number(new URL(url).searchParams.get("expires"))).toBe(issuedAt + 3600);

    await api.advanceClock(3599);
    const late = await fetch(url);
    expect(late.status).toBe(200);
    expect(Buffer.from(await late.arrayBuffer()).equals(SAMPLE)).toBe(true);

    await api.advanceClock(1);
    for (const [name, init] of [
      ["whole", {}],
      ["ranged", { headers: { range: "bytes=0-99" } }],
    ] as const) {
      const expired = await fetch(name === "whole" ? url : ranged, init);
      expect(expired.status, name).toBe(403);
      expect(expired.headers.get("content-type")).toMatch(/json/);
      const body = (await expired.json()) as ErrorBody;
      assertErrorEnvelope(403, body);
      expect(body.error.message).toMatch(/expired/);
    }

    const fresh = await fetch(await linkOf(a));
    expect(fresh.status).toBe(200);
    expect(Buffer.from(await fresh.arrayBuffer()).equals(SAMPLE)).toBe(true);
  });
});
