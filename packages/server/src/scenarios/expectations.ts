// The `expect` steps: each waits, up to its time limit, for something the bot does — replies in
// the buyer's chat (from the chat watch), the chat read, the buyer blacklisted, the webhook of the
// buyer's last message answered 2xx — and fails with what it expected and what it saw instead.
import { abortable, sleep } from "./abortable.ts";
import type { BuyerState, RunningScenario } from "./buyer-state.ts";
import { StepFailed } from "./buyer-state.ts";
import type { LoggedMessage } from "./chat-watch.ts";
import { formatDurationMs } from "./duration.ts";
import { DEFAULT_NO_REPLY_MS, type Step } from "./model.ts";
import { describeDelivery, noReplyDiagnosis, sellerDeliveryOf } from "./no-reply-diagnosis.ts";
import { describeMatcher, describeReply, matchReply } from "./reply-matchers.ts";
import { fillTemplate } from "./template.ts";

export type ExpectStep = Extract<Step, { kind: "expect" }>;

/** How often `blacklisted` asks the sandbox again (the blacklist has no event). */
const BLACKLIST_POLL_MS = 200;

/** The step's time limit: its own, else the file's, else the runner's (no_reply: 2 s). */
export function timeLimitMs(run: RunningScenario, step: ExpectStep): number {
  if (step.expectation.kind === "no_reply") return step.withinMs ?? DEFAULT_NO_REPLY_MS;
  return step.withinMs ?? run.scenario.timeoutMs ?? run.defaultTimeoutMs;
}

function failed(message: string, expected: string | null, actual: string | null): StepFailed {
  return new StepFailed({ message, expected, actual });
}

/**
 * Whether a message is a reply: written by the seller's account (the bot), and still there. A
 * message the bot deleted is not one (it took it back: the next one is its answer), nor is a
 * `system` message (Avito's notices; the sandbox lets either participant post one, the bot's API
 * does not).
 */
function isReply(run: RunningScenario, logged: LoggedMessage): boolean {
  const { message } = logged;
  return (
    message.author_id === run.seller &&
    logged.deletedSeq === null &&
    message.type !== "deleted" &&
    message.type !== "system"
  );
}

/**
 * The replies after the buyer's last action and after those consumed, in the chat's order; null
 * while the buyer's action itself has not been seen in the chat.
 */
function repliesAfter(run: RunningScenario, state: BuyerState): LoggedMessage[] | null {
  const action = state.lastAction;
  const from = action === null ? -1 : state.chat.seqOf(action.messageId, action.deleted);
  if (from === null) return null;
  const after = Math.max(from, state.consumedSeq);
  return state.chat.messages.filter((m) => m.seq > after && isReply(run, m));
}

/** Waits for `count` seller messages; then (or at the limit) those there are. */
async function awaitReplies(
  run: RunningScenario,
  state: BuyerState,
  count: number,
  limitMs: number,
): Promise<LoggedMessage[]> {
  const probe = () => {
    const replies = repliesAfter(run, state);
    return replies !== null && replies.length >= count ? replies : null;
  };
  const deadline = performance.now() + limitMs;
  const found = await run.watch.waitUntil(state.chatId, deadline, run.signal, probe);
  if (found) return found;
  // Nothing is missed: what the stream has not brought, the chat's messages have.
  await abortable(run.watch.refresh(state.chatId), run.signal);
  return repliesAfter(run, state) ?? [];
}

/** "no reply within 5s", with what Beseda knows of why after it. */
async function noReply(run: RunningScenario, state: BuyerState, what: string): Promise<string> {
  const why = await noReplyDiagnosis(run, state);
  return why === "" ? what : `${what}; ${why}`;
}

/**
 * ms from the buyer's last action to the reply's arrival on the stream; null without an action,
 * or for a reply only the final GET found (the stream missed it: when it came is not known, and
 * the GET's moment, at the time limit, would pass for a reply time as slow as the limit).
 */
function replyMs(state: BuyerState, reply: LoggedMessage): number | null {
  const action = state.lastAction;
  if (action === null || reply.arrivedAt === null) return null;
  return Math.max(0, Math.round(reply.arrivedAt - action.at));
}

async function expectReply(
  run: RunningScenario,
  state: BuyerState,
  expectation: Extract<ExpectStep["expectation"], { kind: "reply" }>,
  limitMs: number,
): Promise<number | null> {
  const fill = (template: string) => fillTemplate(template, state.variables);
  const expected = describeMatcher(expectation.matcher, expectation.capture, fill);
  const [reply] = await awaitReplies(run, state, 1, limitMs);
  const within = formatDurationMs(limitMs);
  if (!reply) {
    const actual = await noReply(run, state, `no reply within ${within}`);
    throw new StepFailed({ message: `no reply within ${within}`, expected, actual }, true);
  }
  state.consumedSeq = reply.seq;
  const verdict = matchReply(reply.message, expectation.matcher, expectation.capture, fill);
  if (!verdict.met) {
    throw failed(
      `the reply does not match: ${verdict.why}`,
      expected,
      describeReply(reply.message),
    );
  }
  Object.assign(state.variables, verdict.captured);
  Object.assign(state.captured, verdict.captured);
  return replyMs(state, reply);
}

