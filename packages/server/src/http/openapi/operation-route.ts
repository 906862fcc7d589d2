// Route options for one operation of the messenger document: its method, path, input schemas,
// required scope and the query normalization it needs. Route files add only their handler.
import { normalizeQuery } from "../plugins/wire-tolerance.ts";
import { findOperation, messengerDocument } from "./contract.ts";

export function operationRoute(operationId: string) {
  const operation = findOperation(messengerDocument, operationId);
  return {
    method: operation.method,
    url: operation.url,
    schema: operation.schema,
    config: { scope: operation.scope },
    preValidation: normalizeQuery(operation.schema.querystring),
  };
}
