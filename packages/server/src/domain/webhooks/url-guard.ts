// Which webhook URLs Beseda will call. Always http or https. In production mode only public
// addresses: loopback, private, link-local (cloud metadata included), carrier-grade NAT,
// multicast and unspecified ranges are refused, checked on the address actually connected to
// (so a name that resolves to an inside address, or starts to, is refused too).
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { validationError } from "../../errors/beseda-error.ts";

const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv6");
}

/** Is `address` one that production mode must never connect to? */
export function isForbiddenAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return FORBIDDEN.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The URL, parsed, if Beseda may call it at all; a 400 naming `url` otherwise. */
export function checkWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw validationError({ url: "must be an absolute http or https URL" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw validationError({ url: "must use http or https" });
  }
  if (url.username || url.password) {
    throw validationError({ url: "must not carry a user name or password" });
  }
  return url;
}

/**
 * In production mode, refuses a URL whose host is, or resolves to, a non-public address. Checked
 * again on every connection (transport.ts), since a name can change what it resolves to.
 */
export async function checkPublicHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw validationError({ url: `the host ${host} cannot be resolved` });
    }
  }
  const inside = addresses.filter(isForbiddenAddress);
  if (inside.length > 0) {
    throw validationError({
      url: `must reach a public address; ${host} is ${inside.join(", ")} (loopback, private, link-local and metadata addresses are refused in production mode)`,
    });
  }
}
