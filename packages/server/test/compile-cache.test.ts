// The server runs TypeScript directly, and Node's type stripper (amaro, a WebAssembly build of swc)
// holds ~6 MB of every thread that loads it. Modules in Node's compile cache need no stripping:
// cli.js and startModuleWorker turn the cache on before any TypeScript loads, so a server started
// a second time, and a worker started a second time, never load amaro. Node lists what it loaded
// in process.moduleLoadList.
import { once } from "node:events";
import { rmSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import { afterAll, expect, test } from "vitest";
import { startModuleWorker } from "../src/worker-thread.ts";
import { startServerProcess } from "./helpers/server-process.ts";
import { tempDataDir } from "./helpers/temp-dir.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Written to stderr as the process exits: whether its main thread loaded amaro. */
const REPORT_AMARO = `--import=data:text/javascript,process.on('exit',()=>process.stderr.write('amaro-loaded:'+process.moduleLoadList.some(n=>n.includes('deps/amaro'))))`;

async function serverLoadedAmaro(): Promise<boolean> {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const server = await startServerProcess(dataDir, ["--no-demo"], { NODE_OPTIONS: REPORT_AMARO });
  const answer = await fetch(`${server.url}/healthz`);
  expect(answer.status).toBe(200);
  server.child.kill("SIGTERM");
  await server.exited;
  const reported = /amaro-loaded:(true|false)/.exec(server.stderr())?.[1];
  expect(reported, server.stderr()).toBeDefined();
  return reported === "true";
}

test("a server started a second time loads no type stripper", async () => {
  await serverLoadedAmaro(); // the first start may compile, and fill the cache
  expect(await serverLoadedAmaro()).toBe(false);
});

interface ProbeAnswer {
  workerData: unknown;
  amaroLoaded: boolean;
}

async function probe(): Promise<ProbeAnswer> {
  const worker: Worker = startModuleWorker(new URL("./fixtures/worker-probe.ts", import.meta.url), {
    workerData: { asked: 42 },
  });
  const [answer] = (await once(worker, "message")) as [ProbeAnswer];
  await worker.terminate();
  return answer;
}

test("a worker started a second time on a TypeScript module loads no type stripper", async () => {
  const first = await probe();
  expect(first.workerData).toEqual({ asked: 42 });
  expect(await probe()).toEqual({ workerData: { asked: 42 }, amaroLoaded: false });
});
