// The production-mode address guard: which addresses count as public (the IANA special-purpose
// ranges, IPv4 embedded in IPv6, strings that are not IPs), checked as a table on the function,
// then over HTTP on a real server with a real receiver on loopback that must never be reached.
import { afterAll, beforeAll, expect, test } from "vitest";
import { httpTransport } from "../src/domain/webhooks/transport.ts";
import { isForbiddenAddress } from "../src/domain/webhooks/url-guard.ts";
import { TestApi } from "./helpers/api.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const PUBLIC = [
  "8.8.8.8",
  "1.1.1.1",
  "77.88.55.242",
  "2606:4700:4700::1111",
  "2a00:1450:4001::1",
  "2001:4860:4860::8888",
  // A dotted tail is only notation: this is 2a00:1450:4001::808:808.
  "2a00:1450:4001::8.8.8.8",
  // NAT64 well-known prefix: how an IPv6-only network with DNS64 reaches a public IPv4 host.
  "64:ff9b::808:808",
  "64:ff9b::8.8.8.8",
  // IPv4-mapped: what a dual-stack resolver may answer for a public IPv4 host.
  "::ffff:8.8.8.8",
  "::ffff:808:808",
];

const NOT_PUBLIC: [address: string, what: string][] = [
  // IPv4, by IANA special-purpose range.
  ["0.0.0.0", "this network"],
  ["0.1.2.3", "this network"],
  ["10.0.0.1", "private"],
  ["100.64.0.1", "carrier-grade NAT"],
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["169.254.169.254", "link-local, cloud metadata"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.0.0.1", "IETF protocol assignments"],
  ["192.0.0.170", "NAT64 discovery"],
  ["192.0.2.1", "TEST-NET-1"],
  ["192.31.196.1", "AS112"],
  ["192.52.193.1", "AMT"],
  ["192.88.99.1", "6to4 relay anycast"],
  ["192.168.1.1", "private"],
  ["192.175.48.1", "AS112"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking"],
  ["198.51.100.7", "TEST-NET-2"],
  ["203.0.113.9", "TEST-NET-3"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
  // IPv6, by IANA special-purpose range or outside global unicast 2000::/3.
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["fd00::1", "unique local"],
  ["fc00::1", "unique local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local with a zone"],
  ["fec0::1", "site-local (deprecated)"],
  ["ff02::1", "multicast"],
  ["ff0e::1", "multicast, global scope"],
  ["100::1", "discard-only"],
  ["100:0:0:1::1", "dummy prefix"],
  ["2001:2::1", "benchmarking"],
  ["2001:3::1", "AMT"],
  ["2001:4:112::1", "AS112-v6"],
  ["2001:10::1", "ORCHID (deprecated)"],
  ["2001:20::1", "ORCHIDv2"],
  ["2001:30::1", "drone remote ID"],
  ["2001:1::1", "port control protocol anycast"],
  ["2001:db8::1", "documentation"],
  ["2620:4f:8000::1", "AS112 direct delegation"],
  ["3fff::1", "documentation"],
  ["3fff:fff::1", "documentation"],
  ["5f00::1", "segment routing SIDs"],
  ["4000::1", "outside 2000::/3, unassigned"],
  ["e000::1", "outside 2000::/3, unassigned"],
  // IPv4 embedded in IPv6.
  ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
  ["::ffff:7f00:1", "IPv4-mapped loopback, hex"],
  ["::ffff:10.0.0.1", "IPv4-mapped private"],
  ["::ffff:169.254.169.254", "IPv4-mapped metadata"],
  ["::ffff:0.0.0.0", "IPv4-mapped this network"],
  ["::127.0.0.1", "IPv4-compatible loopback"],
  ["::7f00:1", "IPv4-compatible loopback, as URL writes it"],
  ["::10.0.0.1", "IPv4-compatible private"],
  ["::8.8.8.8", "IPv4-compatible, deprecated even when public"],
  ["::ffff:0:127.0.0.1", "IPv4-translated loopback"],
  ["::ffff:0:8.8.8.8", "IPv4-translated, deprecated even when public"],
  ["64:ff9b::7f00:1", "NAT64 of loopback"],
  ["64:ff9b::127.0.0.1", "NAT64 of loopback"],
  ["64:ff9b::a00:1", "NAT64 of private"],
  ["64:ff9b::a9fe:a9fe", "NAT64 of metadata"],
  ["64:ff9b::c000:201", "NAT64 of TEST-NET-1"],
  ["64:ff9b::1:808:808", "inside 64:ff9b::/64 but outside the /96"],
  ["64:ff9b:1::a00:1", "local-use NAT64"],
  ["64:ff9b:1::808:808", "local-use NAT64, whatever it embeds"],
  ["2002:7f00:1::", "6to4 of loopback"],
  ["2002:7f00:1::1", "6to4 of loopback"],
  ["2002:a00:1::1", "6to4 of private"],
  ["2002:0808:0808::", "6to4, deprecated even when public"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
  ["2001:0:7f00:1::", "Teredo with a loopback server"],
  ["2001::1", "Teredo"],
  // Not an IP address in the one strict notation.
  ["", "empty"],
  ["localhost", "a name"],
  ["example.com", "a name"],
  ["[::1]", "brackets"],
  ["[::]", "brackets"],
  ["127.1", "short IPv4"],
  ["2130706433", "IPv4 as one number"],
  ["0x7f.0.0.1", "hex IPv4"],
  ["0177.0.0.1", "octal IPv4"],
  ["08.8.8.8", "leading zero"],
  ["8.8.8.8 ", "trailing space"],
  ["256.1.1.1", "octet too big"],
  ["2606:4700:4700::1111::1", "two ::"],
  ["2606:4700:4700::1111%eth0", "public with a zone"],
];

test.each(PUBLIC)("%s is public", (address) => {
  expect(isForbiddenAddress(address)).toBe(false);
});

test.each(NOT_PUBLIC)("%s is refused (%s)", (address) => {
  expect(isForbiddenAddress(address)).toBe(true);
});

let server: TestServer;
let hook: Receiver;
let api: TestApi;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ webhookMode: "production" });
  hook = await startReceiver(200);
  api = new TestApi(server.url, server.adminToken);
  token = await api.token(await api.createAccount("Осторожный"));
});

