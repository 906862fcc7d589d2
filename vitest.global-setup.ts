// Before any test: build the console and the SDK from their sources, so that the browser tests
// and the example bot (which imports the SDK's built package, as its users do) run what is on disk
// now rather than what `npm ci` built. Both builds take a few seconds. The PostgreSQL schemas that
// runs which ended left behind (one killed midway) are dropped; each test drops its own when it is
// done, and the schemas of another run going on now are left alone.
//
// Every project of vitest.config.ts runs this, in the same process and at different times: it
// does its work once, before the first project's tests (a second drop would take schemas from
// under running tests).
import { execFileSync } from "node:child_process";
import { dropLeftoverTestSchemas } from "./packages/server/test/helpers/test-database.ts";

const DONE = Symbol.for("beseda.test-setup-done");

export default async function setup(): Promise<void> {
  const shared = globalThis as { [DONE]?: boolean };
  if (shared[DONE]) return;
  shared[DONE] = true;
  for (const workspace of ["@beseda/console", "@beseda/avito-messenger"]) {
    execFileSync("npm", ["run", "build", "-w", workspace, "--silent"], { stdio: "pipe" });
  }
  // The run's id, in every schema its tests make (workers inherit the environment).
  process.env.BESEDA_TEST_RUN = String(process.pid);
  await dropLeftoverTestSchemas();
}