async function expectReplies(
  run: RunningScenario,
  state: BuyerState,
  count: number,
  limitMs: number,
): Promise<number | null> {
  const replies = await awaitReplies(run, state, count, limitMs);
  const within = formatDurationMs(limitMs);
  const expected = `${count} ${count === 1 ? "reply" : "replies"} within ${within}`;
  if (replies.length < count) {
    const got =
      replies.length === 0
        ? `no reply within ${within}`
        : `${replies.length} within ${within}: ${replies.map((r) => describeReply(r.message)).join(", ")}`;
    const actual = await noReply(run, state, got);
    throw new StepFailed(
      { message: `${replies.length} of ${count} replies within ${within}`, expected, actual },
      true,
    );
  }
  const consumed = replies[count - 1] as LoggedMessage;
  state.consumedSeq = consumed.seq;
  return replyMs(state, replies[0] as LoggedMessage);
}

async function expectNoReply(
  run: RunningScenario,
  state: BuyerState,
  limitMs: number,
): Promise<void> {
  const [reply] = await awaitReplies(run, state, 1, limitMs);
  if (!reply) return;
  const within = formatDurationMs(limitMs);
  const after = replyMs(state, reply);
  throw failed(
    `a reply came within ${within}`,
    `no reply within ${within}`,
    after === null
      ? describeReply(reply.message)
      : `${describeReply(reply.message)} after ${formatDurationMs(after)}`,
  );
}

async function expectRead(run: RunningScenario, state: BuyerState, limitMs: number): Promise<void> {
  const within = formatDurationMs(limitMs);
  const expected = `the seller marks the buyer's last message read within ${within}`;
  const last = state.sent.at(-1);
  // Nothing of the buyer's is there to be read (none sent, or all deleted): a read of the chat
  // then would say nothing about the bot, and waiting the whole limit for it, nothing either.
  if (!last)
    throw failed("the buyer has sent no message for the seller to read", expected, "no message");
  const probe = () => {
    const after = state.chat.seqOf(last.id, false);
    if (after === null) return null;
    return state.chat.reads.find((r) => r.userId === run.seller && r.seq > after) ?? null;
  };
  const deadline = performance.now() + limitMs;
  if (await run.watch.waitUntil(state.chatId, deadline, run.signal, probe)) return;
  // The message's own read mark says whether the other side read it (the stream may have missed
  // the read).
  await abortable(run.watch.refresh(state.chatId), run.signal);
  if (state.chat.find(last.id)?.message.read != null) return;
  throw failed(
    `the seller did not read the buyer's last message within ${within}`,
    expected,
    "the buyer's last message is unread",
  );
}

async function expectBlacklisted(
  run: RunningScenario,
  state: BuyerState,
  limitMs: number,
): Promise<void> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const { users } = await abortable(
      run.sandbox.call<{ users: { user_id: number }[] }>(
        "GET",
        `/accounts/${run.seller}/blacklist`,
      ),
      run.signal,
    );
    if (users.some((u) => u.user_id === state.buyerId)) return;
    const left = deadline - performance.now();
    if (left <= 0) break;
    await sleep(Math.min(BLACKLIST_POLL_MS, left), run.signal);
  }
  const within = formatDurationMs(limitMs);
  throw failed(
    `the seller did not blacklist the buyer within ${within}`,
    `the buyer blacklisted by the seller within ${within}`,
    "not blacklisted",
  );
}

function isSuccess(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

async function expectDelivered(
  run: RunningScenario,
  state: BuyerState,
  limitMs: number,
): Promise<void> {
  const within = formatDurationMs(limitMs);
  const expected = `the webhook of the buyer's last message answered 2xx within ${within}`;
  const last = state.sent.at(-1);
  if (!last) throw failed("the buyer has sent no message", expected, "no message");
  const ofLast = () =>
    state.chat.deliveries.filter(
      (d) => d.event.message_id === last.id && d.event.user_id === run.seller,
    );
  const probe = () => ofLast().find((d) => isSuccess(d.event.status)) ?? null;
  const deadline = performance.now() + limitMs;
  if (await run.watch.waitUntil(state.chatId, deadline, run.signal, probe)) return;
  // The stream may have missed the delivery's events: the log has it.
  const delivery = await sellerDeliveryOf(run, last.id, run.signal);
  if (delivery?.attempts.some((a) => isSuccess(a.status))) return;
  const actual = delivery
    ? describeDelivery(delivery)
    : "no webhook of it to the seller (is the bot subscribed?)";
  throw failed(`the webhook was not answered 2xx within ${within}`, expected, actual);
}

/** Checks one expect step; its reply time (ms) for a met reply or replies, else null. */
export async function checkExpectation(
  run: RunningScenario,
  state: BuyerState,
  step: ExpectStep,
): Promise<number | null> {
  const limitMs = timeLimitMs(run, step);
  const expectation = step.expectation;
  switch (expectation.kind) {
    case "reply":
      return expectReply(run, state, expectation, limitMs);
    case "replies":
      return expectReplies(run, state, expectation.count, limitMs);
    case "no_reply":
      await expectNoReply(run, state, limitMs);
      return null;
    case "read":
      await expectRead(run, state, limitMs);
      return null;
    case "blacklisted":
      await expectBlacklisted(run, state, limitMs);
      return null;
    case "delivered":
      await expectDelivered(run, state, limitMs);
      return null;
  }
}
