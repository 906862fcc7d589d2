// Reads a V8 CPU profile (node --cpu-prof) into where the time went: each function's self time,
// and the share of each part of a request's work (the store's queries, building the answer,
// serialization, Fastify, HTTP and the socket, garbage collection).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  /** `name (file:line)`, the file relative to the repository or to node_modules. */
  name: string;
  part: Part;
  ms: number;
}

export const PARTS = [
  "queries (store, Kysely, driver)",
  "building the answer (domain)",
  "serialization (JSON)",
  "Fastify (routing, hooks, validation)",
  "HTTP, encoding and the socket (node)",
  "garbage collection",
  "native code the profile does not name",
  "other",
] as const;
export type Part = (typeof PARTS)[number];

export interface ProfileSummary {
  /** Busy time sampled (idle left out), in ms. */
  busyMs: number;
  /** Each part's share of the busy time, 0 to 1. */
  shares: Record<Part, number>;
  /** Functions by self time, most first. */
  top: FunctionTime[];
}

/** Which part of the work a function belongs to, by its file and name. */
export function partOf(functionName: string, url: string): Part {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "native code the profile does not name";
  if (/better-sqlite3|\/kysely\/|\/pg\/|\/pg-protocol\/|\/pg-pool\/|\/src\/store\//.test(url)) {
    return "queries (store, Kysely, driver)";
  }
  if (url.includes("/src/domain/")) return "building the answer (domain)";
  if (/^(stringify|parse|JSON\.\w+|SerializeJSON\w*)$/.test(functionName)) {
    return "serialization (JSON)";
  }
  if (
    /\/(fastify|find-my-way|avvio|light-my-request|ajv|fast-json-stringify)\/|\/src\/http\//.test(
      url,
    )
  ) {
    return "Fastify (routing, hooks, validation)";
  }
  if (url.startsWith("node:") || /^(writev|writeUtf8String|writeBuffer)$/.test(functionName)) {
    return "HTTP, encoding and the socket (node)";
  }
  return "other";
}

function shortUrl(url: string): string {
  const inModules = url.lastIndexOf("node_modules/");
  if (inModules >= 0) return url.slice(inModules + "node_modules/".length);
  const inRepo = url.indexOf("/packages/");
  if (inRepo >= 0) return url.slice(inRepo + 1);
  return url.replace(/^file:\/\//, "");
}

export function summarizeProfile(file: string, topCount = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, FunctionTime>();
  const partUs = new Map<Part, number>(PARTS.map((part) => [part, 0]));
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    const part = partOf(frame.functionName, frame.url);
    busyUs += us;
    partUs.set(part, (partUs.get(part) ?? 0) + us);
    const where = frame.url === "" ? "" : ` (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
    const name = `${frame.functionName || "(anonymous)"}${where}`;
    const entry = byFunction.get(name) ?? { name, part, ms: 0 };
    entry.ms += us / 1000;
    byFunction.set(name, entry);
  }
  const shares = Object.fromEntries(
    PARTS.map((part) => [part, busyUs === 0 ? 0 : (partUs.get(part) ?? 0) / busyUs]),
  ) as Record<Part, number>;
  const top = [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, topCount);
  return { busyMs: busyUs / 1000, shares, top };
}
