// Issue 9, the crash run: `kill -9` of Beseda during sends, uploads and pending deliveries, a
// restart on the same data dir, then a count of what the server had acknowledged and lost. Each
// cycle opens its own chats, loads them (lib/crash-load.ts) while the receiver fails half of them
// for a while (so deliveries are pending at the kill), kills the server at a moment drawn from the
// seed, restarts it, and checks (lib/crash-check.ts) that every acknowledged message is in its
// chat, every acknowledged upload can be sent and served, and every stored message reaches the
// receiver, in its chat's order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchServer, startBenchServer } from "../../bench/lib/server-process.ts";
import { median } from "../../bench/lib/stats.ts";
import { BesedaClient } from "../lib/beseda-client.ts";
import {
  awaitDeliveries,
  chatMessageIds,
  lostMessages,
  lostUploads,
  outOfOrder,
} from "../lib/crash-check.ts";
import { runCrashLoad } from "../lib/crash-load.ts";
import { seededRandom } from "../lib/random.ts";
import { mustBeZero, type ReliabilityResult, type ReliabilityScenario } from "../lib/scenario.ts";
import { sleep } from "../lib/sleep.ts";
import { smallImages } from "../lib/small-images.ts";
import { Tally } from "../lib/tally.ts";
import { startWebhookSink, type WebhookSink } from "../lib/webhook-sink.ts";
import { createAccount, createSeller, openChats, paths, type Seller } from "../lib/world.ts";

// The load sends far more than production's 600 requests a minute from one account.
const SERVER_ARGS = ["--rate-limit", "1000000000"];
const CHATS_PER_CYCLE = 8;

interface CycleCounts {
  sendsAcked: number;
  uploadsAcked: number;
  committedUnanswered: number;
  pendingAtKill: number;
  sendsLost: number;
  uploadsLost: number;
  neverDelivered: number;
  storedNeverDelivered: number;
  outOfOrder: number;
  restartMs: number;
  deliveredAfterRestartMs: number;
}

interface Cycle {
  seller: Seller;
  checkChatId: string;
  sink: WebhookSink;
  tally: Tally;
  dataDir: string;
  loadMs: number;
  deliveryTimeoutMs: number;
  seed: number;
  notes: string[];
}

/**
 * One load, kill and restart. `live.server` is replaced by the restarted server as soon as it
 * runs, so that the caller stops the right process whatever fails after.
 */
async function runCycle(cycle: Cycle, live: { server: BenchServer }): Promise<CycleCounts> {
  const { seller, sink, tally, notes } = cycle;
  const running = live.server;
  const moments = seededRandom(cycle.seed);
  const before = new BesedaClient(running.url, running.adminToken, tally);
  const buyers = [
    await createAccount(before, "Покупатель 1"),
    await createAccount(before, "Покупатель 2"),
  ];
  const chats = await openChats(before, seller, buyers, CHATS_PER_CYCLE);
  const images = await smallImages(Math.ceil(cycle.loadMs / 40), moments);
  const killAtMs = cycle.loadMs * (0.3 + 0.6 * moments.next());
  const failFromMs = killAtMs * (0.3 + 0.5 * moments.next());

  const load = runCrashLoad({
    client: before,
    seller,
    chats,
    images,
    random: seededRandom(cycle.seed + 1),
  });
  // Awaited after the kill; until then a failure must not count as unhandled.
  load.catch(() => undefined);
  await sleep(failFromMs);
  for (const [n, chat] of chats.entries()) if (n % 2 === 0) sink.failing.add(chat.chatId);
  await sleep(killAtMs - failFromMs);
  tally.interrupting = true;
  running.child.kill("SIGKILL");
  await running.stop(); // waits for the exit; the data dir is ours and stays
  const deliveredAtKill = new Set(sink.delivered.keys());
  const acks = await load;

  const restartStarted = performance.now();
  const server = await startBenchServer(SERVER_ARGS, cycle.dataDir);
  live.server = server;
  const restartMs = performance.now() - restartStarted;
  tally.interrupting = false;
  sink.generation++;
  sink.failing.clear();
  const after = new BesedaClient(server.url, server.adminToken, tally);
  const stored = new Map<string, string[]>();
  for (const chat of chats)
    stored.set(chat.chatId, await chatMessageIds(after, seller, chat.chatId));
  const storedIds = [...stored.values()].flat();
  const ackedIds = new Set(acks.messages.map((m) => m.id));
  const pendingAtKill = storedIds.filter((id) => !deliveredAtKill.has(id)).length;
  const sendsLost = lostMessages(acks.messages, stored);
  const uploadsLost = await lostUploads(after, seller, cycle.checkChatId, acks.uploads);
  const deliveryStarted = performance.now();
  const undelivered = await awaitDeliveries(after, sink, storedIds, cycle.deliveryTimeoutMs);
  const deliveredAfterRestartMs = performance.now() - deliveryStarted;
  const late = [...stored.values()].flatMap((order) => outOfOrder(order, sink.firstArrival));

  const at = `cycle of seed ${cycle.seed}`;
  notes.push(
    `${at}: receiver failing half the chats from ${Math.round(failFromMs)} ms, kill at ${Math.round(killAtMs)} ms with ${pendingAtKill} messages not yet delivered`,
  );
  if (sendsLost.length > 0)
    notes.push(`${at}: acknowledged but missing: ${sendsLost.slice(0, 3).map((m) => m.id)}`);
  for (const { upload, why } of uploadsLost.slice(0, 3))
    notes.push(`${at}: upload ${upload.imageId} lost: ${why}`);
  if (undelivered.length > 0)
    notes.push(`${at}: never delivered: ${undelivered.slice(0, 3).join(", ")}`);
  if (late.length > 0) notes.push(`${at}: first arrived out of chat order: ${late.slice(0, 3)}`);
  return {
    sendsAcked: acks.messages.length,
    uploadsAcked: acks.uploads.length,
    committedUnanswered: storedIds.filter((id) => !ackedIds.has(id)).length,
    pendingAtKill,
    sendsLost: sendsLost.length,
    uploadsLost: uploadsLost.length,
    neverDelivered: undelivered.filter((id) => ackedIds.has(id)).length,
    storedNeverDelivered: undelivered.length,
    outOfOrder: late.length,
    restartMs,
    deliveredAfterRestartMs,
  };
}

