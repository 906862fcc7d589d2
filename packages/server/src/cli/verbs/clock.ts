// `beseda clock [advance DURATION]`: the sandbox clock, and moving it forward.
import { formatDuration, parseDuration } from "../duration.ts";
import { formatTime } from "../format.ts";
import { UsageError, type Verb } from "../verb.ts";

interface ClockState {
  now: number;
  offset_seconds: number;
}

export const clockVerb: Verb = {
  name: "clock",
  summary: "show the sandbox clock, or advance it (1h, 30m, 2d, 1h30m, 90s)",
  usage: ["beseda clock", "beseda clock advance DURATION      e.g. 1h, 2d, 1h30m, 90s, 3600"],
  options: { json: { type: "boolean" } },
  async run([action, amount], values, { client, out }) {
    let state: ClockState;
    if (action === "advance") {
      const seconds = amount === undefined ? null : parseDuration(amount);
      if (seconds === null)
        throw new UsageError(
          `clock advance needs a DURATION such as 1h or 90s${amount ? `, got "${amount}"` : ""}`,
        );
      state = await client.call<ClockState>("POST", "/clock", { advance_seconds: seconds });
    } else if (action === undefined) {
      state = await client.call<ClockState>("GET", "/clock");
    } else {
      throw new UsageError(`unknown clock action "${action}"`);
    }
    if (values.json) return out(JSON.stringify(state));
    const ahead =
      state.offset_seconds > 0
        ? `, ${formatDuration(state.offset_seconds)} ahead of real time`
        : ", real time";
    out(`sandbox clock: ${formatTime(state.now)} UTC (${state.now})${ahead}`);
  },
};
