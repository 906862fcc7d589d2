// The scenario engine's pure parts: whether a reply meets an `expect: reply` and how a failure
// reads, one-line renderings of messages, reply-time percentiles, fault steps' rules and where a
// chat's log puts the messages its event stream missed.
import { describe, expect, test } from "vitest";
import { ChatLog } from "../src/scenarios/chat-watch.ts";
import { messageText, renderMessage } from "../src/scenarios/conversation.ts";
import { faultAction } from "../src/scenarios/fault-presets.ts";
import type { FaultStep, ReplyMatcher } from "../src/scenarios/model.ts";
import { percentile, replyTimes } from "../src/scenarios/percentiles.ts";
import { describeMatcher, describeReply, matchReply } from "../src/scenarios/reply-matchers.ts";
import type { SandboxMessage } from "../src/scenarios/sandbox-shapes.ts";
import { fillTemplate } from "../src/scenarios/template.ts";

function message(type: string, content: SandboxMessage["content"]): SandboxMessage {
  return {
    id: "m1",
    chat_id: "u2i-1",
    author_id: 7,
    created: 1_800_000_000,
    type,
    content,
    quote_id: null,
    read: null,
    deleted: null,
  };
}

const text = (t: string) => message("text", { text: t });

function matcher(fields: Partial<ReplyMatcher>): ReplyMatcher {
  return { text: null, contains: [], matches: null, type: null, ...fields };
}

const fill = (template: string) => fillTemplate(template, { order: "42", name: "Анна" });

const re = (source: string, flags = "") => ({ source, flags });

describe("matchReply", () => {
  test("any reply meets an empty matcher", () => {
    expect(matchReply(text("что угодно"), matcher({}), {}, fill)).toEqual({
      met: true,
      captured: {},
    });
    expect(matchReply(message("image", { image: { sizes: {} } }), matcher({}), {}, fill).met).toBe(
      true,
    );
  });

  test("text is the whole text, after variables are filled in", () => {
    const exact = matcher({ text: "Заказ {{order}} принят" });
    expect(matchReply(text("Заказ 42 принят"), exact, {}, fill).met).toBe(true);
    expect(matchReply(text("Заказ 42 принят!"), exact, {}, fill)).toEqual({
      met: false,
      why: 'its text is not "Заказ 42 принят"',
    });
  });

  test("every contains must be there, case-sensitive", () => {
    const both = matcher({ contains: ["диван", "{{name}}"] });
    expect(matchReply(text("Анна, диван ваш"), both, {}, fill).met).toBe(true);
    expect(matchReply(text("анна, диван ваш"), both, {}, fill)).toEqual({
      met: false,
      why: 'its text does not contain "Анна"',
    });
  });

  test("matches captures named groups; capture takes group 1 or the whole match", () => {
    const verdict = matchReply(
      text("Заказ №123 на 15 000 ₽"),
      matcher({ matches: { source: "№(?<order>\\d+)", flags: "" } }),
      { price: re("(\\d[\\d ]*) ₽"), word: re("[А-Я][а-я]+") },
      fill,
    );
    expect(verdict).toEqual({
      met: true,
      captured: { order: "123", price: "15 000", word: "Заказ" },
    });
  });

  test("matches with flags, and a regex that finds nothing", () => {
    const caseless = matcher({ matches: { source: "ДИВАН", flags: "i" } });
    expect(matchReply(text("диван есть"), caseless, {}, fill).met).toBe(true);
    expect(matchReply(text("стол есть"), caseless, {}, fill)).toEqual({
      met: false,
      why: "its text does not match /ДИВАН/i",
    });
    expect(matchReply(text("нет номера"), matcher({}), { order: re("№(\\d+)") }, fill)).toEqual({
      met: false,
      why: "/№(\\d+)/ (capturing order) finds nothing in it",
    });
  });

  test("a group that took no part in the match captures an empty text, not something else", () => {
    // {{a}} of a later step is then "" rather than an unknown variable that fails the run.
    expect(matchReply(text("y"), matcher({ matches: re("(?<a>x)|(?<b>y)") }), {}, fill)).toEqual({
      met: true,
      captured: { a: "", b: "y" },
    });
    // capture: group 1, "" when it did not take part; the whole match only without groups.
    expect(
      matchReply(
        text("Заказ принят"),
        matcher({}),
        { order: re("Заказ (?:№(\\d+) )?принят"), all: re("принят"), word: re("(ПРИНЯТ)", "i") },
        fill,
      ),
    ).toEqual({ met: true, captured: { order: "", all: "принят", word: "принят" } });
  });

  test("a regex runs only on a text no longer than a message's (1000 characters)", () => {
    const long = message("link", { link: { url: `https://x.ru/${"a".repeat(1000)}` } });
    // A regex that backtracks catastrophically would take ages on it; it is never run.
    expect(matchReply(long, matcher({ matches: re("^(a+)+$") }), {}, fill)).toEqual({
      met: false,
      why: "its text is longer than 1000 characters, more than a regular expression is run on",
    });
    expect(matchReply(long, matcher({ contains: ["aaa"] }), {}, fill).met).toBe(true);
    expect(matchReply(text("a".repeat(1000)), matcher({ matches: re("^a+$") }), {}, fill).met).toBe(
      true,
    );
  });

  test("type is the message's type; a text check of another type fails on the type first", () => {
    expect(matchReply(text("да"), matcher({ type: "text" }), {}, fill).met).toBe(true);
    expect(
      matchReply(
        message("voice", { voice: { voice_id: "v" } }),
        matcher({ type: "text" }),
        {},
        fill,
      ),
    ).toEqual({ met: false, why: "it is a voice message, not text" });
  });

  test("a link's, a location's and an item's words are matched too", () => {
    const link = message("link", { link: { url: "https://x.ru/1", text: "Оплатить" } });
    expect(matchReply(link, matcher({ contains: ["Оплатить"] }), {}, fill).met).toBe(true);
    const place = message("location", { location: { lat: 1, lon: 2, title: "Склад" } });
    expect(messageText(place)).toBe("Склад");
    expect(messageText(message("item", { item: { title: "Диван" } }))).toBe("Диван");
    expect(messageText(message("link", { link: { url: "https://x.ru" } }))).toBe("https://x.ru");
  });
});

