// The form that adds a fault rule: which requests it matches (operation, account, chat), what it
// does (a status, added latency, or a dropped connection), and for how long (times, probability,
// a sandbox-clock duration). The server checks the rule whole; each field it refuses is named
// next to its input.

import type { operations } from "@beseda/contract/types/sandbox";
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { parseDuration } from "../format.ts";
import type { AccountOverview } from "../types.ts";
import { useAction } from "../use-action.ts";
import { type FaultOperationGroup, WEBHOOK_OPERATION } from "./fault-operations.ts";
import { ErrorNote, Field, fieldProblem } from "./form-field.tsx";

type FaultBody = operations["createFault"]["requestBody"]["content"]["application/json"];

/** The statuses a rule may answer an API request with (production's bad days). */
const API_STATUSES = [
  { status: 402, label: "402 Payment Required" },
  { status: 403, label: "403 Forbidden" },
  { status: 429, label: "429 Too Many Requests" },
  { status: 500, label: "500 Internal Server Error" },
  { status: 502, label: "502 Bad Gateway" },
  { status: 503, label: "503 Service Unavailable" },
] as const;

interface Draft {
  operation: string;
  userId: string;
  chatId: string;
  status: string;
  latencyMs: string;
  drop: "" | "before" | "after";
  retryAfter: string;
  times: string;
  probability: string;
  lasts: string;
  seed: string;
}

const EMPTY: Draft = {
  operation: "getChatsV2",
  userId: "",
  chatId: "",
  status: "500",
  latencyMs: "",
  drop: "",
  retryAfter: "",
  times: "1",
  probability: "",
  lasts: "",
  seed: "",
};

