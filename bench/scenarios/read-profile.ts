// Issue "Reads at the speed of their bytes": where a read spends its time. For each read at the
// largest seeded size, Beseda runs under V8's sampling profiler (node --cpu-prof) while autocannon
// loads that read alone (50 connections); the profile is then read into each part's share of the
// busy time (queries, building the answer, serialization, Fastify, HTTP and the socket, GC) and
// the functions with the most self time. Requests per second are reported too, but the profiler
// slows the server down: the http-api scenario's figures are the ones to compare.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedSizes, workloads } from "../lib/api-workloads.ts";
import { load } from "../lib/autocannon.ts";
import { PARTS, summarizeProfile } from "../lib/cpu-profile.ts";
import type { Figure, Scenario, ScenarioResult } from "../lib/report.ts";
import { seedDir } from "../lib/seed.ts";
import { startBenchServer } from "../lib/server-process.ts";
import { round } from "../lib/stats.ts";

const PROFILED = ["chats list (limit 100)", "messages (limit 100)", "chat by id"];

export const readProfile: Scenario = {
  name: "read-profile",
  description: "Where each read spends its time: a CPU profile of Beseda under load, by part",
  async run({ smoke }): Promise<ScenarioResult> {
    const size = seedSizes({ smoke, large: false }).at(-1);
    if (!size) throw new Error("no seed size");
    const seconds = smoke ? 1 : 10;
    const figures: Figure[] = [];
    const notes: string[] = [];
    const seeded = await seedDir(size.chats, size.messages);
    try {
      for (const name of PROFILED) {
        const profiles = mkdtempSync(join(tmpdir(), "beseda-profile-"));
        try {
          const server = await startBenchServer(
            ["--rate-limit", "1000000000"],
            seeded.dir,
            undefined,
            ["--cpu-prof", `--cpu-prof-dir=${profiles}`],
          );
          let rps: number;
          try {
            const token = await tokenOf(server.url, seeded.manifest.seller);
            const work = workloads(server.url, seeded.manifest, token).find((w) => w.name === name);
            if (!work) throw new Error(`no workload ${name}`);
            rps = (await load(work.request, { connections: 50, seconds })).rps;
          } finally {
            // The profile is written as the process exits.
            await server.stop();
          }
          const file = readdirSync(profiles).find((f) => f.endsWith(".cpuprofile"));
          if (!file) throw new Error(`no CPU profile written for ${name}`);
          const profile = summarizeProfile(join(profiles, file));
          const label = `${name} @ ${size.label}, profiled`;
          figures.push({ name: `${label}: requests/s`, value: Math.round(rps), unit: "/s" });
          for (const part of PARTS) {
            const share = profile.shares[part];
            if (share >= 0.005) {
              figures.push({ name: `${label}: ${part}`, value: round(share * 100, 1), unit: "%" });
            }
          }
          notes.push(
            `${label}, top functions by self time (${Math.round(profile.busyMs)} ms busy): ${profile.top
              .slice(0, 10)
              .map((f) => `${f.name} ${round((f.ms / profile.busyMs) * 100, 1)} %`)
              .join("; ")}`,
          );
        } finally {
          rmSync(profiles, { recursive: true, force: true });
        }
      }
    } finally {
      seeded.remove();
    }
    notes.push(
      `${seconds} s of load per read under node --cpu-prof; shares are of the server's busy time (idle left out)`,
    );
    return { scenario: this.name, description: this.description, figures, notes };
  },
};

async function tokenOf(
  base: string,
  seller: { client_id: string; client_secret: string },
): Promise<string> {
  const response = await fetch(`${base}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: seller.client_id,
      client_secret: seller.client_secret,
    }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}
