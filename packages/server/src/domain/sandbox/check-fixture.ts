// Checks a fixture document whole, before anything is written: its format and version, every
// field's type and range, duplicates, and every reference (an item's owner, a chat's item and
// members, a message's chat, author, quote and file, a blacklist's accounts, the media blobs).
// Everything wrong is named at once, by path ("messages[3].quote_id"), up to a limit; a document
// with any problem is refused as a whole. What passes comes out as the store's rows, with what the
// store derives (seq, a chat's newest message, the pair key, the members' mirrored columns).
import { createHash } from "node:crypto";
import { BesedaError } from "../../errors/beseda-error.ts";
import type {
  Account,
  AccountKind,
  Chat,
  ChatType,
  Image,
  Item,
  ItemCategory,
  JsonObject,
  Message,
  Voice,
} from "../../store/records.ts";
import type { BlacklistEntry } from "../../store/repositories/blacklist.ts";
import type { MemberOfChat } from "../../store/repositories/chats.ts";
import type { Subscription } from "../../store/repositories/webhook-records.ts";
import type { NewWorld } from "../../store/repositories/world.ts";
import { ITEM_STATUSES } from "../accounts.ts";
import type { DomainContext } from "../context.ts";
import { IMAGE_SIZE_NAMES } from "../media/image-sizes.ts";
import { checkMessageContent, SANDBOX_MESSAGE_TYPES } from "../message-content.ts";
import { checkRedirectUris } from "../oauth/apps.ts";
import { MAX_VOICE_BYTES } from "../voices.ts";
import { checkWebhookUrl } from "../webhooks/url-guard.ts";
import { FIXTURE_FORMAT, FIXTURE_VERSION } from "./fixture-document.ts";

/** A document that passed: the rows to write and the blobs it carries. */
export interface CheckedFixture {
  world: NewWorld;
  /** The blobs the document carries, decoded, by key (their SHA-256, checked). */
  blobs: Map<string, Buffer>;
  /** The sandbox time to set the clock to, in ms; null: real time. */
  clockNowMs: number | null;
  /** The random stream the world's ids came from (0 when the document does not say). */
  randomStream: number;
}

/** Problems listed in the answer; the message gives the total. */
const LISTED_PROBLEMS = 50;
/** 9999-12-31T23:59:59Z: timestamps are unix seconds. */
const LAST_SECOND = 253_402_300_799;
const LAST_MS = LAST_SECOND * 1000 + 999;
const INT32 = 2 ** 31 - 1;
const MAX_ID = Number.MAX_SAFE_INTEGER;

const HEX32 = /^[0-9a-f]{32}$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** What is safe in a URL path as it is: message and client ids. */
const URL_SAFE = /^[A-Za-z0-9_~.-]+$/;
const CHAT_ID = /^(u2i|u2u|a2u)-[A-Za-z0-9_~.-]+$/;
const IMAGE_ID = /^[0-9]{1,20}\.[0-9a-f]{32}$/;
const MESSAGE_TYPES: readonly string[] = [...SANDBOX_MESSAGE_TYPES, "deleted"];

class Problems {
  readonly fields: Record<string, string> = {};
  count = 0;

  add(path: string, message: string): void {
    if (Object.hasOwn(this.fields, path)) return;
    this.count++;
    if (this.count <= LISTED_PROBLEMS) this.fields[path] = message;
  }

  /** The fields named by a check shared with the API (it throws a validation error), under `at`. */
  adopt(at: string, check: () => void): boolean {
    try {
      check();
      return true;
    } catch (error) {
      if (!(error instanceof BesedaError) || !error.fields) throw error;
      for (const [field, message] of Object.entries(error.fields)) {
        this.add(`${at}.${field}`, message);
      }
      return false;
    }
  }

