// Scenarios: write a scenario (the YAML `beseda test` runs), pick the account whose bot the buyers
// write to, Run, and watch it live, Mailpit-like: each buyer run's steps as they end, the failing
// step's expected and actual answer, reply times. A refused scenario lists its problems by line;
// one click puts the caret there. The recent runs the server keeps open at /scenarios/<run id>;
// the list is read every few seconds while the tab is visible, so runs started elsewhere (another
// tab, the API) show up.
// The editor's text and the chosen account are kept in localStorage, so a reload loses nothing.
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.ts";
import { ErrorNote } from "../components/form-field.tsx";
import { useLiveEvents } from "../live.ts";
import { navigate } from "../router.tsx";
import { useAction } from "../use-action.ts";
import { usePoll } from "../use-refresh.ts";
import { useResource } from "../use-resource.ts";
import { exampleScenario } from "./scenarios/example-scenario.ts";
import { RecentRuns } from "./scenarios/recent-runs.tsx";
import { cancelRun, listRuns, startRun } from "./scenarios/scenario-api.ts";
import { ScenarioEditor } from "./scenarios/scenario-editor.tsx";
import { problemsOf } from "./scenarios/scenario-problems.ts";
import { ScenarioRunView } from "./scenarios/scenario-run-view.tsx";
import { useScenarioRun } from "./scenarios/use-scenario-run.ts";
import "./operations.css";
import "./scenarios.css";

const TEXT_KEY = "beseda.scenarios.text";
const ACCOUNT_KEY = "beseda.scenarios.account";
const RECENT_POLL_MS = 3000;

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage refused (a private window, say): the text just does not outlive the page.
  }
}

export function ScenariosPage({ runId }: { runId: string | null }) {
  const [text, setText] = useState(() => stored(TEXT_KEY) ?? exampleScenario(location.origin));
  const [account, setAccount] = useState<number | null>(() => {
    const id = Number(stored(ACCOUNT_KEY));
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  });
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const recent = useResource(listRuns, []);
  const live = useScenarioRun(runId);
  const shownRunId = useRef(runId);
  shownRunId.current = runId;

  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") accounts.reload();
  });

  // The first visit (or a chosen account that is gone): the first account a bot listens on.
  const list = accounts.data?.accounts ?? null;
  useEffect(() => {
    if (list === null || list.some((a) => a.user_id === account && a.kind === "user")) return;
    const bot = list.find((a) => a.kind === "user" && a.subscription !== null);
    setAccount(bot?.user_id ?? null);
  }, [list, account]);

  // A run that ends (or is found gone) changes the list at once; the poll brings what changed
  // elsewhere.
  const status = live.run?.status;
  useEffect(() => {
    if ((status !== undefined && status !== "running") || live.gone) recent.reload();
  }, [status, live.gone]);
  usePoll(recent.reload, RECENT_POLL_MS);

  const start = useAction(async () => {
    const run = await startRun(text, account);
    live.show(run);
    navigate(`/scenarios/${encodeURIComponent(run.id)}`);
    recent.reload();
  });
  const cancel = useAction(async (id: string) => {
    const answer = await cancelRun(id);
    // The page may have moved on to another run meanwhile.
    if (answer.id === shownRunId.current) live.show(answer);
  });

  const problems = problemsOf(start.error);
  const sellerId = live.run ? (live.run.report?.seller_id ?? live.run.account) : null;
  const sellerName = list?.find((a) => a.user_id === sellerId)?.name ?? null;

  return (
    <main class="page scenarios-page">
      <div class="page-head">
        <div>
          <h1>Scenarios</h1>
          <p class="lede">
            Scripted buyers write to your bot and check its answers, step by step: the same file{" "}
            <code>beseda test</code> runs. Write one, pick the bot's account, Run, and watch it.
          </p>
        </div>
      </div>
      <ErrorNote error={accounts.error} />
      <div class="scenarios-layout">
        <ScenarioEditor
          text={text}
          onText={(value) => {
            setText(value);
            store(TEXT_KEY, value);
          }}
          accounts={list}
          account={account}
          onAccount={(value) => {
            setAccount(value);
            store(ACCOUNT_KEY, value === null ? null : String(value));
          }}
          onRun={() => void start.run()}
          busy={start.busy}
          problems={problems}
          error={start.error}
        />
        <div class="scenarios-main">
          {runId !== null && <ErrorNote error={live.error} />}
          {runId !== null && live.gone && (
            <div class="error" role="alert">
              <p class="no-margin">
                This run is gone (the server restarted?): runs are kept in memory, the last 50 of
                them.{live.run !== null && " Below is what was last read of it."}
              </p>
            </div>
          )}
          {runId === null && (
            <section class="card scenario-run-empty">
              <p class="muted no-margin">
                Run a scenario to watch its buyers here, step by step, as they write and the bot
                answers.
              </p>
            </section>
          )}
          {runId !== null && live.run === null && !live.error && !live.gone && (
            <p class="muted">Loading the run…</p>
          )}
          {live.run && (
            <ScenarioRunView
              run={live.run}
              gone={live.gone}
              sellerName={sellerName}
              onCancel={() => live.run && void cancel.run(live.run.id)}
              cancelling={cancel.busy}
              cancelError={cancel.error}
            />
          )}
        </div>
        <RecentRuns runs={recent.data} error={recent.error} current={runId} />
      </div>
    </main>
  );
}
