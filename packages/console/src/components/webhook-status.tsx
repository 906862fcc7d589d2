// A delivery's state as a coloured word, the same on the list and in its detail.
import type { Delivery } from "../types.ts";

const TONES: Record<Delivery["status"], string> = {
  delivered: "ok",
  pending: "accent",
  queued: "warn",
  failed: "danger",
  cancelled: "",
};

export function WebhookStatus({ status }: { status: Delivery["status"] }) {
  return <span class={`pill ${TONES[status]}`}>{status}</span>;
}

/** An ISO time of the API as the console writes times. */
export function isoDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat("ru-RU", {
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(ms);
}
