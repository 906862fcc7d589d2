// Public, unauthenticated routes: the health check and what the links in API responses point at
// (placeholder avatars and item images, item and profile pages).
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { publicItem, publicProfile } from "../../../domain/public-pages.ts";
import { AVATAR_SIZES, AVATAR_VARIANTS } from "../../../domain/public-urls.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { paletteColour, solidPng } from "./placeholder-png.ts";

const ITEM_IMAGE_SIZES = ["140x105"];

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
