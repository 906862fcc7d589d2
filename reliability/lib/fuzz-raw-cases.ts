// Requests that fetch and node:http refuse to send, written byte by byte for a raw socket:
// malformed request lines, bad header names, a 20 KB header, broken chunked encoding, conflicting
// lengths, `Expect: foo`, HTTP/1.0, pipelining. Each says how many answers a correct server
// gives (0: it may answer or close, but whatever it answers is judged).
import fc from "fast-check";
import type { World } from "./fuzz-world.ts";

export interface RawCase {
  kind: "raw";
  label: string;
  bytes: Buffer;
  /** Answers a well-behaved server sends before closing; 0 when a close is an answer too. */
  expectedAnswers: number;
}

export function rawCase(world: World): fc.Arbitrary<RawCase> {
  const host = new URL(world.base).host;
  const actor = world.actors[0];
  const auth = `Authorization: Bearer ${actor?.token ?? ""}\r\n`;
  const chats = `/messenger/v2/accounts/${actor?.userId ?? 0}/chats`;
  const get = (path: string, close = true) =>
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}${close ? "Connection: close\r\n" : ""}\r\n`;
  const postJson = (path: string, headers: string, body: string) =>
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nConnection: close\r\n${headers}\r\n${body}`;
  const chat = world.chats.find((c) => c.userIds.includes(actor?.userId ?? 0));
  const send = `/messenger/v1/accounts/${actor?.userId ?? 0}/chats/${chat?.id ?? "x"}/messages`;
  const message = '{"message":{"text":"raw"},"type":"text"}';
  const cases: [string, string | Buffer, number][] = [
    ["request line without a version", "GET /healthz\r\n\r\n", 0],
    ["unknown HTTP version", `GET /healthz HTTP/9.9\r\nHost: ${host}\r\n\r\n`, 0],
    ["a request line of garbage", "GARBAGE\r\n\r\n", 0],
    ["three words and more", `GET /healthz HTTP/1.1 extra\r\nHost: ${host}\r\n\r\n`, 0],
    ["binary junk", Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]), 0],
    ["a TLS ClientHello", Buffer.from("16030100a5010000a10303", "hex"), 0],
    ["a space in the target", `GET /heal thz HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 0],
    [
      "raw unicode in the path",
      Buffer.concat([
        Buffer.from("GET /messenger/v2/accounts/"),
        Buffer.from("пользователь", "utf8"),
        Buffer.from(`/chats HTTP/1.1\r\nHost: ${host}\r\n${auth}Connection: close\r\n\r\n`),
      ]),
      0,
    ],
    ["a NUL in the path", `GET /healthz\u0000 HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 0],
    ["a raw .. path", get(`/sandbox/v1/../../messenger/../healthz`), 0],
    ["a %FF path", get(`/messenger/v2/accounts/%FF/chats`), 1],
    [
      "a 200-character path id",
      get(`/messenger/v2/accounts/${actor?.userId ?? 0}/chats/${"x".repeat(200)}`),
      1,
    ],
    ["absolute-form target", get(`http://evil.example${chats}`), 0],
    [
      "a space in a header name",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nBad Header: x\r\n\r\n`,
      0,
    ],
    [
      "a non-ASCII header name",
      Buffer.concat([
        Buffer.from("GET /healthz HTTP/1.1\r\nHost: x\r\nX-"),
        Buffer.from("Ü", "utf8"),
        Buffer.from(": y\r\n\r\n"),
      ]),
      0,
    ],
    ["a header without a colon", `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nNoColon\r\n\r\n`, 0],
    [
      "a control character in a header value",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-A: a\u0001b\r\n\r\n`,
      0,
    ],
    [
      "obsolete line folding",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n`,
      0,
    ],
    [
      "a 20 KB header",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      0,
    ],
    [
      "3,000 headers",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n${"X-A: b\r\n".repeat(3000)}Connection: close\r\n\r\n`,
      0,
    ],
    ["no Host header", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 0],
    [
      "two Host headers",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nHost: other\r\nConnection: close\r\n\r\n`,
      0,
    ],
    ["bare LF line ends", `GET /healthz HTTP/1.1\nHost: ${host}\nConnection: close\n\n`, 0],
    [
      "chunked with a bad size",
      postJson(send, "Transfer-Encoding: chunked\r\n", "zz\r\nabc\r\n0\r\n\r\n"),
      0,
    ],
    [
      "chunked with a huge size",
      postJson(send, "Transfer-Encoding: chunked\r\n", "FFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"),
      0,
    ],
    [
      "chunked with a chunk extension",
      postJson(
        send,
        "Transfer-Encoding: chunked\r\n",
        `${message.length.toString(16)};ext=1\r\n${message}\r\n0\r\n\r\n`,
      ),
      1,
    ],
    [
      "valid chunked",
      postJson(
        send,
        "Transfer-Encoding: chunked\r\n",
        `${message.length.toString(16)}\r\n${message}\r\n0\r\n\r\n`,
      ),
      1,
    ],
    [
      "conflicting Content-Length",
      postJson(send, `Content-Length: ${message.length}\r\nContent-Length: 5\r\n`, message),
      0,
    ],
    [
      "Content-Length and chunked",
      postJson(
        send,
        `Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`,
        `${message.length.toString(16)}\r\n${message}\r\n0\r\n\r\n`,
      ),
      0,
    ],
    ["a negative Content-Length", postJson(send, "Content-Length: -1\r\n", message), 0],
    [
      "a Content-Length past the body",
      postJson(send, `Content-Length: ${message.length - 5}\r\n`, message),
      0,
    ],
    [
      "Expect: foo",
      postJson(send, `Expect: foo\r\nContent-Length: ${message.length}\r\n`, message),
      1,
    ],
    [
      "Expect: 100-continue",
      postJson(send, `Expect: 100-continue\r\nContent-Length: ${message.length}\r\n`, message),
      1,
    ],
    ["HTTP/1.0 without Host", "GET /healthz HTTP/1.0\r\n\r\n", 1],
    ["HTTP/1.0 with a token", `GET ${chats} HTTP/1.0\r\n${auth}\r\n`, 1],
    [
      "pipelined: healthz, chats, healthz",
      `${get("/healthz", false)}${get(chats, false)}${get("/healthz")}`,
      3,
    ],
    [
      "pipelined: a send, then a bad request line",
      `${postJson(send, `Content-Length: ${message.length}\r\n`, message).replace("Connection: close\r\n", "")}GARBAGE\r\n\r\n`,
      0,
    ],
    ["pipelined: 20 healthz", `${get("/healthz", false).repeat(19)}${get("/healthz")}`, 20],
    [
      "an unknown method",
      `BREW /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      0,
    ],
    ["CONNECT", `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 0],
    [
      "an Upgrade to websocket",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      0,
    ],
    [
      "an h2c upgrade",
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
      0,
    ],
    ["the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0],
  ];
  return fc.constantFrom(...cases).map(([label, bytes, expectedAnswers]) => ({
    kind: "raw",
    label,
    bytes: typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes,
    expectedAnswers,
  }));
}
