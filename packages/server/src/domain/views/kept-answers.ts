// Whole read answers, kept until what they show changes: a CRM polls the same chats lists, opens
// the same chats and pages through the same messages again and again, and most reads find nothing
// new. Each answer belongs to a scope that a change lets go of as a whole:
// - an account's scope keeps its chats lists (by filter): any change to one of its chats (a send,
//   a delete, a new chat) or its reading one changes them;
// - a chat's scope keeps that chat by id and its messages pages (by viewer and page): a send or a
//   delete in it changes both, and a read changes its messages (is_read, read).
// Only on a single node (SQLite): there every change goes through this process, which lets go of
// the scopes once the change has committed. Several nodes on one PostgreSQL would each need to
// hear of every other's changes, so there nothing is kept.
//
// A read that began before a change and ends after it must not keep what it read: each scope has
// a version that every change bumps, the read notes it before it reads the store, and keeps its
// answer only if the version is still the same.
import type { JsonBytes } from "./json-bytes.ts";

interface ScopeAnswers {
  version: number;
  /** By what was asked (a filter, a viewer and a page). */
  byKey: Map<string, JsonBytes>;
  bytes: number;
}

/** Where a read stands: what it must hand back to keep its answer. */
export interface AnswerTicket {
  readonly scope: string;
  readonly key: string;
  readonly entry: ScopeAnswers;
  readonly version: number;
}

/** The scope of an account's chats lists. */
export function accountScope(userId: number): string {
  return `a${userId}`;
}

/** The scope of a chat's answers: the chat by id and its messages pages. */
export function chatScope(chatId: string): string {
  return `c${chatId}`;
}

export class KeptAnswers {
  readonly #scopes = new Map<string, ScopeAnswers>();
  readonly #maxBytes: number;
  readonly #maxScopes: number;
  #bytes = 0;

  constructor(limits: { maxBytes: number; maxScopes: number }) {
    this.#maxBytes = limits.maxBytes;
    this.#maxScopes = limits.maxScopes;
  }

  /** The kept answer, or a ticket to keep the one the caller is about to read. */
  find(scope: string, key: string): { answer: JsonBytes } | { ticket: AnswerTicket } {
    let entry = this.#scopes.get(scope);
    if (entry) {
      // Most recently used last: the oldest go first when room is needed.
      this.#scopes.delete(scope);
      this.#scopes.set(scope, entry);
      const answer = entry.byKey.get(key);
      if (answer) return { answer };
    } else {
      entry = { version: 0, byKey: new Map(), bytes: 0 };
      this.#scopes.set(scope, entry);
      this.#evict(scope);
    }
    return { ticket: { scope, key, entry, version: entry.version } };
  }

  /** Keeps an answer, unless its scope changed since its ticket was taken. */
  keep(ticket: AnswerTicket, answer: JsonBytes): void {
    const { entry } = ticket;
    if (this.#scopes.get(ticket.scope) !== entry || entry.version !== ticket.version) return;
    const size = answer.bytes.length;
    if (size > this.#maxBytes / 4) return;
    const replaced = entry.byKey.get(ticket.key);
    entry.byKey.set(ticket.key, answer);
    const grown = size - (replaced?.bytes.length ?? 0);
    entry.bytes += grown;
    this.#bytes += grown;
    this.#evict(ticket.scope);
  }

  /** A change to a chat committed (a send, a delete): its answers and its members' lists go. */
  chatChanged(chatId: string, participants: readonly number[]): void {
    this.#changed(chatScope(chatId));
    for (const userId of participants) this.#changed(accountScope(userId));
  }

  /** A chat was read: its messages (is_read, read) and the reader's lists (unread) changed. */
  chatRead(chatId: string, readerId: number): void {
    this.#changed(chatScope(chatId));
    this.#changed(accountScope(readerId));
  }

  /** A change committed that shows in these accounts' chats lists only (a new chat). */
  listsChanged(userIds: readonly number[]): void {
    for (const userId of userIds) this.#changed(accountScope(userId));
  }

  /** The world was replaced. */
  clear(): void {
    for (const entry of this.#scopes.values()) entry.version++;
    this.#scopes.clear();
    this.#bytes = 0;
  }

  #changed(scope: string): void {
    const entry = this.#scopes.get(scope);
    if (!entry) return;
    entry.version++;
    this.#bytes -= entry.bytes;
    entry.bytes = 0;
    entry.byKey.clear();
  }

  /** Lets go of the least recently used scopes until both limits hold. */
  #evict(keep: string): void {
    for (const [scope, entry] of this.#scopes) {
      if (this.#bytes <= this.#maxBytes && this.#scopes.size <= this.#maxScopes) return;
      if (scope === keep) continue;
      entry.version++;
      this.#bytes -= entry.bytes;
      this.#scopes.delete(scope);
    }
  }
}

/** A chats list's key in its account's scope: every field of the query, in one string. */
export function chatListKey(query: {
  chatTypes: readonly string[];
  itemIds: readonly number[] | null;
  unreadOnly: boolean;
  limit: number;
  offset: number;
}): string {
  return `${query.chatTypes.join(",")}|${query.itemIds?.join(",") ?? "*"}|${query.unreadOnly}|${query.limit}|${query.offset}`;
}

/** The chat by id's key in its chat's scope: it shows the direction of its newest message. */
export function chatKey(viewerId: number): string {
  return `chat|${viewerId}`;
}

/** A messages page's key in its chat's scope. */
export function messagesKey(viewerId: number, page: { limit: number; offset: number }): string {
  return `messages|${viewerId}|${page.limit}|${page.offset}`;
}
