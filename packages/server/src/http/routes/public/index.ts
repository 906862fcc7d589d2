// Public, unauthenticated routes: the health and readiness checks, and what the links in API
// responses point at (placeholder avatars and item images, item and profile pages).
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { publicItem, publicProfile } from "../../../domain/public-pages.ts";
import { AVATAR_SIZES, AVATAR_VARIANTS } from "../../../domain/public-urls.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { paletteColour, solidPng } from "./placeholder-png.ts";

const ITEM_IMAGE_SIZES = ["140x105"];

/** How long /readyz waits for the database to answer before it says this node is not ready. */
const READY_TIMEOUT_MS = 2_000;

/**
 * Whether the store answers a query within READY_TIMEOUT_MS. Probes that arrive while a check is
 * under way share its answer, so that however often a load balancer asks, a hung database is sent
 * at most one ping per READY_TIMEOUT_MS (each may hold a connection until the database answers).
 */
function readinessCheck(ctx: DomainContext): () => Promise<boolean> {
  let pending: Promise<boolean> | null = null;
  const check = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      const settle = (ready: boolean) => {
        clearTimeout(timer);
        resolve(ready);
      };
      ctx.store.ping().then(
        () => settle(true),
        () => settle(false),
      );
    });
  return () => {
    pending ??= check().finally(() => {
      pending = null;
    });
    return pending;
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

function sendPng(request: FastifyRequest, reply: FastifyReply, size: string, colour: number) {
  const [width, height] = size.split("x").map(Number) as [number, number];
  const png = solidPng(width, height, paletteColour(colour));
  const etag = `"${createHash("sha1").update(png).digest("base64url")}"`;
  reply.header("Cache-Control", "public, max-age=86400").header("ETag", etag);
  if (request.headers["if-none-match"] === etag) return reply.code(304).send();
  return reply.type("image/png").send(png);
}

export function publicRoutes(app: FastifyInstance, ctx: DomainContext) {
  app.get("/healthz", async (_request, reply) => {
    try {
      await ctx.store.ping();
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });

  // For a load balancer: whether this node can run a query on its database now (not the API's
  // envelope, like /healthz). A node that answers 503 here is taken out of rotation until it
  // answers 200 again.
  const ready = readinessCheck(ctx);
  app.get("/readyz", async (_request, reply) => {
    if (await ready()) return { status: "ready" };
    return reply.code(503).send({ status: "unavailable" });
  });

  app.get<{ Params: { file: string } }>("/static/avatars/:file", async (request, reply) => {
    const match = /^(\d+)_(\d+x\d+)\.png$/.exec(request.params.file);
    const [, variant, size] = match ?? [];
    const known = (AVATAR_SIZES as readonly string[]).includes(size ?? "");
    if (!variant || !size || !known || Number(variant) >= AVATAR_VARIANTS) {
      throw new BesedaError("not_found");
    }
    return sendPng(request, reply, size, Number(variant));
  });

  app.get<{ Params: { file: string } }>("/static/items/:file", async (request, reply) => {
    const match = /^(\d+)_(\d+x\d+)\.png$/.exec(request.params.file);
    const [, itemId, size] = match ?? [];
    if (!itemId || !size || !ITEM_IMAGE_SIZES.includes(size)) throw new BesedaError("not_found");
    await publicItem(ctx, Number(itemId));
    return sendPng(request, reply, size, Number(itemId));
  });

  app.get<{ Params: { item_id: string } }>("/items/:item_id", async (request, reply) => {
    if (!/^\d{1,16}$/.test(request.params.item_id)) throw new BesedaError("item_not_found");
    const item = await publicItem(ctx, Number(request.params.item_id));
    const body = `<h1>${escapeHtml(item.title)}</h1><p>${escapeHtml(item.priceString ?? "")}</p><img src="${escapeHtml(item.imageUrl)}" alt=""><p><a href="${escapeHtml(item.sellerProfileUrl)}">${escapeHtml(item.sellerName)}</a></p>`;
    return reply.type("text/html; charset=utf-8").send(page(item.title, body));
  });

  app.get<{ Params: { key: string } }>("/user/:key/profile", async (request, reply) => {
    const profile = await publicProfile(ctx, request.params.key);
    const body = `<img src="${escapeHtml(profile.avatarUrl)}" alt=""><h1>${escapeHtml(profile.name)}</h1>`;
    return reply.type("text/html; charset=utf-8").send(page(profile.name, body));
  });
}
