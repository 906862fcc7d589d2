// Messages: the history of a chat, sending (through the API or, for any participant, through the
// sandbox), deleting one's own within the hour. Every write happens in one transaction that also
// moves the chat's newest activity and the other side's unread count.
import { BesedaError, validationError } from "../errors/beseda-error.ts";
import type { JsonObject, Message } from "../store/records.ts";
import { isBlockedInChat } from "../store/repositories/blacklist.ts";
import { advanceChat } from "../store/repositories/chats.ts";
import { readMessagePage } from "../store/repositories/message-pages.ts";
import {
  findMessage,
  findMessages,
  insertMessage,
  markMessageDeleted,
} from "../store/repositories/messages.ts";
import type { DueDelivery } from "../store/repositories/webhook-records.ts";
import type { Db } from "../store/store.ts";
import { chatParties, memberChatParties } from "./chats.ts";
import type { DomainContext } from "./context.ts";
import { newMessageId } from "./ids.ts";
import { requireOwnImage } from "./images.ts";
import type { ChatParties } from "./immutable-cache.ts";
import { checkMessageContent } from "./message-content.ts";
import { stampScopes } from "./read-versions.ts";
import { publishMessages } from "./sandbox/live-events.ts";
import type { JsonBytes } from "./views/json-bytes.ts";
import { chatScope, messagesKey, scopesOfChatChange } from "./views/kept-answers.ts";
import { messageListJson } from "./views/message-json.ts";
import { contentOf, type MessageView, messageView } from "./views/message-view.ts";
import { requireVoice } from "./voices.ts";
import { enqueueMessageEvent } from "./webhooks/outbox.ts";

/** Production allows deleting a message for one hour after it was sent. */
export const DELETE_WINDOW_SECONDS = 3600;

export interface NewMessage {
  authorId: number;
  type: string;
  content: JsonObject;
  attachmentId?: string | null;
  quoteId?: string | null;
  /** Only the demo world backdates messages; everything else is written at the clock's now. */
  created?: number;
}

async function withQuotes(
  ctx: DomainContext,
  db: Db,
  messages: readonly Message[],
  viewerId: number,
) {
  const quoteIds = [...new Set(messages.flatMap((m) => (m.quoteId ? [m.quoteId] : [])))];
  const quoted = new Map((await findMessages(db, quoteIds)).map((m) => [m.id, m]));
  return messages.map((m) =>
    messageView(m, viewerId, ctx.urls, m.quoteId ? quoted.get(m.quoteId) : undefined),
  );
}

export async function listMessages(
  ctx: DomainContext,
  userId: number,
  chatId: string,
  page: { limit: number; offset: number },
): Promise<JsonBytes> {
  const db = ctx.store.db;
  // A chat's members never change: known from the cache after the first read. Members only:
  // an unknown id keeps nothing (nor pushes a kept answer out).
  await memberChatParties(ctx, db, chatId, userId);
  const kept = await ctx.keptAnswers.find(chatScope(chatId), messagesKey(userId, page));
  if ("answer" in kept) return kept.answer;
  const rows = await readMessagePage(db, chatId, page.limit, page.offset);
  const answer = messageListJson(ctx.fragments, rows, userId);
  ctx.keptAnswers.keep(kept.ticket, answer);
  return answer;
}

/** The webhook deliveries a write queued: handed to the dispatcher once the write commits. */
interface Announcements {
  deliveries: DueDelivery[];
  /** Messages written or changed, for the sandbox's watchers. */
  messages: Message[];
  /** Chats whose newest activity or message changed: their members' chats lists did too. */
  chats: ChatParties[];
}

/** Runs a write in one transaction; after the commit, hands its deliveries to the dispatcher. */
async function committing<T>(
  ctx: DomainContext,
  work: (db: Db, announce: Announcements) => Promise<T>,
): Promise<T> {
  let announce: Announcements = { deliveries: [], messages: [], chats: [] };
  const changedScopes = () =>
    announce.chats.flatMap(({ chat, participants }) => scopesOfChatChange(chat.id, participants));
  const result = await ctx.store.transaction(async (db) => {
    // Afresh for each attempt: PostgreSQL may run the transaction again.
    announce = { deliveries: [], messages: [], chats: [] };
    const done = await work(db, announce);
    await stampScopes(ctx, db, changedScopes());
    return done;
  });
  ctx.keptAnswers.changed(changedScopes());
  if (announce.deliveries.length > 0) ctx.webhooks.handOff(announce.deliveries);
  publishMessages(ctx, announce.messages);
  return result;
}

