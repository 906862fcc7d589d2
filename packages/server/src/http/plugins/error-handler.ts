// The one place errors become responses. BesedaError renders in its catalogue envelope; Fastify's
// own 4xx errors (validation, bad JSON, wrong content type, body too large, unknown path, bad URL)
// are mapped onto catalogue entries; a database that cannot be reached is a 503 with Retry-After,
// logged as a warning (the outage is the database's, not the request's); anything else is a 500
// whose details go to the log, never to the client. Errors answered outside Fastify's reply
// (http/plugins/protocol-errors.ts) are rendered here too, as raw bytes, so that every layer
// answers in the same envelope.
import { STATUS_CODES } from "node:http";
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from "fastify";
import fp from "fastify-plugin";
import type { AuthErrorStyle } from "../../config.ts";
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import type { ErrorCode } from "../../errors/catalogue.ts";
import { isStoreUnavailable } from "../../store/store-errors.ts";

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
  // A schema that refuses unknown fields names the one it found.
  if (
    error.keyword === "additionalProperties" &&
    typeof error.params.additionalProperty === "string"
  ) {
    parts.push(error.params.additionalProperty);
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
      : error.keyword === "additionalProperties"
        ? "is not a known field"
        : (error.message ?? "is invalid");
    fields[name] ??= message;
  }
  return fields;
}

/**
 * Fastify's own client errors (bad JSON, wrong content type, body too large, …) and its plugins'
 * by status. A 4xx status missing here is answered 400: still the client's fault, in the envelope.
 */
const CLIENT_ERRORS: Record<number, ErrorCode> = {
  400: "bad_request",
  404: "not_found",
  406: "not_acceptable",
  408: "request_timeout",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  417: "expectation_failed",
  431: "headers_too_large",
};

/** Seconds a client is told to wait while the database cannot be reached. */
const STORE_RETRY_AFTER_SECONDS = 5;

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
  // Fastify's message repeats the path, undecoded; the catalogue's says what is wrong with it.
  if (fastifyError.code === "FST_ERR_BAD_URL") return new BesedaError("bad_url");
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status <= 499) {
    // Fastify's messages for client errors say what was wrong and reveal nothing of the server.
    // (A body its client cut short is one of them, though its error says ECONNRESET.)
    return new BesedaError(CLIENT_ERRORS[status] ?? "bad_request", { message: error.message });
  }
  if (isStoreUnavailable(error)) {
    return new BesedaError("store_unavailable", {
      headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) },
    });
  }
  return null;
}

/**
 * What to answer for whatever was thrown, logged as it deserves: a lost database at warn (every
 * request fails alike until it returns; it is not this request's fault), a server fault in full
 * at error.
 */
export function answerFor(
  error: FastifyError | BesedaError | Error,
  log: FastifyBaseLogger,
): BesedaError {
  const known = toBesedaError(error);
  if (known?.code === "store_unavailable") {
    log.warn({ err: error }, "the database cannot be reached: answered 503");
  }
  if (known) return known;
  log.error({ err: error }, "request failed");
  return new BesedaError("internal");
}

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * The route speaks OAuth (the token endpoint): every error it answers, a malformed body or a
     * server fault included, is in OAuth's envelope (RFC 6749, section 5.2), its status kept.
     */
    oauthErrors?: boolean;
  }
}

export function renderError(
  error: BesedaError,
  authErrors: AuthErrorStyle,
  oauthErrors = false,
): { status: number; body: unknown } {
  const { spec } = error;
  if (oauthErrors && spec.envelope === "api") {
    const code = spec.status >= 500 ? "server_error" : "invalid_request";
    return { status: spec.status, body: { error: code, error_description: error.message } };
  }
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

const JSON_TYPE = "application/json; charset=utf-8";

export function sendError(reply: FastifyReply, error: BesedaError, authErrors: AuthErrorStyle) {
  const { status, body } = renderError(
    error,
    authErrors,
    reply.request.routeOptions.config?.oauthErrors,
  );
  if (error.headers) reply.headers(error.headers);
  return reply.code(status).type(JSON_TYPE).send(body);
}

/**
 * An error answered outside a Fastify reply (by Node's server, on a bare socket), whose connection
 * then closes: nothing after it on the socket can be trusted to be a request. Only the api
 * envelope reaches these paths, so the auth-error style does not matter.
 */
export function closingErrorResponse(error: BesedaError): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const { status, body } = renderError(error, "production");
  const text = JSON.stringify(body);
  return {
    status,
    headers: {
      ...error.headers,
      "Content-Type": JSON_TYPE,
      "Content-Length": String(Buffer.byteLength(text)),
      Connection: "close",
    },
    body: text,
  };
}

/** The same, as the bytes of a whole HTTP/1.1 response, to write on a socket. */
export function rawErrorResponse(error: BesedaError): string {
  const { status, headers, body } = closingErrorResponse(error);
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n${head.join("")}\r\n${body}`;
}

/**
 * Answers whatever was thrown. It is Fastify's error handler, and its `frameworkErrors` too: what
 * the router refuses before any route or hook runs (a bad percent-encoding, an over-long
 * parameter) would otherwise leave in Fastify's own shape.
 */
export function errorResponder(authErrors: AuthErrorStyle) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendError(reply, answerFor(error, request.log), authErrors);
}

export const errorHandler = fp(
  async (app: FastifyInstance, options: { authErrors: AuthErrorStyle }) => {
    app.setErrorHandler(errorResponder(options.authErrors));
    app.setNotFoundHandler((_request, reply) =>
      sendError(reply, new BesedaError("not_found"), options.authErrors),
    );
  },
  { name: "error-handler" },
);
