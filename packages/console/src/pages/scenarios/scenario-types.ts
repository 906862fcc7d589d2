// The scenario runs the sandbox API serves (POST /sandbox/v1/scenarios/run, GET …/runs), as
// generated from the served sandbox document: a run, its report as it grows, and their parts.
import type { components } from "@beseda/contract/types/sandbox";

type Schemas = components["schemas"];

export type ScenarioRun = Schemas["ScenarioRun"];
export type ScenarioRunSummary = Schemas["ScenarioRunSummary"];
export type RunStatus = ScenarioRun["status"];
export type ScenarioReport = Schemas["ScenarioReport"];
export type Outcome = Schemas["ScenarioOutcome"];
export type BuyerRunReport = Schemas["ScenarioBuyerRun"];
export type StepReport = Schemas["ScenarioStep"];
export type ConversationLine = Schemas["ScenarioConversationLine"];
export type ReplyTimes = Schemas["ScenarioReplyTimes"];
