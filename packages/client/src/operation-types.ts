// The request and response types of each operation, taken from the types generated from the
// corrected documents (src/generated), so the SDK's signatures change when the documents do.
// Names here are the SDK's public vocabulary; nothing in this file exists at run time.
import type { operations as AuthOperations } from "./generated/auth.ts";
import type {
  components,
  operations as MessengerOperations,
  paths as MessengerPaths,
} from "./generated/messenger.ts";

type Schemas = components["schemas"];
type JsonOf<Response> = Response extends { content: { "application/json": infer Body } }
  ? Body
  : undefined;
type Ok<Operation extends keyof MessengerOperations> = JsonOf<
  MessengerOperations[Operation]["responses"][200]
>;
type JsonBody<Operation extends keyof MessengerOperations> =
  NonNullable<MessengerOperations[Operation]["requestBody"]> extends {
    content: { "application/json": infer Body };
  }
    ? Body
    : never;

export type MessengerOperationId = keyof MessengerOperations;
export type MessengerPath = keyof MessengerPaths;

export type Chat = Schemas["Chat"];
export type Chats = Schemas["Chats"];
export type Message = Schemas["Messages"][number];
export type Messages = Schemas["Messages"];
export type MessageContent = Schemas["MessageContent"];
export type MessageType = NonNullable<Message["type"]>;
export type ChatType = components["parameters"]["chatTypes"][number];
export type WebhookEnvelope = Schemas["WebhookEnvelope"];
export type WebhookMessage = Schemas["WebhookMessage"];
export type VoiceFiles = Schemas["VoiceFiles"];

/** Filters and paging of getChatsV2. */
export type GetChatsQuery = NonNullable<MessengerOperations["getChatsV2"]["parameters"]["query"]>;
/** Paging of getMessagesV3. */
export type GetMessagesQuery = NonNullable<
  MessengerOperations["getMessagesV3"]["parameters"]["query"]
>;

export type SendMessageBody = JsonBody<"postSendMessage">;
export type SendImageMessageBody = JsonBody<"postSendImageMessage">;
export type BlacklistBody = JsonBody<"postBlacklistV2">;
export type WebhookSubscribeBody = JsonBody<"postWebhookV3">;
export type WebhookUnsubscribeBody = JsonBody<"postWebhookUnsubscribe">;

export type SentMessage = Ok<"postSendMessage">;
export type SentImageMessage = Ok<"postSendImageMessage">;
/** Image id → size ("1280x960"…) → URL; one image per upload, so one key. */
export type UploadedImages = Ok<"uploadImages">;
export type ChatReadResult = Ok<"chatRead">;
export type DeleteMessageResult = Ok<"deleteMessage">;
export type Subscriptions = Ok<"getSubscriptions">;
export type WebhookResult = Ok<"postWebhookV3">;
export type BlacklistResult = Ok<"postBlacklistV2">;

export type TokenRequest = NonNullable<
  AuthOperations["getAccessToken"]["requestBody"]
>["content"]["application/x-www-form-urlencoded"];
export type TokenResponse = JsonOf<AuthOperations["getAccessToken"]["responses"][200]>;

/**
 * `GET /core/v1/accounts/self` (the user document's getUserInfoSelf), which the client calls to
 * learn its own `user_id` when none was given. Written by hand: that document is not generated.
 */
export interface UserInfoSelf {
  id: number;
  name: string;
  email?: string;
  phone?: string;
  phones?: string[];
  profile_url?: string;
}
