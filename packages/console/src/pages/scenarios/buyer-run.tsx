// One buyer run of a scenario: its steps with their marks (✓ ✗ –), durations and reply times; the
// failing step's expected and actual answer and the conversation so far; a link to the chat in
// the seller's inbox, where the whole of it can be read (and written to as the buyer).
import { formatTime } from "../../format.ts";
import { Link } from "../../router.tsx";
import { buyerDone, formatMs, MARKS, type StepState } from "./run-format.ts";
import type { BuyerRunReport, ConversationLine, StepReport } from "./scenario-types.ts";

function Mark({ state }: { state: StepState }) {
  const { mark, word } = MARKS[state];
  return (
    <span class={`step-mark ${state}`} title={word}>
      <span aria-hidden="true">{mark}</span>
      <span class="visually-hidden">{word}</span>
    </span>
  );
}

function Step({ step, state }: { step: StepReport; state: StepState }) {
  const timing =
    state === "passed" || state === "failed"
      ? [
          formatMs(step.duration_ms),
          step.reply_ms === null ? "" : `reply ${formatMs(step.reply_ms)}`,
        ]
          .filter(Boolean)
          .join(" · ")
      : "";
  return (
    <li class={`scenario-step ${state}`}>
      <Mark state={state} />
      <span class="step-title">{step.title}</span>
      <span class="step-time muted small-text tabular">{timing}</span>
      {step.failure && (
        <div class="step-failure">
          <p class="no-margin">{step.failure.message}</p>
          <dl class="kv">
            {step.failure.expected !== null && (
              <>
                <dt>Expected</dt>
                <dd>
                  <pre class="expected">{step.failure.expected}</pre>
                </dd>
              </>
            )}
            {step.failure.actual !== null && (
              <>
                <dt>Actual</dt>
                <dd>
                  <pre class="actual">{step.failure.actual}</pre>
                </dd>
              </>
            )}
          </dl>
        </div>
      )}
    </li>
  );
}

function Conversation({ lines, buyer }: { lines: ConversationLine[]; buyer: string }) {
  return (
    <section class="run-conversation" aria-label={`Conversation of ${buyer}`}>
      <h4 class="section-title">Conversation so far</h4>
      <ol class="plain-list">
        {lines.map((line) => (
          <li key={line.message_id} class={`conversation-line ${line.side}`}>
            <span class="conversation-who">{line.side === "buyer" ? buyer : "Seller"}</span>
            <span class="conversation-text">{line.text}</span>
            <time class="muted small-text tabular">{formatTime(line.created)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function BuyerRun({
  buyer,
  sellerId,
  scenarioRunning,
}: {
  buyer: BuyerRunReport;
  sellerId: number | null;
  scenarioRunning: boolean;
}) {
  const done = buyerDone(buyer, scenarioRunning);
  const state: StepState = done ? buyer.outcome : "running";
  const chat =
    sellerId !== null && buyer.chat_id !== null
      ? `/inbox/${sellerId}/${encodeURIComponent(buyer.chat_id)}${buyer.buyer_id === null ? "" : `?as=${buyer.buyer_id}`}`
      : null;
  const label = `${buyer.buyer}: ${MARKS[state].word}`;
  return (
    <li class={`card buyer-run ${state}`} aria-label={label}>
      <div class="buyer-run-head">
        <Mark state={state} />
        <h3 class="no-margin">{buyer.buyer}</h3>
        <span class="muted small-text tabular">{done ? formatMs(buyer.duration_ms) : ""}</span>
        {chat && (
          <Link
            to={chat}
            class="small-text buyer-chat"
            aria-label={`Open the chat of ${buyer.buyer}`}
          >
            Open chat
          </Link>
        )}
      </div>
      <ol class="scenario-steps" aria-label={`Steps of ${buyer.buyer}`}>
        {buyer.steps.map((step) => (
          <Step key={step.index} step={step} state={step.outcome} />
        ))}
        {!done && (
          <li class="scenario-step running">
            <Mark state="running" />
            <span class="step-title muted">
              {buyer.steps.length === 0 ? "Opening the chat…" : "Next step…"}
            </span>
          </li>
        )}
      </ol>
      {buyer.outcome === "failed" && buyer.conversation.length > 0 && (
        <Conversation lines={buyer.conversation} buyer={buyer.buyer} />
      )}
    </li>
  );
}
