// The demo world seeded into an empty data dir: one seller with a few items, several buyers, and
// chats of every kind (u2i, u2u, a2u) holding every message type the sandbox knows, some read and
// some not, so that a client pointed at a fresh server has something real to list. Built one step
// after another, never two at once: every id is drawn from ctx.random in the same order, so that
// a seeded server (BESEDA_RANDOM_SEED) builds the same world every time.
import { readFile } from "node:fs/promises";
import { countAccounts } from "../store/repositories/accounts.ts";
import { type AccountCredentials, createAccount, createItem, credentialsOf } from "./accounts.ts";
import { openChat, readChat } from "./chats.ts";
import type { DomainContext } from "./context.ts";
import { uploadImage } from "./images.ts";
import { uploadedFile } from "./media/uploaded-file.ts";
import { deleteMessage, postSandboxMessage } from "./messages.ts";
import { storeVoice } from "./voices.ts";

export interface DemoWorld {
  seller: AccountCredentials;
  buyers: AccountCredentials[];
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** A real Opus-in-MP4 voice file (2 s of two tones), shipped in the repo. */
export const VOICE_SAMPLE = new URL("../../assets/voice-sample.mp4", import.meta.url);

/** A "photo" for the demo: a gradient with a few shapes, as a JPEG. */
async function demoPhoto(from: string, to: string): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="720">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
    <rect width="960" height="720" fill="url(#g)"/>
    <rect x="180" y="310" width="600" height="220" rx="36" fill="#ffffff" fill-opacity="0.35"/>
    <circle cx="750" cy="180" r="90" fill="#ffffff" fill-opacity="0.5"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/** Uploads a demo photo as `ownerId` and returns its image id. */
async function photo(ctx: DomainContext, ownerId: number, from: string, to: string) {
  const uploaded = await uploadImage(ctx, ownerId, uploadedFile(await demoPhoto(from, to)));
  const [imageId] = Object.keys(uploaded);
  if (!imageId) throw new Error("demo photo was not stored");
  return imageId;
}

/** Seeds the demo world when the store holds no account yet; returns null otherwise. */
export async function seedDemoWorld(ctx: DomainContext): Promise<DemoWorld | null> {
  if ((await countAccounts(ctx.store.db)) > 0) return null;
  return buildDemoWorld(ctx);
}

/** Builds the demo world beside whatever the store holds (a sandbox reset has just emptied it). */
export async function buildDemoWorld(ctx: DomainContext): Promise<DemoWorld> {
  const now = ctx.clock.now();
  const seller = await createAccount(ctx, "Мебель и техника «Беседа»");
  const alexey = await createAccount(ctx, "Алексей");
  const olga = await createAccount(ctx, "Ольга");
  const dmitry = await createAccount(ctx, "Дмитрий");
  const ekaterina = await createAccount(ctx, "Екатерина");
  const item = (title: string, price: string) =>
    createItem(ctx, seller.id, { title, priceString: price, statusId: 10 });
  const sofa = await item("Диван угловой, серый велюр", "25 000 ₽");
  const bike = await item("Велосипед Stels Navigator 700", "12 500 ₽");
  const phone = await item("iPhone 13, 128 ГБ", "45 000 ₽");

  const sofaPhoto = await photo(ctx, seller.id, "#8d99ae", "#2b2d42");
  const bikePhoto = await photo(ctx, olga.id, "#2a9d8f", "#e9c46a");
  const voice = await storeVoice(ctx, uploadedFile(await readFile(VOICE_SAMPLE)));

  // Posts into a chat `ago` seconds before now, as `author`.
  const say = async (
    chatId: string,
    author: number,
    ago: number,
    type: string,
    content: object,
    quoteId: string | null = null,
  ) => postSandboxMessage(ctx, chatId, { authorId: author, type, content, quoteId }, now - ago);

  const sofaChat = (
    await openChat(ctx, { type: "u2i", itemId: sofa.id, buyerId: alexey.id }, now - 2 * DAY)
  ).chat.chat_id;
  const question = await say(sofaChat, alexey.id, 2 * DAY - 60, "text", {
    text: "Здравствуйте! Диван ещё продаётся?",
  });
  await say(
    sofaChat,
    seller.id,
    2 * DAY - 600,
    "text",
    { text: "Да, продаётся. Можно посмотреть сегодня после 18:00." },
    question.id,
  );
  await say(sofaChat, seller.id, 2 * DAY - 660, "location", {
    location: {
      kind: "street",
      lat: 55.599799,
      lon: 37.603954,
      text: "Москва, Варшавское шоссе",
      title: "Москва, Варшавское шоссе",
    },
  });
  await say(sofaChat, alexey.id, 2 * DAY - 700, "text", {
    text: "А можно фото при дневном свете?",
  });
  await say(sofaChat, seller.id, 2 * DAY - 900, "image", { image_id: sofaPhoto });
  await say(sofaChat, alexey.id, DAY + 5 * HOUR, "text", {
    text: "Отлично, приеду завтра к семи.",
  });
  await readChat(ctx, seller.id, sofaChat);
  await readChat(ctx, alexey.id, sofaChat);

  const bikeChat = (
    await openChat(ctx, { type: "u2i", itemId: bike.id, buyerId: olga.id }, now - 6 * HOUR)
  ).chat.chat_id;
  await say(bikeChat, olga.id, 6 * HOUR - 30, "text", { text: "Добрый день! Какой размер рамы?" });
  await say(bikeChat, seller.id, 5 * HOUR, "text", {
    text: "Рама 18 дюймов. Есть и другой велосипед:",
  });
  await say(bikeChat, seller.id, 5 * HOUR - 20, "item", {
    item: {
      title: phone.title,
      item_url: ctx.urls.item(phone.id),
      image_url: ctx.urls.itemImage(phone.id, "140x105"),
      price_string: phone.priceString,
    },
  });
  await readChat(ctx, olga.id, bikeChat);
  await say(bikeChat, olga.id, 2 * HOUR, "link", {
    link: {
      url: "https://www.velo.ru/stels-navigator-700",
      text: "velo.ru",
      preview: {
        domain: "velo.ru",
        title: "Stels Navigator 700",
        description: "Характеристики модели",
        url: "https://www.velo.ru/stels-navigator-700",
      },
    },
  });
  await say(bikeChat, olga.id, HOUR + 60, "image", { image_id: bikePhoto });
  await say(bikeChat, olga.id, HOUR, "call", {
    call: { status: "missed", target_user_id: seller.id },
  });

  const phoneChat = (
    await openChat(ctx, { type: "u2i", itemId: phone.id, buyerId: dmitry.id }, now - 3 * HOUR)
  ).chat.chat_id;
  await say(phoneChat, dmitry.id, 3 * HOUR - 10, "text", { text: "Здравствуйте, торг уместен?" });
  await say(phoneChat, dmitry.id, 3 * HOUR - 20, "video", {});
  await say(phoneChat, seller.id, 2 * HOUR, "appCall", {});
  await say(phoneChat, dmitry.id, 90 * 60, "file", {});
  const slip = await say(phoneChat, seller.id, 10 * 60, "text", { text: "Скидка 50%!" });
  await deleteMessage(ctx, seller.id, phoneChat, slip.id);
  await say(phoneChat, dmitry.id, 5 * 60, "text", { text: "А за 40 000 ₽ отдадите?" });
  await say(phoneChat, dmitry.id, 4 * 60, "voice", { voice: { voice_id: voice.voice_id } });

  const friendChat = (
    await openChat(ctx, { type: "u2u", userIds: [ekaterina.id, seller.id] }, now - 4 * DAY)
  ).chat.chat_id;
  await say(friendChat, ekaterina.id, 4 * DAY - 100, "text", {
    text: "Привет! Видела твой диван, классный.",
  });
  await say(friendChat, seller.id, 4 * DAY - 400, "text", { text: "Спасибо!" });
  await readChat(ctx, ekaterina.id, friendChat);
  await readChat(ctx, seller.id, friendChat);

  const avitoChat = await openChat(ctx, { type: "a2u", userId: seller.id }, now - 3 * DAY);
  const [avitoId] = avitoChat.chat.user_ids;
  if (avitoId !== undefined) {
    await say(avitoChat.chat.chat_id, avitoId, 3 * DAY - 10, "system", {
      text: "Покупатели добавили ваши объявления в избранное. Предложите им скидку!",
      flow_id: "seller_audience_discount",
    });
  }

  return {
    seller: credentialsOf(seller),
    buyers: [alexey, olga, dmitry, ekaterina].map(credentialsOf),
  };
}
