// The fuzz scenario: Beseda in its own process, a small world built through its APIs, then
// thousands of requests drawn with fast-check from the run's seed — every messenger operation, the
// token endpoint, the calls around the messenger and the sandbox routes, all from the served OpenAPI
// documents (a few sandbox routes that would undo the world are left out: fuzz-routes.ts), the
// links responses hand out, unknown paths, and raw-socket requests — about half valid, the rest
// mutated in one place each. Every answer is checked (no 5xx, errors in their envelope, 2xx valid,
// no other account's data), and the server must be healthy after.
//
// BESEDA_FUZZ_REPLAY=12,345 sends only those requests of the seed's run (after building the world)
// and prints each with its answer.
import { rssMb, startBenchServer } from "../../bench/lib/server-process.ts";
import { round } from "../../bench/lib/stats.ts";
import { startReceiver } from "../../packages/server/test/helpers/receiver.ts";
import { envelopeProblem, judge, learn } from "../lib/fuzz-checks.ts";
import type { HttpCase } from "../lib/fuzz-draft.ts";
import { type Example, FuzzFindings } from "../lib/fuzz-findings.ts";
import { healthProblems } from "../lib/fuzz-health.ts";
import { FuzzWorldIndex } from "../lib/fuzz-leaks.ts";
import { sendRaw } from "../lib/fuzz-raw.ts";
import type { RawCase } from "../lib/fuzz-raw-cases.ts";
import { type FuzzCase, fuzzGenerator } from "../lib/fuzz-requests.ts";
import { FuzzSender } from "../lib/fuzz-send.ts";
import { buildWorld } from "../lib/fuzz-world.ts";
import { mustBeZero, type ReliabilityFigure, type ReliabilityScenario } from "../lib/scenario.ts";

/** Requests in flight at once: enough to interleave writes, few enough for a 2-core machine. */
const CONCURRENCY = 12;
const REQUEST_TIMEOUT_MS = 15_000;
/** Raw requests that a server may leave open (it waits for more) are given up after this. */
const RAW_TIMEOUT_MS = 3_000;

function replayIndices(): number[] | null {
  const raw = process.env.BESEDA_FUZZ_REPLAY;
  if (!raw) return null;
  return raw
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 0);
}

function exampleOf(index: number, c: FuzzCase, status: number | string, body: string): Example {
  if (c.kind === "raw") {
    const line = c.bytes.subarray(0, 120).toString("latin1").split("\r\n")[0] ?? "";
    return {
      index,
      method: "RAW",
      path: `${c.label}: ${JSON.stringify(line)}`,
      status,
      body,
      variant: "raw socket",
    };
  }
  return { index, method: c.method, path: c.path, status, body, variant: c.variant };
}

function printReplay(index: number, c: FuzzCase, answer: string): void {
  const request =
    c.kind === "raw"
      ? c.bytes.toString("latin1").slice(0, 2000)
      : `${c.method} ${c.path}\n${JSON.stringify(c.headers)}\n${c.body?.toString("utf8").slice(0, 2000) ?? ""}`;
  console.log(
    `--- request #${index} (${c.kind === "raw" ? c.label : c.variant})\n${request}\n--- answer\n${answer}\n`,
  );
}

async function runRaw(
  index: number,
  c: RawCase,
  base: URL,
  findings: FuzzFindings,
  replay: boolean,
) {
  const outcome = await sendRaw(
    base.hostname,
    Number(base.port),
    c.bytes,
    c.expectedAnswers,
    RAW_TIMEOUT_MS,
  );
  const requestLine = /^(\S+) (\S+)/.exec(c.bytes.subarray(0, 4096).toString("latin1"));
  const [method, path] = [requestLine?.[1] ?? "RAW", requestLine?.[2] ?? "/"];
  const label = `raw: ${c.label}`;
  if (replay) {
    printReplay(
      index,
      c,
      outcome.answers
        .map(
          (a) =>
            `${a.status} ${JSON.stringify(a.headers)}\n${a.body.toString("utf8").slice(0, 2000)}`,
        )
        .join("\n") || "(none)",
    );
  }
  if (outcome.answers.length < c.expectedAnswers || outcome.answers.length === 0) {
    const why = outcome.timedOut
      ? `${outcome.answers.length} answers in ${RAW_TIMEOUT_MS} ms`
      : `closed after ${outcome.answers.length} answers`;
    findings.noAnswer(label, why, exampleOf(index, c, "none", ""));
  }
  for (const answer of outcome.answers) {
    findings.answered(label, answer.status);
    const example = exampleOf(index, c, answer.status, answer.body.toString("utf8"));
    if (answer.status >= 500) findings.violation("5xx", `${answer.status}`, label, example);
    if (answer.status >= 400) {
      const problem = envelopeProblem(method, path, answer);
      if (problem) findings.violation("envelope", problem, label, example);
    }
  }
}

