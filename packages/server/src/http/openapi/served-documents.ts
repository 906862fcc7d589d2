// The documents Beseda serves at /openapi/{name}.json: the corrected Avito documents and the
// sandbox's own, each with `servers` set to this server's public base URL, and its OAuth URLs
// (avito.ru/oauth, api.avito.ru/token) pointing here too, so that a client generated from a
// served document, or the "Try it out" of /docs, talks to Beseda. The files in packages/contract
// keep production's URLs.
import {
  authDocument,
  itemsDocument,
  messengerDocument,
  type OpenApiDocument,
  sandboxDocument,
  userDocument,
} from "./contract.ts";

export interface ServedDocument {
  /** The file name under /openapi/. */
  name: string;
  /** What the reference at /docs calls it. */
  title: string;
  document: OpenApiDocument;
}

export const SERVED_DOCUMENTS: readonly ServedDocument[] = [
  { name: "messenger.json", title: "Messenger API", document: messengerDocument },
  { name: "auth.json", title: "Tokens (auth)", document: authDocument },
  { name: "user.json", title: "User: accounts/self", document: userDocument },
  { name: "items.json", title: "Items", document: itemsDocument },
  { name: "sandbox.json", title: "Sandbox control API", document: sandboxDocument },
];

/** Production's hosts in the documents' OAuth flows, and what each becomes. */
const PRODUCTION_ORIGINS = ["https://api.avito.ru", "https://avito.ru", "https://www.avito.ru"];

function localUrl(url: unknown, base: string): unknown {
  if (typeof url !== "string") return url;
  const origin = PRODUCTION_ORIGINS.find((o) => url === o || url.startsWith(`${o}/`));
  return origin ? `${base}${url.slice(origin.length)}` : url;
}

type Flows = Record<string, Record<string, unknown>>;
type SecuritySchemes = Record<string, { flows?: Flows }>;

/** A copy of `document` as this server serves it; the original is left as it is. */
export function servedCopy(document: OpenApiDocument, base: string): OpenApiDocument {
  const copy = structuredClone(document) as OpenApiDocument & {
    servers?: { url: string }[];
    components: { securitySchemes?: SecuritySchemes };
  };
  copy.servers = [{ url: base }];
  for (const scheme of Object.values(copy.components.securitySchemes ?? {})) {
    for (const flow of Object.values(scheme.flows ?? {})) {
      for (const key of ["authorizationUrl", "tokenUrl", "refreshUrl"]) {
        if (key in flow) flow[key] = localUrl(flow[key], base);
      }
    }
  }
  return copy;
}

/** The served copies, made once per base URL (it is fixed once the server listens). */
export class ServedDocuments {
  readonly #cache = new Map<string, Map<string, string>>();

  /** The JSON text of a served document, or null for a name that is not one. */
  text(name: string, base: string): string | null {
    let texts = this.#cache.get(base);
    if (!texts) {
      texts = new Map(
        SERVED_DOCUMENTS.map((d) => [d.name, JSON.stringify(servedCopy(d.document, base))]),
      );
      this.#cache.set(base, texts);
    }
    return texts.get(name) ?? null;
  }
}
