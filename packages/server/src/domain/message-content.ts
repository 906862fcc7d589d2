// What each message type's content may hold when the sandbox posts one, checked field by field so
// that a bad message is refused with the fields named. The shapes are the document's
// MessageContent; video, file and appCall always carry {} (WIRE-NOTES).
import { validationError } from "../errors/beseda-error.ts";
import type { JsonObject } from "../store/records.ts";

export const MAX_TEXT_LENGTH = 1000;

export const SANDBOX_MESSAGE_TYPES = [
  "text",
  "image",
  "voice",
  "link",
  "item",
  "location",
  "call",
  "system",
  "video",
  "file",
  "appCall",
] as const;
export type SandboxMessageType = (typeof SANDBOX_MESSAGE_TYPES)[number];

type Problems = Record<string, string>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(problems: Problems, path: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== "string" || value.trim() === "") {
    problems[path] = "must be a non-empty string";
  } else if (value.length > MAX_TEXT_LENGTH) {
    problems[path] = `must be at most ${MAX_TEXT_LENGTH} characters`;
  }
}

function httpUrl(problems: Problems, path: string, value: unknown): void {
  if (typeof value !== "string" || !/^https?:\/\/\S+$/i.test(value)) {
    problems[path] = "must be an http(s) URL";
  }
}

function number(problems: Problems, path: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    problems[path] = `must be a number from ${min} to ${max}`;
  }
}

function nested(problems: Problems, content: JsonObject, key: string): JsonObject {
  const value = content[key];
  if (!isObject(value)) {
    problems[`content.${key}`] = "must be an object";
    return {};
  }
  return value;
}

export interface CheckedContent {
  content: JsonObject;
  /** The image or voice id an image or voice message carries; its content is derived from it. */
  attachmentId: string | null;
}

function id(problems: Problems, path: string, value: unknown): string {
  if (typeof value !== "string" || !/^[0-9a-f.]{1,80}$/.test(value)) {
    problems[path] = "must be an id returned by an upload";
    return "";
  }
  return value;
}

/**
 * Checks a sandbox message's content against its type and returns what will be stored.
 * `participants` are the chat's users: a missed call must target one of them.
 */
export function checkMessageContent(
  type: string,
  content: unknown,
  participants: readonly number[],
): CheckedContent {
  if (!(SANDBOX_MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw validationError({ type: `must be one of ${SANDBOX_MESSAGE_TYPES.join(", ")}` });
  }
  const body = content ?? {};
  if (!isObject(body)) throw validationError({ content: "must be an object" });
  const problems: Problems = {};
  let attachmentId: string | null = null;
  switch (type as SandboxMessageType) {
    case "image":
      attachmentId = id(problems, "content.image_id", body.image_id);
      break;
    case "voice":
      attachmentId = id(
        problems,
        "content.voice.voice_id",
        nested(problems, body, "voice").voice_id,
      );
      break;
    case "text":
      text(problems, "content.text", body.text, true);
      break;
    case "system":
      text(problems, "content.text", body.text, true);
      if (body.flow_id !== undefined && (typeof body.flow_id !== "string" || body.flow_id === "")) {
        problems["content.flow_id"] = "must be a non-empty string";
      }
      break;
    case "link": {
      const link = nested(problems, body, "link");
      httpUrl(problems, "content.link.url", link.url);
      text(problems, "content.link.text", link.text, false);
      linkPreview(problems, link.preview);
      break;
    }
    case "item": {
      const item = nested(problems, body, "item");
      text(problems, "content.item.title", item.title, true);
      httpUrl(problems, "content.item.item_url", item.item_url);
      if (item.image_url !== undefined) httpUrl(problems, "content.item.image_url", item.image_url);
      text(problems, "content.item.price_string", item.price_string, false);
      break;
    }
    case "location": {
      const location = nested(problems, body, "location");
      number(problems, "content.location.lat", location.lat, -90, 90);
      number(problems, "content.location.lon", location.lon, -180, 180);
      text(problems, "content.location.text", location.text, false);
      text(problems, "content.location.title", location.title, false);
      text(problems, "content.location.kind", location.kind, false);
      break;
    }
    case "call": {
      const call = nested(problems, body, "call");
      if (call.status !== "missed") problems["content.call.status"] = 'must be "missed"';
      if (typeof call.target_user_id !== "number" || !participants.includes(call.target_user_id)) {
        problems["content.call.target_user_id"] = "must be the id of a user in this chat";
      }
      break;
    }
    case "video":
    case "file":
    case "appCall":
      if (Object.keys(body).length > 0) {
        throw validationError({ content: `must be {} for ${type} messages` });
      }
      return { content: {}, attachmentId: null };
  }
  if (Object.keys(problems).length > 0) throw validationError(problems);
  if (attachmentId !== null) return { content: {}, attachmentId };
  return { content: storedContent(type as SandboxMessageType, body), attachmentId: null };
}

/** A link's preview, optional: the document's strings, and a map of sizes to image URLs. */
function linkPreview(problems: Problems, preview: unknown): void {
  if (preview === undefined || preview === null) return;
  if (!isObject(preview)) {
    problems["content.link.preview"] = "must be an object";
    return;
  }
  for (const field of ["description", "domain", "title", "url"]) {
    text(problems, `content.link.preview.${field}`, preview[field], false);
  }
  const images = preview.images;
  if (images === undefined || images === null) return;
  if (!isObject(images) || !Object.values(images).every((url) => typeof url === "string")) {
    problems["content.link.preview.images"] = "must map sizes to image URLs";
  }
}

function pick(object: JsonObject, keys: readonly string[]): JsonObject {
  const picked: JsonObject = {};
  for (const key of keys) if (object[key] !== undefined) picked[key] = object[key];
  return picked;
}

/**
 * What is stored: the document's fields of the type, and no others (unknown fields are ignored,
 * as everywhere on the wire, rather than served back where the document has none), with what
 * production always sends (a link's text defaults to its URL).
 */
function storedContent(type: SandboxMessageType, body: JsonObject): JsonObject {
  switch (type) {
    case "text":
      return pick(body, ["text"]);
    case "system":
      return pick(body, ["text", "flow_id"]);
    case "link": {
      const link = body.link as JsonObject;
      const stored = pick(link, ["url", "text", "preview"]);
      stored.text ??= link.url as string;
      if (isObject(link.preview)) {
        stored.preview = pick(link.preview, ["description", "domain", "images", "title", "url"]);
      }
      return { link: stored };
    }
    case "item":
      return {
        item: pick(body.item as JsonObject, ["title", "item_url", "image_url", "price_string"]),
      };
    case "location":
      return {
        location: pick(body.location as JsonObject, ["lat", "lon", "kind", "text", "title"]),
      };
    case "call":
      return { call: pick(body.call as JsonObject, ["status", "target_user_id"]) };
    default:
      return body;
  }
}
