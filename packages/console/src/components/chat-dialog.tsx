// A modal <dialog> for the chat view (the large image, the delete confirmation): the browser
// traps focus in it, Escape closes it and focus goes back to the button that opened it; a click
// on the backdrop closes it too.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function ChatDialog({
  label,
  onClose,
  class: className = "",
  children,
}: {
  label: string;
  onClose: () => void;
  class?: string;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard's way out is Escape, which a modal <dialog> handles itself; the click is the backdrop's.
    <dialog
      ref={dialog}
      class={`chat-dialog ${className}`}
      aria-label={label}
      onClose={onClose}
      onClick={(event) => {
        // The dialog itself is only hit outside its content: on the backdrop.
        if (event.target === dialog.current) dialog.current?.close();
      }}
    >
      {children}
    </dialog>
  );
}
