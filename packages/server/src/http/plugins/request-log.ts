// One log line per request: method, path, status, duration, the account, if any, and the sandbox
// fault rule that acted on it, if one did. Secrets never reach the log: query values of
// credential parameters are masked, and headers are not logged.
// Fastify's LogController is where its own per-request lines come from; this one replaces both of
// them (incoming and completed) with that single line.
import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

// Every query parameter Beseda takes that is a credential: OAuth's on GET /token (client_secret,
// code, refresh_token), the voice links' signature (it opens a file for an hour), and the names
// clients put tokens under.
const SECRET_PARAMS = /^(client_secret|refresh_token|code|access_token|token|password|signature)$/i;

export function redactUrl(url: string): string {
  const queryAt = url.indexOf("?");
  if (queryAt < 0) return url;
  const params = new URLSearchParams(url.slice(queryAt + 1));
  for (const key of new Set(params.keys())) {
    if (SECRET_PARAMS.test(key.replace(/\[\]$/, ""))) params.set(key, "***");
  }
  return `${url.slice(0, queryAt)}?${params.toString().replaceAll("%2A", "*")}`;
}

export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const { fault } = request;
    const line = {
      method: request.method,
      url: redactUrl(request.url),
      // Dropped before the handler: nothing was answered, nor decided.
      status: fault?.drop === "before" ? null : reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      user_id: request.principal?.userId,
      // A sandbox fault rule acted on it (http/plugins/faults.ts); dropped: no answer was sent.
      fault: fault?.id,
      dropped: fault?.drop ?? undefined,
    };
    if (error) reply.log.error({ ...line, err: error }, "request");
    else reply.log.info(line, "request");
  }
}