afterAll(async () => {
  await hook?.close();
  await server?.stop();
});

interface ErrorEnvelope {
  error?: { code?: number; message?: string; fields?: Record<string, string> };
}

test("production mode refuses special-purpose and IPv4-embedding addresses before connecting", async () => {
  const port = new URL(hook.url).port;
  // Each would reach the receiver on 127.0.0.1 if the embedded IPv4 were followed.
  const loopbackInDisguise = [
    `http://[::127.0.0.1]:${port}/x`,
    `http://[::7f00:1]:${port}/x`,
    `http://[::ffff:0:127.0.0.1]:${port}/x`,
    `http://[64:ff9b::127.0.0.1]:${port}/x`,
    `http://[2002:7f00:1::]:${port}/x`,
    `http://[2001:0:7f00:1::]:${port}/x`,
  ];
  const elsewhere = [
    "http://[64:ff9b:1::a00:1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[fec0::1]/",
    "http://[100::1]/",
    "http://[2001:db8::1]/",
    "http://192.0.2.1/",
    "http://198.51.100.7/",
    "http://203.0.113.9/",
    "http://192.88.99.1/",
  ];
  for (const url of [...loopbackInDisguise, ...elsewhere]) {
    const response = await api.call<ErrorEnvelope>("postWebhookV3", {
      token,
      params: {},
      json: { url },
    });
    expect(response.status, url).toBe(400);
    expect(response.body.error?.code, url).toBe(400);
    expect(typeof response.body.error?.message, url).toBe("string");
    const why = response.body.error?.fields?.url ?? "";
    // Refused on the address itself, not after a probe was tried.
    expect(why, url).toMatch(/public address/);
    expect(why, url).not.toMatch(/probe/);
  }
  const listed = await api.call<{ subscriptions: unknown[] }>("getSubscriptions", {
    token,
    params: {},
  });
  expect(listed.body).toEqual({ subscriptions: [] });
  expect(hook.received).toHaveLength(0);
});

test("the refusal names the IPv4 address a 6to4 address carries", async () => {
  const response = await api.call<ErrorEnvelope>("postWebhookV3", {
    token,
    params: {},
    json: { url: "http://[2002:7f00:1::]/" },
  });
  expect(response.status).toBe(400);
  expect(response.body.error?.fields?.url).toMatch(/127\.0\.0\.1/);
});

test("the connection-time check refuses an IPv4-compatible literal without connecting", async () => {
  const port = new URL(hook.url).port;
  const transport = httpTransport("production");
  try {
    const result = await transport.post({
      url: `http://[::127.0.0.1]:${port}/x`,
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/not a public address/);
  } finally {
    transport.close();
  }
  expect(hook.received).toHaveLength(0);
});