async function runHttp(
  index: number,
  c: HttpCase,
  sender: FuzzSender,
  fuzzIndex: FuzzWorldIndex,
  findings: FuzzFindings,
  replay: boolean,
) {
  const outcome = await sender.send(c);
  if (replay) {
    printReplay(
      index,
      c,
      outcome.ok
        ? `${outcome.answer.status} ${JSON.stringify(outcome.answer.headers)}\n${outcome.answer.body.toString("utf8").slice(0, 2000)}`
        : outcome.error,
    );
  }
  if (!outcome.ok) {
    findings.noAnswer(c.label, outcome.error, exampleOf(index, c, "none", ""));
    return;
  }
  const { answer } = outcome;
  findings.answered(c.label, answer.status);
  learn(c, answer, fuzzIndex);
  for (const violation of judge(c, answer, fuzzIndex)) {
    findings.violation(
      violation.kind,
      violation.what,
      c.label,
      exampleOf(index, c, answer.status, answer.body.toString("utf8")),
    );
  }
}

export const fuzz: ReliabilityScenario = {
  name: "fuzz",
  description:
    "fast-check requests from the OpenAPI documents (sandbox.json too), valid and mutated, plus raw HTTP; no 5xx, errors in the envelope, 2xx valid, no leaks, healthy after",
  run: async (options) => {
    const total = options.requests ?? (options.smoke ? 3_000 : 10_000);
    const receiver = await startReceiver(200);
    // The rate limit is lifted so that the requests reach the operations instead of ending in 429.
    const server = await startBenchServer(["--rate-limit", "1000000000", "--log-level", "warn"]);
    const sender = new FuzzSender(server.url, CONCURRENCY, REQUEST_TIMEOUT_MS);
    try {
      const world = await buildWorld(server.url, server.adminToken, receiver);
      const fuzzIndex = new FuzzWorldIndex(world);
      const generator = fuzzGenerator(world, fuzzIndex, options.seed);
      const findings = new FuzzFindings();
      const base = new URL(server.url);
      const replay = replayIndices();
      const indices = replay ?? Array.from({ length: total }, (_, i) => i);
      const rssBefore = rssMb(server.pid);
      const started = performance.now();
      let next = 0;
      let done = 0;
      const progressEvery = Math.max(10_000, Math.ceil(indices.length / 10));
      const worker = async () => {
        while (next < indices.length) {
          const index = indices[next++] as number;
          const c = generator.caseAt(index);
          if (c.kind === "raw") await runRaw(index, c, base, findings, replay !== null);
          else await runHttp(index, c, sender, fuzzIndex, findings, replay !== null);
          done++;
          if (done % progressEvery === 0 && indices.length >= 2 * progressEvery) {
            console.log(`  fuzz: ${done} of ${indices.length} answered`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const seconds = (performance.now() - started) / 1000;
      const rssAfter = rssMb(server.pid);
      const unhealthy = await healthProblems(server, world);

      const classes = ["2xx", "3xx", "4xx", "5xx", "none"];
      const figures: ReliabilityFigure[] = [
        mustBeZero("5xx answers", findings.count("5xx")),
        mustBeZero("errors outside the envelope", findings.count("envelope")),
        mustBeZero("2xx bodies invalid against the document", findings.count("invalid 2xx")),
        mustBeZero("cross-account data leaks", findings.count("leak")),
        mustBeZero("server unhealthy after", unhealthy.length),
        { name: "requests sent", value: findings.sent, unit: "" },
        ...classes.map((c) => ({
          name: c === "none" ? "requests without an answer" : `answers ${c}`,
          value: findings.byClass.get(c) ?? 0,
          unit: "",
        })),
        { name: "requests/s", value: round(indices.length / seconds, 0), unit: "" },
        { name: "server RSS before", value: round(rssBefore, 1), unit: "MB" },
        { name: "server RSS after", value: round(rssAfter, 1), unit: "MB" },
        { name: "distinct (route, status) pairs", value: findings.pairs.size, unit: "" },
      ];
      const notes = [
        `${indices.length} requests (seed ${options.seed}), ${CONCURRENCY} in flight, in ${round(seconds, 1)} s; Beseda ran with --rate-limit 1000000000 so that requests reach the operations rather than 429; every route comes from the served OpenAPI documents (messenger, auth, user, items, sandbox), the sandbox routes that would undo the fuzzer's world (reset, import, fault rules, token expiry and revocation) left out of the draw`,
        ...findings.notes(options.seed),
        ...unhealthy.map((p) => `server unhealthy after the run: ${p}`),
      ];
      return { scenario: "fuzz", description: fuzz.description, figures, notes };
    } finally {
      sender.close();
      await server.stop();
      await receiver.close();
    }
  },
};
