// Modal dialogs on the platform's <dialog>: showModal() makes the page behind it inert, keeps
// focus inside, closes on Escape and gives focus back to what opened it. A click on the backdrop
// closes it too, unless `dismissable` is false (a form half filled in, a change running).
// `Dialog` is the titled box with a footer for buttons (its content rendered only while open, so
// a form inside starts fresh each time); `BareDialog` is the frame alone, for content that is its
// own layout (the chat's large image). Both stand on `useModalDialog`.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useLayoutEffect, useRef } from "preact/hooks";
import "./dialog.css";

export interface ModalDialog {
  /** For the <dialog> element. */
  ref: { current: HTMLDialogElement | null };
  onCancel: (event: Event) => void;
  onClick: (event: MouseEvent) => void;
  /** Asks the owner to close it (a Close button). */
  close: () => void;
}

/**
 * Shows the <dialog> as a modal while `open` is true, and tells the owner (who holds `open`)
 * when the browser closed it: Escape, a `<form method="dialog">`, a click on the backdrop.
 */
export function useModalDialog(
  open: boolean,
  onClose: () => void,
  dismissable = true,
): ModalDialog {
  const ref = useRef<HTMLDialogElement>(null);
  const latestClose = useRef(onClose);
  latestClose.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // A layout effect: its cleanup runs while the element is still in the document (a passive
  // one's runs after it is gone, too late for the browser to give focus back).
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const closed = () => latestClose.current();
    dialog.addEventListener("close", closed);
    return () => {
      dialog.removeEventListener("close", closed);
      // Unmounted while open (its owner went away): closing it still in the document gives
      // focus back to what opened it.
      if (dialog.open) dialog.close();
    };
  }, []);

  return {
    ref,
    onCancel: (event) => {
      // Escape: the owner closes it, not the browser. Closed by the browser, it gave focus back
      // before the owner's state said closed, and an Enter on the opener at that moment set it
      // open again in the same render: nothing changed, and the dialog stayed shut.
      event.preventDefault();
      if (dismissable) latestClose.current();
    },
    onClick: (event) => {
      // The dialog element itself is hit only outside its content: the backdrop.
      if (dismissable && event.target === ref.current) latestClose.current();
    },
    close: () => latestClose.current(),
  };
}

export interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** Buttons at the bottom (a form's submit can name the form with `form=`). */
  footer?: ComponentChildren;
  /** Escape and the backdrop close it (default); false while a change is running. */
  dismissable?: boolean;
  wide?: boolean;
}

export function Dialog({
  open,
  title,
  onClose,
  children,
  footer,
  dismissable = true,
  wide = false,
}: DialogProps) {
  const modal = useModalDialog(open, onClose, dismissable);
  const titleId = useId();
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is only the backdrop's; the keyboard's way out is Escape (the dialog's own cancel event).
    <dialog
      ref={modal.ref}
      class={wide ? "modal wide" : "modal"}
      aria-labelledby={titleId}
      onCancel={modal.onCancel}
      onClick={modal.onClick}
    >
      {open && (
        <div class="modal-box">
          <header class="modal-head">
            <h2 id={titleId}>{title}</h2>
            <button
              type="button"
              class="quiet modal-close"
              aria-label="Close"
              disabled={!dismissable}
              onClick={modal.close}
            >
              ×
            </button>
          </header>
          <div class="modal-body">{children}</div>
          {footer && <footer class="modal-foot">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

/** The modal frame alone, named by `label`: its content brings its own layout and Close. */
export function BareDialog({
  open,
  label,
  onClose,
  class: className,
  children,
}: {
  open: boolean;
  label: string;
  onClose: () => void;
  class?: string;
  children: ComponentChildren;
}) {
  const modal = useModalDialog(open, onClose);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is only the backdrop's; the keyboard's way out is Escape (the dialog's own cancel event).
    <dialog
      ref={modal.ref}
      class={className ? `modal bare ${className}` : "modal bare"}
      aria-label={label}
      onCancel={modal.onCancel}
      onClick={modal.onClick}
    >
      {open && children}
    </dialog>
  );
}
