// The one place errors become responses. BesedaError renders in its catalogue envelope; Fastify's
// own 4xx errors (validation, bad JSON, wrong content type, body too large, unknown path) are
// mapped onto catalogue entries; anything else is a 500 whose details go to the log, never to the
// client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { AuthErrorStyle } from "../../config.ts";
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import type { ErrorCode } from "../../errors/catalogue.ts";

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** "/users/0/context/reason_id" → "users[0].context.reason_id"; a missing property is named. */
function fieldName(error: AjvError): string {
  const parts = error.instancePath.split("/").filter(Boolean);
  if (error.keyword === "required" && typeof error.params.missingProperty === "string") {
    parts.push(error.params.missingProperty);
  }
  return parts.reduce((name, part) => {
    if (/^\d+$/.test(part)) return `${name}[${part}]`;
    return name === "" ? part : `${name}.${part}`;
  }, "");
}

function fieldsOf(
  errors: readonly AjvError[],
  context: string | undefined,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const name = fieldName(error) || context || "body";
    const allowed = error.params.allowedValues;
    const message = Array.isArray(allowed)
      ? `must be one of ${allowed.join(", ")}`
      : (error.message ?? "is invalid");
    fields[name] ??= message;
  }
  return fields;
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large, bad URL) by status. */
const CLIENT_ERRORS: Record<number, ErrorCode> = {
  400: "bad_request",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** Turns whatever was thrown into a BesedaError; null for a server fault. */
export function toBesedaError(error: FastifyError | BesedaError | Error): BesedaError | null {
  if (error instanceof BesedaError) return error;
  const fastifyError = error as FastifyError & {
    validation?: AjvError[];
    validationContext?: string;
  };
  if (fastifyError.validation) {
    return validationError(fieldsOf(fastifyError.validation, fastifyError.validationContext));
  }
  if (error instanceof SyntaxError || fastifyError.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return new BesedaError("bad_request", { message: "The request body is not valid JSON" });
  }
  const code =
    fastifyError.statusCode === undefined ? undefined : CLIENT_ERRORS[fastifyError.statusCode];
  // Fastify's messages for client errors say what was wrong and reveal nothing of the server.
  return code ? new BesedaError(code, { message: error.message }) : null;
}

export function renderError(
  error: BesedaError,
  authErrors: AuthErrorStyle,
): { status: number; body: unknown } {
  const { spec } = error;
  switch (spec.envelope) {
    case "token":
      if (authErrors === "document") {
        return { status: 401, body: { error: { code: 401, message: error.message } } };
      }
      return { status: spec.status, body: { result: { status: false, message: error.message } } };
    case "oauth":
      return {
        status: spec.status,
        body: { error: spec.oauthError, error_description: error.message },
      };
    case "api": {
      const body: { code: number; message: string; fields?: Record<string, string> } = {
        code: spec.status,
        message: error.message,
      };
      if (error.fields) body.fields = error.fields;
      return { status: spec.status, body: { error: body } };
    }
  }
}

export function sendError(reply: FastifyReply, error: BesedaError, authErrors: AuthErrorStyle) {
  const { status, body } = renderError(error, authErrors);
  if (error.headers) reply.headers(error.headers);
  return reply.code(status).type("application/json; charset=utf-8").send(body);
}

export const errorHandler = fp(
  async (app: FastifyInstance, options: { authErrors: AuthErrorStyle }) => {
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const known = toBesedaError(error);
      if (known) return sendError(reply, known, options.authErrors);
      request.log.error({ err: error }, "request failed");
      return sendError(reply, new BesedaError("internal"), options.authErrors);
    });
    app.setNotFoundHandler((_request, reply) =>
      sendError(reply, new BesedaError("not_found"), options.authErrors),
    );
  },
  { name: "error-handler" },
);
