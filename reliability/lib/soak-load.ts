// The soak's steady mixed load, paced (each stream does one request, then waits out the rest of
// its interval) so that the rate is the same from the first minute to the last: sends of the
// seller, messages of the buyers through the sandbox, reads of the chat list and of messages,
// token issues, and a small upload now and then. Every answer lands in the client's Tally;
// requests that get no answer are counted there and the stream goes on.
import { type BesedaClient, NoAnswer } from "./beseda-client.ts";
import type { Random } from "./random.ts";
import { sleep } from "./sleep.ts";
import { type Chat, paths, type Seller } from "./world.ts";

export interface SoakLoad {
  client: BesedaClient;
  seller: Seller;
  chats: readonly Chat[];
  /** Uploaded round-robin; different bytes each, as long as they last. */
  images: readonly Buffer[];
  random: Random;
  untilMs: number;
}

/** Requests a second of each stream: about 50 in all. */
export const SOAK_RATES = {
  sends: 15,
  buyerPosts: 5,
  chatLists: 8,
  messageReads: 15,
  tokens: 1,
  uploads: 0.5,
};

export async function runSoakLoad(load: SoakLoad): Promise<void> {
  const { client, seller, chats, images, random } = load;
  let n = 0;
  await Promise.all([
    paced(load, SOAK_RATES.sends, async () => {
      const { chatId } = random.pick(chats);
      await client.request("POST", paths.send(seller.user_id, chatId), {
        token: seller.token,
        json: { message: { text: `soak ${n++}` }, type: "text" },
      });
    }),
    paced(load, SOAK_RATES.buyerPosts, async () => {
      const { chatId, buyerId } = random.pick(chats);
      await client.sandbox("POST", paths.sandboxMessage(chatId), {
        author_id: buyerId,
        type: "text",
        content: { text: `soak buyer ${n++}` },
      });
    }),
    paced(load, SOAK_RATES.chatLists, async () => {
      await client.request("GET", paths.chats(seller.user_id), { token: seller.token });
    }),
    paced(load, SOAK_RATES.messageReads, async () => {
      const { chatId } = random.pick(chats);
      await client.request("GET", paths.messages(seller.user_id, chatId, 0, 50), {
        token: seller.token,
      });
    }),
    paced(load, SOAK_RATES.tokens, async () => {
      await client.request("POST", "/token", {
        form: {
          grant_type: "client_credentials",
          client_id: seller.client_id,
          client_secret: seller.client_secret,
        },
      });
    }),
    paced(load, SOAK_RATES.uploads, async () => {
      const image = images[n++ % images.length] as Buffer;
      await client.request("POST", paths.upload(seller.user_id), {
        token: seller.token,
        upload: image,
      });
    }),
  ]);
}

/** `step` `perSecond` times a second until the load's end; a missed answer does not stop it. */
async function paced(load: SoakLoad, perSecond: number, step: () => Promise<void>): Promise<void> {
  const intervalMs = 1000 / perSecond;
  while (performance.now() < load.untilMs) {
    const started = performance.now();
    try {
      await step();
    } catch (error) {
      if (!(error instanceof NoAnswer)) throw error;
    }
    await sleep(Math.max(0, intervalMs - (performance.now() - started)));
  }
}
