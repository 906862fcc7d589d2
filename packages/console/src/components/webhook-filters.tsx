// The log's filters, kept in the address (`?user_id=&status=`) so a link to an account's failed
// deliveries can be shared and a reload keeps them.
import { navigate } from "../router.tsx";
import type { Delivery } from "../types.ts";

export const DELIVERY_STATUSES: Delivery["status"][] = [
  "queued",
  "pending",
  "delivered",
  "failed",
  "cancelled",
];

export function webhooksPath(userId: number | null, status: string | null): string {
  const query = new URLSearchParams();
  if (userId !== null) query.set("user_id", String(userId));
  if (status) query.set("status", status);
  const text = query.toString();
  return text ? `/webhooks?${text}` : "/webhooks";
}

export function WebhookFilters({
  accounts,
  userId,
  status,
}: {
  accounts: { user_id: number; name: string }[];
  userId: number | null;
  status: Delivery["status"] | null;
}) {
  return (
    <form class="filters" aria-label="Filter deliveries" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for="webhook-account">Account</label>
        <select
          id="webhook-account"
          value={userId === null ? "" : String(userId)}
          onChange={(event) => {
            const value = event.currentTarget.value;
            navigate(webhooksPath(value ? Number(value) : null, status), { replace: true });
          }}
        >
          <option value="">All accounts</option>
          {accounts.map((account) => (
            <option key={account.user_id} value={String(account.user_id)}>
              {account.name} ({account.user_id})
            </option>
          ))}
          {userId !== null && !accounts.some((a) => a.user_id === userId) && (
            <option value={String(userId)}>user_id {userId}</option>
          )}
        </select>
      </div>
      <div class="field">
        <label for="webhook-status">Status</label>
        <select
          id="webhook-status"
          value={status ?? ""}
          onChange={(event) =>
            navigate(webhooksPath(userId, event.currentTarget.value || null), { replace: true })
          }
        >
          <option value="">Any status</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}
