// "Was my send stored?" A send whose answer was lost (connection cut, timeout, 5xx) may have been
// processed; sending again blindly is how integrations post every message twice. Before a send
// is retried, the chat's newest messages are searched for it: the account's own message, of the
// same type and content, created since the first attempt (by the server's clock, which the
// client estimates). Owns the matching only; the client fetches the messages.
import type { Message } from "./operation-types.ts";

/** How many of the chat's newest messages are searched. */
export const VERIFY_PAGE_SIZE = 50;

export type SentContent = { type: "text"; text: string } | { type: "image"; imageId: string };

export interface VerifyInput {
  sent: SentContent;
  userId: number;
  /** Unix seconds (server clock) before which a match cannot be this send. */
  notBefore: number;
  /** Messages already claimed by other sends of this client (so two equal sends stay two). */
  claimed: ReadonlySet<string>;
}

function isOwn(message: Message, userId: number): boolean {
  return message.direction === "out" || message.author_id === userId;
}

/** "same": it is the send; "other": it is not; "unknown": it may be, and nothing tells. */
type Likeness = "same" | "other" | "unknown";

function likeness(message: Message, sent: SentContent): Likeness {
  if (sent.type === "text")
    return message.type === "text" && message.content?.text === sent.text ? "same" : "other";
  if (message.type !== "image") return "other";
  const sizes = (message.content?.image?.sizes ?? {}) as Record<string, unknown>;
  const urls = Object.values(sizes).filter((url): url is string => typeof url === "string");
  if (urls.some((url) => url.includes(sent.imageId))) return "same";
  // Beseda's image URLs name the image id; production's may not. URLs that name another id are
  // another image; URLs that name none cannot be told apart from this send, and taking "any
  // image of ours since the attempt" for it would lose a message when two images were sent.
  return urls.some((url) => IMAGE_ID.test(url)) ? "other" : "unknown";
}

const IMAGE_ID = /\d+\.[0-9a-f]{32}/;

/**
 * The stored copy of the send among `newest` (newest first); undefined when it is not there;
 * "unverifiable" when a message of ours since the attempt may be it and nothing tells.
 */
export function findSent(
  newest: readonly Message[],
  input: VerifyInput,
): Message | "unverifiable" | undefined {
  const candidates = newest.filter(
    (message) =>
      message.id !== undefined &&
      !input.claimed.has(message.id) &&
      isOwn(message, input.userId) &&
      (message.created ?? 0) >= input.notBefore,
  );
  const likenesses = candidates.map((message) => likeness(message, input.sent));
  // The oldest match is the one closest to the attempt; later equal ones are other sends.
  const same = candidates.filter((_, index) => likenesses[index] === "same");
  if (same.length > 0) return same.at(-1);
  return likenesses.includes("unknown") ? "unverifiable" : undefined;
}
