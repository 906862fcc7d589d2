// How the consent route answers a page: HTML, never cached (it carries the app's state), never
// framed (a framed consent page invites clickjacking), loading nothing but its inline style. No
// form-action in the policy: Chromium applies it to the redirect after the form, to the app.
import type { FastifyReply } from "fastify";

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

export function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("Cache-Control", "no-store")
    .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    .header("X-Frame-Options", "DENY")
    .header("Referrer-Policy", "no-referrer")
    .send(html);
}

/** The browser goes on to the app with a GET, whatever method brought it here (303). */
export function sendRedirect(reply: FastifyReply, location: string) {
  return reply
    .code(303)
    .header("Cache-Control", "no-store")
    .header("Referrer-Policy", "no-referrer")
    .header("Location", location)
    .send();
}
