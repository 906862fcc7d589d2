// The world the fuzzer aims at, built through the sandbox API, /token and the messenger API as a
// user would: accounts with personal tokens, items, u2i/u2u/a2u chats holding messages of every
// type, uploaded images, voices, webhook subscriptions to a local receiver that answers 200, and
// the links responses hand out. Its shape (what exists, in which order) is fixed, so that a
// request drawn from a seed aims at the same kind of thing in every run; its ids are the server's.
//
// Some of it exists only to be refused: an expired token, a token limited to messenger:read,
// chats, images and a voice that belong to other accounts only.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodeBmp } from "../../packages/server/test/helpers/media.ts";
import type { Receiver } from "../../packages/server/test/helpers/receiver.ts";
import { buildMultipart } from "./fuzz-multipart.ts";

export interface WorldAccount {
  userId: number;
  clientId: string;
  clientSecret: string;
  token: string;
}

export interface WorldChat {
  id: string;
  type: "u2i" | "u2u" | "a2u";
  userIds: number[];
  itemId: number | null;
  /** Messages posted while the world was built, with their authors. */
  messages: { id: string; authorId: number }[];
}

export interface World {
  base: string;
  adminToken: string;
  /** The accounts that act through the messenger API: a seller, a buyer, a buyer who also sells. */
  actors: WorldAccount[];
  /** Accounts that exist to be blacklisted, so that blacklisting never silences the actors. */
  blacklistable: number[];
  items: { id: number; ownerId: number }[];
  chats: WorldChat[];
  images: { id: string; ownerId: number }[];
  /** Voices posted in the actors' chats; the fuzzer may post them anywhere. */
  voiceIds: string[];
  /** A voice posted only in a chat of the second and third actors, and one never posted. */
  privateVoice: { id: string; chatId: string };
  unpostedVoice: string;
  deliveryIds: string[];
  /** A token of the first actor, issued before the clock moved past its lifetime. */
  expiredToken: string;
  /** An authorization_code token acting for the first actor with messenger:read only. */
  readOnlyToken: string;
  /** Authorization codes and refresh tokens, for the token endpoint's other grants. */
  codes: { clientId: string; clientSecret: string; code: string }[];
  refreshTokens: { clientId: string; clientSecret: string; refreshToken: string }[];
  /** Paths (with their query) of the public and media links the responses hand out. */
  links: string[];
  receiverUrl: string;
  /** A small image, as uploads send it. */
  imageBytes: Buffer;
  voiceBytes: Buffer;
}

const VOICE_SAMPLE = fileURLToPath(
  new URL("../../packages/server/assets/voice-sample.mp4", import.meta.url),
);

/** An 8×8 BMP: decoded by the server's own BMP reader and resized in a few milliseconds. */
function smallImage(): Buffer {
  return encodeBmp(8, 8, (x, y) => [x * 30, y * 30, 120]);
}

class SetupClient {
  readonly base: string;
  readonly adminToken: string;

  constructor(base: string, adminToken: string) {
    this.base = base;
    this.adminToken = adminToken;
  }

  async call<T>(
    method: string,
    path: string,
    options: {
      token?: string;
      json?: unknown;
      form?: Record<string, string>;
      multipart?: Buffer;
      boundary?: string;
    } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {};
    let body: string | Buffer | undefined;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(options.form).toString();
    } else if (options.multipart) {
      headers["content-type"] = `multipart/form-data; boundary=${options.boundary}`;
      body = options.multipart;
    }
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : new Uint8Array(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) {
      throw new Error(
        `setting up the fuzz world: ${method} ${path} answered ${response.status}: ${text}`,
      );
    }
    return JSON.parse(text) as T;
  }

  sandbox<T>(method: string, path: string, json?: unknown): Promise<T> {
    return this.call<T>(method, `/sandbox/v1${path}`, { token: this.adminToken, json });
  }

  async token(account: { client_id: string; client_secret: string }): Promise<string> {
    const issued = await this.call<{ access_token: string }>("POST", "/token", {
      form: { grant_type: "client_credentials", ...account },
    });
    return issued.access_token;
  }

  upload<T>(
    path: string,
    token: string,
    field: string,
    bytes: Buffer,
    filename: string,
  ): Promise<T> {
    const { body, boundary } = buildMultipart([{ field, bytes, filename }]);
    return this.call<T>("POST", path, { token, multipart: body, boundary });
  }
}

interface Credentials {
  user_id: number;
  client_id: string;
  client_secret: string;
}

/** Every string in a JSON value that is a link to this server, as a path with its query. */
function linksIn(value: unknown, base: string, into: Set<string>): void {
  if (typeof value === "string") {
    if (value.startsWith(`${base}/`)) into.add(value.slice(base.length));
  } else if (Array.isArray(value)) {
    for (const item of value) linksIn(item, base, into);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) linksIn(item, base, into);
  }
}

