// Placeholder: being written.
import type { ReliabilityScenario } from "../lib/scenario.ts";

export const crash: ReliabilityScenario = {
  name: "crash",
  description: "being written",
  run: async () => {
    throw new Error("crash is not written yet");
  },
};
