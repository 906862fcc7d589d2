// The webhook POSTs, in a worker thread of their own (see threaded-transport.ts): takes batches
// of requests from the main thread, sends each with the node:http transport, and sends the
// answers back in batches too (one message for all that ended in the same turn).
import { parentPort, workerData } from "node:worker_threads";
import { httpTransport, type PostRequest, type PostResult } from "./transport.ts";

export interface PostJob {
  id: number;
  request: PostRequest;
}

export interface PostDone {
  id: number;
  result: PostResult;
}

const transport = httpTransport((workerData as { mode: "sandbox" | "production" }).mode);
let done: PostDone[] = [];

function sendDone(): void {
  const batch = done;
  done = [];
  parentPort?.postMessage(batch);
}

parentPort?.on("message", (jobs: PostJob[]) => {
  for (const job of jobs) {
    void transport.post(job.request).then((result) => {
      if (done.length === 0) setImmediate(sendDone);
      done.push({ id: job.id, result });
    });
  }
});
