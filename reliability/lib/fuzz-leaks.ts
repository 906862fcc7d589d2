// What belongs to whom in the fuzz world, kept up to date from the answers (chats the sandbox
// opens, messages it posts), and the scan that finds another account's data in a 2xx body: a
// known chat or message id of a chat the caller is not in, or a voice the caller may not hear.
import type { World } from "./fuzz-world.ts";

export class FuzzWorldIndex {
  readonly #chatUsers = new Map<string, readonly number[]>();
  readonly #messageChat = new Map<string, string>();
  readonly #imageOwner = new Map<string, number>();
  /** Voices no messenger account may get a link to, but those of these chats' users. */
  readonly #restrictedVoices = new Map<string, readonly number[]>();

  constructor(world: World) {
    for (const chat of world.chats) {
      this.#chatUsers.set(chat.id, chat.userIds);
      for (const message of chat.messages) this.#messageChat.set(message.id, chat.id);
    }
    for (const image of world.images) this.#imageOwner.set(image.id, image.ownerId);
    const privateChat = this.#chatUsers.get(world.privateVoice.chatId) ?? [];
    this.#restrictedVoices.set(world.privateVoice.id, privateChat);
    this.#restrictedVoices.set(world.unpostedVoice, []);
  }

  addChat(chatId: string, userIds: readonly number[]): void {
    this.#chatUsers.set(chatId, userIds);
  }

  addMessage(messageId: string, chatId: string): void {
    this.#messageChat.set(messageId, chatId);
  }

  isForeignChat(chatId: string, userId: number): boolean {
    const users = this.#chatUsers.get(chatId);
    return users !== undefined && !users.includes(userId);
  }

  isForeignImage(imageId: string, userId: number): boolean {
    const owner = this.#imageOwner.get(imageId);
    return owner !== undefined && owner !== userId;
  }

  /** Another account's ids found in a body answered to `userId`, described; empty when none. */
  foreignDataIn(body: unknown, userId: number): string[] {
    const found: string[] = [];
    const visit = (value: unknown, key: string | null) => {
      if (typeof value === "string") {
        if (this.isForeignChat(value, userId)) found.push(`chat ${value}`);
        const chat = this.#messageChat.get(value);
        if (chat !== undefined && this.isForeignChat(chat, userId))
          found.push(`message ${value} of chat ${chat}`);
      } else if (Array.isArray(value)) {
        for (const item of value) visit(item, null);
      } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          // voices_urls is keyed by voice id.
          const users = this.#restrictedVoices.get(k);
          if (users !== undefined && !users.includes(userId)) found.push(`voice ${k}`);
          visit(v, k);
        }
      }
      void key;
    };
    visit(body, null);
    return found;
  }
}
