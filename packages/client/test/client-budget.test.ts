// The request budget under a limit the server declares (X-RateLimit-Limit), on a clock the test
// moves: whatever the configured burst, no sliding minute holds more requests than the limit.
import { describe, expect, it } from "vitest";
import { RequestBudget } from "../src/budget.ts";

/** A clock whose sleeps move time on at once. */
function steppedClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

/** Most requests sent in any 60 s window, over `count` requests taken one after another. */
async function busiestMinute(limit: number, count: number, burst?: number): Promise<number> {
  const clock = steppedClock();
  const budget = new RequestBudget(burst === undefined ? {} : { burst }, clock);
  budget.observe(new Headers({ "x-ratelimit-limit": String(limit) }));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await budget.take();
    times.push(clock.now());
  }
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 60_000).length));
}

describe("a declared limit", () => {
  it.each([
    [1, 10],
    [5, 10],
    [10, 10],
    [11, 10],
    [60, 10],
    [3, 1],
  ])("of %i a minute is never exceeded (configured burst %i)", async (limit, burst) => {
    expect(await busiestMinute(limit, limit * 4 + 5, burst)).toBeLessThanOrEqual(limit);
  });

  it("lowers the burst when it is no bigger than the burst", () => {
    const budget = new RequestBudget({}, steppedClock());
    budget.observe(new Headers({ "x-ratelimit-limit": "5" }));
    expect(budget.burst).toBe(3);
    expect(budget.requestsPerMinute).toBe(2);
  });
});
