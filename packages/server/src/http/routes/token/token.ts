// POST /token (form-encoded, as the auth document says; JSON accepted too) and GET /token with
// query parameters (one popular bot does that); /token/ answers the same. Grants:
// client_credentials, authorization_code (with redirect_uri when the code is bound to one),
// refresh_token. Errors in OAuth's own envelope.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { requestToken, type TokenRequest } from "../../../domain/tokens.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";

type Fields = Record<string, unknown>;

function field(fields: Fields, name: string): string {
  const raw = fields[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string" || value === "") {
    throw new BesedaError("oauth_invalid_request", { message: `Missing parameter: ${name}` });
  }
  return value;
}

/** An optional parameter: null when absent or empty. */
function optionalField(fields: Fields, name: string): string | null {
  const raw = fields[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" && value !== "" ? value : null;
}

/** The grant a token request asks for, with every parameter it needs, or an OAuth error. */
export function parseTokenRequest(fields: Fields): TokenRequest {
  const grantType = field(fields, "grant_type");
  const client = {
    client_id: field(fields, "client_id"),
    client_secret: field(fields, "client_secret"),
  };
  switch (grantType) {
    case "client_credentials":
      return { grant_type: grantType, ...client };
    case "authorization_code":
      return {
        grant_type: grantType,
        ...client,
        code: field(fields, "code"),
        redirect_uri: optionalField(fields, "redirect_uri"),
      };
    case "refresh_token":
      return { grant_type: grantType, ...client, refresh_token: field(fields, "refresh_token") };
    default:
      throw new BesedaError("oauth_unsupported_grant_type", {
        message: `Unsupported grant_type: ${grantType}`,
      });
  }
}

function fieldsOf(request: FastifyRequest): Fields {
  const source = request.method === "GET" ? request.query : request.body;
  return typeof source === "object" && source !== null ? (source as Fields) : {};
}

export function token(app: FastifyInstance, ctx: DomainContext) {
  app.route({
    method: ["GET", "POST"],
    url: "/token",
    // HEAD would run the GET handler and issue a token nobody sees.
    exposeHeadRoute: false,
    // A malformed body or a wrong content type is answered in OAuth's envelope too. The
    // operationId is the auth document's: sandbox fault rules name the endpoint by it.
    config: { oauthErrors: true, operationId: "getAccessToken" },
    handler: async (request, reply) => {
      reply.header("Cache-Control", "no-store");
      return requestToken(ctx, parseTokenRequest(fieldsOf(request)));
    },
  });
}
