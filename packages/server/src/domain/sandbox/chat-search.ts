// The sandbox's search of chats (the console's inbox): by the text of their messages and by the
// people in them, case-insensitively in any script. SQLite's LIKE folds the case of ASCII letters
// only ("Привет" would not find "привет"), so the store reads the candidates (every text of the
// chats in question, their participants' names) and the matching happens here. That reads every
// message of an account's chats for one search: fine for a sandbox's worlds, slow only for a
// search of every chat of a seeded world of millions of messages.
import type { Chat, ChatType, JsonObject } from "../../store/records.ts";
import {
  findChats,
  listChatIdsByActivity,
  listChatPeople,
} from "../../store/repositories/chats.ts";
import { listMessageContents } from "../../store/repositories/messages.ts";
import type { Db } from "../../store/store.ts";

export interface ChatSearch {
  userId: number | null;
  type: ChatType | null;
  /** Chats with a message whose text contains this. */
  text: string | null;
  /** Chats with a participant (other than userId) whose name contains this, or whose id it is. */
  person: string | null;
  limit: number;
  offset: number;
}

/** The message types whose text is searched: what a person reads as words in a chat. */
const TEXT_TYPES = ["text", "system", "link"];

/** For comparing without case: composed characters (a й typed as и + ˘ too), lower case. */
function fold(text: string): string {
  return text.normalize("NFC").toLowerCase();
}

/** The words a message shows: a text or system message's text, a link's text. */
function textOf(type: string, content: JsonObject): string | null {
  const source = type === "link" ? content.link : content;
  const text = (source as { text?: unknown } | undefined)?.text;
  return typeof text === "string" ? text : null;
}

async function chatsWithText(db: Db, search: ChatSearch, text: string): Promise<Set<string>> {
  const needle = fold(text);
  const found = new Set<string>();
  const contents = await listMessageContents(db, {
    userId: search.userId,
    chatType: search.type,
    types: TEXT_TYPES,
  });
  for (const { chatId, type, content } of contents) {
    if (found.has(chatId)) continue;
    const words = textOf(type, content);
    if (words !== null && fold(words).includes(needle)) found.add(chatId);
  }
  return found;
}

async function chatsWithPerson(db: Db, search: ChatSearch, person: string): Promise<Set<string>> {
  const needle = fold(person);
  const id = /^\d+$/.test(person) ? person.replace(/^0+(?=\d)/, "") : null;
  const people = await listChatPeople(db, { userId: search.userId, type: search.type });
  return new Set(
    people
      .filter((p) => String(p.userId) === id || fold(p.name).includes(needle))
      .map((p) => p.chatId),
  );
}

/** A page of the chats that match, by newest activity. */
export async function searchChats(db: Db, search: ChatSearch): Promise<Chat[]> {
  let ids = await listChatIdsByActivity(db, { userId: search.userId, type: search.type });
  if (search.person !== null && ids.length > 0) {
    const found = await chatsWithPerson(db, search, search.person);
    ids = ids.filter((id) => found.has(id));
  }
  if (search.text !== null && ids.length > 0) {
    const found = await chatsWithText(db, search, search.text);
    ids = ids.filter((id) => found.has(id));
  }
  const page = ids.slice(search.offset, search.offset + search.limit);
  const byId = new Map((await findChats(db, page)).map((chat) => [chat.id, chat]));
  return page.flatMap((id) => byId.get(id) ?? []);
}
