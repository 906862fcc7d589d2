// ChangeSignals over PostgreSQL's LISTEN/NOTIFY: one connection of its own listens on the store's
// channel (named after its schema, so that Beseda stores in several schemas of one database do not
// hear each other), and comes back after a lost connection; notifications go through the pool.
import { createHash } from "node:crypto";
import pg from "pg";
import { CHANGE_TOPICS, type ChangeSignals, type ChangeTopic } from "../change-signals.ts";

/** After a lost listening connection, the next try. Polling covers what is missed meanwhile. */
const RECONNECT_MS = 1000;

export function channelOf(schema: string): string {
  return `beseda_${createHash("sha256").update(schema).digest("hex").slice(0, 24)}`;
}

export class PostgresChangeSignals implements ChangeSignals {
  readonly #url: string;
  readonly #pool: pg.Pool;
  readonly #channel: string;
  readonly #onError: (error: Error) => void;
  #listener: pg.Client | null = null;
  #onSignal: ((topic: ChangeTopic, payload: string | null) => void) | null = null;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(url: string, pool: pg.Pool, schema: string, onError: (error: Error) => void) {
    this.#url = url;
    this.#pool = pool;
    this.#channel = channelOf(schema);
    this.#onError = onError;
  }

  /** The notification's text: the topic, then the payload on the next line if there is one. */
  async notify(topic: ChangeTopic, payload?: string): Promise<void> {
    const text = payload === undefined ? topic : `${topic}\n${payload}`;
    await this.#pool.query("select pg_notify($1, $2)", [this.#channel, text]);
  }

  async listen(onSignal: (topic: ChangeTopic, payload: string | null) => void): Promise<void> {
    this.#onSignal = onSignal;
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const listener = this.#listener;
    this.#listener = null;
    await listener?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, keepAlive: true });
    client.on("notification", (message) => {
      const text = message.payload ?? "";
      const newline = text.indexOf("\n");
      const name = newline < 0 ? text : text.slice(0, newline);
      const topic = CHANGE_TOPICS.find((t) => t === name);
      if (topic && message.channel === this.#channel) {
        this.#onSignal?.(topic, newline < 0 ? null : text.slice(newline + 1));
      }
    });
    const lost = (error?: Error) => {
      if (this.#listener !== client || this.#closed) return;
      this.#listener = null;
      if (error) this.#onError(error);
      void client.end().catch(() => {});
      this.#retry = setTimeout(() => void this.#reconnect(), RECONNECT_MS);
      this.#retry.unref();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    this.#listener = client;
    await client.connect();
    await client.query(`LISTEN "${this.#channel}"`);
  }

  async #reconnect(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#listener = null;
      this.#onError(error as Error);
      if (this.#closed) return;
      this.#retry = setTimeout(() => void this.#reconnect(), RECONNECT_MS);
      this.#retry.unref();
    }
  }
}
