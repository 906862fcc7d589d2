// Read answers give their memory back as soon as nobody holds them (domain/views/json-bytes.ts):
// the answer's builder or each caller KeptAnswers.find handed it to, KeptAnswers while it keeps
// it, a response until its bytes are written. Freed too early, a response would go out empty or
// with freed memory's bytes; so the last test keeps hundreds of responses of a kept chats list
// waiting to be written (pipelined, unread), drops that answer with a send, and then checks that
// every response arrived whole.
import { connect } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { JsonBytes, JsonWriter, OWN_MEMORY_BYTES } from "../src/domain/views/json-bytes.ts";
import { KeptAnswers } from "../src/domain/views/kept-answers.ts";
import type { TestApi } from "./helpers/api.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

/** An answer long enough to have memory of its own. */
function ownAnswer(name: string): JsonBytes {
  return new JsonWriter().text(JSON.stringify(name.padEnd(OWN_MEMORY_BYTES, "."))).finish();
}

const LENGTH = OWN_MEMORY_BYTES + 2;

async function found(answers: KeptAnswers, scope: string, key = "k"): Promise<JsonBytes> {
  const kept = await answers.find(scope, key);
  if (!("answer" in kept)) throw new Error(`nothing kept in ${scope}`);
  return kept.answer;
}

async function keepIn(answers: KeptAnswers, scope: string, answer: JsonBytes, key = "k") {
  const kept = await answers.find(scope, key);
  if (!("ticket" in kept)) throw new Error(`an answer is kept in ${scope} already`);
  answers.keep(kept.ticket, answer);
}

test("an answer's memory is freed when its last holder releases it, and not before", () => {
  const answer = ownAnswer("a");
  expect(answer.bytes.length).toBe(LENGTH);
  answer.hold();
  answer.release();
  expect(answer.bytes.length).toBe(LENGTH);
  answer.release();
  // A Buffer over memory that was freed (its ArrayBuffer detached) is empty.
  expect(answer.bytes.length).toBe(0);
  expect((answer.bytes.buffer as ArrayBuffer).detached).toBe(true);
  answer.release();
  // A short answer is a slice of Node's shared pool: left to the garbage collector.
  const short = new JsonWriter().text('{"ok":true}').finish();
  short.release();
  expect(short.bytes.toString()).toBe('{"ok":true}');
  // So is a Buffer handed in without its memory.
  const given = new JsonBytes(Buffer.alloc(LENGTH, 1));
  given.release();
  expect(given.bytes.length).toBe(LENGTH);
});

test("KeptAnswers holds what it keeps and gives each caller its own hold", async () => {
  const answers = new KeptAnswers({ maxBytes: 100 * LENGTH, maxScopes: 2 });
  const built = ownAnswer("built");
  await keepIn(answers, "a1", built);
  built.release(); // the response of the read that built it is written
  expect(built.bytes.length).toBe(LENGTH);
  const served = await found(answers, "a1");
  expect(served).toBe(built);
  // A change drops it while that response is still being written: the response's hold keeps it.
  answers.changed(["a1"]);
  expect(served.bytes.length).toBe(LENGTH);
  served.release();
  expect(served.bytes.length).toBe(0);

  // Replaced (two reads of one version, kept one after the other), evicted, cleared: each is
  // freed once nothing else holds it.
  const first = ownAnswer("first");
  const second = ownAnswer("second");
  const [one, two] = [await answers.find("a2", "k"), await answers.find("a2", "k")];
  if (!("ticket" in one) || !("ticket" in two)) throw new Error("a2 was kept");
  answers.keep(one.ticket, first);
  answers.keep(two.ticket, second);
  first.release();
  second.release();
  expect(first.bytes.length).toBe(0);
  expect(second.bytes.length).toBe(LENGTH);
  const evicting = ownAnswer("evicting");
  await keepIn(answers, "a3", evicting);
  await keepIn(answers, "a4", ownAnswer("a4")); // three scopes: the least recently used (a2) goes
  expect(second.bytes.length).toBe(0);
  evicting.release();
  expect(evicting.bytes.length).toBe(LENGTH);
  answers.clear();
  expect(evicting.bytes.length).toBe(0);
});

