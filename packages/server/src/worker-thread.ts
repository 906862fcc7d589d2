// Worker threads on the server's TypeScript modules, started through Node's compile cache. Given a
// .ts file, a Worker strips its types with amaro (a WebAssembly build of swc) before any of our
// code runs, and amaro then holds ~6 MB of the thread's memory (its isolate ~20 MB instead of
// ~14). A module found in the on-disk compile cache needs no stripping, so the worker starts on a
// line of JavaScript that turns the cache on, then imports the module: from the second start on,
// no thread of the server loads amaro (cli.js does the same for the main thread).
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Run as CommonJS (eval); the module's URL is the worker's last argument. */
const BOOT = `require("node:module").enableCompileCache(); import(process.argv.at(-1));`;

/** A worker running `module`; `options` as for `new Worker` (its workerData reaches the module). */
export function startModuleWorker(
  module: URL,
  options: Omit<WorkerOptions, "eval" | "argv"> = {},
): Worker {
  return new Worker(BOOT, { ...options, eval: true, argv: [module.href] });
}
