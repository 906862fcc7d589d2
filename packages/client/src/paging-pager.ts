// Offset paging as production allows it: `offset` 0..1000 and `limit` ≤ 100, so at most 1,100
// items per query; an offset above 1000 is a 400, not an empty page. The pager reads pages until
// a short one (the end) or the page at offset 1000 (the wall), and says which it was. It knows
// nothing of chats or messages: the caller gives it a page reader and an id.

/** The highest offset production accepts. */
export const OFFSET_WALL = 1000;
/** The most items production gives per page. */
export const MAX_PAGE_SIZE = 100;

export interface PagingOptions {
  /** Items per request, 1..100; default 100 (fewer requests, and the furthest reach). */
  pageSize?: number;
  /**
   * At the wall: `"stop"` (default) ends the iteration and sets `reachedWall`; `"throw"` throws
   * OffsetWallError once the last reachable item has been yielded.
   */
  onWall?: "stop" | "throw";
  /** Aborts the iteration, and the request in flight. */
  signal?: AbortSignal;
}

/** Thrown (with `onWall: "throw"`) when more items may exist beyond offset paging's reach. */
export class OffsetWallError extends Error {
  override readonly name = "OffsetWallError";
  /** The operation that was paged: getChatsV2 or getMessagesV3. */
  readonly operation: string;
  /** Distinct items yielded before the wall. */
  readonly yielded: number;

  constructor(operation: string, yielded: number) {
    super(
      `${operation}: the page at offset ${OFFSET_WALL} was full; production refuses a higher offset, so later items are out of reach of this query (${yielded} read)`,
    );
    this.operation = operation;
    this.yielded = yielded;
  }
}

export interface PagingResult {
  /** True if the iteration stopped at the wall with a full last page: more may exist. */
  reachedWall: boolean;
  /** Distinct items yielded. */
  count: number;
}

export type PageReader<T> = (
  offset: number,
  limit: number,
  signal: AbortSignal | undefined,
) => Promise<T[]>;

/**
 * An async iterable of items, read a page at a time. Iterate it with `for await`, or its
 * `pages()` for one array per request; afterwards `reachedWall` tells whether the list went on.
 * Each iteration starts again from offset 0.
 */
export class Paginated<T> implements AsyncIterable<T> {
  /** After an iteration: it stopped at the wall with a full last page, so more may exist. */
  reachedWall = false;
  /** After (or during) an iteration: distinct items yielded so far. */
  count = 0;
  readonly #operation: string;
  readonly #read: PageReader<T>;
  readonly #idOf: (item: T) => string | undefined;
  readonly #pageSize: number;
  readonly #onWall: "stop" | "throw";
  readonly #signal: AbortSignal | undefined;

  constructor(
    operation: string,
    read: PageReader<T>,
    idOf: (item: T) => string | undefined,
    options: PagingOptions = {},
  ) {
    const { pageSize = MAX_PAGE_SIZE, onWall = "stop" } = options;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    this.#operation = operation;
    this.#read = read;
    this.#idOf = idOf;
    this.#pageSize = pageSize;
    this.#onWall = onWall;
    this.#signal = options.signal;
  }

  /** One array of new items per request (an array may be empty only if nothing was new). */
  async *pages(): AsyncGenerator<T[], PagingResult, undefined> {
    this.reachedWall = false;
    this.count = 0;
    // The list is ordered by recent activity and moves while it is read: a chat or message that
    // arrives pushes everything down a place, so the next page repeats one already yielded.
    const seen = new Set<string>();
    let offset = 0;
    for (;;) {
      this.#signal?.throwIfAborted();
      const raw = await this.#read(offset, this.#pageSize, this.#signal);
      const fresh = raw.filter((item) => {
        const id = this.#idOf(item);
        if (id === undefined) return true;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      this.count += fresh.length;
      yield fresh;
      if (raw.length < this.#pageSize) return { reachedWall: false, count: this.count };
      if (offset >= OFFSET_WALL) {
        this.reachedWall = true;
        if (this.#onWall === "throw") throw new OffsetWallError(this.#operation, this.count);
        return { reachedWall: true, count: this.count };
      }
      // With a page size that does not divide 1000, the last page starts at 1000 exactly and
      // overlaps the one before (the overlap is dropped above): the wall's last items are read.
      offset = Math.min(offset + this.#pageSize, OFFSET_WALL);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, PagingResult, undefined> {
    const pages = this.pages();
    for (;;) {
      const next = await pages.next();
      if (next.done) return next.value;
      yield* next.value;
    }
  }
}
