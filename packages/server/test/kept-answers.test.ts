// The kept read answers (src/domain/views/kept-answers.ts): an answer read before a change and
// finished after it is not kept; a change lets go of the scopes it touches only (a chat's and its
// members' lists on a send, a chat's and its reader's list on a read, the lists alone on a new
// chat); with shared versions, an answer is served only under the version it was read under; the
// limits of bytes and scopes hold, the least recently used going first. (That the store's versions
// follow every change across nodes: read-bytes.test.ts, on PostgreSQL.)
import { expect, test } from "vitest";
import { JsonBytes } from "../src/domain/views/json-bytes.ts";
import {
  accountScope,
  chatScope,
  KeptAnswers,
  scopesOfChatChange,
  scopesOfChatRead,
  scopesOfNewChat,
} from "../src/domain/views/kept-answers.ts";

const answer = (text: string) => new JsonBytes(Buffer.from(text));

async function ticketOf(answers: KeptAnswers, scope: string, key = "k") {
  const found = await answers.find(scope, key);
  if (!("ticket" in found)) throw new Error(`an answer was kept in ${scope}`);
  return found.ticket;
}

async function kept(answers: KeptAnswers, scope: string, key = "k"): Promise<string | undefined> {
  const found = await answers.find(scope, key);
  return "answer" in found ? found.answer.bytes.toString() : undefined;
}

/** Keeps in each scope an answer that names it. */
async function keepAll(answers: KeptAnswers, scopes: string[]): Promise<void> {
  for (const scope of scopes) answers.keep(await ticketOf(answers, scope), answer(scope));
}

/** What is kept now in each scope. */
function keptIn(answers: KeptAnswers, scopes: string[]): Promise<(string | undefined)[]> {
  return Promise.all(scopes.map((scope) => kept(answers, scope)));
}

test("a send lets go of the chat's answers and its members' lists; nothing else", async () => {
  const answers = new KeptAnswers({ maxBytes: 1000, maxScopes: 10 });
  const scopes = [
    accountScope(1),
    accountScope(2),
    accountScope(3),
    chatScope("x"),
    chatScope("y"),
  ];
  await keepAll(answers, scopes);
  answers.changed(scopesOfChatChange("x", [1, 2]));
  expect(await keptIn(answers, scopes)).toEqual([
    undefined,
    undefined,
    accountScope(3),
    undefined,
    chatScope("y"),
  ]);
});

test("a read lets go of the chat's answers and the reader's lists; a new chat of the lists alone", async () => {
  const answers = new KeptAnswers({ maxBytes: 1000, maxScopes: 10 });
  const scopes = [accountScope(1), accountScope(2), chatScope("x"), chatScope("y")];
  await keepAll(answers, scopes);
  answers.changed(scopesOfChatRead("x", 1));
  expect(await keptIn(answers, scopes)).toEqual([
    undefined,
    accountScope(2),
    undefined,
    chatScope("y"),
  ]);
  await keepAll(answers, [accountScope(1), chatScope("x")]);
  answers.changed(scopesOfNewChat([1, 2]));
  expect(await keptIn(answers, scopes)).toEqual([
    undefined,
    undefined,
    chatScope("x"),
    chatScope("y"),
  ]);
});

test("a read that began before a change is not kept after it", async () => {
  const answers = new KeptAnswers({ maxBytes: 1000, maxScopes: 10 });
  const ticket = await ticketOf(answers, accountScope(1));
  answers.changed(scopesOfNewChat([1]));
  answers.keep(ticket, answer("read before the change"));
  expect(await kept(answers, accountScope(1))).toBeUndefined();
  const ofChat = await ticketOf(answers, chatScope("x"));
  answers.changed(scopesOfChatChange("x", []));
  answers.keep(ofChat, answer("read before the send"));
  expect(await kept(answers, chatScope("x"))).toBeUndefined();
  // Nor after the world was replaced.
  const another = await ticketOf(answers, accountScope(1));
  answers.clear();
  answers.keep(another, answer("read in the old world"));
  expect(await kept(answers, accountScope(1))).toBeUndefined();
});

test("the bytes and the scopes kept stay within their limits, the least recently used going first", async () => {
  const answers = new KeptAnswers({ maxBytes: 100, maxScopes: 3 });
  const [a, b, c, d, e] = ["a1", "a2", "cx", "cy", "cz"];
  for (const scope of [a, b]) answers.keep(await ticketOf(answers, scope), answer("x".repeat(20)));
  expect(await kept(answers, a)).toBe("x".repeat(20)); // a is now the most recently used
  answers.keep(await ticketOf(answers, c), answer("y".repeat(20)));
  answers.keep(await ticketOf(answers, c, "g"), answer("z".repeat(20)));
  // 80 bytes kept; 25 more pass 100: the least recently used scope (b) goes.
  answers.keep(await ticketOf(answers, a, "g"), answer("w".repeat(25)));
  expect(await kept(answers, b)).toBeUndefined();
  expect(await kept(answers, a)).toBe("x".repeat(20));
  expect(await kept(answers, c, "g")).toBe("z".repeat(20));
  // Three scopes now (c, a, d); a fourth read makes four: the least recently used (c) goes.
  await ticketOf(answers, d);
  expect(await kept(answers, a, "g")).toBe("w".repeat(25));
  // An answer larger than a quarter of the bytes is never kept.
  answers.keep(await ticketOf(answers, e), answer("v".repeat(30)));
  expect(await kept(answers, e)).toBeUndefined();
  expect(await kept(answers, c, "g")).toBeUndefined();
  expect(await kept(answers, a, "g")).toBe("w".repeat(25));
});

test("with versions in a shared store, an answer is served only while its scope's version is the one it was read under", async () => {
  // The store's versions, as another node's changes move them (here: by hand).
  const versions = new Map<string, number>();
  const answers = new KeptAnswers({
    maxBytes: 1000,
    maxScopes: 10,
    shared: { read: async (scope) => String(versions.get(scope) ?? 0) },
  });
  expect(answers.sharesVersions).toBe(true);
  const scope = chatScope("x");
  answers.keep(await ticketOf(answers, scope), answer("under 0"));
  expect(await kept(answers, scope)).toBe("under 0");
  // Changed on another node: nothing told this one, the version alone shows it.
  versions.set(scope, 1);
  expect(await kept(answers, scope)).toBeUndefined();
  answers.keep(await ticketOf(answers, scope), answer("under 1"));
  expect(await kept(answers, scope)).toBe("under 1");
  // A read that noted version 1, then a change (2) seen by another read first: the first read's
  // answer is not kept.
  versions.set(scope, 2);
  const late = await ticketOf(answers, scope);
  versions.set(scope, 3);
  expect(await kept(answers, scope)).toBeUndefined();
  answers.keep(late, answer("under 2, too late"));
  expect(await kept(answers, scope)).toBeUndefined();
  // Other scopes are untouched by the version of this one.
  answers.keep(await ticketOf(answers, accountScope(1)), answer("a list"));
  versions.set(scope, 4);
  expect(await kept(answers, accountScope(1))).toBe("a list");
});
