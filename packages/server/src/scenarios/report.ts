// What a scenario run reports: each buyer run's steps with their outcome, the failure's expected
// and actual messages and the conversation so far, and reply times. The CLI prints it, writes it
// as JUnit XML or JSON, and the sandbox API serves it. The shapes are those sandbox.json documents
// (ScenarioReport …), taken from its generated types, so that the engine and the published
// document cannot drift apart: a field added to one and not the other fails the type check.
import type { components } from "@beseda/contract/types/sandbox";
import type { Scenario } from "./model.ts";

type Schemas = components["schemas"];

export type Outcome = Schemas["ScenarioOutcome"];
/** One message of a conversation as a report shows it. */
export type ConversationLine = Schemas["ScenarioConversationLine"];
/** Why a step failed: one line, what it expected, what it got instead. */
export type StepFailure = Schemas["ScenarioStepFailure"];
export type StepReport = Schemas["ScenarioStep"];
/** One run of a buyer's script; `run` counts from 1. */
export type BuyerRunReport = Schemas["ScenarioBuyerRun"];
/** Reply times over every buyer run, with the expectations that timed out. */
export type ReplyTimes = Schemas["ScenarioReplyTimes"];
export type ScenarioReport = Schemas["ScenarioReport"];

/**
 * The report of a scenario the engine ran no buyer of, as it starts: nothing ran (yet), or the
 * scenario was `skipped` (after --bail, Ctrl-C) or `failed` before it could start (`error` says
 * why: the runner's or the engine's own fault). `startedAt`: ms since the epoch, real time.
 */
export function unrunScenarioReport(
  scenario: Scenario,
  outcome: Outcome,
  error: string | null,
  startedAt: number,
): ScenarioReport {
  return {
    name: scenario.name,
    file: scenario.file,
    position: scenario.position,
    outcome,
    error,
    started_at: new Date(startedAt).toISOString(),
    duration_ms: 0,
    seller_id: null,
    buyers: [],
    reply_times: null,
  };
}

/** What a runner hears while a scenario runs: enough to print it live or show it in the console. */
export interface ScenarioObserver {
  scenarioStarted?(report: ScenarioReport): void;
  buyerStarted?(buyer: BuyerRunReport): void;
  stepEnded?(buyer: BuyerRunReport, step: StepReport): void;
  buyerEnded?(buyer: BuyerRunReport): void;
  scenarioEnded?(report: ScenarioReport): void;
}
