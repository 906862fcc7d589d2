// The sandbox clock: the time every part of Beseda reads (timestamps, token expiry, the delete
// window, rate-limit windows, webhook retries, fault rules' `until`). It runs with real time, so
// the page ticks it along between answers; it only moves forward, by a preset or a typed duration.
import { useEffect, useState } from "preact/hooks";
import { call } from "../api.ts";
import { formatDateTime, parseDuration } from "../format.ts";
import { useLiveEvents } from "../live.ts";
import type { Clock } from "../types.ts";
import { useAction } from "../use-action.ts";
import { ErrorNote } from "./form-field.tsx";

const PRESETS = [
  { label: "+1 min", seconds: 60 },
  { label: "+1 h", seconds: 3_600 },
  { label: "+1 day", seconds: 86_400 },
  { label: "+7 days", seconds: 7 * 86_400 },
] as const;

/** The API's bound on one step (ten years). */
const MAX_STEP = 315_360_000;

/** "2 d 3 h 5 min ahead of real time", or "real time". */
export function describeOffset(seconds: number): string {
  if (seconds <= 0) return "Real time";
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) parts.push(`${amount} ${unit}`);
  }
  return `${parts.join(" ")} ahead of real time`;
}

interface Reading {
  clock: Clock;
  /** performance.now() when it was read: the page adds the real time since. */
  at: number;
}

export function ClockPanel() {
  const [reading, setReading] = useState<Reading | null>(null);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [, setTick] = useState(0);
  const [duration, setDuration] = useState("");
  const [durationProblem, setDurationProblem] = useState<string | null>(null);

  const take = (clock: Clock) => setReading({ clock, at: performance.now() });
  const load = () =>
    call("get", "/sandbox/v1/clock").then(
      (clock) => {
        take(clock);
        setLoadError(null);
      },
      (reason: unknown) =>
        setLoadError(reason instanceof Error ? reason : new Error(String(reason))),
    );

  useEffect(() => {
    void load();
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  useLiveEvents((event) => {
    if (event.type === "clock") take({ now: event.now, offset_seconds: event.offset_seconds });
    else if (event.type === "world" || event.type === "resync") void load();
  });

  const advance = useAction(async (seconds: number) => {
    take(await call("post", "/sandbox/v1/clock", { body: { advance_seconds: seconds } }));
  });

  const submitDuration = (event: Event) => {
    event.preventDefault();
    const seconds = parseDuration(duration);
    if (seconds === null || seconds <= 0) {
      setDurationProblem("Write a duration like 90m, 2h30m, 1d or 45s.");
      return;
    }
    if (seconds > MAX_STEP) {
      setDurationProblem("At most ten years (3650d) at a time.");
      return;
    }
    setDurationProblem(null);
    void advance.run(seconds).then((ok) => {
      if (ok) setDuration("");
    });
  };

  const now = reading
    ? reading.clock.now + Math.floor((performance.now() - reading.at) / 1000)
    : null;

  return (
    <section class="card clock-panel" aria-labelledby="clock-title">
      <h2 id="clock-title">Clock</h2>
      <ErrorNote error={loadError} />
      <p class="clock-now tabular" aria-live="off">
        <time dateTime={now === null ? undefined : new Date(now * 1000).toISOString()}>
          {now === null ? "—" : formatDateTime(now)}
        </time>
      </p>
      <p class="muted no-margin">{reading ? describeOffset(reading.clock.offset_seconds) : "…"}</p>
      <fieldset class="clock-presets">
        <legend>Advance by</legend>
        {PRESETS.map((preset) => (
          <button
            key={preset.seconds}
            type="button"
            disabled={advance.busy}
            onClick={() => void advance.run(preset.seconds)}
          >
            {preset.label}
          </button>
        ))}
      </fieldset>
      <form class="clock-form" onSubmit={submitDuration}>
        <label for="clock-duration">Advance by a duration</label>
        <div class="row">
          <input
            id="clock-duration"
            value={duration}
            placeholder="2h30m"
            autocomplete="off"
            spellcheck={false}
            aria-describedby="clock-duration-hint"
            aria-invalid={durationProblem ? "true" : undefined}
            onInput={(event) => {
              setDuration(event.currentTarget.value);
              setDurationProblem(null);
            }}
          />
          <button type="submit" class="primary" disabled={advance.busy || duration.trim() === ""}>
            Advance
          </button>
        </div>
        <span id="clock-duration-hint" class="field-hint">
          Days, hours, minutes, seconds: <code>90m</code>, <code>2h30m</code>, <code>1d12h</code>.
          The clock never goes back; a reset returns it to real time.
        </span>
        {durationProblem && (
          <span class="field-problem" role="alert">
            {durationProblem}
          </span>
        )}
      </form>
      <ErrorNote error={advance.error} />
    </section>
  );
}