  refusal(): BesedaError {
    const listed = Math.min(this.count, LISTED_PROBLEMS);
    const more = this.count > listed ? `; the first ${listed} are listed` : "";
    const what = this.count === 1 ? "1 problem" : `${this.count} problems`;
    return new BesedaError("fixture_invalid", {
      message: `The fixture is not valid (${what}${more}); nothing was loaded`,
      fields: this.fields,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/**
 * One object of the document: its fields are read through typed getters that record what is wrong
 * (and answer undefined); `ok` stays true while nothing was. Fields never read are unknown ones,
 * named by finish(), so that a misspelt field is not silently ignored.
 */
class Entry {
  readonly path: string;
  readonly #value: Record<string, unknown>;
  readonly #problems: Problems;
  readonly #read = new Set<string>();
  ok = true;

  private constructor(value: Record<string, unknown>, path: string, problems: Problems) {
    this.#value = value;
    this.path = path;
    this.#problems = problems;
  }

  static of(value: unknown, path: string, problems: Problems): Entry | null {
    if (isObject(value)) return new Entry(value, path, problems);
    problems.add(path, "must be an object");
    return null;
  }

  at(key: string): string {
    return join(this.path, key);
  }

  fail(key: string, message: string): undefined {
    this.ok = false;
    this.#problems.add(this.at(key), message);
    return undefined;
  }

  has(key: string): boolean {
    this.#read.add(key);
    return Object.hasOwn(this.#value, key);
  }

  raw(key: string): unknown {
    this.#read.add(key);
    return Object.hasOwn(this.#value, key) ? this.#value[key] : undefined;
  }

  #present(key: string): unknown {
    if (!this.has(key)) return this.fail(key, "is required");
    return this.#value[key];
  }

  integer(key: string, min: number, max: number): number | undefined {
    const value = this.#present(key);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      return this.fail(key, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  integerOrNull(key: string, min: number, max: number): number | null | undefined {
    if (this.#present(key) === null) return null;
    return this.integer(key, min, max);
  }

  text(key: string, max: number, pattern?: RegExp, shape?: string): string | undefined {
    const value = this.#present(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "" || value.length > max) {
      return this.fail(key, `must be a string of 1 to ${max} characters`);
    }
    if (pattern && !pattern.test(value)) return this.fail(key, `must be ${shape ?? pattern}`);
    return value;
  }

  textOrNull(
    key: string,
    max: number,
    pattern?: RegExp,
    shape?: string,
  ): string | null | undefined {
    if (this.#present(key) === null) return null;
    return this.text(key, max, pattern, shape);
  }

  oneOf<T extends string | number>(key: string, values: readonly T[]): T | undefined {
    const value = this.#present(key);
    if (value === undefined) return undefined;
    if (!values.includes(value as T)) return this.fail(key, `must be one of ${values.join(", ")}`);
    return value as T;
  }

  list(key: string): unknown[] | undefined {
    const value = this.#present(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.fail(key, "must be an array");
    return value;
  }

  object(key: string): Record<string, unknown> | undefined {
    const value = this.#present(key);
    if (value === undefined) return undefined;
    if (!isObject(value)) return this.fail(key, "must be an object");
    return value;
  }

  /** Names the fields that were never read: they are not the format's. */
  finish(what: string): void {
    for (const key of Object.keys(this.#value)) {
      if (!this.#read.has(key)) this.fail(key, `is not a field of ${what}`);
    }
  }
}

/** Where a value was first seen, to name it when it comes again. */
class FirstSeen<K> {
  readonly #at = new Map<K, string>();

  /** Undefined the first time; the earlier path after. */
  check(key: K, path: string): string | undefined {
    const earlier = this.#at.get(key);
    if (earlier === undefined) this.#at.set(key, path);
    return earlier;
  }
}

/** Replaces, in every string of `value`, a leading `from` (a base URL) by `to`. */
function movedLinks(value: unknown, from: string, to: string): unknown {
  if (typeof value === "string") {
    return value === from || value.startsWith(`${from}/`) || value.startsWith(`${from}?`)
      ? to + value.slice(from.length)
      : value;
  }
  if (Array.isArray(value)) return value.map((v) => movedLinks(v, from, to));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, movedLinks(v, from, to)]));
  }
  return value;
}

/** Strict base64: what re-encodes to itself (Node's decoder skips what it does not know). */
function decodeBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : null;
}

/** The document's top-level fields. */
const SECTIONS = [
  "accounts",
  "items",
  "chats",
  "messages",
  "blacklist",
  "webhook_subscriptions",
  "images",
  "voices",
] as const;
type Sections = { [K in (typeof SECTIONS)[number]]: unknown[] };

/**
 * Checks a document and returns the rows to write; throws fixture_invalid naming every problem
 * found (up to a limit). Blobs the document leaves out must be in this server's media store.
 */
export async function checkFixture(ctx: DomainContext, document: unknown): Promise<CheckedFixture> {
  const problems = new Problems();
  if (!isObject(document)) {
    problems.add("body", "must be a fixture: a JSON object");
    throw problems.refusal();
  }
  const top = Entry.of(document, "", problems) as Entry;
  // The format and version first: of another format, nothing else can be read.
  if (top.raw("format") !== FIXTURE_FORMAT) {
    problems.add("format", `must be "${FIXTURE_FORMAT}"`);
    throw problems.refusal();
  }
  const version = top.raw("version");
  if (version !== FIXTURE_VERSION) {
    problems.add(
      "version",
      `must be ${FIXTURE_VERSION}: this server reads version ${FIXTURE_VERSION} of the fixture format, the document is ${JSON.stringify(version ?? null)}`,
    );
    throw problems.refusal();
  }
  const sections = Object.fromEntries(
    SECTIONS.map((name) => [name, top.list(name) ?? []]),
  ) as Sections;
  let baseUrl: string | null = null;
  if (top.has("base_url")) {
    const value = top.text("base_url", 2000, /^https?:\/\/\S+$/, "an http(s) URL");
    if (value !== undefined) baseUrl = value.replace(/\/+$/, "");
  }
  let clockNowMs: number | null = null;
  if (top.has("clock")) {
    const clock = top.object("clock") && Entry.of(top.raw("clock"), "clock", problems);
    if (clock) {
      clockNowMs = clock.integer("now_ms", 0, LAST_MS) ?? null;
      if (clock.has("offset_ms")) clock.integer("offset_ms", -LAST_MS, LAST_MS);
      clock.finish("the clock");
    }
  }
  const randomStream = top.has("random_stream") ? (top.integer("random_stream", 0, INT32) ?? 0) : 0;
  const blobsField = top.has("blobs") ? top.object("blobs") : undefined;
  top.finish("a fixture");

  // Parents before what refers to them; media before the messages that carry them.
  const world = new WorldCheck(problems);
  world.accounts(sections.accounts);
  world.items(sections.items);
  world.chats(sections.chats);
  world.images(sections.images);
  world.voices(sections.voices);
  world.blobs(blobsField ?? {});
  await world.blobsAvailable((key) => ctx.media.blobs.size(key));
  const moveLinks =
    baseUrl !== null && baseUrl !== ctx.urls.base
      ? (content: JsonObject) => movedLinks(content, baseUrl, ctx.urls.base) as JsonObject
      : (content: JsonObject) => content;
  world.messages(sections.messages, moveLinks);
  world.blacklist(sections.blacklist);
  world.subscriptions(sections.webhook_subscriptions);
  if (problems.count > 0) throw problems.refusal();
  return { world: world.rows(), blobs: world.decodedBlobs, clockNowMs, randomStream };
}

/**
 * The sections, checked one after another. Each keeps what later ones refer to. An id is known
 * once it is valid, even if the rest of its entry is not, so that one bad field is named once
 * rather than again at every reference to its entry; only whole valid entries become rows.
 */
class WorldCheck {
  readonly #problems: Problems;
  readonly #accountIds = new Set<number>();
  readonly #accounts = new Map<number, Account>();
  readonly #redirectUris = new Map<number, string[]>();
  readonly #itemIds = new Set<number>();
  readonly #items = new Map<number, Item>();
  readonly #chatIds = new Set<string>();
  readonly #chats = new Map<string, Chat>();
  /** The two users of each chat whose users are known (even if the chat is found wrong). */
  readonly #participants = new Map<string, number[]>();
  readonly #members: MemberOfChat[] = [];
  readonly #imageIds = new Set<string>();
  readonly #images = new Map<string, Image>();
  readonly #voiceIds = new Set<string>();
  readonly #voices = new Map<string, Voice>();
  /** Valid voices by their path, for the check of their size against their blob's. */
  readonly #voicePaths = new Map<string, Voice>();
  /** Every blob key the media name, with the first path that names it. */
  readonly #blobRefs = new Map<string, string>();
  readonly decodedBlobs = new Map<string, Buffer>();
  readonly #messages: Message[] = [];
  readonly #blacklist: BlacklistEntry[] = [];
  readonly #subscriptions: Subscription[] = [];

  constructor(problems: Problems) {
    this.#problems = problems;
  }

  rows(): NewWorld {
    return {
      accounts: [...this.#accounts.values()],
      redirectUris: this.#redirectUris,
      items: [...this.#items.values()],
      chats: [...this.#chats.values()],
      members: this.#members,
      messages: this.#messages,
      blacklist: this.#blacklist,
      subscriptions: this.#subscriptions,
      images: [...this.#images.values()],
      voices: [...this.#voices.values()],
    };
  }

  #entries(list: unknown[], section: string, each: (e: Entry) => void): void {
    list.forEach((value, index) => {
      const e = Entry.of(value, `${section}[${index}]`, this.#problems);
      if (e) each(e);
    });
  }

  #mustBeAccount(e: Entry, key: string, id: number | undefined): void {
    if (id !== undefined && !this.#accountIds.has(id)) {
      e.fail(key, "is not the user_id of an account");
    }
  }

  accounts(list: unknown[]): void {
    const userIds = new FirstSeen<number>();
    const profileKeys = new FirstSeen<string>();
    const clientIds = new FirstSeen<string>();
    let avito: string | undefined;
    this.#entries(list, "accounts", (e) => {
      const id = e.integer("user_id", 1, MAX_ID);
      const name = e.text("name", 200);
      const kind = e.oneOf<AccountKind>("kind", ["user", "avito"]);
      const profileKey = e.text("profile_key", 32, HEX32, "32 lowercase hex characters");
      const clientId = e.text("client_id", 100, URL_SAFE, "letters, digits and _~.-");
      const clientSecret = e.text("client_secret", 200);
      const created = e.integer("created", 0, LAST_SECOND);
      let uris: string[] = [];
      if (e.has("redirect_uris")) {
        const given = e.list("redirect_uris");
        if (given?.every((uri) => typeof uri === "string")) {
          uris = given as string[];
          if (!this.#problems.adopt(e.path, () => checkRedirectUris(uris))) e.ok = false;
        } else if (given) e.fail("redirect_uris", "must be an array of URLs");
      }
      e.finish("an account");
      if (id !== undefined) {
        const earlier = userIds.check(id, e.path);
        if (earlier) e.fail("user_id", `is also the user_id of ${earlier}`);
        this.#accountIds.add(id);
      }
      const sameKey = profileKey && profileKeys.check(profileKey, e.path);
      if (sameKey) e.fail("profile_key", `is also the profile_key of ${sameKey}`);
      const sameClient = clientId && clientIds.check(clientId, e.path);
      if (sameClient) e.fail("client_id", `is also the client_id of ${sameClient}`);
      if (kind === "avito") {
        if (avito) e.fail("kind", `only one account can be Avito's, and ${avito} is`);
        else avito = e.path;
      }
      if (!e.ok) return;
      const account = { id, name, kind, profileKey, clientId, clientSecret, created } as Account;
      this.#accounts.set(account.id, account);
      if (uris.length > 0) this.#redirectUris.set(account.id, uris);
    });
  }

  items(list: unknown[]): void {
    const itemIds = new FirstSeen<number>();
    this.#entries(list, "items", (e) => {
      const id = e.integer("item_id", 1, MAX_ID);
      const ownerId = e.integer("user_id", 1, MAX_ID);
      const title = e.text("title", 200);
      const priceString = e.textOrNull("price_string", 100);
      const statusId = e.oneOf<number>("status_id", ITEM_STATUSES);
      const address = e.has("address") ? e.textOrNull("address", 500) : null;
      let category: ItemCategory | null | undefined = null;
      if (e.has("category") && e.raw("category") !== null) {
        const c = Entry.of(e.raw("category"), e.at("category"), this.#problems);
        category = c
          ? ({ id: c.integer("id", 0, INT32), name: c.text("name", 200) } as ItemCategory)
          : undefined;
        c?.finish("an item's category");
        if (!c?.ok) e.ok = false;
      }
      const created = e.integer("created", 0, LAST_SECOND);
      e.finish("an item");
      this.#mustBeAccount(e, "user_id", ownerId);
      if (id !== undefined) {
        const earlier = itemIds.check(id, e.path);
        if (earlier) e.fail("item_id", `is also the item_id of ${earlier}`);
        this.#itemIds.add(id);
      }
      if (!e.ok) return;
      const item = { id, ownerId, title, priceString, statusId, created, address, category };
      this.#items.set(item.id as number, item as Item);
    });
  }

  chats(list: unknown[]): void {
    const chatIds = new FirstSeen<string>();
    const pairs = new FirstSeen<string>();
    this.#entries(list, "chats", (e) => {
      const id = e.text("chat_id", 120, CHAT_ID, 'the chat type, "-" and letters, digits or _~.-');
      const type = e.oneOf<ChatType>("type", ["u2i", "u2u", "a2u"]);
      const itemId = e.integerOrNull("item_id", 1, MAX_ID);
      const created = e.integer("created", 0, LAST_SECOND);
      const updated = e.integer("updated", 0, LAST_SECOND);
      const given = e.list("members");
      const members: MemberOfChat[] = [];
      given?.forEach((value, index) => {
        const m = Entry.of(value, e.at(`members[${index}]`), this.#problems);
        const member = m && this.#member(m);
        if (member)
          members.push({
            ...member,
            chatId: id ?? "",
            chatType: type ?? "u2u",
            itemId: itemId ?? null,
          });
        else e.ok = false;
      });
      e.finish("a chat");
      if (id !== undefined) {
        const earlier = chatIds.check(id, e.path);
        if (earlier) e.fail("chat_id", `is also the chat_id of ${earlier}`);
        this.#chatIds.add(id);
        if (type && !id.startsWith(`${type}-`)) e.fail("chat_id", `must start with "${type}-"`);
      }
      if (type === "u2i" && itemId === null) e.fail("item_id", "is required in a u2i chat");
      if (type && type !== "u2i" && itemId !== null && itemId !== undefined) {
        e.fail("item_id", `must be null in a ${type} chat`);
      }
      if (type === "u2i" && typeof itemId === "number" && !this.#itemIds.has(itemId)) {
        e.fail("item_id", "is not the item_id of an item");
      }
      if (given && given.length !== 2) e.fail("members", "must list the chat's two users");
      if (!e.ok || !id || !type || itemId === undefined) return;
      const [a, b] = members.map((m) => m.userId) as [number, number];
      if (a === b) {
        e.fail("members", "must be two different users");
        return;
      }
      // Known from here, even if the chat is found wrong below: its messages are checked against
      // its users rather than named again for a problem that is the chat's.
      this.#participants.set(id, [a, b]);
      const pair = this.#pairOf(e, type, itemId, a, b);
      if (pair === undefined) return;
      const samePair = pairs.check(pair, e.path);
      if (samePair) {
        e.fail("members", `are the users${type === "u2i" ? " and item" : ""} of ${samePair} too`);
        return;
      }
      this.#chats.set(id, {
        id,
        type,
        itemId,
        pairKey: pair,
        created: created as number,
        updated: updated as number,
        lastMessageId: null,
        lastSeq: 0,
      });
      this.#members.push(...members);
    });
  }

  #member(m: Entry): Omit<MemberOfChat, "chatId" | "chatType" | "itemId"> | null {
    const userId = m.integer("user_id", 1, MAX_ID);
    const unreadCount = m.integer("unread_count", 0, INT32);
    const lastReadAt = m.integerOrNull("last_read_at", 0, LAST_SECOND);
    const updated = m.integer("updated", 0, LAST_SECOND);
    m.finish("a chat member");
    this.#mustBeAccount(m, "user_id", userId);
    if (!m.ok) return null;
    return { userId, unreadCount, lastReadAt, updated } as MemberOfChat;
  }

  /**
   * The chat's pair key (one chat per pair, and item), once its users fit its type: u2i the
   * item's owner and a buyer, u2u two users, a2u Avito's account and a user. Undefined when
   * they do not (named), or when what it depends on was found wrong already.
   */
  #pairOf(e: Entry, type: ChatType, itemId: number | null, a: number, b: number) {
    const first = this.#accounts.get(a);
    const second = this.#accounts.get(b);
    if (!first || !second) return undefined;
    const kinds = [first.kind, second.kind];
    if (type === "a2u") {
      if (!kinds.includes("avito") || !kinds.includes("user")) {
        return e.fail("members", "must be Avito's account and a user");
      }
      return `a2u:${first.kind === "user" ? a : b}`;
    }
    if (kinds.includes("avito")) {
      return e.fail("members", "must be users: Avito's account takes part only in a2u chats");
    }
    if (type === "u2u") return `u2u:${Math.min(a, b)}:${Math.max(a, b)}`;
    const item = this.#items.get(itemId as number);
    if (!item) return undefined;
    if (item.ownerId !== a && item.ownerId !== b) {
      return e.fail("members", "must include the item's owner (the seller) and a buyer");
    }
    return `u2i:${item.id}:${item.ownerId === a ? b : a}`;
  }

