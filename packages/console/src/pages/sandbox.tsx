// Sandbox: the clock, fault rules, and the world's export, import and reset. Fault rules' counts
// change with every request they match and have no live event, so their list is polled while the
// page is visible (and refetched after a message or a delivery, which often come with one).
import { call } from "../api.ts";
import { ClockPanel } from "../components/clock-panel.tsx";
import { FaultForm } from "../components/fault-form.tsx";
import { FaultList } from "../components/fault-list.tsx";
import { loadFaultOperations } from "../components/fault-operations.ts";
import { ErrorNote } from "../components/form-field.tsx";
import { WorldExport } from "../components/world-export.tsx";
import { WorldImport } from "../components/world-import.tsx";
import { WorldReset } from "../components/world-reset.tsx";
import { useLiveEvents } from "../live.ts";
import { useDebounced, usePoll } from "../use-refresh.ts";
import { useResource } from "../use-resource.ts";
import "./operations.css";
import "./sandbox.css";

export function SandboxPage() {
  const faults = useResource(() => call("get", "/sandbox/v1/faults"), []);
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const operations = useResource(loadFaultOperations, []);
  const refreshFaults = useDebounced(faults.reload, 200);

  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") {
      faults.reload();
      accounts.reload();
    } else if (event.type === "message" || event.type === "delivery") refreshFaults();
  });
  usePoll(faults.reload, 2000);

  const list = accounts.data?.accounts ?? [];
  const names = new Map(list.map((a) => [a.user_id, a.name]));

  return (
    <main class="page sandbox-page">
      <div class="page-head">
        <div>
          <h1>Sandbox</h1>
          <p class="lede">
            Drive what production does on its own: the time, its bad days, and the whole world.
          </p>
        </div>
      </div>

      <div class="sandbox-top">
        <ClockPanel />
        <section class="card world-panel" aria-labelledby="world-title">
          <h2 id="world-title">World</h2>
          <WorldExport />
          <WorldImport />
          <WorldReset />
        </section>
      </div>

      <section class="card faults-panel" aria-labelledby="faults-title">
        <h2 id="faults-title">Fault rules</h2>
        <p class="muted no-margin">
          Make the next requests (or webhook deliveries) fail the way production sometimes does: an
          error status, a slow answer, a dropped connection.
        </p>
        <ErrorNote error={operations.error} />
        <ErrorNote error={accounts.error} />
        <div class="faults-body">
          <FaultForm groups={operations.data} accounts={list} onAdded={faults.reload} />
          <div>
            <ErrorNote error={faults.error} />
            {faults.data === null && !faults.error ? (
              <p class="muted">Loading…</p>
            ) : (
              <FaultList
                rules={faults.data?.faults ?? []}
                names={names}
                onChanged={faults.reload}
              />
            )}
          </div>
        </div>
      </section>
    </main>
  );
}
