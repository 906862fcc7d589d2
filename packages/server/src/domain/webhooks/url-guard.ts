// Which webhook URLs Beseda will call. Always http or https. In production mode only public
// addresses, checked on the address actually connected to (so a name that resolves to an inside
// address, or starts to, is refused too). "Public" is an allow-list: ipaddr.js files the address
// under none of its special ranges (the IANA special-purpose registries plus multicast: loopback,
// private, link-local and so cloud metadata, carrier-grade NAT, documentation, benchmarking…) and,
// if IPv6, it lies in global unicast 2000::/3. IPv6 that carries an IPv4 address is judged by that
// address (IPv4-mapped, NAT64) or refused outright (the deprecated transition forms). Anything
// that is not an IP address in plain notation is refused. Domain layer: no Fastify, no Kysely.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { validationError } from "../../errors/beseda-error.ts";

// ipaddr.js 2.5 names every range of the IANA IPv4 and IPv6 special-purpose registries (checked
// for 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15, 192.88.99.0/24, 2001:db8::/32,
// fec0::/10, 100::/64, 64:ff9b:1::/48, 2001:2::/48, 2001:10::/28, 2001:20::/28, 5f00::/16,
// 3fff::/20) except the dummy prefix 100:0:0:1::/64, added in 2025. Rather than a list of extras,
// IPv6 must lie in 2000::/3: every block IANA has given to the registries lies there, so this also
// shuts out what is unassigned today and what a future registry entry carves out of ::/8 or
// 100::/8. If IANA ever opens another /3, this line is what to change.
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR("2000::/3");
// Within ipaddr.js's "rfc6052" range, which also holds the local-use 64:ff9b:1::/48.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR("64:ff9b::/96");

/** The IPv4 address in bytes `from`…`from + 3` of an IPv6 address, each XORed with `mask`. */
function embeddedIPv4(bytes: number[], from: number, mask = 0): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(from, from + 4).map((byte) => byte ^ mask));
}

/**
 * An IPv6 address as the OS reads it. ipaddr.js reads ::a.b.c.d as ::ffff:a.b.c.d, mapped, where
 * the OS connects to the IPv4-compatible ::a.b.c.d, so a dotted tail is spelled in hex first.
 */
function parseIPv6(address: string): ipaddr.IPv6 {
  const tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (!tail) return ipaddr.IPv6.parse(address);
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(tail[2] ?? "").octets;
  const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  return ipaddr.IPv6.parse(`${tail[1] ?? ""}${hex}`);
}

function whyNotPublicIPv4(ip: ipaddr.IPv4): string | undefined {
  const range = ip.range();
  return range === "unicast" ? undefined : `in the ${range} range`;
}

function whyNotPublicIPv6(ip: ipaddr.IPv6): string | undefined {
  // Widened: ipaddr.js's typings miss some names range() returns (discard, segmentRouting…),
  // and every name but "unicast" and the IPv4-carrying ones ends in the default branch anyway.
  const range: string = ip.range();
  const bytes = ip.toByteArray();
  switch (range) {
    case "unicast":
      break;
    case "ipv4Mapped": {
      // ::ffff:a.b.c.d: a dual-stack socket connects to a.b.c.d itself, and resolvers asked for
      // mapped answers return public hosts this way.
      const v4 = embeddedIPv4(bytes, 12);
      const why = whyNotPublicIPv4(v4);
      return why && `IPv4-mapped ${v4}, ${why}`;
    }
    case "rfc6052": {
      if (!ip.match(NAT64_WELL_KNOWN)) {
        // Local-use NAT64 translates into whatever the operator chose, private space included,
        // at any of RFC 6052's prefix lengths: the IPv4 address cannot even be located.
        return "in the local-use NAT64 prefix 64:ff9b:1::/48";
      }
      // 64:ff9b::a.b.c.d is how an IPv6-only network with DNS64 reaches a.b.c.d, so it is as
      // public as a.b.c.d (RFC 6052 forbids it for non-global IPv4, but a translator may not care).
      const v4 = embeddedIPv4(bytes, 12);
      const why = whyNotPublicIPv4(v4);
      return why && `NAT64 of ${v4}, ${why}`;
    }
    // The deprecated transition forms are refused whatever IPv4 address they carry. Where they
    // lead depends on tunnels and relays configured on this host or near it (a sit tunnel sends
    // ::a.b.c.d or 2002:aabb:ccdd:: encapsulated straight to the IPv4 address inside), which no
    // check here can see; and a receiver reachable through one of them is reachable at its own IPv4 or native
    // IPv6 address, which is what a webhook URL should name.
    case "6to4":
      return `6to4 (deprecated), carrying ${embeddedIPv4(bytes, 2)}`;
    case "teredo":
      return `Teredo (deprecated), carrying server ${embeddedIPv4(bytes, 4)} and client ${embeddedIPv4(bytes, 12, 0xff)}`;
    case "rfc6145":
      return `IPv4-translated ::ffff:0:a.b.c.d (deprecated), carrying ${embeddedIPv4(bytes, 12)}`;
    default:
      return `in the ${range} range`;
  }
  if (bytes.slice(0, 12).every((byte) => byte === 0)) {
    // ::a.b.c.d (:: and ::1 were named above); see the deprecated forms.
    return `IPv4-compatible (deprecated), carrying ${embeddedIPv4(bytes, 12)}`;
  }
  if (!ip.match(GLOBAL_UNICAST)) return "outside global unicast 2000::/3";
  return undefined;
}

/** Why production mode must never connect to `address`, or undefined if it may. */
export function whyNotPublic(address: string): string | undefined {
  // A zone index names an interface of this host: nothing scoped is a global address.
  if (address.includes("%")) return "scoped to a local interface";
  // Only node's strict notations: ipaddr.js alone would also read 127.1, 0x7f.0.0.1 and octal,
  // which other parsers read differently.
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  try {
    return family === 4
      ? whyNotPublicIPv4(ipaddr.IPv4.parse(address))
      : whyNotPublicIPv6(parseIPv6(address));
  } catch {
    return "not an IP address";
  }
}

/** Is `address` one that production mode must never connect to? */
export function isForbiddenAddress(address: string): boolean {
  return whyNotPublic(address) !== undefined;
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
  if (isIP(host) !== 0) {
    const why = whyNotPublic(host);
    if (why !== undefined) {
      throw validationError({
        url: `must reach a public address; ${host} is not one: ${why} (refused in production mode)`,
      });
    }
    return;
  }
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw validationError({ url: `the host ${host} cannot be resolved` });
  }
  const refused = addresses.flatMap((address) => {
    const why = whyNotPublic(address);
    return why === undefined ? [] : [`${address}: ${why}`];
  });
  if (refused.length > 0) {
    throw validationError({
      url: `must reach a public address; ${host} resolves to ${refused.join("; ")} (refused in production mode)`,
    });
  }
}
