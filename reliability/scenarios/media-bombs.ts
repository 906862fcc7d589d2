// Issue 9, the image bombs: files small on the wire that declare huge pictures (a 1 KB RLE8 BMP of
// 8660×8660, once and four at once; a 17 KB HEIC of 8000×9000), a 24 MB "JPEG" of zeros, and a
// legitimate 12-megapixel photo to show what a real upload costs. For each (lib/bomb-measure.ts):
// the answer, the server's peak RSS above idle, its RSS a few seconds later, and the longest
// /healthz answer meanwhile, read against the pinger's longest answer with nothing uploading. A
// server that dies is counted and replaced by a fresh one, so that the other bombs still run.
import { type BenchServer, rssMb, startBenchServer } from "../../bench/lib/server-process.ts";
import { median, round } from "../../bench/lib/stats.ts";
import { BesedaClient } from "../lib/beseda-client.ts";
import {
  type BombOutcome,
  baselinePing,
  measureBomb,
  type UploadTarget,
} from "../lib/bomb-measure.ts";
import { heicBomb, noisyPhoto, rleBmpBomb, zeroJpeg } from "../lib/bombs.ts";
import { seededRandom } from "../lib/random.ts";
import {
  mustBeZero,
  type ReliabilityFigure,
  type ReliabilityResult,
  type ReliabilityScenario,
} from "../lib/scenario.ts";
import { sleep } from "../lib/sleep.ts";
import { smallImages } from "../lib/small-images.ts";
import { Tally } from "../lib/tally.ts";
import { createSeller, paths } from "../lib/world.ts";

const STALL_GOAL_MS = 50;

interface Bomb {
  label: string;
  files: () => Promise<Buffer[]>;
  /** Left out of the smoke run: too slow or too big for `npm test` while bombs are decoded. */
  fullOnly?: boolean;
}

function bombs(smoke: boolean): Bomb[] {
  const [width, height] = smoke ? [1200, 900] : [4000, 3000];
  const all: Bomb[] = [
    { label: "BMP 8660×8660 (1 KB)", files: async () => [rleBmpBomb()] },
    {
      label: "BMP 8660×8660, four at once",
      files: async () => [rleBmpBomb(), rleBmpBomb(), rleBmpBomb(), rleBmpBomb()],
      fullOnly: true,
    },
    { label: "HEIC 8000×9000 (17 KB)", files: async () => [heicBomb()] },
    { label: "24 MB JPEG of zeros", files: async () => [zeroJpeg()] },
    {
      label: `legitimate ${round((width * height) / 1e6, 1)} MP JPEG`,
      files: async () => [await noisyPhoto(width, height)],
    },
  ];
  return all.filter((bomb) => !(smoke && bomb.fullOnly));
}

/** A fresh server with a seller, sharp loaded by a warm-up upload, and its idle RSS read. */
async function readyServer(
  tally: Tally,
  seed: number,
): Promise<{ server: BenchServer; target: UploadTarget }> {
  const server = await startBenchServer();
  const client = new BesedaClient(server.url, server.adminToken, tally);
  const seller = await createSeller(client, "Продавец");
  const [warmUp] = await smallImages(1, seededRandom(seed));
  const warmed = await client.request("POST", paths.upload(seller.user_id), {
    token: seller.token,
    upload: warmUp,
  });
  if (warmed.status !== 200) throw new Error(`the warm-up upload answered ${warmed.status}`);
  await sleep(2_000);
  return { server, target: { client, pid: server.pid, seller, idleRssMb: rssMb(server.pid) } };
}

