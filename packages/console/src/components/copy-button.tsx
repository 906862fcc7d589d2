// A button that copies a value (a client_id, a secret, a JSON body) and says so for a moment.
// The Clipboard API needs a secure context (https or loopback); a console opened over the LAN by
// plain http has none, so the old select-and-copy is the fallback. The word "Copied" is announced
// through a live region; the button keeps its width so nothing beside it moves.
import { useEffect, useRef, useState } from "preact/hooks";
import "./copy-button.css";

type CopyState = "idle" | "copied" | "failed";

async function copyText(text: string, near: HTMLElement): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, not focused): try the fallback below.
  }
  // Next to the button, not at the end of <body>: inside an open modal dialog the rest of the page
  // is inert, and inert text cannot be selected.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "copy-scratch";
  (near.parentElement ?? document.body).appendChild(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
    near.focus();
  }
}

export function CopyButton({
  text,
  what,
  label = "Copy",
}: {
  text: string;
  /** What is copied, for the accessible name: "Copy client_id". */
  what: string;
  label?: string;
}) {
  const [state, setState] = useState<CopyState>("idle");
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 1600);
    return () => clearTimeout(timer);
  }, [state]);

  const onClick = async () => {
    if (!button.current) return;
    setState((await copyText(text, button.current)) ? "copied" : "failed");
  };

  return (
    <span class="copy-button">
      <button
        ref={button}
        type="button"
        class={`small ${state}`}
        aria-label={`${label} ${what}`}
        onClick={onClick}
      >
        {state === "copied" ? "Copied" : state === "failed" ? "Failed" : label}
      </button>
      <span class="visually-hidden" role="status">
        {state === "copied" ? `${what} copied` : state === "failed" ? `Could not copy ${what}` : ""}
      </span>
    </span>
  );
}
