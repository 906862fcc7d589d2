// One bomb's measurement: its upload(s) at once, with the server's peak RSS (VmHWM reset before,
// and VmRSS read every 10 ms in case a peak slips between reads), a /healthz pinger on its own
// connection to see whether the upload stalls other requests, and the RSS a few seconds after the
// answers, to see whether the memory went back.
import { getPriority, setPriority } from "node:os";
import { peakRssMb, rssMb } from "../../bench/lib/server-process.ts";
import { type Answer, type BesedaClient, NoAnswer } from "./beseda-client.ts";
import { startPinger } from "./health-pinger.ts";
import { resetPeakRss } from "./process-stats.ts";
import { startSampler } from "./sampler.ts";
import { sleep } from "./sleep.ts";
import { paths, type Seller } from "./world.ts";

export interface UploadTarget {
  client: BesedaClient;
  pid: number;
  seller: Seller;
  /** The server's RSS at rest, after a warm-up upload, in MB. */
  idleRssMb: number;
}

export interface BombOutcome {
  /** One per upload; 0 when no answer came within the timeout (or the server died). */
  statuses: number[];
  /** Error messages of refused uploads, as the server put them. */
  messages: string[];
  /** From the first byte sent to the last answer. */
  answeredMs: number;
  peakAboveIdleMb: number;
  afterAboveIdleMb: number;
  largestPingMs: number;
  pings: number;
}

export async function measureBomb(
  target: UploadTarget,
  files: readonly Buffer[],
  options: { timeoutMs: number; settleMs: number },
): Promise<BombOutcome> {
  const { client, pid, seller, idleRssMb } = target;
  resetPeakRss(pid);
  const sampler = startSampler(10, () => rssMb(pid));
  const pinger = await startPinger(client.base);
  const started = performance.now();
  // The uploads come from this thread, on the cores the server runs on: at a lower priority
  // (a nice value is a thread's own on Linux), so that the stall measured is the server's, not
  // the CPU this client takes from it. The pinger and the server keep theirs.
  const niced = lowerPriority();
  const answers = await Promise.all(
    files.map((file) =>
      client
        .request("POST", paths.upload(seller.user_id), {
          token: seller.token,
          upload: file,
          signal: AbortSignal.timeout(options.timeoutMs),
        })
        .catch((error: unknown): Answer => {
          if (error instanceof NoAnswer) return { status: 0, body: undefined, text: "no answer" };
          throw error;
        }),
    ),
  );
  niced.restore();
  const answeredMs = performance.now() - started;
  const { latencies } = await pinger.stop();
  const sampled = sampler.stop().map((s) => s.value);
  let peak = Math.max(...sampled);
  try {
    peak = Math.max(peak, peakRssMb(pid));
  } catch {
    // The process is gone: the samples are all there is.
  }
  await sleep(options.settleMs);
  let after = Number.NaN;
  try {
    after = rssMb(pid);
  } catch {
    // Gone: no "after".
  }
  return {
    statuses: answers.map((a) => a.status),
    messages: answers.filter((a) => a.status !== 200).map(errorMessage),
    answeredMs,
    peakAboveIdleMb: peak - idleRssMb,
    afterAboveIdleMb: after - idleRssMb,
    largestPingMs: Math.max(0, ...latencies),
    pings: latencies.length,
  };
}

const UPLOADER_NICE = 10;

function lowerPriority(): { restore(): void } {
  try {
    const before = getPriority(0);
    setPriority(0, UPLOADER_NICE);
    return {
      restore: () => {
        try {
          setPriority(0, before);
        } catch {
          // Raising a priority again takes a privilege this process may lack: it stays lower.
        }
      },
    };
  } catch {
    return { restore: () => {} };
  }
}

/** The pinger alone, with nothing uploading: the floor the stalls are read against. */
export async function baselinePing(base: string, ms: number): Promise<number> {
  const pinger = await startPinger(base);
  await sleep(ms);
  const { latencies } = await pinger.stop();
  return Math.max(0, ...latencies);
}

/** What the envelope says: the field's reason if there is one, else the message. */
function errorMessage(answer: Answer): string {
  const body = answer.body as
    | { error?: { message?: string; fields?: Record<string, string> } }
    | undefined;
  const fields = body?.error?.fields;
  if (fields)
    return Object.entries(fields)
      .map(([field, why]) => `${field} ${why}`)
      .join("; ");
  return body?.error?.message ?? `${answer.status} ${answer.text.slice(0, 120)}`;
}
