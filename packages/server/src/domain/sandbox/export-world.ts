// GET /sandbox/v1/export: the whole world as one fixture document (fixture-document.ts). The rows
// are read in one transaction, so the document is one consistent state; it is then written out
// piece by piece, one entry a line (a fixture kept in git diffs well), the media bytes last, one
// blob at a time. Blobs never change once written (their key is their SHA-256), so reading them
// after the transaction reads what the rows name. Tokens, authorization codes, webhook deliveries
// and fault rules are not part of a world: clients sign in again after an import.
import type { SandboxClock } from "../../clock.ts";
import { readWorld } from "../../store/repositories/world.ts";
import type { DomainContext } from "../context.ts";
import {
  FIXTURE_FORMAT,
  FIXTURE_VERSION,
  type FixtureAccount,
  type FixtureBlacklistEntry,
  type FixtureChat,
  type FixtureChatMember,
  type FixtureImage,
  type FixtureItem,
  type FixtureMessage,
  type FixtureSubscription,
  type FixtureVoice,
} from "./fixture-document.ts";
import { readRandomStream } from "./random-stream.ts";

/** Entries serialised per piece written. */
const ENTRIES_PER_PIECE = 500;

export interface ExportOptions {
  /** false: blobs are named but their bytes left out (an import then needs them on its server). */
  media: boolean;
}

async function readBlob(ctx: DomainContext, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.media.blobs.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads the world and returns the document's text, in pieces. What can fail before the first
 * piece (the store) fails here, so that the caller can still answer with an error.
 */
export async function exportWorld(
  ctx: DomainContext,
  clock: SandboxClock,
  options: ExportOptions,
): Promise<AsyncIterable<string>> {
  const read = await ctx.store.transaction(async (db) => ({
    world: await readWorld(db),
    randomStream: await readRandomStream(db),
    clock: { now_ms: clock.nowMs(), offset_ms: clock.offsetMs },
  }));
  const { world } = read;

  const membersOf = new Map<string, FixtureChatMember[]>();
  for (const member of world.members) {
    const entry: FixtureChatMember = {
      user_id: member.userId,
      unread_count: member.unreadCount,
      last_read_at: member.lastReadAt,
      updated: member.updated,
    };
    const list = membersOf.get(member.chatId);
    if (list) list.push(entry);
    else membersOf.set(member.chatId, [entry]);
  }
  const accounts = world.accounts.map(
    (a): FixtureAccount => ({
      user_id: a.id,
      name: a.name,
      kind: a.kind,
      profile_key: a.profileKey,
      client_id: a.clientId,
      client_secret: a.clientSecret,
      created: a.created,
      redirect_uris: world.redirectUris.get(a.id) ?? [],
    }),
  );
  const items = world.items.map(
    (i): FixtureItem => ({
      item_id: i.id,
      user_id: i.ownerId,
      title: i.title,
      price_string: i.priceString,
      status_id: i.statusId,
      address: i.address,
      category: i.category,
      created: i.created,
    }),
  );
  const chats = world.chats.map(
    (c): FixtureChat => ({
      chat_id: c.id,
      type: c.type,
      item_id: c.itemId,
      created: c.created,
      updated: c.updated,
      members: membersOf.get(c.id) ?? [],
    }),
  );
  const messages = world.messages.map(
    (m): FixtureMessage => ({
      id: m.id,
      chat_id: m.chatId,
      author_id: m.authorId,
      type: m.type,
      content: m.content,
      quote_id: m.quoteId,
      attachment_id: m.attachmentId,
      created: m.created,
      read_at: m.readAt,
      deleted_at: m.deletedAt,
    }),
  );
  const blacklist = world.blacklist.map(
    (b): FixtureBlacklistEntry => ({
      user_id: b.userId,
      blocked_user_id: b.blockedUserId,
      reason_id: b.reasonId,
      item_id: b.itemId,
      created: b.created,
    }),
  );
  const subscriptions = world.subscriptions.map(
    (s): FixtureSubscription => ({
      user_id: s.userId,
      url: s.url,
      version: s.version,
      created: s.created,
    }),
  );
  const images = world.images.map(
    (i): FixtureImage => ({
      image_id: i.id,
      user_id: i.ownerId,
      source_hash: i.sourceHash,
      width: i.width,
      height: i.height,
      sizes: i.blobs,
      created: i.created,
    }),
  );
  const voices = world.voices.map(
    (v): FixtureVoice => ({
      voice_id: v.id,
      blob_key: v.blobKey,
      size_bytes: v.sizeBytes,
      duration_ms: v.durationMs,
      created: v.created,
    }),
  );
  const blobKeys = [
    ...new Set([
      ...images.flatMap((i) => Object.values(i.sizes)),
      ...voices.map((v) => v.blob_key),
    ]),
  ].sort();

  const head = {
    format: FIXTURE_FORMAT,
    version: FIXTURE_VERSION,
    base_url: ctx.urls.base,
    clock: read.clock,
    random_stream: read.randomStream,
  };
  const sections: [string, readonly unknown[]][] = [
    ["accounts", accounts],
    ["items", items],
    ["chats", chats],
    ["messages", messages],
    ["blacklist", blacklist],
    ["webhook_subscriptions", subscriptions],
    ["images", images],
    ["voices", voices],
  ];

  async function* pieces(): AsyncGenerator<string> {
    yield `${JSON.stringify(head).slice(0, -1)},\n`;
    for (const [index, [name, entries]] of sections.entries()) {
      yield `${JSON.stringify(name)}:[`;
      for (let at = 0; at < entries.length; at += ENTRIES_PER_PIECE) {
        const lines = entries.slice(at, at + ENTRIES_PER_PIECE).map((e) => JSON.stringify(e));
        yield `${at === 0 ? "" : ","}\n${lines.join(",\n")}`;
      }
      const last = index === sections.length - 1 && !options.media;
      yield `${entries.length > 0 ? "\n" : ""}]${last ? "" : ","}\n`;
    }
    if (options.media) {
      yield `"blobs":{`;
      let first = true;
      for (const key of blobKeys) {
        // A blob missing from disk is left out: the import of the document then names it.
        if ((await ctx.media.blobs.size(key)) === null) continue;
        const bytes = await readBlob(ctx, key);
        yield `${first ? "" : ","}\n${JSON.stringify(key)}:"${bytes.toString("base64")}"`;
        first = false;
      }
      yield `${first ? "" : "\n"}}\n`;
    }
    yield "}\n";
  }
  return pieces();
}
