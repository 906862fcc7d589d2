// GET /docs: a browsable reference of the served documents, with a menu to switch between them
// (?doc=sandbox opens one directly). It is Swagger UI (swagger-ui-dist), served from the installed
// package's files by Beseda itself: no CDN, no font or analytics host, no validator badge, so it
// works offline. "Try it out" calls this server (the served documents name it as their server).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { SERVED_DOCUMENTS } from "../../openapi/served-documents.ts";

/** The package's files the page uses, and their content types. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
  "oauth2-redirect.html": "text/html; charset=utf-8",
  "oauth2-redirect.js": "text/javascript; charset=utf-8",
};

const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Beseda API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
<style>body{margin:0}.topbar-wrapper .link{visibility:hidden}</style>
</head>
<body>
<noscript><p>The reference needs JavaScript. The documents themselves:
${SERVED_DOCUMENTS.map((d) => `<a href="/openapi/${d.name}">${d.name}</a>`).join(", ")}.</p></noscript>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const DOCUMENTS = SERVED_DOCUMENTS.map((d) => ({ url: `/openapi/${d.name}`, name: d.title }));

// ?doc=sandbox (or sandbox.json, or the title) picks the document shown first.
const INIT = `"use strict";
(function () {
  var documents = ${JSON.stringify(DOCUMENTS)};
  var wanted = new URLSearchParams(location.search).get("doc");
  var first = documents.filter(function (d) {
    return wanted && (d.url === "/openapi/" + wanted || d.url === "/openapi/" + wanted + ".json" || d.name === wanted);
  })[0] || documents[0];
  window.ui = SwaggerUIBundle({
    urls: documents,
    "urls.primaryName": first.name,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    oauth2RedirectUrl: location.origin + "/docs/assets/oauth2-redirect.html",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
})();
`;

export function apiReference(app: FastifyInstance) {
  const files = new Map(
    Object.keys(ASSETS).map((name) => [name, readFileSync(join(PACKAGE_DIR, name))]),
  );
  app.get("/docs", async (_request, reply) => reply.type("text/html; charset=utf-8").send(PAGE));
  app.get("/docs/init.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("Cache-Control", "no-cache").send(INIT),
  );
  app.get<{ Params: { file: string } }>("/docs/assets/:file", async (request, reply) => {
    const { file } = request.params;
    const bytes = files.get(file);
    const type = ASSETS[file];
    if (!bytes || !type) throw new BesedaError("not_found");
    return reply.type(type).header("Cache-Control", "public, max-age=3600").send(bytes);
  });
}
