// The kept answers' version checks on a shared store, many requests' in one statement
// (coalesced-version-reads.ts). The statement here is a function that records what it was asked
// and answers when the test says, so that the order of asking and answering is the test's.
import { expect, test } from "vitest";
import { CoalescedVersionReads } from "../src/domain/views/coalesced-version-reads.ts";

interface Statement {
  scopes: readonly string[];
  answer(versions: Record<string, string>): void;
  fail(error: Error): void;
}

function coalesced(maxScopesPerStatement = 64) {
  const statements: Statement[] = [];
  const reads = new CoalescedVersionReads(
    (scopes) =>
      new Promise((resolve, reject) => {
        statements.push({
          scopes,
          answer: (versions) => resolve(scopes.map((scope) => versions[scope] ?? "0")),
          fail: reject,
        });
      }),
    { maxScopesPerStatement },
  );
  return { reads, statements };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

test("a read with nothing in flight is sent at once, alone", async () => {
  const { reads, statements } = coalesced();
  const version = reads.read("a1");
  expect(statements.map((s) => s.scopes)).toEqual([["a1"]]);
  statements[0]?.answer({ a1: "3:w" });
  expect(await version).toBe("3:w");
});

test("reads asked while a statement is in flight go together in the next, each scope once", async () => {
  const { reads, statements } = coalesced();
  const first = reads.read("a1");
  const later = [reads.read("a2"), reads.read("c9"), reads.read("a2"), reads.read("a1")];
  expect(statements).toHaveLength(1);
  statements[0]?.answer({ a1: "1:w" });
  expect(await first).toBe("1:w");
  await settled();
  expect(statements.map((s) => s.scopes)).toEqual([["a1"], ["a2", "c9", "a1"]]);
  statements[1]?.answer({ a1: "2:w", a2: "5:w", c9: "7:w" });
  expect(await Promise.all(later)).toEqual(["5:w", "7:w", "5:w", "2:w"]);
});

test("a read never takes its version from a statement sent before it was asked", async () => {
  // The statement in flight may have read the store before a change that a 200 has since
  // acknowledged: a read asked now must see that change, so it waits for the next statement.
  const { reads, statements } = coalesced();
  const before = reads.read("a1");
  const after = reads.read("a1");
  statements[0]?.answer({ a1: "1:w" });
  await settled();
  statements[1]?.answer({ a1: "2:w" });
  expect(await before).toBe("1:w");
  expect(await after).toBe("2:w");
});

test("a statement holds at most maxScopesPerStatement scopes, the longest waiting first", async () => {
  const { reads, statements } = coalesced(2);
  const all = ["s0", "s1", "s2", "s3", "s4"].map((scope) => reads.read(scope));
  for (let i = 0; i < 3; i++) {
    statements[i]?.answer({});
    await settled();
  }
  expect(statements.map((s) => s.scopes)).toEqual([["s0"], ["s1", "s2"], ["s3", "s4"]]);
  expect(await Promise.all(all)).toEqual(["0", "0", "0", "0", "0"]);
});

test("a failed statement fails its own reads only, and the next is still sent", async () => {
  const { reads, statements } = coalesced();
  const first = reads.read("a1");
  const second = reads.read("a2");
  statements[0]?.fail(new Error("connection lost"));
  await expect(first).rejects.toThrow("connection lost");
  await settled();
  expect(statements.map((s) => s.scopes)).toEqual([["a1"], ["a2"]]);
  statements[1]?.answer({ a2: "4:w" });
  expect(await second).toBe("4:w");
});
