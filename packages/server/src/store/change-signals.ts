// Nodes on one database telling each other that shared state changed, so that what each keeps in
// memory (the sandbox clock, the fault rules, the world's caches) follows within moments, and
// dispatchers look for work another node made due. PostgreSQL's LISTEN/NOTIFY carries them
// (./postgres/pg-change-signals.ts); a SQLite store has one node and no signals. A signal may be
// lost (a connection dropped): the nodes also poll what the signals announce.

/**
 * What changed: the clock's offset, the fault rules, the whole world (a reset or an import), the
 * grants of access tokens (a sandbox fault expired some), deliveries made due; "live": events for
 * the sandbox's watchers, relayed (with a payload).
 */
export type ChangeTopic = "clock" | "faults" | "world" | "grants" | "deliveries" | "live";

export const CHANGE_TOPICS: readonly ChangeTopic[] = [
  "clock",
  "faults",
  "world",
  "grants",
  "deliveries",
  "live",
];

/** The most a payload may weigh, in bytes (PostgreSQL's NOTIFY takes under 8000). */
export const MAX_SIGNAL_PAYLOAD_BYTES = 7000;

export interface ChangeSignals {
  /**
   * Tells every node (this one included) that `topic` changed; after the change committed.
   * `payload`: at most MAX_SIGNAL_PAYLOAD_BYTES.
   */
  notify(topic: ChangeTopic, payload?: string): Promise<void>;
  /** From now on, `onSignal` hears every topic notified, by any node. */
  listen(onSignal: (topic: ChangeTopic, payload: string | null) => void): Promise<void>;
  close(): Promise<void>;
}
