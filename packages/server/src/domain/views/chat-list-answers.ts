// Whole chats-list answers, kept per account and filter until something in that account's chats
// changes: a CRM polls the same lists again and again, and most polls find nothing new. Only on a
// single node (SQLite): there every change goes through this process, which lets go of the
// account's answers once the change has committed (`changed`). Several nodes on one
// PostgreSQL would each need to hear of every other's changes, so there nothing is kept.
//
// A read that began before a change and ends after it must not keep what it read: each account's
// entry has a version that every change bumps, the read notes it before it reads the store, and
// keeps its answer only if the version is still the same.
import type { JsonBytes } from "./json-bytes.ts";

interface AccountAnswers {
  version: number;
  /** By the filter (chat types, item ids, unread only, limit, offset). */
  byFilter: Map<string, JsonBytes>;
  bytes: number;
}

/** Where a read stands: what it must hand back to keep its answer. */
export interface AnswerTicket {
  readonly userId: number;
  readonly filter: string;
  readonly entry: AccountAnswers;
  readonly version: number;
}

export class ChatListAnswers {
  readonly #accounts = new Map<number, AccountAnswers>();
  readonly #maxBytes: number;
  readonly #maxAccounts: number;
  #bytes = 0;

  constructor(limits: { maxBytes: number; maxAccounts: number }) {
    this.#maxBytes = limits.maxBytes;
    this.#maxAccounts = limits.maxAccounts;
  }

  /** The kept answer, or a ticket to keep the one the caller is about to read. */
  find(userId: number, filter: string): { answer: JsonBytes } | { ticket: AnswerTicket } {
    let entry = this.#accounts.get(userId);
    if (entry) {
      // Most recently used last: the oldest go first when room is needed.
      this.#accounts.delete(userId);
      this.#accounts.set(userId, entry);
      const answer = entry.byFilter.get(filter);
      if (answer) return { answer };
    } else {
      entry = { version: 0, byFilter: new Map(), bytes: 0 };
      this.#accounts.set(userId, entry);
      this.#evict(userId);
    }
    return { ticket: { userId, filter, entry, version: entry.version } };
  }

  /** Keeps an answer, unless the account's chats changed since its ticket was taken. */
  keep(ticket: AnswerTicket, answer: JsonBytes): void {
    const { entry } = ticket;
    if (this.#accounts.get(ticket.userId) !== entry || entry.version !== ticket.version) return;
    const size = answer.bytes.length;
    if (size > this.#maxBytes / 4) return;
    const replaced = entry.byFilter.get(ticket.filter);
    entry.byFilter.set(ticket.filter, answer);
    const grown = size - (replaced?.bytes.length ?? 0);
    entry.bytes += grown;
    this.#bytes += grown;
    this.#evict(ticket.userId);
  }

  /** Something in these accounts' chats changed (committed): their answers are stale. */
  changed(userIds: Iterable<number>): void {
    for (const userId of userIds) {
      const entry = this.#accounts.get(userId);
      if (!entry) continue;
      entry.version++;
      this.#bytes -= entry.bytes;
      entry.bytes = 0;
      entry.byFilter.clear();
    }
  }

  /** The world was replaced. */
  clear(): void {
    for (const entry of this.#accounts.values()) entry.version++;
    this.#accounts.clear();
    this.#bytes = 0;
  }

  /** Lets go of the least recently used accounts until both limits hold. */
  #evict(keep: number): void {
    for (const [userId, entry] of this.#accounts) {
      if (this.#bytes <= this.#maxBytes && this.#accounts.size <= this.#maxAccounts) return;
      if (userId === keep) continue;
      entry.version++;
      this.#bytes -= entry.bytes;
      this.#accounts.delete(userId);
    }
  }
}

/** The filter's part of the key: every field of the query, in one string. */
export function filterKey(query: {
  chatTypes: readonly string[];
  itemIds: readonly number[] | null;
  unreadOnly: boolean;
  limit: number;
  offset: number;
}): string {
  return `${query.chatTypes.join(",")}|${query.itemIds?.join(",") ?? "*"}|${query.unreadOnly}|${query.limit}|${query.offset}`;
}