/** Writes a message by one of the chat's participants, inside the caller's transaction. */
async function writeMessage(
  ctx: DomainContext,
  db: Db,
  announce: Announcements,
  parties: ChatParties,
  input: NewMessage,
): Promise<Message> {
  const { chat } = parties;
  if (await isBlockedInChat(db, chat.id, input.authorId)) {
    throw new BesedaError("author_blacklisted");
  }
  if (input.quoteId) {
    const quoted = await findMessage(db, input.quoteId);
    if (!quoted || quoted.chatId !== chat.id) {
      throw validationError({ quote_id: "must be the id of a message in this chat" });
    }
  }
  const id = newMessageId(ctx.random);
  const created = input.created ?? ctx.clock.now();
  const { seq, eventPosition } = await advanceChat(db, chat.id, id, input.authorId, created);
  announce.chats.push(parties);
  const message: Message = {
    id,
    chatId: chat.id,
    seq,
    authorId: input.authorId,
    type: input.type,
    content: input.content,
    quoteId: input.quoteId ?? null,
    attachmentId: input.attachmentId ?? null,
    created,
    readAt: null,
    deletedAt: null,
  };
  await insertMessage(db, message);
  announce.messages.push(message);
  announce.deliveries.push(...(await enqueueMessageEvent(ctx, db, chat, message, eventPosition)));
  return message;
}

export interface SentMessage {
  id: string;
  created: number;
  direction: "out";
  type: "text";
  content: { text: string };
}

/** postSendMessage: the account writes text into one of its chats. */
export async function sendText(
  ctx: DomainContext,
  userId: number,
  chatId: string,
  text: string,
): Promise<SentMessage> {
  // The document bounds the length only; an empty message is refused as production's apps do.
  if (text.trim() === "") throw validationError({ "message.text": "must not be empty" });
  const message = await committing(ctx, async (db, announce) => {
    const target = await memberChatParties(ctx, db, chatId, userId);
    return writeMessage(ctx, db, announce, target, {
      authorId: userId,
      type: "text",
      content: { text },
    });
  });
  return {
    id: message.id,
    created: message.created,
    direction: "out",
    type: "text",
    content: { text },
  };
}

export interface SentImageMessage {
  id: string;
  author_id: number;
  created: number;
  direction: "out";
  type: "image";
  content: JsonObject;
}

/** postSendImageMessage: the account sends an image it uploaded into one of its chats. */
export async function sendImage(
  ctx: DomainContext,
  userId: number,
  chatId: string,
  imageId: string,
): Promise<SentImageMessage> {
  const message = await committing(ctx, async (db, announce) => {
    const target = await memberChatParties(ctx, db, chatId, userId);
    await requireOwnImage(db, userId, imageId);
    return writeMessage(ctx, db, announce, target, {
      authorId: userId,
      type: "image",
      content: {},
      attachmentId: imageId,
    });
  });
  return {
    id: message.id,
    author_id: message.authorId,
    created: message.created,
    direction: "out",
    type: "image",
    content: contentOf(message, ctx.urls),
  };
}

export interface SandboxMessageInput {
  authorId: number;
  type: string;
  content: unknown;
  quoteId: string | null;
}

/** Sandbox: any participant writes a message of any supported type; shown as its author sees it. */
export async function postSandboxMessage(
  ctx: DomainContext,
  chatId: string,
  input: SandboxMessageInput,
  created?: number,
): Promise<MessageView> {
  return committing(ctx, async (db, announce) => {
    const target = await chatParties(ctx, db, chatId);
    if (!target.participants.includes(input.authorId)) {
      throw validationError({ author_id: "is not a user of this chat" });
    }
    const checked = checkMessageContent(input.type, input.content, target.participants);
    if (input.type === "image" && checked.attachmentId) {
      await requireOwnImage(db, input.authorId, checked.attachmentId, "content.image_id");
    }
    if (input.type === "voice" && checked.attachmentId) {
      await requireVoice(db, checked.attachmentId);
    }
    const message = await writeMessage(ctx, db, announce, target, {
      authorId: input.authorId,
      type: input.type,
      ...checked,
      quoteId: input.quoteId,
      ...(created === undefined ? {} : { created }),
    });
    const [view] = await withQuotes(ctx, db, [message], input.authorId);
    return view as MessageView;
  });
}

/** deleteMessage: the message stays in history as type "deleted" with empty content. */
export async function deleteMessage(
  ctx: DomainContext,
  userId: number,
  chatId: string,
  messageId: string,
): Promise<Record<string, never>> {
  await committing(ctx, async (db, announce) => {
    const target = await memberChatParties(ctx, db, chatId, userId);
    const message = await findMessage(db, messageId);
    if (!message || message.chatId !== chatId) throw new BesedaError("message_not_found");
    if (message.authorId !== userId) throw new BesedaError("message_not_own");
    if (message.type === "deleted") return;
    if (ctx.clock.now() - message.created > DELETE_WINDOW_SECONDS) {
      throw new BesedaError("message_delete_expired");
    }
    await markMessageDeleted(db, message.id, ctx.clock.now());
    announce.chats.push(target);
    // The change of type is an event too: subscribers learn that the message is now "deleted".
    const deleted = { ...message, type: "deleted", content: {}, deletedAt: ctx.clock.now() };
    announce.messages.push(deleted);
    announce.deliveries.push(...(await enqueueMessageEvent(ctx, db, target.chat, deleted, null)));
  });
  return {};
}
