// POST /sandbox/v1/faults {"operation","user_id"?,"chat_id"?,"status"?,"latency_ms"?,"drop"?,
// "retry_after"?,"times"?,"probability"?,"seed"?,"until"?} → 201 the rule, with "fired":0. A rule
// that could never act is refused with 400 naming each field at fault, and nothing is stored.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { createFault as create } from "../../../domain/sandbox/faults.ts";
import { type DropWhen, MAX_LATENCY_MS } from "../../../domain/sandbox/faults-rules.ts";
import { userId } from "./schemas.ts";

interface Body {
  operation: string;
  user_id?: number;
  chat_id?: string;
  status?: number;
  latency_ms?: number;
  drop?: DropWhen;
  retry_after?: number;
  times?: number;
  probability?: number;
  seed?: number;
  until?: number;
}

const body = {
  type: "object",
  // A misspelt condition would widen the rule silently: unknown fields are refused by name.
  additionalProperties: false,
  properties: {
    operation: { type: "string", minLength: 1, maxLength: 100 },
    user_id: userId,
    chat_id: { type: "string", minLength: 1, maxLength: 100 },
    status: { type: "integer", minimum: 100, maximum: 599 },
    latency_ms: { type: "integer", minimum: 1, maximum: MAX_LATENCY_MS },
    drop: { type: "string", enum: ["before", "after"] },
    retry_after: { type: "integer", minimum: 0, maximum: 86_400 },
    times: { type: "integer", minimum: 1, maximum: 1_000_000_000 },
    probability: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    seed: { type: "integer", minimum: 0, maximum: 4_294_967_295 },
    until: { type: "integer", format: "int64", minimum: 0 },
  },
  required: ["operation"],
} as const;

export function createFault(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Body: Body }>({
    method: "POST",
    url: "/faults",
    schema: { body },
    handler: async ({ body }, reply) => {
      const rule = await create(ctx, {
        operation: body.operation,
        userId: body.user_id ?? null,
        chatId: body.chat_id ?? null,
        status: body.status ?? null,
        latencyMs: body.latency_ms ?? null,
        drop: body.drop ?? null,
        retryAfter: body.retry_after ?? null,
        times: body.times ?? null,
        probability: body.probability ?? null,
        seed: body.seed ?? null,
        until: body.until ?? null,
      });
      return reply.code(201).send(rule);
    },
  });
}