export const crash: ReliabilityScenario = {
  name: "crash",
  description:
    "kill -9 during sends, uploads and pending deliveries; restart on the same data dir; count what was acknowledged and lost",
  async run({ smoke, seed }): Promise<ReliabilityResult> {
    const cycles = smoke ? 1 : 5;
    const loadMs = smoke ? 4_000 : 8_000;
    const dataDir = mkdtempSync(join(tmpdir(), "beseda-crash-"));
    const sink = await startWebhookSink();
    const tally = new Tally();
    const notes: string[] = [];
    let live: { server: BenchServer } | undefined;
    try {
      const server = await startBenchServer(SERVER_ARGS, dataDir);
      live = { server };
      const setup = new BesedaClient(server.url, server.adminToken, tally);
      const seller = await createSeller(setup, "Продавец", sink.url);
      const buyer = await createAccount(setup, "Проверка");
      const [checkChat] = await openChats(setup, seller, [buyer], 1);
      if (!checkChat) throw new Error("no chat to check uploads in");
      // The first upload loads the image code; the first cycle's load should not wait on that.
      const [warmUp] = await smallImages(1, seededRandom(seed));
      await setup.request("POST", paths.upload(seller.user_id), {
        token: seller.token,
        upload: warmUp,
      });
      const counts: CycleCounts[] = [];
      for (let n = 0; n < cycles; n++) {
        const cycleCounts = await runCycle(
          {
            seller,
            checkChatId: checkChat.chatId,
            sink,
            tally,
            dataDir,
            loadMs,
            deliveryTimeoutMs: smoke ? 30_000 : 60_000,
            seed: seed + n * 7919,
            notes,
          },
          live,
        );
        counts.push(cycleCounts);
      }
      const sum = (key: keyof CycleCounts) => counts.reduce((total, c) => total + c[key], 0);
      const restarts = counts.map((c) => c.restartMs);
      notes.push(
        `${cycles} cycle(s) of ${loadMs / 1000} s of load (3 seller senders, 2 buyers through the sandbox, 2 uploaders of small JPEG/PNG each then sent) over ${CHATS_PER_CYCLE} new chats, half of them answered 500 by the receiver from a moment before the kill until the restart; rate limit raised for the load`,
      );
      for (const example of tally.examples) notes.push(`example: ${example}`);
      return {
        scenario: "crash",
        description: this.description,
        figures: [
          { name: "kill -9 and restart cycles", value: cycles, unit: "" },
          { name: "messages acknowledged before the kill", value: sum("sendsAcked"), unit: "" },
          { name: "uploads acknowledged before the kill", value: sum("uploadsAcked"), unit: "" },
          { name: "requests cut off by the kill", value: tally.interrupted, unit: "" },
          { name: "messages not yet delivered at the kill", value: sum("pendingAtKill"), unit: "" },
          {
            name: "messages committed but cut off before their answer",
            value: sum("committedUnanswered"),
            unit: "",
          },
          mustBeZero("acknowledged sends lost", sum("sendsLost")),
          mustBeZero("acknowledged uploads lost", sum("uploadsLost")),
          mustBeZero("acknowledged messages never delivered", sum("neverDelivered")),
          mustBeZero("messages first delivered out of chat order", sum("outOfOrder")),
          mustBeZero("5xx answers", tally.serverErrors),
          {
            name: "stored messages never delivered (acknowledged or not)",
            value: sum("storedNeverDelivered"),
            unit: "",
          },
          { name: "requests unanswered while the server was up", value: tally.failures, unit: "" },
          { name: "4xx answers", value: tally.clientErrors, unit: "" },
          { name: "time to restart, median", value: Math.round(median(restarts)), unit: "ms" },
          {
            name: "time to restart, slowest",
            value: Math.round(Math.max(...restarts)),
            unit: "ms",
          },
          {
            name: "deliveries redelivered after restart",
            value: sink.redelivered.size,
            unit: "messages",
          },
          {
            name: "all delivered after restart, slowest",
            value: Math.round(Math.max(...counts.map((c) => c.deliveredAfterRestartMs)) / 100) / 10,
            unit: "s (sandbox clock advanced 60 s every 0.2 s)",
          },
        ],
        notes,
      };
    } finally {
      await live?.server.stop();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
