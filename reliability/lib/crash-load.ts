// The crash scenario's load: concurrent sends of the seller (postSendMessage), messages of the
// buyers posted through the sandbox, and uploads of small images each then sent into a chat, until
// the server stops answering. It keeps what the server acknowledged (a 200, or the sandbox's 201):
// that, and only that, must survive the kill.
import { type BesedaClient, NoAnswer } from "./beseda-client.ts";
import type { Random } from "./random.ts";
import { sleep } from "./sleep.ts";
import { type Chat, paths, type Seller } from "./world.ts";

export interface AckedMessage {
  id: string;
  chatId: string;
}

export interface AckedUpload {
  imageId: string;
  /** Size name → URL, as uploadImages answered. */
  sizes: Record<string, string>;
}

export interface Acks {
  messages: AckedMessage[];
  uploads: AckedUpload[];
}

export interface CrashLoad {
  client: BesedaClient;
  seller: Seller;
  chats: readonly Chat[];
  /** Images to upload, each used once; uploads stop when they run out. */
  images: Buffer[];
  random: Random;
}

const SELLER_SENDERS = 3;
const BUYER_POSTERS = 2;
const UPLOADERS = 2;

/** Runs until the server stops answering; what it acknowledged meanwhile. */
export async function runCrashLoad(load: CrashLoad): Promise<Acks> {
  const acks: Acks = { messages: [], uploads: [] };
  const workers = [
    ...Array.from({ length: SELLER_SENDERS }, (_, n) => sellerSends(load, acks, n)),
    ...Array.from({ length: BUYER_POSTERS }, (_, n) => buyerPosts(load, acks, n)),
    ...Array.from({ length: UPLOADERS }, () => uploads(load, acks)),
  ];
  await Promise.all(workers);
  return acks;
}

/** Repeats `step` until it says so or the server is gone (no answer while interrupting). */
async function loop(load: CrashLoad, step: () => Promise<boolean>): Promise<void> {
  for (;;) {
    try {
      if (!(await step())) return;
    } catch (error) {
      if (!(error instanceof NoAnswer)) throw error;
      if (load.client.tally.interrupting) return;
      // Counted by the tally as a failure; a short pause keeps a broken server from spinning us.
      await sleep(50);
    }
  }
}

function sellerSends(load: CrashLoad, acks: Acks, worker: number): Promise<void> {
  const { client, seller, chats, random } = load;
  let n = 0;
  return loop(load, async () => {
    const { chatId } = random.pick(chats);
    const answer = await client.request<{ id: string }>(
      "POST",
      paths.send(seller.user_id, chatId),
      {
        token: seller.token,
        json: { message: { text: `продавец ${worker}.${n++}` }, type: "text" },
      },
    );
    if (answer.status === 200) acks.messages.push({ id: answer.body.id, chatId });
    return true;
  });
}

function buyerPosts(load: CrashLoad, acks: Acks, worker: number): Promise<void> {
  const { client, chats, random } = load;
  let n = 0;
  return loop(load, async () => {
    const { chatId, buyerId } = random.pick(chats);
    const answer = await client.sandbox<{ id: string }>("POST", paths.sandboxMessage(chatId), {
      author_id: buyerId,
      type: "text",
      content: { text: `покупатель ${worker}.${n++}` },
    });
    if (answer.status === 201) acks.messages.push({ id: answer.body.id, chatId });
    return true;
  });
}

function uploads(load: CrashLoad, acks: Acks): Promise<void> {
  const { client, seller, chats, images, random } = load;
  return loop(load, async () => {
    const image = images.pop();
    if (!image) return false;
    const uploaded = await client.request<Record<string, Record<string, string>>>(
      "POST",
      paths.upload(seller.user_id),
      { token: seller.token, upload: image },
    );
    const [entry] = uploaded.status === 200 ? Object.entries(uploaded.body) : [];
    if (!entry) return true;
    const [imageId, sizes] = entry;
    acks.uploads.push({ imageId, sizes });
    const { chatId } = random.pick(chats);
    const sent = await client.request<{ id: string }>(
      "POST",
      paths.sendImage(seller.user_id, chatId),
      { token: seller.token, json: { image_id: imageId } },
    );
    if (sent.status === 200) acks.messages.push({ id: sent.body.id, chatId });
    return true;
  });
}
