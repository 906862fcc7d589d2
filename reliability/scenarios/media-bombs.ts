// Placeholder: being written.
import type { ReliabilityScenario } from "../lib/scenario.ts";

export const mediaBombs: ReliabilityScenario = {
  name: "media-bombs",
  description: "being written",
  run: async () => {
    throw new Error("media-bombs is not written yet");
  },
};
