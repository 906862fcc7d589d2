// Issue 9, the short soak: a steady mixed load (lib/soak-load.ts) with webhook deliveries to a
// receiver, while the server's RSS and open file handles are read every second. "Levels off" is
// read as the slope of each over the run's second half (the first half holds the warm-up: code
// compiled, caches filled); a slope is a measurement with a goal, not an invariant. The
// invariants are the answers: no 5xx, and no request left without an answer.
import { rssMb, startBenchServer } from "../../bench/lib/server-process.ts";
import { round } from "../../bench/lib/stats.ts";
import { BesedaClient } from "../lib/beseda-client.ts";
import { openFds } from "../lib/process-stats.ts";
import { seededRandom } from "../lib/random.ts";
import { type Sampled, startSampler } from "../lib/sampler.ts";
import {
  mustBeZero,
  type ReliabilityFigure,
  type ReliabilityResult,
  type ReliabilityScenario,
} from "../lib/scenario.ts";
import { smallImages } from "../lib/small-images.ts";
import { runSoakLoad, SOAK_RATES } from "../lib/soak-load.ts";
import { Tally } from "../lib/tally.ts";
import { slopePerMinute, windowMedians } from "../lib/trend.ts";
import { startWebhookSink } from "../lib/webhook-sink.ts";
import { createAccount, createSeller, openChats } from "../lib/world.ts";

// About 50 requests a second from one account, past production's 600 a minute.
const SERVER_ARGS = ["--rate-limit", "1000000000"];
const RSS_GOAL_MB_PER_MIN = 1;
const FDS_GOAL_PER_MIN = 1;
/** Image workers start and end every few seconds under this load: RSS saws up and down by ~10 MB. */
const SMOOTHING_SECONDS = 10;

interface Usage {
  rss: number;
  fds: number;
}

/** First, largest and last value, and the slope over the second half, of one series. */
function seriesFigures(
  label: string,
  unit: string,
  samples: readonly Sampled<Usage>[],
  pick: (usage: Usage) => number,
  goalPerMinute: number,
): ReliabilityFigure[] {
  const values = samples.map((s) => pick(s.value));
  const end = samples.at(-1)?.at ?? 0;
  const secondHalf = samples
    .filter((s) => s.at >= end / 2)
    .map((s) => ({ at: s.at, value: pick(s.value) }));
  const slope = slopePerMinute(windowMedians(secondHalf, SMOOTHING_SECONDS));
  return [
    { name: `${label}, first`, value: round(values[0] ?? Number.NaN, 1), unit },
    {
      name: `${label}, at half time`,
      value: round(values[Math.floor(values.length / 2)] ?? Number.NaN, 1),
      unit,
    },
    { name: `${label}, largest`, value: round(Math.max(...values), 1), unit },
    { name: `${label}, last`, value: round(values.at(-1) ?? Number.NaN, 1), unit },
    {
      name: `${label}, slope over the second half`,
      value: round(slope, 2),
      unit: `${unit}/min`,
      goal: { text: `≤ ${goalPerMinute} ${unit}/min`, met: slope <= goalPerMinute },
    },
  ];
}

export const soak: ReliabilityScenario = {
  name: "soak",
  description:
    "a steady mixed load with webhook deliveries; RSS and open file handles sampled every second must level off",
  async run({ smoke, seed, soakSeconds }): Promise<ReliabilityResult> {
    const seconds = soakSeconds ?? (smoke ? 10 : 180);
    const random = seededRandom(seed);
    const sink = await startWebhookSink();
    const server = await startBenchServer(SERVER_ARGS);
    const tally = new Tally();
    try {
      const client = new BesedaClient(server.url, server.adminToken, tally);
      const seller = await createSeller(client, "Продавец", sink.url);
      const buyers = [
        await createAccount(client, "Покупатель 1"),
        await createAccount(client, "Покупатель 2"),
        await createAccount(client, "Покупатель 3"),
      ];
      const chats = await openChats(client, seller, buyers, 12);
      const images = await smallImages(Math.ceil(seconds / 2) + 1, random);
      const sampler = startSampler(1000, () => ({
        rss: rssMb(server.pid),
        fds: openFds(server.pid),
      }));
      await runSoakLoad({
        client,
        seller,
        chats,
        images,
        random,
        untilMs: performance.now() + seconds * 1000,
      });
      const samples = sampler.stop();
      const rates = Object.entries(SOAK_RATES)
        .map(([stream, perSecond]) => `${stream} ${perSecond}/s`)
        .join(", ");
      const notes = [
        `${seconds} s of ${rates}; ${chats.length} chats; ${samples.length} samples; slopes by least squares over the second half, of 10-second medians`,
        ...tally.examples.map((example) => `example: ${example}`),
      ];
      return {
        scenario: "soak",
        description: this.description,
        figures: [
          { name: "requests", value: tally.total, unit: "" },
          mustBeZero("5xx answers", tally.serverErrors),
          mustBeZero("requests without an answer", tally.failures),
          { name: "4xx answers", value: tally.clientErrors, unit: "" },
          { name: "webhook messages delivered", value: sink.delivered.size, unit: "" },
          ...seriesFigures("RSS", "MB", samples, (u) => u.rss, RSS_GOAL_MB_PER_MIN),
          ...seriesFigures("open file handles", "fds", samples, (u) => u.fds, FDS_GOAL_PER_MIN),
        ],
        notes,
      };
    } finally {
      await server.stop();
      await sink.close();
    }
  },
};
