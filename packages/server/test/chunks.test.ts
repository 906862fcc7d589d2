// powerOfTwoChunks: every value once, in order, in chunks whose lengths are powers of two no
// larger than asked (so that statements over lists keep to a few SQL texts).
import { expect, test } from "vitest";
import { powerOfTwoChunks } from "../src/store/chunks.ts";

test.each([0, 1, 2, 3, 7, 64, 65, 127, 200])("%i values", (count) => {
  const values = Array.from({ length: count }, (_, i) => i);
  const chunks = powerOfTwoChunks(values);
  expect(chunks.flat()).toEqual(values);
  for (const chunk of chunks) {
    expect(chunk.length).toBeGreaterThan(0);
    expect(chunk.length).toBeLessThanOrEqual(64);
    expect(Number.isInteger(Math.log2(chunk.length))).toBe(true);
  }
  // Largest first: 200 = 64 + 64 + 64 + 8.
  if (count === 200) expect(chunks.map((c) => c.length)).toEqual([64, 64, 64, 8]);
});

test("a smaller largest size", () => {
  expect(powerOfTwoChunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
});
