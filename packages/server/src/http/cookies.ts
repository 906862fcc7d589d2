// Reads one cookie from a request's Cookie header (RFC 6265 §5.4: "name=value" pairs split by ";").
import type { FastifyRequest } from "fastify";

export function cookieValue(request: FastifyRequest, name: string): string | null {
  for (const pair of (request.headers.cookie ?? "").split(";")) {
    const equals = pair.indexOf("=");
    if (equals > 0 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim();
  }
  return null;
}