export async function buildWorld(
  base: string,
  adminToken: string,
  receiver: Receiver,
): Promise<World> {
  const api = new SetupClient(base, adminToken);
  const names = ["Продавец", "Покупатель", "Перекупщик", "Спамер", "Мошенник"];
  const credentials: Credentials[] = [];
  for (const name of names)
    credentials.push(await api.sandbox<Credentials>("POST", "/accounts", { name }));
  const [seller, buyer, reseller, spammer, fraud] = credentials as [
    Credentials,
    Credentials,
    Credentials,
    Credentials,
    Credentials,
  ];

  // A token that expires: issued now, then the clock moves one day and a second on.
  const expiredToken = await api.token(seller);
  await api.sandbox("POST", "/clock", { advance_seconds: 86_401 });

  const actors: WorldAccount[] = [];
  for (const c of [seller, buyer, reseller]) {
    actors.push({
      userId: c.user_id,
      clientId: c.client_id,
      clientSecret: c.client_secret,
      token: await api.token(c),
    });
  }

  const items: World["items"] = [];
  for (const [owner, title] of [
    [seller, "Велосипед"],
    [seller, "Самовар"],
    [reseller, "Гитара"],
  ] as const) {
    const item = await api.sandbox<{ item_id: number }>(
      "POST",
      `/accounts/${owner.user_id}/items`,
      {
        title,
        price_string: "12 500 ₽",
      },
    );
    items.push({ id: item.item_id, ownerId: owner.user_id });
  }
  const [bike, samovar, guitar] = items as [
    World["items"][0],
    World["items"][0],
    World["items"][0],
  ];

  const chats: WorldChat[] = [];
  const open = async (body: Record<string, unknown>) => {
    const chat = await api.sandbox<{
      chat_id: string;
      type: WorldChat["type"];
      user_ids: number[];
      item_id: number | null;
    }>("POST", "/chats", body);
    const opened: WorldChat = {
      id: chat.chat_id,
      type: chat.type,
      userIds: chat.user_ids,
      itemId: chat.item_id,
      messages: [],
    };
    chats.push(opened);
    return opened;
  };
  const sellerBike = await open({ type: "u2i", item_id: bike.id, user_id: buyer.user_id });
  const sellerSamovar = await open({ type: "u2i", item_id: samovar.id, user_id: reseller.user_id });
  const sellerBuyer = await open({ type: "u2u", user_ids: [seller.user_id, buyer.user_id] });
  const sellerAvito = await open({ type: "a2u", user_id: seller.user_id });
  await open({ type: "u2i", item_id: bike.id, user_id: spammer.user_id });
  await open({ type: "u2i", item_id: samovar.id, user_id: fraud.user_id });
  // Chats the seller is not in: the cross-account targets.
  const resellerGuitar = await open({ type: "u2i", item_id: guitar.id, user_id: buyer.user_id });
  const buyerReseller = await open({ type: "u2u", user_ids: [buyer.user_id, reseller.user_id] });
  const buyerAvito = await open({ type: "a2u", user_id: buyer.user_id });

  // Images: the seller's through the messenger API, the others' through the sandbox.
  const imageBytes = smallImage();
  const images: World["images"] = [];
  const linkSet = new Set<string>();
  for (const actor of actors) {
    const path =
      actor.userId === seller.user_id
        ? `/messenger/v1/accounts/${actor.userId}/uploadImages`
        : `/sandbox/v1/accounts/${actor.userId}/images`;
    const token = actor.userId === seller.user_id ? actor.token : adminToken;
    const uploaded = await api.upload<Record<string, Record<string, string>>>(
      path,
      token,
      "uploadfile[]",
      imageBytes,
      "photo.bmp",
    );
    for (const id of Object.keys(uploaded)) images.push({ id, ownerId: actor.userId });
    linksIn(uploaded, base, linkSet);
  }

  const voiceBytes = readFileSync(VOICE_SAMPLE);
  const newVoice = async () =>
    (
      await api.upload<{ voice_id: string }>(
        "/sandbox/v1/voices",
        adminToken,
        "file",
        voiceBytes,
        "voice.mp4",
      )
    ).voice_id;
  const voiceIds = [await newVoice(), await newVoice()];
  const privateVoice = { id: await newVoice(), chatId: buyerReseller.id };
  const unpostedVoice = await newVoice();

  const post = async (chat: WorldChat, authorId: number, type: string, content: unknown) => {
    const message = await api.sandbox<{ id: string }>(
      "POST",
      `/chats/${encodeURIComponent(chat.id)}/messages`,
      {
        author_id: authorId,
        type,
        content,
      },
    );
    chat.messages.push({ id: message.id, authorId });
  };
  const imageOf = (userId: number) => images.find((i) => i.ownerId === userId)?.id ?? "";
  for (const chat of [sellerBike, sellerSamovar, sellerBuyer, resellerGuitar, buyerReseller]) {
    const [first, second] = chat.userIds as [number, number];
    await post(chat, second, "text", { text: "Здравствуйте! Ещё продаётся?" });
    await post(chat, first, "text", { text: "Да, продаётся." });
    await post(chat, second, "link", {
      link: { url: "https://example.com/a?b=c", text: "ссылка" },
    });
    await post(chat, first, "item", {
      item: { title: "Самовар", item_url: `${base}/items/${samovar.id}` },
    });
    await post(chat, second, "location", { location: { lat: 55.75, lon: 37.62, title: "Москва" } });
    await post(chat, first, "call", { call: { status: "missed", target_user_id: second } });
    await post(chat, second, "video", {});
    await post(chat, first, "file", {});
    await post(chat, second, "appCall", {});
    await post(chat, first, "image", { image_id: imageOf(first) });
    await post(chat, second, "image", { image_id: imageOf(second) });
    const voice =
      chat === buyerReseller ? privateVoice.id : (voiceIds[chats.indexOf(chat) % 2] as string);
    await post(chat, second, "voice", { voice: { voice_id: voice } });
  }
  for (const chat of [sellerAvito, buyerAvito]) {
    const [avito, user] = chat.userIds as [number, number];
    await post(chat, avito, "system", { text: "Ваше объявление опубликовано", flow_id: "fuzz" });
    await post(chat, user, "text", { text: "Спасибо" });
  }

  // Webhooks: the seller and the buyer are subscribed; every message above is being delivered.
  for (const actor of actors.slice(0, 2)) {
    await api.call("POST", "/messenger/v3/webhook", {
      token: actor.token,
      json: { url: receiver.url },
    });
  }
  await post(sellerBike, buyer.user_id, "text", { text: "Вы тут?" });
  const deliveries = await api.sandbox<{ deliveries: { id: string }[] }>(
    "GET",
    "/webhooks/deliveries?limit=50",
  );

  // The links responses hand out: avatars, item pages and images, profiles, image sizes, voices.
  for (const actor of actors) {
    const chatsOf = await api.call(
      "GET",
      `/messenger/v2/accounts/${actor.userId}/chats?chat_types=u2i,u2u,a2u`,
      {
        token: actor.token,
      },
    );
    linksIn(chatsOf, base, linkSet);
  }
  const voiceLinks = await api.call(
    "GET",
    `/messenger/v1/accounts/${seller.user_id}/getVoiceFiles?voice_ids=${voiceIds.join(",")}`,
    {
      token: actors[0]?.token,
    },
  );
  linksIn(voiceLinks, base, linkSet);
  linkSet.add(`/items/${bike.id}`);
  linkSet.add("/healthz");

  // An app (the reseller's client) acting for the seller, once with messenger:read only.
  const app = { client_id: reseller.client_id, client_secret: reseller.client_secret };
  const newCode = async (scope?: string) =>
    (
      await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
        client_id: app.client_id,
        user_id: seller.user_id,
        ...(scope ? { scope } : {}),
      })
    ).code;
  const readOnly = await api.call<{ access_token: string }>("POST", "/token", {
    form: { grant_type: "authorization_code", ...app, code: await newCode("messenger:read") },
  });
  const codes: World["codes"] = [];
  const refreshTokens: World["refreshTokens"] = [];
  for (let i = 0; i < 4; i++) {
    codes.push({ clientId: app.client_id, clientSecret: app.client_secret, code: await newCode() });
  }
  for (let i = 0; i < 4; i++) {
    const issued = await api.call<{ refresh_token: string }>("POST", "/token", {
      form: { grant_type: "authorization_code", ...app, code: await newCode() },
    });
    refreshTokens.push({
      clientId: app.client_id,
      clientSecret: app.client_secret,
      refreshToken: issued.refresh_token,
    });
  }

  return {
    base,
    adminToken,
    actors,
    blacklistable: [spammer.user_id, fraud.user_id],
    items,
    chats,
    images,
    voiceIds,
    privateVoice,
    unpostedVoice,
    deliveryIds: deliveries.deliveries.map((d) => d.id),
    expiredToken,
    readOnlyToken: readOnly.access_token,
    codes,
    refreshTokens,
    links: [...linkSet].sort(),
    receiverUrl: receiver.url,
    imageBytes,
    voiceBytes,
  };
}
