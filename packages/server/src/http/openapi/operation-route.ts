// Route options for one operation of the messenger document: its method, path, input schemas,
// and required scope. Route files add only their handler.
import { findOperation, messengerDocument } from "./contract.ts";

export function operationRoute(operationId: string) {
  const operation = findOperation(messengerDocument, operationId);
  return {
    method: operation.method,
    url: operation.url,
    schema: operation.schema,
    config: { scope: operation.scope },
  };
}
