// A WebhookTransport whose POSTs run in a worker thread: the HTTP client's work (connections,
// parsing, timers, socket writes) leaves the thread that serves the API, and uses the second core.
// Requests made in the same turn go to the worker in one message, answers come back the same way.
// Should the worker die, what it had in hand fails (the dispatcher retries it) and the next POST
// starts a new worker.
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../../worker-thread.ts";
import type { PostResult, WebhookTransport } from "./transport.ts";
import type { PostDone, PostJob } from "./transport-worker.ts";

/** The worker's old generation; running out ends the worker, whose POSTs are then retried. */
const WORKER_HEAP_MB = 96;

export function threadedTransport(
  mode: "sandbox" | "production",
  onError: (error: Error) => void = () => {},
): WebhookTransport {
  const waiting = new Map<number, (result: PostResult) => void>();
  let outgoing: PostJob[] = [];
  let nextId = 1;
  let worker: Worker | undefined;
  let closed = false;

  function failAll(error: string): void {
    const results = [...waiting.values()];
    waiting.clear();
    for (const resolve of results) {
      resolve({ statusCode: null, durationMs: 0, error, excerpt: null, retryAfter: undefined });
    }
  }

  function start(): Worker {
    const started = startModuleWorker(new URL("./transport-worker.ts", import.meta.url), {
      workerData: { mode },
      // What it keeps is small (16 MB under full load); left unbounded, V8 lets a busy worker's
      // heap grow to ten times that before collecting it.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16 },
    });
    started.on("message", (batch: PostDone[]) => {
      for (const { id, result } of batch) {
        const resolve = waiting.get(id);
        waiting.delete(id);
        resolve?.(result);
      }
    });
    started.on("error", (error) => {
      onError(error);
    });
    started.on("exit", () => {
      if (worker !== started) return;
      worker = undefined;
      failAll("the webhook worker stopped before answering");
    });
    // The server's own handles keep the process alive; close() ends the worker.
    started.unref();
    return started;
  }

  function send(): void {
    const batch = outgoing;
    outgoing = [];
    if (closed) return;
    worker ??= start();
    worker.postMessage(batch);
  }

  return {
    post(request) {
      if (closed) {
        return Promise.resolve({
          statusCode: null,
          durationMs: 0,
          error: "the webhook transport is closed",
          excerpt: null,
          retryAfter: undefined,
        });
      }
      return new Promise<PostResult>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        if (outgoing.length === 0) queueMicrotask(send);
        outgoing.push({ id, request });
      });
    },
    close() {
      closed = true;
      failAll("the webhook transport is closed");
      void worker?.terminate();
      worker = undefined;
    },
  };
}
