// The sandbox API's shapes, as generated from the served sandbox document (@beseda/contract).
import type { components } from "@beseda/contract/types/sandbox";

type Schemas = components["schemas"];

export type AccountOverview = Schemas["AccountOverview"];
export type App = Schemas["App"];
export type ChatOverview = Schemas["ChatOverview"];
export type SandboxMessage = Schemas["SandboxMessage"];
export type Delivery = Schemas["Delivery"];
export type DeliveryAttempt = Schemas["DeliveryAttempt"];
export type FaultRule = Schemas["FaultRule"];
export type Clock = Schemas["Clock"];
export type LiveEvent = Schemas["LiveEvent"];
export type ApiErrorBody = Schemas["Error"];
export type ChatUser = ChatOverview["users"][number];
export type MessageContent = NonNullable<SandboxMessage["content"]>;
