// Keeps a client's sends to one chat and its checks for lost sends to that chat apart. A check
// ("was my send stored?") waits until none of this client's sends to the chat is in flight and
// holds new ones back while it reads; checks go one at a time. Without it a check could take an
// equal message whose answer is still on its way for its own, and both calls would resolve with
// one id while one message is lost. With it, every send that got its answer has claimed its
// message before any check looks.
import { untilAborted } from "./abortable.ts";

interface ChatSends {
  /** Sends whose request is out and not yet answered (or failed). */
  inFlight: number;
  /** Resolved when inFlight drops to 0, for the check waiting on it. */
  drained: { promise: Promise<void>; resolve: () => void } | undefined;
  /** The check running now, if any. */
  checking: Promise<void> | undefined;
  /** Calls holding or waiting on this entry; it is forgotten at 0. */
  users: number;
}

export class SendGate {
  readonly #chats = new Map<string, ChatSends>();

  /** Runs one send request to `chatId`, after any check on the chat in progress. */
  async send<T>(chatId: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const chat = this.#enter(chatId);
    try {
      while (chat.checking) await untilAborted(chat.checking, signal);
      chat.inFlight += 1;
      try {
        return await run();
      } finally {
        chat.inFlight -= 1;
        if (chat.inFlight === 0) {
          chat.drained?.resolve();
          chat.drained = undefined;
        }
      }
    } finally {
      this.#leave(chatId, chat);
    }
  }

  /** Runs a check on `chatId` alone: no send to the chat in flight, no other check. */
  async check<T>(chatId: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const chat = this.#enter(chatId);
    try {
      while (chat.checking) await untilAborted(chat.checking, signal);
      let release = () => {};
      chat.checking = new Promise<void>((resolve) => {
        release = resolve;
      });
      try {
        while (chat.inFlight > 0) {
          chat.drained ??= deferred();
          await untilAborted(chat.drained.promise, signal);
        }
        return await run();
      } finally {
        chat.checking = undefined;
        release();
      }
    } finally {
      this.#leave(chatId, chat);
    }
  }

  #enter(chatId: string): ChatSends {
    let chat = this.#chats.get(chatId);
    if (!chat) {
      chat = { inFlight: 0, drained: undefined, checking: undefined, users: 0 };
      this.#chats.set(chatId, chat);
    }
    chat.users += 1;
    return chat;
  }

  #leave(chatId: string, chat: ChatSends): void {
    chat.users -= 1;
    if (chat.users === 0) this.#chats.delete(chatId);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
