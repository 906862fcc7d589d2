// Sends a raw request over node:net and reads every HTTP/1.1 answer that comes back (pipelined
// requests get several): status, headers, body framed by Content-Length or chunked, or by close.
import { connect } from "node:net";
import type { Answer } from "./fuzz-send.ts";

export interface RawOutcome {
  answers: Answer[];
  /** The socket ended, or the wait was over, before the last answer was whole. */
  incomplete: boolean;
  timedOut: boolean;
}

interface Parsed {
  answer: Answer;
  rest: Buffer;
}

function parseChunked(data: Buffer): { body: Buffer; used: number } | null {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(
      data.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "",
      16,
    );
    if (!Number.isFinite(size)) return null;
    at = lineEnd + 2;
    if (size === 0) {
      const end = data.indexOf("\r\n\r\n", at - 2);
      return end < 0 ? null : { body: Buffer.concat(chunks), used: end + 4 };
    }
    if (data.length < at + size + 2) return null;
    chunks.push(data.subarray(at, at + size));
    at += size + 2;
  }
}

/** One whole answer at the start of `data`, or null when more bytes are needed. */
function parseOne(data: Buffer, closed: boolean): Parsed | null {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd < 0) return null;
  const [statusLine = "", ...lines] = data.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const start = headEnd + 4;
  const after = data.subarray(start);
  let body: Buffer;
  let used: number;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    body = Buffer.alloc(0);
    used = 0;
  } else if (headers["transfer-encoding"]?.toLowerCase().includes("chunked")) {
    const chunked = parseChunked(after);
    if (!chunked) return null;
    ({ body, used } = chunked);
  } else if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    if (after.length < length) return null;
    body = after.subarray(0, length);
    used = length;
  } else {
    if (!closed) return null;
    body = after;
    used = after.length;
  }
  return { answer: { status, headers, body }, rest: data.subarray(start + used) };
}

export function sendRaw(
  host: string,
  port: number,
  bytes: Buffer,
  expected: number,
  timeoutMs: number,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const answers: Answer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let finished = false;
    const socket = connect({ host, port });
    const finish = (timedOut: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      drain(true);
      socket.destroy();
      resolve({ answers, incomplete: pending.length > 0, timedOut });
    };
    const drain = (closed: boolean) => {
      for (;;) {
        const parsed = parseOne(pending, closed);
        if (!parsed) return;
        pending = parsed.rest;
        // 100 Continue is an interim answer, not the answer.
        if (parsed.answer.status !== 100) answers.push(parsed.answer);
        if (pending.length === 0) return;
      }
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      drain(false);
      if (expected > 0 && answers.length >= expected) finish(false);
    });
    socket.on("end", () => finish(false));
    socket.on("close", () => finish(false));
    socket.on("error", () => finish(false));
    socket.write(bytes);
  });
}
