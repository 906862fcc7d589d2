// "New chat" in an inbox: opens a chat of the inbox's account through POST /sandbox/v1/chats, then
// the chat itself, writing as the other side, so that the user can type at once as the buyer to
// their bot. u2i is about an item: one of this account's, with a buyer (an account, or a new one
// made here under the name typed), or another account's, with this account as the buyer; u2u is
// with another account; a2u is with Avito's own account. The same pair (and item) again answers
// its existing chat (200), which opens just the same.
import { useId, useRef, useState } from "preact/hooks";
import { call } from "../api.ts";
import { Link } from "../router.tsx";
import type { AccountOverview } from "../types.ts";
import { useAction } from "../use-action.ts";
import { useResource } from "../use-resource.ts";
import { Dialog } from "./dialog.tsx";
import { ErrorNote, Field, fieldProblem } from "./form-field.tsx";
import "../pages/operations.css";
import "./inbox-new-chat.css";

type ChatType = "u2i" | "u2u" | "a2u";
type Item = AccountOverview["items"][number];

const TYPES: { type: ChatType; label: string; hint: string }[] = [
  { type: "u2i", label: "u2i", hint: "about an item" },
  { type: "u2u", label: "u2u", hint: "between two users" },
  { type: "a2u", label: "a2u", hint: "from Avito" },
];

/** The person select's value for "make a new account". */
const NEW_PERSON = "new";

function itemLabel(item: Item): string {
  const deleted = item.status_id === 20 ? " (deleted)" : "";
  return item.price_string
    ? `${item.title} · ${item.price_string}${deleted}`
    : `${item.title}${deleted}`;
}

