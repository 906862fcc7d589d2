// The inbox's left column: tabs by chat type, search by text and by person (debounced: one
// request once typing pauses), the chats, and "Load more". Asked again when `version` changes.
// A search by text follows only the chats it found (see inbox-chats.ts), and says so.
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorNote } from "./form-field.tsx";
import { InboxChatRow } from "./inbox-chat-row.tsx";
import { type ChatType, type InboxFilters, useInboxChats } from "./inbox-chats.ts";

const TABS: { type: ChatType | null; label: string; title: string }[] = [
  { type: null, label: "All", title: "Every chat" },
  { type: "u2i", label: "u2i", title: "About an item" },
  { type: "u2u", label: "u2u", title: "Between two users" },
  { type: "a2u", label: "a2u", title: "With Avito" },
];

const SEARCH_DELAY_MS = 300;

export function InboxChatList({
  userId,
  chatId,
  version = 0,
}: {
  userId: number;
  chatId: string | null;
  /** Changed when the list changed in a way no live event tells (a new chat, still empty). */
  version?: number;
}) {
  const [type, setType] = useState<ChatType | null>(null);
  const [textInput, setTextInput] = useState("");
  const [personInput, setPersonInput] = useState("");
  const [filters, setFilters] = useState<InboxFilters>({ type: null, text: "", person: "" });

  useEffect(() => {
    const timer = setTimeout(
      () => setFilters((f) => ({ ...f, text: textInput, person: personInput })),
      SEARCH_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [textInput, personInput]);
  useEffect(() => setFilters((f) => ({ ...f, type })), [type]);

  const inbox = useInboxChats(userId, filters);
  const { refresh } = inbox;
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    refresh(true);
  }, [version, refresh]);
  const byText = filters.text.trim() !== "";
  const searching = byText || filters.person.trim() !== "";

  return (
    <section class="chat-list" aria-label="Chats">
      <ChatTabs type={type} onChange={setType} />
      <search class="chat-search">
        <SearchInput
          id="inbox-text"
          label="Search messages"
          placeholder="Search messages"
          value={textInput}
          onInput={setTextInput}
        />
        <SearchInput
          id="inbox-person"
          label="Search by person"
          placeholder="Person or user_id"
          value={personInput}
          onInput={setPersonInput}
        />
        {byText && (
          <p class="chat-search-note muted small">
            Live updates follow the chats found; others that match since show when searched again.{" "}
            <button type="button" class="quiet small" onClick={() => refresh()}>
              Search again
            </button>
          </p>
        )}
      </search>
      <div
        id="chat-list-panel"
        role="tabpanel"
        aria-labelledby={`chat-tab-${type ?? "all"}`}
        aria-busy={inbox.loading}
        class="chat-list-panel"
      >
        {inbox.error && <ErrorNote error={inbox.error} />}
        {inbox.chats === null && !inbox.error && <p class="muted pad">Loading chats…</p>}
        {inbox.chats?.length === 0 && (
          <p class="muted pad">
            {searching || type ? "No chats match." : "No chats yet for this account."}
          </p>
        )}
        <ul class="chat-rows">
          {inbox.chats?.map((chat) => (
            <InboxChatRow
              key={chat.chat_id}
              chat={chat}
              userId={userId}
              open={chat.chat_id === chatId}
            />
          ))}
        </ul>
        {inbox.more && (
          <p class="pad center">
            <button type="button" onClick={inbox.loadMore} disabled={inbox.loadingMore}>
              {inbox.loadingMore ? "Loading…" : "Load more"}
            </button>
          </p>
        )}
      </div>
    </section>
  );
}

function SearchInput({
  id,
  label,
  placeholder,
  value,
  onInput,
}: {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <>
      <label class="visually-hidden" for={id}>
        {label}
      </label>
      <input
        id={id}
        type="search"
        placeholder={placeholder}
        value={value}
        maxLength={200}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </>
  );
}

/** Tabs as ARIA tabs: one tab stop, arrows move between them. */
function ChatTabs({
  type,
  onChange,
}: {
  type: ChatType | null;
  onChange: (type: ChatType | null) => void;
}) {
  const list = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent) => {
    const at = TABS.findIndex((tab) => tab.type === type);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    let next: number | null = step === undefined ? null : (at + step + TABS.length) % TABS.length;
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = TABS.length - 1;
    if (next === null) return;
    event.preventDefault();
    onChange(TABS[next]?.type ?? null);
    list.current?.querySelectorAll<HTMLElement>('[role="tab"]')[next]?.focus();
  };
  return (
    <div class="chat-tabs" role="tablist" aria-label="Chat type" ref={list} onKeyDown={onKeyDown}>
      {TABS.map((tab) => {
        const selected = tab.type === type;
        return (
          <button
            key={tab.label}
            id={`chat-tab-${tab.type ?? "all"}`}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls="chat-list-panel"
            tabIndex={selected ? 0 : -1}
            title={tab.title}
            onClick={() => onChange(tab.type)}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}
