// POST /sandbox/v1/scenarios/run {"scenario":"<YAML>","account"?} → 202 the run, started in the
// background (GET /sandbox/v1/scenarios/runs/{run_id} follows it). The engine runs here but talks
// to this same server over loopback HTTP, with the admin token, exactly as `beseda test` does. A
// malformed scenario is 400 naming every problem by "LINE:COLUMN path", and nothing runs.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { SandboxClient } from "../../../cli/sandbox-client.ts";
import { requireAccount } from "../../../domain/accounts.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { listSubscriptions } from "../../../domain/webhooks/subscriptions.ts";
import { BesedaError, validationError } from "../../../errors/beseda-error.ts";
import type { Scenario, ScenarioProblem } from "../../../scenarios/model.ts";
import { parseScenario } from "../../../scenarios/parse-scenario.ts";
import { MAX_RUNNING, type ScenarioRuns } from "../../../scenarios/scenario-runs.ts";
import { userId } from "./schemas.ts";

/** The largest scenario accepted, in bytes of YAML. */
export const MAX_SCENARIO_BYTES = 256 * 1024;
/** What the API's scenarios wait for a reply when neither the step nor the file says. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** The file name reports and problems give a scenario that came in a request. */
const REQUEST_FILE = "<request>";

export const NO_FILES =
  "files cannot be named through the API: use `image: sample` or `voice: sample`; for a fixture, import it first (POST /sandbox/v1/import) and run the scenario without `world.fixture`, naming the seller as `account`";

interface Body {
  scenario: string;
  account?: number;
}

const body = {
  type: "object",
  additionalProperties: false,
  properties: {
    scenario: { type: "string", minLength: 1 },
    account: userId,
  },
  required: ["scenario"],
} as const;

/** Each problem as a field of the error: "12:7 buyers[0].steps[2].expect" → what is wrong. */
function problemFields(problems: ScenarioProblem[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const { line, column, path, message } of problems) {
    const key = path === "" ? `${line}:${column}` : `${line}:${column} ${path}`;
    fields[key] = fields[key] === undefined ? message : `${fields[key]}; ${message}`;
  }
  return fields;
}

/** This server, as the engine reaches it: loopback on the port it listens on. */
function loopbackUrl(address: AddressInfo | string | null): string {
  if (address === null || typeof address === "string") {
    throw new Error("the server is not listening on a TCP port: scenarios cannot reach it");
  }
  const { address: host, family, port } = address;
  if (host === "0.0.0.0" || host === "::") {
    return family === "IPv6" ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
  }
  return family === "IPv6" ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** The seller the scenario names (its fixture's), else the request's `account`, checked. */
async function requestedAccount(
  ctx: DomainContext,
  scenario: Scenario,
  account: number | null,
): Promise<number> {
  const fixtureSeller = scenario.world.fixture === null ? null : scenario.world.seller;
  if (fixtureSeller !== null) {
    if (account !== null && account !== fixtureSeller) {
      throw validationError({
        account: `the scenario's world.seller (${fixtureSeller}) is the seller: leave account out or give the same`,
      });
    }
    return fixtureSeller;
  }
  if (account === null) {
    throw validationError({
      account: "required: the bot's account (its user_id), which the buyers write to",
    });
  }
  await requireAccount(ctx.store.db, account);
  return account;
}

/** The bot's account once the world is in place; it must be able to hear the buyers. */
async function readySeller(ctx: DomainContext, seller: number): Promise<number> {
  await requireAccount(ctx.store.db, seller);
  const { subscriptions } = await listSubscriptions(ctx, seller);
  if (subscriptions.length === 0) {
    throw new Error(`account ${seller} has no webhook subscription: nothing would reach its bot`);
  }
  return seller;
}

export function runScenario(
  app: FastifyInstance,
  ctx: DomainContext,
  runs: ScenarioRuns,
  adminToken: string,
) {
  app.route<{ Body: Body }>({
    method: "POST",
    url: "/scenarios/run",
    schema: { body },
    handler: async (request, reply) => {
      const { scenario: text, account = null } = request.body;
      if (Buffer.byteLength(text) > MAX_SCENARIO_BYTES) {
        throw new BesedaError("payload_too_large", {
          message: `The scenario is larger than ${MAX_SCENARIO_BYTES / 1024} KB`,
        });
      }
      const parsed = parseScenario(text, REQUEST_FILE);
      if (!parsed.ok) {
        throw new BesedaError("scenario_invalid", { fields: problemFields(parsed.problems) });
      }
      const { scenario } = parsed;
      const seller = await requestedAccount(ctx, scenario, account);
      // No hints: the CLI's advice (`npm start`, --url, --admin-token) means nothing to the API's
      // caller, and this server talking to itself has no other to give.
      const sandbox = new SandboxClient({
        url: loopbackUrl(request.server.server.address()),
        adminToken,
      });
      const started = runs.start(scenario, seller, {
        sandbox,
        seller: (fixtureSeller) => readySeller(ctx, fixtureSeller ?? seller),
        readFile: async () => {
          throw new Error(NO_FILES);
        },
        defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
      });
      if (!started.started) {
        if (started.reason === "closed") throw new BesedaError("shutting_down");
        throw new BesedaError("scenario_runs_busy", {
          message: `${MAX_RUNNING} scenario runs are running already: wait for one to end, or cancel one (POST /sandbox/v1/scenarios/runs/{run_id}/cancel)`,
        });
      }
      return reply
        .code(202)
        .header("location", `/sandbox/v1/scenarios/runs/${started.run.id}`)
        .send(started.run);
    },
  });
}
