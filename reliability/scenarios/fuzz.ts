// Placeholder: being written.
import type { ReliabilityScenario } from "../lib/scenario.ts";

export const fuzz: ReliabilityScenario = {
  name: "fuzz",
  description: "being written",
  run: async () => {
    throw new Error("fuzz is not written yet");
  },
};
