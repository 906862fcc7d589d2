// `beseda fault add|list|clear|expire-tokens`: production's bad days on demand (the sandbox's
// fault rules, README "Faults").
import type { FaultRuleView } from "../../domain/sandbox/faults-rules.ts";
import { parseDuration } from "../duration.ts";
import { formatTime } from "../format.ts";
import type { SandboxClient } from "../sandbox-client.ts";
import { integerOption, requiredInteger, UsageError, type Verb } from "../verb.ts";

/** A rule as the sandbox answers it. */
type FaultRule = FaultRuleView;

/** "--until 10m" is ten minutes of the sandbox clock from now; a number ≥ 10⁹ is a unix time. */
async function untilOf(client: SandboxClient, text: string): Promise<number> {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const seconds = parseDuration(text);
  if (seconds === null)
    throw new UsageError(`--until takes a duration (10m) or a unix time, got "${text}"`);
  const { now } = await client.call<{ now: number }>("GET", "/clock");
  return now + seconds;
}

function probabilityOf(text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new UsageError(`--probability must be a number in (0, 1], got "${String(text)}"`);
  return value;
}

async function ruleOf(
  client: SandboxClient,
  values: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const operation = values.operation as string | undefined;
  if (!operation) throw new UsageError("fault add needs --operation OPERATION_ID (or '*')");
  const rule: Record<string, unknown> = { operation };
  if (values.user !== undefined) rule.user_id = requiredInteger(values.user as string, "--user");
  if (values.chat !== undefined) rule.chat_id = values.chat;
  if (values.status !== undefined) rule.status = integerOption(values.status, "status", 100);
  if (values["retry-after"] !== undefined)
    rule.retry_after = integerOption(values["retry-after"], "retry-after", 0);
  if (values.latency !== undefined) rule.latency_ms = integerOption(values.latency, "latency", 0);
  if (values.drop !== undefined) rule.drop = values.drop;
  if (values.times !== undefined) rule.times = integerOption(values.times, "times");
  if (values.probability !== undefined) rule.probability = probabilityOf(values.probability);
  if (values.seed !== undefined) rule.seed = integerOption(values.seed, "seed", 0);
  if (values.until !== undefined) rule.until = await untilOf(client, values.until as string);
  return rule;
}

function ruleLine(rule: FaultRule): string {
  const scope = [
    rule.operation,
    rule.user_id ? `user ${rule.user_id}` : "",
    rule.chat_id ? `chat ${rule.chat_id}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const action = [
    rule.status ? `answer ${rule.status}` : "",
    rule.latency_ms ? `+${rule.latency_ms} ms` : "",
    rule.drop ? `drop ${rule.drop}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const when =
    [
      rule.times ? `${rule.times} times` : "",
      rule.probability ? `p=${rule.probability}` : "",
      rule.until ? `until ${formatTime(rule.until)}` : "",
    ]
      .filter(Boolean)
      .join(", ") || "always";
  return `${rule.id}  ${scope}: ${action || "?"} (${when}); fired ${rule.fired}${rule.spent ? ", spent" : ""}`;
}

export const faultVerb: Verb = {
  name: "fault",
  summary: "add, list or clear fault rules; expire an account's tokens",
  usage: [
    "beseda fault add --operation OP|'*'|webhook [--user USER_ID] [--chat CHAT_ID]",
    "                 [--status 429|500|502|503|402|403] [--retry-after S] [--latency MS]",
    "                 [--drop before|after]",
    "                 [--times N] [--probability P] [--seed S] [--until 10m|UNIX_TIME]",
    "beseda fault list [--json]",
    "beseda fault clear [RULE_ID]                   (all rules when no id)",
    "beseda fault expire-tokens USER_ID             (its access tokens answer 403 now)",
  ],
  options: {
    json: { type: "boolean" },
    operation: { type: "string" },
    user: { type: "string" },
    chat: { type: "string" },
    status: { type: "string" },
    latency: { type: "string" },
    "retry-after": { type: "string" },
    drop: { type: "string" },
    times: { type: "string" },
    probability: { type: "string" },
    seed: { type: "string" },
    until: { type: "string" },
  },
  async run([action, id], values, { client, out }) {
    switch (action) {
      case "add": {
        const rule = await client.call<FaultRule>("POST", "/faults", await ruleOf(client, values));
        return out(values.json ? JSON.stringify(rule, null, 2) : `added ${ruleLine(rule)}`);
      }
      case "list": {
        const { faults } = await client.call<{ faults: FaultRule[] }>("GET", "/faults");
        if (values.json) return out(JSON.stringify(faults, null, 2));
        if (faults.length === 0) return out("no fault rules");
        for (const rule of faults) out(ruleLine(rule));
        return;
      }
      case "clear":
        await client.call("DELETE", id ? `/faults/${encodeURIComponent(id)}` : "/faults");
        return out(id ? `removed ${id}` : "removed every fault rule");
      case "expire-tokens": {
        const userId = requiredInteger(id, "USER_ID");
        await client.call("POST", `/accounts/${userId}/tokens/expire`);
        return out(
          `the access tokens of ${userId} have expired: its next call answers 403 "access token expired"`,
        );
      }
      default:
        throw new UsageError(action ? `unknown fault action "${action}"` : "fault needs an action");
    }
  },
};
