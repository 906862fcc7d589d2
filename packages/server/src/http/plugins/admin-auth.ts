// Guards the sandbox control API: "Authorization: Bearer <admin token>", compared in constant time.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { sha256Hex } from "../../domain/ids.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import { bearerToken } from "./bearer-auth.ts";

export const adminAuth = fp(
  async (app: FastifyInstance, options: { adminToken: string }) => {
    const expected = Buffer.from(sha256Hex(options.adminToken), "hex");
    app.addHook("onRequest", async (request) => {
      const token = bearerToken(request);
      const given = Buffer.from(sha256Hex(token ?? ""), "hex");
      if (!token || !timingSafeEqual(given, expected)) throw new BesedaError("admin_token_invalid");
    });
  },
  { name: "admin-auth" },
);
