// The matching of a lost send against the chat's messages (send-verify.ts), on its own: images
// are matched by the image id in their URLs, and an image of ours whose URLs name no id is
// "unverifiable", never taken for the send (that would lose a message when two were sent).
import { describe, expect, it } from "vitest";
import type { Message } from "../src/index.ts";
import { findSent } from "../src/send-verify.ts";

const imageId = "1234567.0123456789abcdef0123456789abcdef";
const otherId = "7654321.fedcba9876543210fedcba9876543210";

function image(id: string, urls: string[], created = 1_000): Message {
  const sizes = Object.fromEntries(urls.map((url, index) => [`${index + 1}x1`, url]));
  // The documents type `sizes` loosely; production and Beseda send size → URL.
  const message = {
    id,
    type: "image",
    direction: "out",
    author_id: 7,
    created,
    content: { image: { sizes } },
  };
  return message as unknown as Message;
}

const input = (claimed: string[] = []) => ({
  sent: { type: "image" as const, imageId },
  userId: 7,
  notBefore: 900,
  claimed: new Set(claimed),
});

describe("findSent for images", () => {
  it("finds the image whose URLs name its image id", () => {
    const mine = image("m1", [`https://img.example/${imageId}/640x480.jpg`]);
    const other = image("m2", [`https://img.example/${otherId}/640x480.jpg`]);
    expect(findSent([other, mine], input())).toBe(mine);
  });

  it("does not take an image whose URLs name another id", () => {
    expect(findSent([image("m2", [`https://img.example/${otherId}/1.jpg`])], input())).toBe(
      undefined,
    );
  });

  it("calls an image of ours whose URLs name no id unverifiable, not a match", () => {
    const anonymous = image("m3", ["https://00.img.avito.st/image/1/1.abc.jpg"]);
    expect(findSent([anonymous], input())).toBe("unverifiable");
  });

  it("ignores claimed messages and those from before the attempt", () => {
    const claimed = image("m4", ["https://00.img.avito.st/image/1/1.abc.jpg"]);
    const old = image("m5", ["https://00.img.avito.st/image/1/1.def.jpg"], 800);
    expect(findSent([claimed, old], input(["m4"]))).toBe(undefined);
  });
});