describe("how a failure reads", () => {
  test("the expectation in words", () => {
    expect(describeMatcher(matcher({}), {}, fill)).toBe("any reply");
    expect(
      describeMatcher(
        matcher({
          type: "text",
          text: "Заказ {{order}}",
          contains: ["а", "б"],
          matches: { source: "\\d+", flags: "u" },
        }),
        { order: re("№(\\d+)") },
        fill,
      ),
    ).toBe(
      'a reply of type text, equal to "Заказ 42", containing "а" and "б", matching /\\d+/u, capturing order by /№(\\d+)/',
    );
  });

  test("the reply as it came: a text quoted, other content in brackets", () => {
    expect(describeReply(text('Скажите "да"'))).toBe('"Скажите \\"да\\""');
    expect(describeReply(message("system", { text: "Чат закрыт" }))).toBe('system "Чат закрыт"');
    // The generated type of `sizes` names no keys (the messenger document gives none).
    const sizes = { "1280x960": "https://x.ru/a.jpg" } as unknown as Record<string, never>;
    expect(describeReply(message("image", { image: { sizes } }))).toBe("[image 1280x960]");
  });

  test("one line for every type", () => {
    expect(renderMessage(message("voice", { voice: { voice_id: "abc" } }))).toBe("[voice abc]");
    expect(
      renderMessage(message("location", { location: { lat: 55.75, lon: 37.62, title: "Кремль" } })),
    ).toBe("[location 55.75, 37.62 Кремль]");
    expect(
      renderMessage(message("item", { item: { title: "Диван", price_string: "15 000 ₽" } })),
    ).toBe("[item Диван, 15 000 ₽]");
    expect(renderMessage(message("link", { link: { url: "https://x.ru", text: "X" } }))).toBe(
      "[link X https://x.ru]",
    );
    expect(renderMessage(message("link", { link: { url: "https://x.ru" } }))).toBe(
      "[link https://x.ru]",
    );
    expect(renderMessage(message("call", { call: { status: "missed" } }))).toBe("[missed call]");
    expect(renderMessage(message("deleted", {}))).toBe("[deleted]");
    expect(renderMessage(message("file", {}))).toBe("[file]");
  });
});

describe("reply times", () => {
  test("nearest-rank percentiles: each one a time some reply took", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 99)).toBe(99);
    expect(replyTimes([30, 10, 20], 1)).toEqual({
      count: 3,
      timed_out: 1,
      p50_ms: 20,
      p95_ms: 30,
      p99_ms: 30,
      max_ms: 30,
    });
    expect(replyTimes([], 0)).toBeNull();
  });

  test("replies that never came are counted: no times, but not no summary", () => {
    expect(replyTimes([], 2)).toEqual({
      count: 0,
      timed_out: 2,
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      max_ms: null,
    });
  });
});

