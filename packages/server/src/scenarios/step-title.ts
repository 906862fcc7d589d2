// What a report calls a step that has no `name:`: a short rendering of what it does, as written
// (`say "Здравствуйте! Диван ещё…"`, `expect reply contains "продаётся"`, `wait 2s`).
import type {
  DurationValue,
  ExpectFile,
  FaultRuleFile,
  SendFile,
  StepFile,
} from "./scenario-file.ts";

/** The most characters of a quoted text a title shows before it is cut with "…". */
const QUOTED_LENGTH = 24;

export function stepTitle(step: StepFile): string {
  if (step.name !== undefined) return step.name;
  if ("say" in step) return `say ${quoted(step.say)}`;
  if ("send" in step) return `send ${sendTitle(step.send)}`;
  if ("read" in step) return "read";
  if ("delete" in step) return `delete ${step.delete}`;
  if ("wait" in step) return `wait ${durationText(step.wait)}`;
  if ("advance" in step) return `advance ${durationText(step.advance)}`;
  if ("expect" in step) return `expect ${expectTitle(step.expect)}`;
  if ("fault" in step) return `fault ${faultTitle(step.fault)}`;
  return "clear faults";
}

function sendTitle(send: SendFile): string {
  if ("image" in send) return `image ${send.image}`;
  if ("voice" in send) return `voice ${send.voice}`;
  if ("location" in send) {
    const { lat, lon, title } = send.location;
    return `location ${title === undefined ? `${lat}, ${lon}` : quoted(title)}`;
  }
  if ("item" in send) return `item ${send.item}`;
  return `link ${shortened(send.link, 40)}`;
}

function expectTitle(expect: ExpectFile): string {
  if ("reply" in expect) {
    const { text, contains, matches, type } = expect.reply;
    const parts: string[] = [];
    if (text !== undefined) parts.push(`text ${quoted(text)}`);
    if (contains !== undefined) {
      parts.push(
        `contains ${(Array.isArray(contains) ? contains : [contains]).map(quoted).join(", ")}`,
      );
    }
    if (matches !== undefined) {
      parts.push(
        `matches ${matches.startsWith("/") ? shortened(matches, 30) : `/${shortened(matches, 30)}/`}`,
      );
    }
    if (type !== undefined) parts.push(`type ${type}`);
    return parts.length === 0 ? "reply" : `reply ${parts.join(", ")}`;
  }
  if ("replies" in expect) return `${expect.replies} ${expect.replies === 1 ? "reply" : "replies"}`;
  if ("no_reply" in expect) return "no reply";
  if ("read" in expect) return "read";
  if ("blacklisted" in expect) return "blacklisted";
  return "delivered";
}

function faultTitle(fault: string | FaultRuleFile): string {
  if (typeof fault === "string") return fault;
  const { preset, operation, for: duration, ...fields } = fault;
  const details = Object.entries(fields).map(([key, value]) => `${key} ${value}`);
  if (duration !== undefined) details.push(`for ${durationText(duration)}`);
  const head = preset ?? operation ?? "";
  const rest = preset !== undefined && operation !== undefined ? [`operation ${operation}`] : [];
  const all = [...rest, ...details];
  return all.length === 0 ? head : `${head} (${all.join(", ")})`;
}

function durationText(value: DurationValue): string {
  return typeof value === "number" ? `${value}s` : value;
}

function quoted(text: string): string {
  return `"${shortened(text, QUOTED_LENGTH)}"`;
}

/** The text on one line, cut at a word's end when it is longer than `max`. */
function shortened(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
