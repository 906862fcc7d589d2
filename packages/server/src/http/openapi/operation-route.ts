// Route options for one operation of the messenger document (or, for the calls around the
// messenger, of the user or items document): its method, path, input schemas, and required scope.
// Route files add only their handler.
import { findOperation, messengerDocument, type OpenApiDocument } from "./contract.ts";

export function operationRoute(operationId: string, document: OpenApiDocument = messengerDocument) {
  const operation = findOperation(document, operationId);
  return {
    method: operation.method,
    url: operation.url,
    schema: operation.schema,
    // operationId: what sandbox fault rules match the route by (http/plugins/faults.ts).
    config: { scope: operation.scope, operationId },
  };
}
