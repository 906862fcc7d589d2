// The kept chats-list answers (src/domain/views/chat-list-answers.ts): an answer read before a
// change and finished after it is not kept; a change lets go of the account's answers only; the
// limits of bytes and accounts hold, the least recently used going first.
import { expect, test } from "vitest";
import { ChatListAnswers } from "../src/domain/views/chat-list-answers.ts";
import { JsonBytes } from "../src/domain/views/json-bytes.ts";

const answer = (text: string) => new JsonBytes(Buffer.from(text));

function ticketOf(answers: ChatListAnswers, userId: number, filter = "f") {
  const found = answers.find(userId, filter);
  if (!("ticket" in found)) throw new Error(`an answer was kept for ${userId}`);
  return found.ticket;
}

function kept(answers: ChatListAnswers, userId: number, filter = "f"): string | undefined {
  const found = answers.find(userId, filter);
  return "answer" in found ? found.answer.bytes.toString() : undefined;
}

test("an answer is kept until the account's chats change; other accounts' stay", () => {
  const answers = new ChatListAnswers({ maxBytes: 1000, maxAccounts: 10 });
  answers.keep(ticketOf(answers, 1), answer('{"chats":[1]}'));
  answers.keep(ticketOf(answers, 2), answer('{"chats":[2]}'));
  expect(kept(answers, 1)).toBe('{"chats":[1]}');
  answers.changed([1]);
  expect(kept(answers, 1)).toBeUndefined();
  expect(kept(answers, 2)).toBe('{"chats":[2]}');
});

test("a read that began before a change is not kept after it", () => {
  const answers = new ChatListAnswers({ maxBytes: 1000, maxAccounts: 10 });
  const ticket = ticketOf(answers, 1);
  answers.changed([1]);
  answers.keep(ticket, answer("read before the change"));
  expect(kept(answers, 1)).toBeUndefined();
  // Nor after the world was replaced.
  const another = ticketOf(answers, 1);
  answers.clear();
  answers.keep(another, answer("read in the old world"));
  expect(kept(answers, 1)).toBeUndefined();
});

test("the bytes and the accounts kept stay within their limits, the least recently used going first", () => {
  const answers = new ChatListAnswers({ maxBytes: 100, maxAccounts: 3 });
  for (const userId of [1, 2]) answers.keep(ticketOf(answers, userId), answer("x".repeat(20)));
  expect(kept(answers, 1)).toBe("x".repeat(20)); // 1 is now the most recently used
  answers.keep(ticketOf(answers, 3), answer("y".repeat(20)));
  answers.keep(ticketOf(answers, 3, "g"), answer("z".repeat(20)));
  // 80 bytes kept; 25 more pass 100: the least recently used account (2) goes.
  answers.keep(ticketOf(answers, 1, "g"), answer("w".repeat(25)));
  expect(kept(answers, 2)).toBeUndefined();
  expect(kept(answers, 1)).toBe("x".repeat(20));
  expect(kept(answers, 3, "g")).toBe("z".repeat(20));
  // Three accounts now (3, 1, 4); a fourth read makes four: the least recently used (3) goes.
  ticketOf(answers, 4);
  expect(kept(answers, 1, "g")).toBe("w".repeat(25));
  // An answer larger than a quarter of the bytes is never kept.
  answers.keep(ticketOf(answers, 5), answer("v".repeat(30)));
  expect(kept(answers, 5)).toBeUndefined();
  expect(kept(answers, 3, "g")).toBeUndefined();
  expect(kept(answers, 1, "g")).toBe("w".repeat(25));
});