/** A number field as the API takes it: absent when empty (NaN reaches the server as null). */
function numberOf(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

export function FaultForm({
  groups,
  accounts,
  onAdded,
}: {
  groups: FaultOperationGroup[] | null;
  accounts: AccountOverview[];
  onAdded: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [lastsProblem, setLastsProblem] = useState<string | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((before) => ({ ...before, [key]: value }));

  const choice = groups?.flatMap((g) => g.operations).find((o) => o.id === draft.operation);
  const isWebhook = draft.operation === WEBHOOK_OPERATION;
  const chatAllowed = choice?.takesChat ?? true;

  const add = useAction(async (lastsSeconds: number | null) => {
    const body: FaultBody = { operation: draft.operation };
    const userId = numberOf(draft.userId);
    if (userId !== undefined) body.user_id = userId;
    if (chatAllowed && draft.chatId.trim()) body.chat_id = draft.chatId.trim();
    const status = numberOf(draft.status);
    if (status !== undefined) body.status = status;
    const latency = numberOf(draft.latencyMs);
    if (latency !== undefined) body.latency_ms = latency;
    if (draft.drop) body.drop = draft.drop;
    const retryAfter = draft.status === "429" ? numberOf(draft.retryAfter) : undefined;
    if (retryAfter !== undefined) body.retry_after = retryAfter;
    const times = numberOf(draft.times);
    if (times !== undefined) body.times = times;
    const probability = numberOf(draft.probability);
    if (probability !== undefined) body.probability = probability;
    const seed = numberOf(draft.seed);
    if (seed !== undefined) body.seed = seed;
    if (lastsSeconds !== null) {
      // `until` is a time of the sandbox clock, which may be days ahead of this browser's.
      const clock = await call("get", "/sandbox/v1/clock");
      body.until = clock.now + lastsSeconds;
    }
    await call("post", "/sandbox/v1/faults", { body });
    setDraft((before) => ({ ...EMPTY, operation: before.operation, userId: before.userId }));
    onAdded();
  });

  const submit = (event: Event) => {
    event.preventDefault();
    let lasts: number | null = null;
    if (draft.lasts.trim()) {
      lasts = parseDuration(draft.lasts);
      if (lasts === null || lasts <= 0) {
        setLastsProblem("Write a duration like 10m, 2h or 1d.");
        return;
      }
    }
    setLastsProblem(null);
    void add.run(lasts);
  };
  const problem = (field: string) => fieldProblem(add.error, field);

  return (
    <form class="fault-form" aria-labelledby="fault-form-title" onSubmit={submit}>
      <h3 id="fault-form-title" class="section-title">
        Add a rule
      </h3>
      <fieldset>
        <legend>Matches</legend>
        <div class="form-grid">
          <Field
            label="Operation"
            class="span-2"
            problem={problem("operation")}
            hint={choice?.summary}
          >
            {(input) => (
              <select
                {...input}
                value={draft.operation}
                onChange={(event) => {
                  const operation = event.currentTarget.value;
                  setDraft((before) => ({
                    ...before,
                    operation,
                    // A webhook rule's status is any error the receiver could answer.
                    status:
                      operation === WEBHOOK_OPERATION || before.operation === WEBHOOK_OPERATION
                        ? "500"
                        : before.status,
                  }));
                }}
              >
                {groups === null && <option value={draft.operation}>{draft.operation}</option>}
                {groups?.map((group) => (
                  <optgroup key={group.label} label={group.label}>
                    {group.operations.map((operation) => (
                      <option key={operation.id} value={operation.id}>
                        {operation.id}
                        {operation.summary ? ` — ${operation.summary}` : ""}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            )}
          </Field>
          <Field label="Account" problem={problem("user_id")}>
            {(input) => (
              <select
                {...input}
                value={draft.userId}
                onChange={(event) => set("userId", event.currentTarget.value)}
              >
                <option value="">Any account</option>
                {accounts.map((account) => (
                  <option key={account.user_id} value={String(account.user_id)}>
                    {account.name} ({account.user_id})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Chat"
            problem={problem("chat_id")}
            hint={chatAllowed ? "Optional: one chat only" : `${draft.operation} names no chat`}
          >
            {(input) => (
              <input
                {...input}
                value={chatAllowed ? draft.chatId : ""}
                disabled={!chatAllowed}
                maxLength={100}
                placeholder="chat_id"
                onInput={(event) => set("chatId", event.currentTarget.value)}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Does</legend>
        <div class="form-grid">
          <Field
            label="Status"
            problem={problem("status")}
            hint={isWebhook ? "What the receiver seems to answer: 400–599" : undefined}
          >
            {(input) =>
              isWebhook ? (
                <input
                  {...input}
                  type="number"
                  min={400}
                  max={599}
                  value={draft.status}
                  onInput={(event) => set("status", event.currentTarget.value)}
                />
              ) : (
                <select
                  {...input}
                  value={draft.status}
                  onChange={(event) => set("status", event.currentTarget.value)}
                >
                  <option value="">No status</option>
                  {API_STATUSES.map((s) => (
                    <option key={s.status} value={String(s.status)}>
                      {s.label}
                    </option>
                  ))}
                </select>
              )
            }
          </Field>
          <Field label="Latency, ms" problem={problem("latency_ms")} hint="Added before it acts">
            {(input) => (
              <input
                {...input}
                type="number"
                min={1}
                max={60000}
                value={draft.latencyMs}
                placeholder="none"
                onInput={(event) => set("latencyMs", event.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="Drop the connection" problem={problem("drop")}>
            {(input) => (
              <select
                {...input}
                value={draft.drop}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  const drop = value === "before" || value === "after" ? value : "";
                  // A rule drops or answers a status, never both: choosing a drop clears it.
                  setDraft((before) => ({ ...before, drop, status: drop ? "" : before.status }));
                }}
              >
                <option value="">No</option>
                <option value="before">Before it is acted on</option>
                <option value="after">After it committed</option>
              </select>
            )}
          </Field>
          <Field
            label="Retry-After, s"
            problem={problem("retry_after")}
            hint="With status 429 only"
          >
            {(input) => (
              <input
                {...input}
                type="number"
                min={0}
                max={86400}
                value={draft.retryAfter}
                disabled={draft.status !== "429"}
                onInput={(event) => set("retryAfter", event.currentTarget.value)}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>For how long</legend>
        <div class="form-grid">
          <Field label="Times" problem={problem("times")} hint="Empty: every time">
            {(input) => (
              <input
                {...input}
                type="number"
                min={1}
                value={draft.times}
                placeholder="always"
                onInput={(event) => set("times", event.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="Probability" problem={problem("probability")} hint="0–1, seeded draws">
            {(input) => (
              <input
                {...input}
                type="number"
                min={0}
                max={1}
                step="any"
                value={draft.probability}
                placeholder="1"
                onInput={(event) => set("probability", event.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            label="Lasts"
            problem={lastsProblem ?? problem("until")}
            hint="Sandbox time from now: 10m, 2h"
          >
            {(input) => (
              <input
                {...input}
                value={draft.lasts}
                placeholder="forever"
                autocomplete="off"
                onInput={(event) => set("lasts", event.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="Seed" problem={problem("seed")} hint="Of the probability draws">
            {(input) => (
              <input
                {...input}
                type="number"
                min={0}
                value={draft.seed}
                placeholder="from the id"
                onInput={(event) => set("seed", event.currentTarget.value)}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <ErrorNote error={add.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={add.busy}>
          {add.busy ? "Adding…" : "Add rule"}
        </button>
        <span class="field-hint">
          A rule needs an action: a status, a latency or a drop. Answers it touches carry{" "}
          <code>X-Beseda-Fault</code>.
        </span>
      </div>
    </form>
  );
}