describe("fault steps", () => {
  const rule: FaultStep["rule"] = {
    operation: null,
    status: null,
    latencyMs: null,
    drop: null,
    retryAfter: null,
    times: null,
    probability: null,
  };
  const step = (fields: Partial<FaultStep>): FaultStep => ({
    preset: null,
    forMs: null,
    rule,
    ...fields,
  });

  test("a preset is its rule for the seller; the step's fields override it", () => {
    expect(faultAction(step({ preset: "rate_limit_storm" }), 5, 0)).toEqual({
      kind: "rule",
      body: { operation: "*", status: 429, retry_after: 1, times: 10, user_id: 5 },
    });
    expect(
      faultAction(
        step({ preset: "rate_limit_storm", rule: { ...rule, times: 20 }, forMs: 30_000 }),
        5,
        1_000,
      ),
    ).toEqual({
      kind: "rule",
      body: { operation: "*", status: 429, retry_after: 1, times: 20, user_id: 5, until: 1_030 },
    });
    expect(
      faultAction(step({ preset: "api_down", rule: { ...rule, drop: "after" } }), 5, 0),
    ).toEqual({ kind: "rule", body: { operation: "*", drop: "after", times: 5, user_id: 5 } });
    expect(
      faultAction(step({ preset: "rate_limit_storm", rule: { ...rule, status: 503 } }), 5, 0),
    ).toEqual({ kind: "rule", body: { operation: "*", status: 503, times: 10, user_id: 5 } });
  });

  test("token_expired is no rule; a raw rule needs an operation", () => {
    expect(faultAction(step({ preset: "token_expired" }), 5, 0)).toEqual({ kind: "expire_tokens" });
    expect(
      faultAction(step({ rule: { ...rule, operation: "webhook", status: 500, times: 2 } }), 5, 0),
    ).toEqual({
      kind: "rule",
      body: { operation: "webhook", status: 500, times: 2, user_id: 5 },
    });
    expect(faultAction(step({ rule: { ...rule, status: 500 } }), 5, 0).kind).toBe("invalid");
  });
});

describe("a chat's log", () => {
  const byBuyer = (id: string) => ({ ...text(id), id, author_id: 1 });
  const bySeller = (id: string) => ({ ...text(id), id, author_id: 2 });
  let seq = 0;
  const fresh = () => ++seq;
  const order = (chat: ChatLog) => chat.messages.map((m) => m.message.id);

  test("a message the stream missed goes where the chat has it, before the reply it brought", () => {
    seq = 0;
    const chat = new ChatLog("u2u-1");
    chat.record(byBuyer("hello"), fresh());
    // The buyer's question was missed; the bot's answer to it came (and a read after it).
    const answer = fresh();
    chat.record(bySeller("answer"), answer);
    chat.merge([byBuyer("hello"), byBuyer("question"), bySeller("answer")], fresh);
    expect(order(chat)).toEqual(["hello", "question", "answer"]);
    const question = chat.seqOf("question", false) ?? Number.NaN;
    expect(question).toBeGreaterThan(chat.seqOf("hello", false) ?? Number.NaN);
    expect(question).toBeLessThan(answer);
    // Known messages keep their seqs: what an expect consumed stays consumed.
    expect(chat.seqOf("answer", false)).toBe(answer);
  });

  test("one missed at the answer's end goes before what the stream brought while it was read", () => {
    seq = 0;
    const chat = new ChatLog("u2u-1");
    chat.record(byBuyer("hello"), fresh());
    // The GET was answered before the reply was written; the stream brought the reply first.
    chat.record(bySeller("reply"), fresh());
    chat.merge([byBuyer("hello"), byBuyer("missed")], fresh);
    expect(order(chat)).toEqual(["hello", "missed", "reply"]);
    // None known to come after: after everything so far.
    chat.merge([byBuyer("hello"), byBuyer("missed"), bySeller("reply"), byBuyer("last")], fresh);
    expect(order(chat)).toEqual(["hello", "missed", "reply", "last"]);
    expect(chat.seqOf("last", false)).toBe(seq);
  });

  test("a wait for the chat's next event ends with the abort, as interrupted, with its reason", async () => {
    const chat = new ChatLog("u2u-1");
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("the bot exited (code 3)")), 10);
    await expect(chat.changed(60_000, controller.signal)).rejects.toThrow(
      "the bot exited (code 3)",
    );
    const plain = new AbortController();
    setTimeout(() => plain.abort(), 10);
    await expect(chat.changed(60_000, plain.signal)).rejects.toThrow("interrupted");
  });

  test("a message first seen deleted is deleted where it stands; a known one when it is seen so", () => {
    seq = 0;
    const chat = new ChatLog("u2u-1");
    chat.record(byBuyer("hello"), fresh());
    const gone = { ...bySeller("gone"), type: "deleted", deleted: 1_800_000_001 };
    chat.merge([{ ...byBuyer("hello"), type: "deleted", deleted: 1_800_000_002 }, gone], fresh);
    expect(chat.find("gone")?.deletedSeq).toBe(chat.seqOf("gone", false));
    // Its deletion, unheard, is placed after every event so far.
    expect(chat.seqOf("hello", true)).toBeGreaterThan(chat.seqOf("hello", false) ?? Number.NaN);
  });
});
