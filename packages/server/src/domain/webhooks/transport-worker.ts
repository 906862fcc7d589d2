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

function answer(id: number, result: PostResult): void {
  if (done.length === 0) setImmediate(sendDone);
  done.push({ id, result });
}

parentPort?.on("message", (jobs: PostJob[]) => {
  for (const job of jobs) {
    transport.post(job.request).then(
      (result) => answer(job.id, result),
      // The transport turns every failure of the exchange into a result; anything else is a bug,
      // answered as a failed attempt so that the delivery is tried again.
      (error: unknown) =>
        answer(job.id, {
          statusCode: null,
          durationMs: 0,
          error: error instanceof Error ? error.message : String(error),
          excerpt: null,
          retryAfter: undefined,
        }),
    );
  }
});
