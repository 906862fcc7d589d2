// The console: the sign-in gate, the header with its navigation, and the page of the current path.
import { useEffect, useState } from "preact/hooks";
import { whenSignedOut } from "./api.ts";
import { LiveIndicator } from "./components/live-indicator.tsx";
import { live } from "./live.ts";
import { AccountsPage } from "./pages/accounts.tsx";
import { InboxPage } from "./pages/inbox.tsx";
import { SandboxPage } from "./pages/sandbox.tsx";
import { ScenariosPage } from "./pages/scenarios.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { WebhooksPage } from "./pages/webhooks.tsx";
import { Link, match, navigate, useLocation } from "./router.tsx";
import { sessionState, signOut } from "./session.ts";

type SessionState = "checking" | "signed-in" | "signed-out";

const SECTIONS = [
  { to: "/accounts", label: "Accounts" },
  { to: "/inbox", label: "Inbox" },
  { to: "/webhooks", label: "Webhooks" },
  { to: "/sandbox", label: "Sandbox" },
  { to: "/scenarios", label: "Scenarios" },
] as const;

export function App() {
  const [session, setSession] = useState<SessionState>("checking");

  useEffect(() => {
    whenSignedOut(() => setSession("signed-out"));
    void sessionState().then((state) => setSession(state === "live" ? "signed-in" : "signed-out"));
  }, []);

  useEffect(() => {
    if (session === "signed-in") live.start();
    else live.stop();
  }, [session]);

  if (session === "checking") return <p class="muted center">Loading…</p>;
  if (session === "signed-out") return <SignIn onSignedIn={() => setSession("signed-in")} />;

  const leave = async () => {
    await signOut();
    setSession("signed-out");
  };
  return <Shell onSignOut={leave} />;
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { path } = useLocation();
  useEffect(() => {
    if (path === "/") navigate("/accounts", { replace: true });
  }, [path]);

  return (
    <div class="shell">
      <header class="top-bar">
        <Link to="/accounts" class="brand">
          <span class="brand-mark" aria-hidden="true">
            Б
          </span>
          <span class="brand-name">Beseda</span>
        </Link>
        <nav aria-label="Sections">
          {SECTIONS.map((section) => (
            <Link
              key={section.to}
              to={section.to}
              aria-current={path.startsWith(section.to) ? "page" : undefined}
            >
              {section.label}
            </Link>
          ))}
        </nav>
        <div class="top-bar-end">
          <LiveIndicator />
          <button type="button" class="quiet" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <Page path={path} />
    </div>
  );
}

function Page({ path }: { path: string }) {
  if (path === "/" || match("/accounts", path)) return <AccountsPage />;
  const chat = match("/inbox/:user_id/:chat_id", path);
  if (chat) return <InboxPage userId={Number(chat.user_id)} chatId={chat.chat_id ?? null} />;
  const inbox = match("/inbox/:user_id", path);
  if (inbox) return <InboxPage userId={Number(inbox.user_id)} chatId={null} />;
  if (match("/inbox", path)) return <InboxPage userId={null} chatId={null} />;
  if (match("/webhooks", path)) return <WebhooksPage />;
  if (match("/sandbox", path)) return <SandboxPage />;
  const scenarioRun = match("/scenarios/:run_id", path);
  if (scenarioRun) return <ScenariosPage runId={scenarioRun.run_id ?? null} />;
  if (match("/scenarios", path)) return <ScenariosPage runId={null} />;
  return (
    <main class="page">
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <Link to="/accounts">Accounts</Link>
      </p>
    </main>
  );
}
