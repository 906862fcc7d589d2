// What Node's HTTP server would answer by itself, outside any Fastify reply, each in its own shape
// (mostly an empty body): parse errors, headers too large, the connection timeouts, an unknown
// Expect value, CONNECT, an HTTP/1.1 request without Host, and requests arriving while the server
// closes.
// Here each is answered in the API's envelope by the one renderer (error-handler.ts), and the
// connection is closed. The timeouts themselves are set in app.ts, from the config.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { BesedaError } from "../../errors/beseda-error.ts";
import { ERRORS } from "../../errors/catalogue.ts";
import { closingErrorResponse, rawErrorResponse } from "./error-handler.ts";

interface HttpSocket extends Socket {
  /** The response in flight on this socket: Node's own (internal) test before it answers. */
  _httpMessage?: ServerResponse | null;
}

interface ClientError extends Error {
  code?: string;
  /** llhttp's words for a parse error, e.g. "Invalid header value char". */
  reason?: unknown;
}

function clientErrorOf(error: ClientError): BesedaError {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new BesedaError("request_timeout");
    case "HPE_HEADER_OVERFLOW":
      return new BesedaError("headers_too_large");
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new BesedaError("payload_too_large", {
        message: "The chunk extensions are too large",
      });
    default: {
      const reason = typeof error.reason === "string" ? `: ${error.reason}` : "";
      return new BesedaError("http_malformed", {
        message: `${ERRORS.http_malformed.message}${reason}`,
      });
    }
  }
}

/**
 * Writes `error` unless an answer has begun on the socket (Node's own rule: never corrupt a
 * response under way), then closes the connection, whose next bytes cannot be trusted.
 */
function answerAndClose(socket: HttpSocket, error: BesedaError): void {
  if (socket.writable && !socket._httpMessage?.headersSent) socket.write(rawErrorResponse(error));
  socket.destroy();
}

/**
 * Fastify's `clientErrorHandler`, called for Node's `clientError`: a request that cannot be parsed,
 * headers over the size limit, or the headers or request timeout.
 */
export function clientErrorHandler(this: FastifyInstance, error: ClientError, socket: Socket) {
  // A reset or closed connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // Only the code is logged: the error's rawPacket holds the request's bytes, credentials included.
  this.log.debug({ code: error.code }, "client error");
  answerAndClose(socket, clientErrorOf(error));
}

export const protocolErrors = fp(
  async (app: FastifyInstance) => {
    // The idle timeout (the socket's, `connectionTimeout`): a request whose body stopped arriving
    // is told why. A connection idle between requests (the keep-alive timeout ends up here too),
    // or whose client stopped reading an answer, is just closed, as Node does.
    app.server.on("timeout", (socket: HttpSocket) => {
      const response = socket._httpMessage;
      if (response && !response.req.complete) {
        answerAndClose(socket, new BesedaError("request_timeout"));
      } else socket.destroy();
    });

    // Node closes a CONNECT (a proxy's tunnel request) without a word unless this event is handled.
    app.server.on("connect", (_request: IncomingMessage, socket: HttpSocket) => {
      answerAndClose(
        socket,
        new BesedaError("bad_request", { message: "CONNECT is not supported: this is no proxy" }),
      );
    });

    // Node answers an Expect other than 100-continue with a bare 417 unless this event is handled.
    app.server.on("checkExpectation", (_request: IncomingMessage, response: ServerResponse) => {
      const { status, headers, body } = closingErrorResponse(new BesedaError("expectation_failed"));
      response.writeHead(status, headers).end(body);
    });

    // Node's own check (requireHostHeader, turned off in app.ts) answers an empty 400.
    app.addHook("onRequest", async (request) => {
      if (request.raw.httpVersion === "1.1" && request.headers.host === undefined) {
        throw new BesedaError("host_missing", { headers: { Connection: "close" } });
      }
    });

    // Fastify's own load-shedding while it closes (return503OnClosing, turned off in app.ts)
    // answers in its shape; requests already in flight are not affected by either.
    let closing = false;
    app.addHook("preClose", async () => {
      closing = true;
    });
    app.addHook("onRequest", async () => {
      if (closing) throw new BesedaError("shutting_down", { headers: { Connection: "close" } });
    });
  },
  { name: "protocol-errors" },
);
