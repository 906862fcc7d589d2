// Node's options for the server (V8's young generation bounded, see src/cli.js) are given in three
// places that must agree: the `beseda` command's first line, the root package.json's scripts that
// start it, and the bench's server processes (so that the figures are of the server users run).
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { SERVER_NODE_OPTIONS } from "../../../bench/lib/server-process.ts";

const root = new URL("../../../", import.meta.url);

test("the command, npm's scripts and the bench start the server with the same Node options", () => {
  const shebang = readFileSync(new URL("packages/server/src/cli.js", root), "utf8").split("\n")[0];
  expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_OPTIONS.join(" ")}`);
  const { scripts } = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
    scripts: Record<string, string>;
  };
  for (const name of ["start", "beseda", "seed"]) {
    expect(scripts[name], name).toMatch(
      new RegExp(`^node ${SERVER_NODE_OPTIONS.join(" ")} packages/server/src/cli\\.js`),
    );
  }
});
