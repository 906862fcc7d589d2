// Before any test: build the console from its sources, so its browser tests run what is on disk
// now rather than what `npm ci` built (a Vite build takes well under a second).
import { execFileSync } from "node:child_process";

export default function buildConsole(): void {
  execFileSync("npm", ["run", "build", "-w", "@beseda/console", "--silent"], { stdio: "pipe" });
}
