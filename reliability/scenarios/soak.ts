// Placeholder: being written.
import type { ReliabilityScenario } from "../lib/scenario.ts";

export const soak: ReliabilityScenario = {
  name: "soak",
  description: "being written",
  run: async () => {
    throw new Error("soak is not written yet");
  },
};
