// The kept read answers (src/domain/views/kept-answers.ts): an answer read before a change and
// finished after it is not kept; a change lets go of the scopes it touches only (a chat's and its
// members' lists on a send, a chat's and its reader's list on a read, the lists alone on a new
// chat); the limits of bytes and scopes hold, the least recently used going first.
import { expect, test } from "vitest";
import { JsonBytes } from "../src/domain/views/json-bytes.ts";
import { accountScope, chatScope, KeptAnswers } from "../src/domain/views/kept-answers.ts";

const answer = (text: string) => new JsonBytes(Buffer.from(text));

function ticketOf(answers: KeptAnswers, scope: string, key = "k") {
  const found = answers.find(scope, key);
  if (!("ticket" in found)) throw new Error(`an answer was kept in ${scope}`);
  return found.ticket;
}

function kept(answers: KeptAnswers, scope: string, key = "k"): string | undefined {
  const found = answers.find(scope, key);
  return "answer" in found ? found.answer.bytes.toString() : undefined;
}

/** Keeps in each scope an answer that names it. */
function keepAll(answers: KeptAnswers, scopes: string[]): void {
  for (const scope of scopes) answers.keep(ticketOf(answers, scope), answer(scope));
}

test("a send lets go of the chat's answers and its members' lists; nothing else", () => {
  const answers = new KeptAnswers({ maxBytes: 1000, maxScopes: 10 });
  const scopes = [
    accountScope(1),
    accountScope(2),
    accountScope(3),
    chatScope("x"),
    chatScope("y"),
  ];
  keepAll(answers, scopes);
  answers.chatChanged("x", [1, 2]);
  expect(scopes.map((scope) => kept(answers, scope))).toEqual([
    undefined,
    undefined,
    accountScope(3),
    undefined,
    chatScope("y"),
  ]);
});

test("a read lets go of the chat's answers and the reader's lists; a new chat of the lists alone", () => {
  const answers = new KeptAnswers({ maxBytes: 1000, maxScopes: 10 });
  const scopes = [accountScope(1), accountScope(2), chatScope("x"), chatScope("y")];
  keepAll(answers, scopes);
  answers.chatRead("x", 1);
  expect(scopes.map((scope) => kept(answers, scope))).toEqual([
    undefined,
    accountScope(2),
    undefined,
    chatScope("y"),
  ]);
  keepAll(answers, [accountScope(1), chatScope("x")]);
  answers.listsChanged([1, 2]);
  expect(scopes.map((scope) => kept(answers, scope))).toEqual([
    undefined,
    undefined,
    chatScope("x"),
    chatScope("y"),
  ]);
});

test("a read that began before a change is not kept after it", () => {
  const answers = new KeptAnswers({ maxBytes: 1000, maxScopes: 10 });
  const ticket = ticketOf(answers, accountScope(1));
  answers.listsChanged([1]);
  answers.keep(ticket, answer("read before the change"));
  expect(kept(answers, accountScope(1))).toBeUndefined();
  const ofChat = ticketOf(answers, chatScope("x"));
  answers.chatChanged("x", []);
  answers.keep(ofChat, answer("read before the send"));
  expect(kept(answers, chatScope("x"))).toBeUndefined();
  // Nor after the world was replaced.
  const another = ticketOf(answers, accountScope(1));
  answers.clear();
  answers.keep(another, answer("read in the old world"));
  expect(kept(answers, accountScope(1))).toBeUndefined();
});

test("the bytes and the scopes kept stay within their limits, the least recently used going first", () => {
  const answers = new KeptAnswers({ maxBytes: 100, maxScopes: 3 });
  const [a, b, c, d, e] = ["a1", "a2", "cx", "cy", "cz"];
  for (const scope of [a, b]) answers.keep(ticketOf(answers, scope), answer("x".repeat(20)));
  expect(kept(answers, a)).toBe("x".repeat(20)); // a is now the most recently used
  answers.keep(ticketOf(answers, c), answer("y".repeat(20)));
  answers.keep(ticketOf(answers, c, "g"), answer("z".repeat(20)));
  // 80 bytes kept; 25 more pass 100: the least recently used scope (b) goes.
  answers.keep(ticketOf(answers, a, "g"), answer("w".repeat(25)));
  expect(kept(answers, b)).toBeUndefined();
  expect(kept(answers, a)).toBe("x".repeat(20));
  expect(kept(answers, c, "g")).toBe("z".repeat(20));
  // Three scopes now (c, a, d); a fourth read makes four: the least recently used (c) goes.
  ticketOf(answers, d);
  expect(kept(answers, a, "g")).toBe("w".repeat(25));
  // An answer larger than a quarter of the bytes is never kept.
  answers.keep(ticketOf(answers, e), answer("v".repeat(30)));
  expect(kept(answers, e)).toBeUndefined();
  expect(kept(answers, c, "g")).toBeUndefined();
  expect(kept(answers, a, "g")).toBe("w".repeat(25));
});
