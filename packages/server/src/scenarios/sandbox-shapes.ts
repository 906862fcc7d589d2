// The sandbox API's shapes the engine reads, from the generated types of sandbox.json: the engine
// is a client of that API and knows its answers only through the published document.
import type { components } from "@beseda/contract/types/sandbox";

type Schemas = components["schemas"];

export type SandboxMessage = Schemas["SandboxMessage"];
export type MessageContent = SandboxMessage["content"];
export type ChatOverview = Schemas["ChatOverview"];
export type OpenedChat = Schemas["OpenedChat"];
export type CreatedItem = Schemas["CreatedItem"];
export type AccountOverview = Schemas["AccountOverview"];
export type Credentials = Schemas["Credentials"];
export type FaultRule = Schemas["FaultRule"];
export type Delivery = Schemas["Delivery"];
export type LiveEvent = Schemas["LiveEvent"];
export type Clock = Schemas["Clock"];
export type ImageSizes = Schemas["ImageSizes"];

/** The `delivery` event of GET /sandbox/v1/events. */
export type DeliveryEvent = Extract<LiveEvent, { type: "delivery" }>;
/** The `chat_read` event of GET /sandbox/v1/events. */
export type ChatReadEvent = Extract<LiveEvent, { type: "chat_read" }>;
