// The sandbox's fault rules (POST /sandbox/v1/faults), acted out on every route that names its
// operation (config.operationId: the messenger's routes through operation-route.ts, the token
// endpoint). Runs as the last step before the handler (preHandler): the token, the scope and the
// input have passed, so a fault hits a request production would have served. With no rule for the
// operation the request costs one Set lookup. A rule that fires:
// - latency_ms: waits, then goes on (with its status or drop, if it has one);
// - status: answers production's error for it, in production's body (429 with Retry-After and the
//   rate-limit headers), and the handler does not run;
// - drop "before": the socket is destroyed, the handler does not run, nothing changes;
// - drop "after": the handler runs and commits (the message is stored, its webhook queued), then
//   the socket is destroyed instead of answering.
// Every answer a rule touched carries X-Beseda-Fault: <rule id>, and its request-log line names
// the rule; a dropped request has no answer, so its line is written here.
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preHandlerHookHandler,
} from "fastify";
import fp from "fastify-plugin";
import type { DomainContext } from "../../domain/context.ts";
import { accountOfClient } from "../../domain/sandbox/faults.ts";
import type { DropWhen, FaultRule } from "../../domain/sandbox/faults-rules.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import type { ErrorCode } from "../../errors/catalogue.ts";
import type { RequestLogController } from "./request-log.ts";

export const FAULT_HEADER = "X-Beseda-Fault";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The operation the route serves, as fault rules name it (an operationId). */
    operationId?: string;
  }
  interface FastifyRequest {
    /** The fault rule acting on this request, if one fired. */
    fault: InjectedFault | null;
  }
}

export interface InjectedFault {
  id: string;
  drop: DropWhen | null;
}

/** Each status a rule may answer, as the catalogue's entry whose body production sends. */
const STATUS_ERRORS: Record<number, ErrorCode> = {
  402: "payment_required",
  403: "token_expired",
  429: "rate_limited",
  500: "internal",
  502: "bad_gateway",
  503: "service_unavailable",
};

/** What the route's request names as the chat: its path's chat_id. */
function chatOf(request: FastifyRequest): string | null {
  const { chat_id: chatId } = request.params as { chat_id?: unknown };
  return typeof chatId === "string" ? chatId : null;
}

/** The client_id a token request sends, in its body or (GET) its query. */
function clientIdOf(request: FastifyRequest): string | null {
  const source = (request.method === "GET" ? request.query : request.body) as unknown;
  if (typeof source !== "object" || source === null) return null;
  const raw = (source as Record<string, unknown>).client_id;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" ? value : null;
}

/** A route's hooks of one kind as a list (Fastify takes one, a list, or none). */
function hooksOf<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return [];
  return Array.isArray(hooks) ? hooks : [hooks];
}

export const faults = fp(
  async (
    app: FastifyInstance,
    options: { ctx: DomainContext; rateLimitPerMinute: number; requestLog: RequestLogController },
  ) => {
    const { ctx, requestLog } = options;
    const registry = ctx.faults;

    app.decorateRequest("fault", null);

    // Requests sleeping in a rule's latency go on at once: the server is closing.
    app.addHook("preClose", (done) => {
      registry.close();
      done();
    });

    /** The account the request acts for: its path's user_id, its token's, or its client_id's. */
    async function accountOf(request: FastifyRequest, operation: string): Promise<number | null> {
      const { user_id: userId } = request.params as { user_id?: unknown };
      if (typeof userId === "number") return userId;
      if (request.principal) return request.principal.userId;
      if (!registry.wantsAccount(operation)) return null;
      return accountOfClient(ctx, clientIdOf(request));
    }

    /** Ends the request without an answer; the access line says so. */
    function drop(request: FastifyRequest, reply: FastifyReply): void {
      reply.hijack();
      request.raw.socket?.destroy();
      requestLog.requestCompleted(null, request, reply);
    }

    function faultError(rule: FaultRule): BesedaError {
      const headers: Record<string, string> = { [FAULT_HEADER]: rule.id };
      const status = rule.status ?? 500;
      if (status === 429) {
        // By default the rate limiter's own answer: the seconds to the next minute.
        const nowMs = ctx.clock.nowMs();
        const toNextMinute = Math.ceil((60_000 - (nowMs % 60_000)) / 1000);
        headers["Retry-After"] = String(rule.retryAfter ?? toNextMinute);
        headers["X-RateLimit-Limit"] = String(options.rateLimitPerMinute);
        headers["X-RateLimit-Remaining"] = "0";
      }
      return new BesedaError(STATUS_ERRORS[status] ?? "internal", { headers });
    }

    async function inject(request: FastifyRequest, reply: FastifyReply, operation: string) {
      const target = {
        operation,
        userId: await accountOf(request, operation),
        chatId: chatOf(request),
      };
      const rule = await registry.pick(target, ctx.clock.now());
      if (!rule) return;
      request.fault = { id: rule.id, drop: rule.drop };
      reply.header(FAULT_HEADER, rule.id);
      if (rule.latencyMs !== null) await registry.delay(rule.latencyMs);
      if (rule.status !== null) throw faultError(rule);
      if (rule.drop === "before") drop(request, reply);
      // "after" is acted out in onSend, once the handler has answered.
    }

    const actOnFaults: preHandlerHookHandler = (request, reply, done) => {
      const operation = request.routeOptions.config.operationId;
      if (operation === undefined || !registry.mayMatch(operation)) {
        done();
        return;
      }
      inject(request, reply, operation).then(() => done(), done);
    };

    const dropAfter: onSendHookHandler = (request, reply, payload, done) => {
      if (request.fault?.drop === "after") drop(request, reply);
      done(null, payload);
    };

    // Every route made after this plugin is registered that names its operation gets the two
    // hooks (the others, the sandbox's and the media's, are left as they were), and the registry
    // learns the operations rules may name.
    app.addHook("onRoute", (route) => {
      const operationId = route.config?.operationId;
      if (!operationId) return;
      registry.addOperation({ operationId, takesChat: route.url.includes(":chat_id") });
      route.preHandler = [...hooksOf(route.preHandler), actOnFaults];
      route.onSend = [...hooksOf(route.onSend), dropAfter];
    });
  },
  { name: "faults" },
);