  #refer(key: string | undefined, path: string): void {
    if (key !== undefined && !this.#blobRefs.has(key)) this.#blobRefs.set(key, path);
  }

  images(list: unknown[]): void {
    const imageIds = new FirstSeen<string>();
    this.#entries(list, "images", (e) => {
      const id = e.text("image_id", 60, IMAGE_ID, 'digits, "." and 32 lowercase hex characters');
      const ownerId = e.integer("user_id", 1, MAX_ID);
      const sourceHash = e.text("source_hash", 64, SHA256, "a SHA-256 in lowercase hex");
      const width = e.integer("width", 1, 1_000_000);
      const height = e.integer("height", 1, 1_000_000);
      const sizes = e.object("sizes");
      const created = e.integer("created", 0, LAST_SECOND);
      e.finish("an image");
      this.#mustBeAccount(e, "user_id", ownerId);
      if (sizes) {
        if (Object.keys(sizes).length === 0) e.fail("sizes", "must name at least one size");
        for (const [size, key] of Object.entries(sizes)) {
          if (!IMAGE_SIZE_NAMES.includes(size)) {
            e.fail(`sizes.${size}`, `is not a size; sizes are ${IMAGE_SIZE_NAMES.join(", ")}`);
          } else if (typeof key !== "string" || !SHA256.test(key)) {
            e.fail(`sizes.${size}`, "must be a blob key: a SHA-256 in lowercase hex");
          } else this.#refer(key, e.at(`sizes.${size}`));
        }
      }
      if (id !== undefined) {
        const earlier = imageIds.check(id, e.path);
        if (earlier) e.fail("image_id", `is also the image_id of ${earlier}`);
        this.#imageIds.add(id);
      }
      if (!e.ok) return;
      const blobs = sizes as Record<string, string>;
      const image = { id, ownerId, sourceHash, width, height, blobs, created } as Image;
      this.#images.set(image.id, image);
    });
  }

  voices(list: unknown[]): void {
    const voiceIds = new FirstSeen<string>();
    this.#entries(list, "voices", (e) => {
      const id = e.text("voice_id", 32, HEX32, "32 lowercase hex characters");
      const blobKey = e.text("blob_key", 64, SHA256, "a blob key: a SHA-256 in lowercase hex");
      const sizeBytes = e.integer("size_bytes", 1, MAX_VOICE_BYTES);
      const durationMs = e.integer("duration_ms", 0, INT32);
      const created = e.integer("created", 0, LAST_SECOND);
      e.finish("a voice file");
      this.#refer(blobKey, e.at("blob_key"));
      if (id !== undefined) {
        const earlier = voiceIds.check(id, e.path);
        if (earlier) e.fail("voice_id", `is also the voice_id of ${earlier}`);
        this.#voiceIds.add(id);
      }
      if (!e.ok) return;
      const voice = { id, blobKey, sizeBytes, durationMs, created } as Voice;
      this.#voices.set(voice.id, voice);
      this.#voicePaths.set(e.path, voice);
    });
  }

  /** The document's blobs: each named by its bytes' SHA-256, and each named by some medium. */
  blobs(given: Record<string, unknown>): void {
    for (const [key, text] of Object.entries(given)) {
      const path = `blobs.${key}`;
      if (!SHA256.test(key)) {
        this.#problems.add(path, "must be named by its SHA-256 in lowercase hex");
        continue;
      }
      const bytes = typeof text === "string" ? decodeBase64(text) : null;
      const hash = bytes && createHash("sha256").update(bytes).digest("hex");
      if (!bytes) this.#problems.add(path, "must be the bytes in base64 (RFC 4648, with padding)");
      else if (hash !== key) this.#problems.add(path, `holds bytes whose SHA-256 is ${hash}`);
      else if (!this.#blobRefs.has(key)) {
        this.#problems.add(path, "is not named by any image or voice");
      } else this.decodedBlobs.set(key, bytes);
    }
  }

  /**
   * Every blob the media name is in the document or, for one exported with ?media=false, in this
   * server's media store (`storedSize`); a voice's size is its blob's.
   */
  async blobsAvailable(storedSize: (key: string) => Promise<number | null>): Promise<void> {
    const sizes = new Map<string, number>();
    for (const [key, path] of this.#blobRefs) {
      const size = this.decodedBlobs.get(key)?.byteLength ?? (await storedSize(key));
      if (size !== null) sizes.set(key, size);
      else {
        this.#problems.add(
          path,
          `names blob ${key}, which is neither in the document's blobs nor in this server's media store`,
        );
      }
    }
    for (const [path, voice] of this.#voicePaths) {
      const size = sizes.get(voice.blobKey);
      if (size !== undefined && size !== voice.sizeBytes) {
        this.#problems.add(`${path}.size_bytes`, `must be the size of the voice's blob, ${size}`);
      }
    }
  }

  /** Each chat's in its order; `moveLinks` moves links into the exporting server to this one. */
  messages(list: unknown[], moveLinks: (content: JsonObject) => JsonObject): void {
    const ids = new FirstSeen<string>();
    const chatOf = new Map<string, string>();
    const quotes: { path: string; chatId: string; quoteId: string }[] = [];
    this.#entries(list, "messages", (e) => {
      const id = e.text("id", 100, URL_SAFE, "letters, digits and _~.-");
      const chatId = e.text("chat_id", 120);
      const authorId = e.integer("author_id", 1, MAX_ID);
      const type = e.oneOf("type", MESSAGE_TYPES);
      const content = e.object("content");
      const quoteId = e.textOrNull("quote_id", 100);
      const attachmentId = e.textOrNull("attachment_id", 80);
      const created = e.integer("created", 0, LAST_SECOND);
      const readAt = e.integerOrNull("read_at", 0, LAST_SECOND);
      const deletedAt = e.integerOrNull("deleted_at", 0, LAST_SECOND);
      e.finish("a message");
      if (id !== undefined) {
        const earlier = ids.check(id, e.path);
        if (earlier) e.fail("id", `is also the id of ${earlier}`);
        if (chatId !== undefined) chatOf.set(id, chatId);
      }
      if (chatId !== undefined && !this.#chatIds.has(chatId)) {
        e.fail("chat_id", "is not the chat_id of a chat");
      }
      const users = chatId === undefined ? undefined : this.#participants.get(chatId);
      if (authorId !== undefined && users && !users.includes(authorId)) {
        e.fail("author_id", "is not a user of the message's chat");
      }
      if (quoteId && chatId) quotes.push({ path: e.at("quote_id"), chatId, quoteId });
      if (type === "deleted" && deletedAt === null) {
        e.fail("deleted_at", "is required of a deleted message");
      }
      if (type && type !== "deleted" && deletedAt !== null && deletedAt !== undefined) {
        e.fail("deleted_at", `must be null: the message is not deleted (its type is ${type})`);
      }
      let stored: JsonObject = {};
      if (type === "image" || type === "voice" || type === "deleted") {
        // They name their file; their content is derived from it (stored as {}).
        if (content && Object.keys(content).length > 0) {
          e.fail("content", `must be {} for a ${type} message`);
        }
        this.#checkAttachment(e, type, attachmentId);
      } else if (type && content && users) {
        if (attachmentId) e.fail("attachment_id", `must be null for a ${type} message`);
        // Checked as the sandbox checks a post, and stored as it stores one (known fields only).
        const checked = this.#problems.adopt(e.path, () => {
          stored = checkMessageContent(type, content, users).content;
        });
        if (!checked) e.ok = false;
      }
      if (!e.ok || !this.#chats.has(chatId as string)) return;
      this.#messages.push({
        id: id as string,
        chatId: chatId as string,
        seq: 0,
        authorId: authorId as number,
        type: type as string,
        content: moveLinks(stored),
        quoteId: quoteId as string | null,
        attachmentId: attachmentId as string | null,
        created: created as number,
        readAt: readAt as number | null,
        deletedAt: deletedAt as number | null,
      });
    });
    for (const quote of quotes) {
      const chat = chatOf.get(quote.quoteId);
      if (chat === undefined) this.#problems.add(quote.path, "is not the id of a message");
      else if (chat !== quote.chatId) {
        this.#problems.add(quote.path, "must be a message of the same chat");
      }
    }
    // What the store derives: each message's place in its chat, each chat's newest message.
    for (const message of this.#messages) {
      const chat = this.#chats.get(message.chatId) as Chat;
      chat.lastSeq += 1;
      chat.lastMessageId = message.id;
      message.seq = chat.lastSeq;
    }
  }

  /** An image or voice message names its file; a deleted one may still name the one it had. */
  #checkAttachment(e: Entry, type: string, attachmentId: string | null | undefined): void {
    if (!attachmentId) {
      if (attachmentId === null && type !== "deleted") {
        e.fail("attachment_id", `must name the ${type}`);
      }
      return;
    }
    if (type === "image" && !this.#imageIds.has(attachmentId)) {
      e.fail("attachment_id", "is not the image_id of an image");
    } else if (type === "voice" && !this.#voiceIds.has(attachmentId)) {
      e.fail("attachment_id", "is not the voice_id of a voice file");
    } else if (
      type === "deleted" &&
      !this.#imageIds.has(attachmentId) &&
      !this.#voiceIds.has(attachmentId)
    ) {
      e.fail("attachment_id", "is not the id of an image or a voice file");
    }
  }

  blacklist(list: unknown[]): void {
    const entries = new FirstSeen<string>();
    this.#entries(list, "blacklist", (e) => {
      const userId = e.integer("user_id", 1, MAX_ID);
      const blockedUserId = e.integer("blocked_user_id", 1, MAX_ID);
      const reasonId = e.integerOrNull("reason_id", 0, INT32);
      const itemId = e.integerOrNull("item_id", 1, MAX_ID);
      const created = e.integer("created", 0, LAST_SECOND);
      e.finish("a blacklist entry");
      this.#mustBeAccount(e, "user_id", userId);
      this.#mustBeAccount(e, "blocked_user_id", blockedUserId);
      if (typeof itemId === "number" && !this.#itemIds.has(itemId)) {
        e.fail("item_id", "is not the item_id of an item");
      }
      if (userId !== undefined && userId === blockedUserId) {
        e.fail("blocked_user_id", "must be another account than user_id");
      }
      const earlier = e.ok && entries.check(`${userId}:${blockedUserId}`, e.path);
      if (earlier) e.fail("blocked_user_id", `is blacklisted by the same account in ${earlier}`);
      if (!e.ok) return;
      this.#blacklist.push({ userId, blockedUserId, reasonId, itemId, created } as BlacklistEntry);
    });
  }

  /** One per account, kept as they are: an import does not probe them. */
  subscriptions(list: unknown[]): void {
    const accounts = new FirstSeen<number>();
    this.#entries(list, "webhook_subscriptions", (e) => {
      const userId = e.integer("user_id", 1, MAX_ID);
      const url = e.text("url", 2000);
      const version = e.text("version", 10);
      const created = e.integer("created", 0, LAST_SECOND);
      e.finish("a webhook subscription");
      this.#mustBeAccount(e, "user_id", userId);
      if (url !== undefined && !this.#problems.adopt(e.path, () => checkWebhookUrl(url))) {
        e.ok = false;
      }
      const earlier = userId !== undefined && accounts.check(userId, e.path);
      if (earlier) e.fail("user_id", `has a subscription in ${earlier} already: one per account`);
      if (!e.ok) return;
      this.#subscriptions.push({ userId, url, version, created } as Subscription);
    });
  }
}