function bombFigures(label: string, outcome: BombOutcome, settleS: number): ReliabilityFigure[] {
  const accepted = outcome.statuses.filter((s) => s === 200).length;
  return [
    {
      name: `${label}: accepted`,
      value: accepted,
      unit: `of ${outcome.statuses.length} (HTTP ${outcome.statuses.join(", ")})`,
    },
    { name: `${label}: answered in`, value: Math.round(outcome.answeredMs), unit: "ms" },
    {
      name: `${label}: peak RSS above idle`,
      value: Math.round(outcome.peakAboveIdleMb),
      unit: "MB",
    },
    {
      name: `${label}: RSS ${settleS} s after, above idle`,
      value: Math.round(outcome.afterAboveIdleMb),
      unit: "MB",
    },
    {
      name: `${label}: largest /healthz latency`,
      value: Math.round(outcome.largestPingMs),
      unit: "ms",
    },
  ];
}

export const mediaBombs: ReliabilityScenario = {
  name: "media-bombs",
  description:
    "image bombs (RLE BMP, HEIC, 24 MB of zeros) and a real photo: answer, peak and settled RSS, /healthz stalls",
  async run({ smoke, seed }): Promise<ReliabilityResult> {
    const settleMs = smoke ? 2_000 : 5_000;
    const timeoutMs = smoke ? 60_000 : 120_000;
    const tally = new Tally();
    const figures: ReliabilityFigure[] = [];
    const notes: string[] = [];
    const idles: number[] = [];
    let baselineMs = Number.NaN;
    let largestStall = 0;
    let deaths = 0;
    // Each bomb on a fresh server: what one bomb leaves behind must not count against the next.
    for (const bomb of bombs(smoke)) {
      const files = await bomb.files();
      const { server, target } = await readyServer(tally, seed);
      try {
        idles.push(target.idleRssMb);
        if (Number.isNaN(baselineMs)) baselineMs = await baselinePing(server.url, 3_000);
        const outcome = await measureBomb(target, files, { timeoutMs, settleMs });
        figures.push(...bombFigures(bomb.label, outcome, settleMs / 1000));
        largestStall = Math.max(largestStall, outcome.largestPingMs);
        const refusals = [...new Set(outcome.messages)];
        if (refusals.length > 0) notes.push(`${bomb.label}: ${refusals.join(" | ")}`);
        // Killed by a signal (the OOM killer), a process has a signalCode and no exitCode.
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          deaths++;
          notes.push(
            `${bomb.label}: the server died (${server.child.signalCode ?? `exit ${server.child.exitCode}`})`,
          );
        }
      } finally {
        await server.stop();
      }
    }
    notes.push(
      `/healthz every 10 ms from a process of its own, on one kept-alive connection; with nothing uploading its longest answer was ${Math.round(baselineMs)} ms in this run, the floor the stalls above are read against. The uploads are sent at nice 10 from the scenario's thread, which shares the server's two cores, so that the client's own work is not counted as the server's stall`,
      `each bomb on a fresh server, its idle RSS read after a warm-up upload of a small image (sharp loaded) and 2 s of rest; peaks from VmHWM reset before the upload and VmRSS read every 10 ms${smoke ? "; smoke leaves out the four BMPs at once and uses a smaller photo" : ""}`,
    );
    for (const example of tally.examples) notes.push(`example: ${example}`);
    return {
      scenario: "media-bombs",
      description: this.description,
      figures: [
        {
          name: "server RSS, idle (median of the servers)",
          value: Math.round(median(idles)),
          unit: "MB",
        },
        {
          name: "largest /healthz latency, nothing uploading",
          value: Math.round(baselineMs),
          unit: "ms",
        },
        ...figures,
        {
          name: "largest /healthz stall during uploads",
          value: Math.round(largestStall),
          unit: "ms",
          goal: { text: `≤ ${STALL_GOAL_MS} ms`, met: largestStall <= STALL_GOAL_MS },
        },
        {
          name: "uploads without an answer",
          value: tally.failures,
          unit: `within ${timeoutMs / 1000} s`,
        },
        mustBeZero("5xx answers", tally.serverErrors),
        mustBeZero("server died", deaths),
      ],
      notes,
    };
  },
};
