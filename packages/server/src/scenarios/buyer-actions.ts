// The steps in which the buyer acts or time passes: say, send, read, delete, wait, advance, fault
// and clear_faults. Each is one or two calls of the sandbox API as the buyer (author_id, user_id);
// a refusal fails the step with the sandbox's own message.
import { extname } from "node:path";
import { abortable, sleep } from "./abortable.ts";
import type { BuyerState, RunningScenario } from "./buyer-state.ts";
import { StepFailed } from "./buyer-state.ts";
import type { SendContent, Step } from "./model.ts";
import { samplePng, sampleVoice } from "./sample-media.ts";
import type { ImageSizes } from "./sandbox-shapes.ts";
import { fillTemplate } from "./template.ts";

export type ActionStep = Exclude<Step, { kind: "expect" }>;

interface PostedMessage {
  id: string;
  created: number;
}

const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".heic": "image/heic",
  ".bmp": "image/bmp",
};

function fill(state: BuyerState, template: string): string {
  return fillTemplate(template, state.variables);
}

async function fileBytes(
  run: RunningScenario,
  source: "sample" | { path: string },
  sample: () => Promise<Uint8Array> | Uint8Array,
  what: string,
): Promise<{ bytes: Uint8Array; name: string }> {
  if (source === "sample") return { bytes: await sample(), name: "sample" };
  try {
    return { bytes: await run.readFile(source.path), name: source.path };
  } catch (error) {
    // The reader's message names the file and says why: said once, after what it was for.
    throw new StepFailed({
      message: `the ${what} to send: ${(error as Error).message}`,
      expected: null,
      actual: null,
    });
  }
}

/** The `type` and `content` of POST /chats/{chat_id}/messages for a `send` step. */
async function messageOf(
  run: RunningScenario,
  state: BuyerState,
  content: SendContent,
): Promise<{ type: string; content: Record<string, unknown> }> {
  switch (content.type) {
    case "image": {
      const file = await fileBytes(run, content.source, samplePng, "image");
      const name = file.name === "sample" ? "sample.png" : file.name;
      const uploaded = await run.sandbox.upload<ImageSizes>(
        `/accounts/${state.buyerId}/images`,
        "uploadfile[]",
        {
          bytes: file.bytes,
          name,
          type: IMAGE_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream",
        },
      );
      const imageId = Object.keys(uploaded)[0];
      if (imageId === undefined) throw new Error("the image upload answered no image id");
      return { type: "image", content: { image_id: imageId } };
    }
    case "voice": {
      const file = await fileBytes(run, content.source, sampleVoice, "voice");
      const { voice_id } = await run.sandbox.upload<{ voice_id: string }>("/voices", "file", {
        bytes: file.bytes,
        name: file.name === "sample" ? "sample.mp4" : file.name,
        type: "audio/mp4",
      });
      return { type: "voice", content: { voice: { voice_id } } };
    }
    case "location": {
      const location: Record<string, unknown> = { lat: content.lat, lon: content.lon };
      if (content.title !== null) location.title = fill(state, content.title);
      return { type: "location", content: { location } };
    }
    case "item": {
      const item = run.items.get(content.item);
      if (!item) throw new Error(`the world has no item ${content.item}`);
      return {
        type: "item",
        content: {
          item: {
            title: item.title,
            item_url: item.url,
            ...(item.priceString === null ? {} : { price_string: item.priceString }),
          },
        },
      };
    }
    case "link": {
      const link: Record<string, unknown> = { url: fill(state, content.url) };
      if (content.text !== null) link.text = fill(state, content.text);
      return { type: "link", content: { link } };
    }
  }
}

async function post(
  run: RunningScenario,
  state: BuyerState,
  message: { type: string; content: Record<string, unknown> },
): Promise<void> {
  const posted = await run.sandbox.call<PostedMessage>(
    "POST",
    `/chats/${encodeURIComponent(state.chatId)}/messages`,
    { author_id: state.buyerId, ...message },
  );
  state.sent.push({ id: posted.id, created: posted.created });
  state.lastAction = { messageId: posted.id, deleted: false, at: performance.now() };
}

async function deleteMessage(
  run: RunningScenario,
  state: BuyerState,
  target: "last" | { variable: string },
): Promise<void> {
  const messageId =
    target === "last" ? state.sent.at(-1)?.id : fill(state, `{{${target.variable}}}`);
  if (messageId === undefined) {
    throw new StepFailed({
      message: "the buyer has no message to delete",
      expected: "a message of the buyer's",
      actual: "none sent yet",
    });
  }
  await run.sandbox.call(
    "POST",
    `/chats/${encodeURIComponent(state.chatId)}/messages/${encodeURIComponent(messageId)}/delete`,
    { user_id: state.buyerId },
  );
  state.sent = state.sent.filter((m) => m.id !== messageId);
  state.lastAction = { messageId, deleted: true, at: performance.now() };
}

/** Performs one action step; throws StepFailed, an Error (a refusal) or Interrupted. */
export async function performAction(
  run: RunningScenario,
  state: BuyerState,
  step: ActionStep,
): Promise<void> {
  const { signal } = run;
  switch (step.kind) {
    case "say":
      return abortable(
        post(run, state, { type: "text", content: { text: fill(state, step.text) } }),
        signal,
      );
    case "send":
      return abortable(
        messageOf(run, state, step.content).then((message) => post(run, state, message)),
        signal,
      );
    case "read":
      await abortable(
        run.sandbox.call("POST", `/chats/${encodeURIComponent(state.chatId)}/read`, {
          user_id: state.buyerId,
        }),
        signal,
      );
      return;
    case "delete":
      return abortable(deleteMessage(run, state, step.target), signal);
    case "wait":
      return sleep(step.ms, signal);
    case "advance":
      await abortable(
        // The sandbox's clock moves in whole seconds: a part of one moves it a whole one.
        run.sandbox.call("POST", "/clock", { advance_seconds: Math.ceil(step.seconds) }),
        signal,
      );
      return;
    case "fault":
      return abortable(run.faults.apply(step.fault, state), signal);
    case "clear_faults": {
      // This buyer run's rules: another's, running beside it, are not its to end.
      const problems = await abortable(run.faults.clear(state), signal);
      if (problems.length > 0) throw new Error(problems.join("; "));
      return;
    }
  }
}
