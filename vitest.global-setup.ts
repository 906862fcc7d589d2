// Before any test: build the console and the SDK from their sources, so that the browser tests
// and the example bot (which imports the SDK's built package, as its users do) run what is on disk
// now rather than what `npm ci` built. Both builds take a few seconds.
import { execFileSync } from "node:child_process";

export default function buildPackages(): void {
  for (const workspace of ["@beseda/console", "@beseda/avito-messenger"]) {
    execFileSync("npm", ["run", "build", "-w", workspace, "--silent"], { stdio: "pipe" });
  }
}