export function InboxNewChat({
  userId,
  onClose,
  onCreated,
}: {
  userId: number;
  onClose: () => void;
  /** The chat exists: open it, writing as `writeAs` (the other participant). */
  onCreated: (chatId: string, writeAs: number) => void;
}) {
  const formId = useId();
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const all = accounts.data?.accounts ?? [];
  const me = all.find((account) => account.user_id === userId);
  const people = all.filter((account) => account.user_id !== userId && account.kind === "user");
  const ownItems = me?.items ?? [];
  const othersItems = people.flatMap((owner) => owner.items.map((item) => ({ item, owner })));

  const [type, setType] = useState<ChatType>("u2i");
  const [itemChoice, setItemChoice] = useState<number | null>(null);
  const [personChoice, setPersonChoice] = useState(NEW_PERSON);
  const [name, setName] = useState("");
  // The account made for a new person, kept if the chat then failed: trying again with the same
  // name uses it instead of making a second one.
  const made = useRef<{ name: string; userId: number } | null>(null);

  const itemId = itemChoice ?? ownItems[0]?.item_id ?? othersItems[0]?.item.item_id ?? null;
  const owner = all.find((account) => account.items.some((item) => item.item_id === itemId));
  const sells = owner?.user_id === userId;
  const needsPerson = type === "u2u" || (type === "u2i" && sells);
  const newPerson = needsPerson && personChoice === NEW_PERSON;
  const noItems = type === "u2i" && itemId === null;
  const who = me?.name ?? `user ${userId}`;
  const whoRu = <span lang="ru">{who}</span>;

  const newAccount = async (typed: string): Promise<number> => {
    if (made.current?.name === typed) return made.current.userId;
    const app = await call("post", "/sandbox/v1/accounts", { body: { name: typed } });
    made.current = { name: typed, userId: app.user_id };
    return app.user_id;
  };

  const create = useAction(async () => {
    const person = newPerson ? await newAccount(name.trim()) : Number(personChoice);
    const chat = await call("post", "/sandbox/v1/chats", {
      body:
        type === "u2i"
          ? { type, item_id: itemId ?? 0, user_id: sells ? person : userId }
          : type === "u2u"
            ? { type, user_ids: [userId, person] }
            : { type, user_id: userId },
    });
    onCreated(chat.chat_id, chat.user_ids.find((id) => id !== userId) ?? userId);
  });
  const problem = (field: string) => fieldProblem(create.error, field);

  return (
    <Dialog
      open
      title={me ? `New chat of ${me.name}` : "New chat"}
      onClose={onClose}
      dismissable={!create.busy}
      footer={
        <>
          <button type="button" onClick={onClose} disabled={create.busy}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            class="primary"
            disabled={create.busy || !accounts.data || noItems}
          >
            {create.busy ? "Opening…" : "Open the chat"}
          </button>
        </>
      }
    >
      <form
        id={formId}
        class="stack new-chat"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <fieldset class="pills new-chat-types">
          <legend>Type</legend>
          {TYPES.filter((t) => t.type !== "a2u" || me?.kind !== "avito").map((t) => (
            <label key={t.type} class={t.type === type ? "chosen" : ""}>
              <input
                type="radio"
                name={`${formId}-type`}
                value={t.type}
                checked={t.type === type}
                // The first field takes the focus when the dialog opens (not its × button).
                autofocus={t.type === type}
                onChange={() => setType(t.type)}
              />
              <span>
                <strong>{t.label}</strong> {t.hint}
              </span>
            </label>
          ))}
        </fieldset>
        <ErrorNote error={accounts.error} />
        {accounts.data === null && !accounts.error && <p class="muted">Loading accounts…</p>}

        {accounts.data && type === "u2i" && noItems && (
          <p class="field-hint">
            No account has an item to talk about yet: add one on the{" "}
            <Link to="/accounts">Accounts</Link> page.
          </p>
        )}
        {accounts.data && type === "u2i" && !noItems && (
          <Field
            label="Item"
            hint={
              sells ? (
                <>{whoRu} sells it: choose the buyer who writes about it.</>
              ) : (
                <>
                  {whoRu} writes about it to{" "}
                  {owner ? <span lang="ru">{owner.name}</span> : "its seller"}, as the buyer.
                </>
              )
            }
            problem={problem("item_id")}
          >
            {(input) => (
              <select
                {...input}
                value={String(itemId)}
                onChange={(event) => setItemChoice(Number(event.currentTarget.value))}
              >
                {ownItems.length > 0 && (
                  <optgroup label={`${who}'s items: ${who} sells`}>
                    {ownItems.map((item) => (
                      <option key={item.item_id} value={String(item.item_id)} lang="ru">
                        {itemLabel(item)}
                      </option>
                    ))}
                  </optgroup>
                )}
                {othersItems.length > 0 && (
                  <optgroup label={`Other accounts' items: ${who} buys`}>
                    {othersItems.map(({ item, owner: seller }) => (
                      <option key={item.item_id} value={String(item.item_id)} lang="ru">
                        {itemLabel(item)} — {seller.name}
                      </option>
                    ))}
                  </optgroup>
                )}
              </select>
            )}
          </Field>
        )}

        {accounts.data && needsPerson && !noItems && (
          <Field
            label={type === "u2i" ? "Buyer" : "With"}
            problem={problem(type === "u2i" ? "user_id" : "user_ids")}
          >
            {(input) => (
              <select
                {...input}
                value={personChoice}
                onChange={(event) => setPersonChoice(event.currentTarget.value)}
              >
                <option value={NEW_PERSON}>
                  {type === "u2i" ? "A new buyer…" : "A new account…"}
                </option>
                {people.map((person) => (
                  <option key={person.user_id} value={String(person.user_id)} lang="ru">
                    {person.name} · user_id {person.user_id}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {accounts.data && newPerson && !noItems && (
          <Field
            label={type === "u2i" ? "New buyer's name" : "New account's name"}
            hint="An account is made under this name (an app too, as every account is)."
            problem={problem("name")}
          >
            {(input) => (
              <input
                {...input}
                required
                maxLength={200}
                value={name}
                placeholder="Ирина Соколова"
                onInput={(event) => setName(event.currentTarget.value)}
              />
            )}
          </Field>
        )}
        {accounts.data && type === "a2u" && (
          <p class="field-hint">
            Avito's own account writes to {whoRu}: the system messages of Avito's bots, say.
          </p>
        )}
        <ErrorNote error={create.error} />
      </form>
    </Dialog>
  );
}
