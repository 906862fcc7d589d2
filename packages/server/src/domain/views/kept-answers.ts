// Whole read answers, kept until what they show changes: a CRM polls the same chats lists, opens
// the same chats and pages through the same messages again and again, and most reads find nothing
// new. Each answer belongs to a scope that a change lets go of as a whole:
// - an account's scope keeps its chats lists (by filter): any change to one of its chats (a send,
//   a delete, a new chat) or its reading one changes them;
// - a chat's scope keeps that chat by id and its messages pages (by viewer and page): a send or a
//   delete in it changes both, and a read changes its messages (is_read, read).
// The node that made a change lets go of its scopes once the change has committed (`changed`).
// On one SQLite node every change goes through this process, so that is all it takes. Nodes that
// share a PostgreSQL do not hear each other's changes in time: there each change also bumps its
// scopes' versions in the store, in its own transaction, and a kept answer is served only while
// its scope's version there is still the one it was read under (`SharedVersions`: one statement
// instead of the read's).
//
// A read that began before a change and ends after it must not keep what it read: each scope has
// a version that every change bumps, the read notes it before it reads the store, and keeps its
// answer only if the version is still the same.
//
// Each kept answer is held (json-bytes.ts) while kept, and once more for each caller that find()
// hands it to: the caller releases it when done (the http layer, once the response is written).
import type { JsonBytes } from "./json-bytes.ts";

interface ScopeAnswers {
  version: number;
  /** The scope's version in the store that the answers were read under (shared stores only). */
  shared: string | null;
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

/** Where scopes' versions are read when several nodes share the store. */
export interface SharedVersions {
  /** The scope's version in the store now: the same string while nothing it shows changed. */
  read(scope: string): Promise<string>;
}

export class KeptAnswers {
  readonly #scopes = new Map<string, ScopeAnswers>();
  readonly #maxBytes: number;
  readonly #maxScopes: number;
  readonly #shared: SharedVersions | null;
  #bytes = 0;

  constructor(options: { maxBytes: number; maxScopes: number; shared?: SharedVersions }) {
    this.#maxBytes = options.maxBytes;
    this.#maxScopes = options.maxScopes;
    this.#shared = options.shared ?? null;
  }

  /** Whether changes must bump their scopes' versions in the store (see the header). */
  get sharesVersions(): boolean {
    return this.#shared !== null;
  }

  /**
   * The kept answer, held for the caller, who must release it; or a ticket to keep the one the
   * caller is about to read.
   */
  async find(
    scope: string,
    key: string,
  ): Promise<{ answer: JsonBytes } | { ticket: AnswerTicket }> {
    const shared = this.#shared ? await this.#shared.read(scope) : null;
    let entry = this.#scopes.get(scope);
    if (entry) {
      // Most recently used last: the oldest go first when room is needed.
      this.#scopes.delete(scope);
      this.#scopes.set(scope, entry);
      if (entry.shared !== shared) {
        // Changed on another node (or read under an older version by a read that ended later).
        this.#drop(entry);
        entry.shared = shared;
      } else {
        const answer = entry.byKey.get(key);
        if (answer) return { answer: answer.hold() };
      }
    } else {
      entry = { version: 0, shared, byKey: new Map(), bytes: 0 };
      this.#scopes.set(scope, entry);
      this.#evict(scope);
    }
    return { ticket: { scope, key, entry, version: entry.version } };
  }

  /**
   * Keeps an answer (holding it: the caller's own hold stays the caller's), unless its scope
   * changed since its ticket was taken.
   */
  keep(ticket: AnswerTicket, answer: JsonBytes): void {
    const { entry } = ticket;
    if (this.#scopes.get(ticket.scope) !== entry || entry.version !== ticket.version) return;
    const size = answer.bytes.length;
    if (size > this.#maxBytes / 4) return;
    const replaced = entry.byKey.get(ticket.key);
    // Counted before the release, which may free the replaced answer's bytes (and empty them).
    const grown = size - (replaced?.bytes.length ?? 0);
    entry.byKey.set(ticket.key, answer.hold());
    replaced?.release();
    entry.bytes += grown;
    this.#bytes += grown;
    this.#evict(ticket.scope);
  }

  /** A change committed (see scopesOf*): the answers of its scopes are stale. */
  changed(scopes: readonly string[]): void {
    for (const scope of scopes) {
      const entry = this.#scopes.get(scope);
      if (entry) this.#drop(entry);
    }
  }

  /** The world was replaced. */
  clear(): void {
    for (const entry of this.#scopes.values()) this.#drop(entry);
    this.#scopes.clear();
  }

  #drop(entry: ScopeAnswers): void {
    entry.version++;
    this.#bytes -= entry.bytes;
    entry.bytes = 0;
    for (const answer of entry.byKey.values()) answer.release();
    entry.byKey.clear();
  }

  /** Lets go of the least recently used scopes until both limits hold. */
  #evict(keep: string): void {
    for (const [scope, entry] of this.#scopes) {
      if (this.#bytes <= this.#maxBytes && this.#scopes.size <= this.#maxScopes) return;
      if (scope === keep) continue;
      this.#drop(entry);
      this.#scopes.delete(scope);
    }
  }
}

/** What a send or a delete in a chat changes: the chat's answers and its members' lists. */
export function scopesOfChatChange(chatId: string, participants: readonly number[]): string[] {
  return [chatScope(chatId), ...participants.map(accountScope)];
}

/** What a read of a chat changes: its messages (is_read, read) and the reader's lists (unread). */
export function scopesOfChatRead(chatId: string, readerId: number): string[] {
  return [chatScope(chatId), accountScope(readerId)];
}

/** What a new chat changes: its members' lists. */
export function scopesOfNewChat(userIds: readonly number[]): string[] {
  return userIds.map(accountScope);
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
