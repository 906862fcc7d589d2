// The sandbox acting as one participant of a chat (the console's "mark read" and "delete"
// buttons): the messenger API's own chatRead and deleteMessage, run for that account, with the
// same rules, the same webhooks and the same live events. Only a user who is not in the chat is
// refused differently: the API answers 404 (the chat is not among the account's), the sandbox,
// which sees every chat, a 400 naming user_id, as it does for a message's author_id.
import { validationError } from "../../errors/beseda-error.ts";
import { chatParties, readChat } from "../chats.ts";
import type { DomainContext } from "../context.ts";
import { deleteMessage } from "../messages.ts";

async function requireParticipant(
  ctx: DomainContext,
  chatId: string,
  userId: number,
): Promise<void> {
  const { participants } = await chatParties(ctx, ctx.store.db, chatId);
  if (!participants.includes(userId)) {
    throw validationError({ user_id: "is not a user of this chat" });
  }
}

/** chatRead as `userId`: the chat read for that account, the other side's messages read now. */
export async function readChatAs(
  ctx: DomainContext,
  chatId: string,
  userId: number,
): Promise<{ ok: true }> {
  await requireParticipant(ctx, chatId, userId);
  return readChat(ctx, userId, chatId);
}

/** deleteMessage as `userId`: only its own message, within the hour. */
export async function deleteMessageAs(
  ctx: DomainContext,
  chatId: string,
  messageId: string,
  userId: number,
): Promise<Record<string, never>> {
  await requireParticipant(ctx, chatId, userId);
  return deleteMessage(ctx, userId, chatId, messageId);
}
