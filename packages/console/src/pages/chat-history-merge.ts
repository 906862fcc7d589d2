// How the open chat's held messages take in what comes: a page of the history, and a live event.
// Held messages are kept as the chat orders them: by `created`, and within one second by the
// server's order (the order a page gives them in, then the order events come in: a live event is
// newer than everything loaded). Merging is by id, so nothing is drawn twice; pure functions, so
// that a state updater may run them more than once.
import type { LiveEvent, SandboxMessage } from "../types.ts";

export interface Held {
  /** null until the first page came. */
  messages: SandboxMessage[] | null;
  /** Older messages are left to load. */
  more: boolean;
}

export interface Page {
  messages: SandboxMessage[];
  more: boolean;
}

/** The live events that change what a chat's messages show. */
export type ChatEvent =
  | Extract<LiveEvent, { type: "message" }>
  | Extract<LiveEvent, { type: "chat_read" }>;

export function chatEventOf(event: LiveEvent, chatId: string): ChatEvent | null {
  if (event.type === "message" && event.message.chat_id === chatId) return event;
  if (event.type === "chat_read" && event.chat_id === chatId) return event;
  return null;
}

/** Sorts a fresh array by `created`; the sort is stable, so messages of a second keep their order. */
function inOrder(messages: SandboxMessage[]): SandboxMessage[] {
  return messages.sort((a, b) => a.created - b.created);
}

export function applyEvent(messages: SandboxMessage[], event: ChatEvent): SandboxMessage[] {
  if (event.type === "chat_read") {
    // The reader has now read every message the other side wrote until then.
    return messages.map((m) =>
      m.author_id !== event.user_id && m.read === null && m.created <= event.at
        ? { ...m, read: event.at }
        : m,
    );
  }
  const message = event.message;
  const at = messages.findIndex((m) => m.id === message.id);
  if (at === -1) return inOrder([...messages, message]);
  const next = [...messages];
  next[at] = message;
  return next;
}

/** The first page: what is shown, as it is. */
export function firstPage(_held: Held, page: Page): Held {
  return { messages: inOrder([...page.messages]), more: page.more };
}

/**
 * Puts the chat's newest page over what is held: the page's version of each message it has,
 * older pages kept below it, and what the page lacks but was held after its start (a message that
 * came by a live event after the page was made) kept after it, in its place.
 */
export function mergeNewest(held: Held, page: Page): Held {
  if (!held.messages) return firstPage(held, page);
  const pageIds = new Set(page.messages.map((m) => m.id));
  const first = page.messages[0];
  const firstAt = first ? held.messages.findIndex((m) => m.id === first.id) : -1;
  // More messages came than a page holds: between the held ones and the page lie messages
  // neither has, so the held older pages no longer join it (Load older asks for them again).
  const gap = page.more && firstAt === -1;
  const pageEnd = page.messages.at(-1)?.created ?? 0;
  const older: SandboxMessage[] = [];
  const newer: SandboxMessage[] = [];
  held.messages.forEach((message, at) => {
    if (pageIds.has(message.id)) return;
    if (!page.more) newer.push(message);
    else if (!gap && at < firstAt) older.push(message);
    else if (!gap || message.created >= pageEnd) newer.push(message);
  });
  return {
    messages: inOrder([...older, ...page.messages, ...newer]),
    more: gap || held.more,
  };
}

/** Puts an older page (the one before the oldest held message) above what is held. */
export function mergeOlder(held: Held, page: Page): Held {
  const had = held.messages ?? [];
  const ids = new Set(had.map((m) => m.id));
  return {
    messages: inOrder([...page.messages.filter((m) => !ids.has(m.id)), ...had]),
    more: page.more,
  };
}