test("an answer replaced after its own response was written is freed and counted out", async () => {
  const answers = new KeptAnswers({ maxBytes: 4 * LENGTH, maxScopes: 10 });
  // Two reads of one version: each builds its answer and keeps it, the second replacing the first.
  const [one, two] = [await answers.find("a1", "k"), await answers.find("a1", "k")];
  if (!("ticket" in one) || !("ticket" in two)) throw new Error("a1 was kept");
  const first = ownAnswer("first");
  answers.keep(one.ticket, first);
  first.release();
  const second = ownAnswer("second");
  answers.keep(two.ticket, second);
  second.release();
  expect(first.bytes.length).toBe(0);
  // Only the second is counted: three more answers of its size fit beside it, and none goes.
  for (const scope of ["a2", "a3", "a4"]) {
    const answer = ownAnswer(scope);
    await keepIn(answers, scope, answer);
    answer.release();
  }
  for (const scope of ["a1", "a2", "a3", "a4"]) {
    const answer = await found(answers, scope);
    expect(answer.bytes.length).toBe(LENGTH);
    answer.release();
  }
});

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld({ rateLimitPerMinute: 100_000 }));
  // 30 chats: a chats list of some 70 KB, as production's shows them.
  for (let n = 0; n < 30; n++) {
    const buyer = await api.createAccount(`Покупатель ${n}`);
    const { chat_id } = await api.openChat({
      type: "u2i",
      item_id: w.itemId,
      user_id: buyer.user_id,
    });
    await api.text(chat_id, buyer.user_id, `Здравствуйте, это ${n}`);
  }
});

afterAll(async () => {
  await server?.stop();
});

interface RawResponse {
  status: number;
  body: string;
}

/**
 * The whole responses at the start of what a keep-alive connection received (Content-Length
 * framed); a response still arriving is left out.
 */
function responsesIn(bytes: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf("\r\n\r\n", at);
    if (headEnd < 0) return responses;
    const head = bytes.subarray(at, headEnd).toString("latin1");
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    if (!Number.isInteger(length)) throw new Error(`a response without Content-Length: ${head}`);
    const body = bytes.subarray(headEnd + 4, headEnd + 4 + length);
    if (body.length < length) return responses;
    responses.push({ status, body: body.toString("utf8") });
    at = headEnd + 4 + length;
  }
}

test("responses of an answer dropped while they wait to be written still arrive whole", async () => {
  const path = `/messenger/v2/accounts/${w.seller.user_id}/chats?limit=100`;
  const before = await api.request("GET", path, { token: w.sellerToken });
  expect(before.status).toBe(200);
  expect(before.text.length).toBeGreaterThan(40_000);

  const count = 400; // some 28 MB of answers: more than the sockets' buffers take
  const url = new URL(server.url);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve).once("error", reject);
  });
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  socket.pause(); // nothing is read until the end: the server's writes wait
  const request = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${w.sellerToken}\r\n\r\n`;
  socket.write(request.repeat(count));
  // Let the server answer what it has parsed (the kept answer, held by each response).
  await new Promise((resolve) => setTimeout(resolve, 300));

  // A send drops the kept list; the next reads build (and keep) another.
  await api.text(w.chatId, w.buyer.user_id, "А скидка будет?");
  const after = await api.request("GET", path, { token: w.sellerToken });
  expect(after.text).not.toBe(before.text);
  for (let n = 0; n < 5; n++) await api.request("GET", path, { token: w.sellerToken });

  socket.resume();
  let responses: RawResponse[] = [];
  const deadline = performance.now() + 10_000;
  while (responses.length < count && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    responses = responsesIn(Buffer.concat(received));
  }
  socket.destroy();
  expect(responses).toHaveLength(count);
  const bodies = responses.map((response) => {
    expect(response.status).toBe(200);
    return response.body === before.text ? "before" : response.body === after.text ? "after" : "?";
  });
  expect(bodies).not.toContain("?");
  // The first responses were answered before the send: the dropped answer, still written whole.
  expect(bodies[0]).toBe("before");
}, 30_000);
