// The operations a fault rule can name, read from the documents this server serves (so the list
// is the server's own, never a copy that drifts): the messenger API's operations, the items and
// user ones, getAccessToken for POST /token, and the two special names `*` and `webhook`.
import { errorOf } from "../api.ts";

export interface FaultOperationChoice {
  id: string;
  summary: string;
  /** Its path names a chat, so a rule may narrow it to one chat. */
  takesChat: boolean;
}

export interface FaultOperationGroup {
  label: string;
  operations: FaultOperationChoice[];
}

export const ANY_OPERATION = "*";
export const WEBHOOK_OPERATION = "webhook";

const SPECIAL: FaultOperationGroup = {
  label: "Special",
  operations: [
    { id: ANY_OPERATION, summary: "every API operation", takesChat: true },
    { id: WEBHOOK_OPERATION, summary: "the account's webhook deliveries", takesChat: true },
  ],
};

const DOCUMENTS = [
  { file: "messenger.json", label: "Messenger API" },
  { file: "auth.json", label: "Tokens" },
  { file: "items.json", label: "Items" },
  { file: "user.json", label: "User" },
] as const;

const METHODS = ["get", "post", "put", "delete", "patch"] as const;

interface Document {
  paths?: Record<string, Partial<Record<string, { operationId?: string; summary?: string }>>>;
}

async function operationsOf(file: string): Promise<FaultOperationChoice[]> {
  const response = await fetch(`/openapi/${file}`, { credentials: "same-origin" });
  if (!response.ok) throw await errorOf(response);
  const document = (await response.json()) as Document;
  const found: FaultOperationChoice[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      found.push({
        id: operation.operationId,
        summary: operation.summary ?? "",
        takesChat: path.includes("{chat_id}"),
      });
    }
  }
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

export async function loadFaultOperations(): Promise<FaultOperationGroup[]> {
  const groups = await Promise.all(
    DOCUMENTS.map(async ({ file, label }) => ({ label, operations: await operationsOf(file) })),
  );
  return [SPECIAL, ...groups.filter((group) => group.operations.length > 0)];
}
