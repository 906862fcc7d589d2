// A modal dialog on the platform's <dialog>: showModal() makes the page behind it inert, keeps
// focus inside, closes on Escape and gives focus back to what opened it. The content is rendered
// only while open, so a form inside starts fresh each time. A click on the backdrop closes it
// too, unless `dismissable` is false (a form half filled in, a change running).
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import "./dialog.css";

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
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const latestClose = useRef(onClose);
  latestClose.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // Closed by the browser (Escape): tell the owner, which holds the open state.
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const closed = () => latestClose.current();
    dialog.addEventListener("close", closed);
    return () => dialog.removeEventListener("close", closed);
  }, []);

  const onCancel = (event: Event) => {
    if (!dismissable) event.preventDefault();
  };
  const onClick = (event: MouseEvent) => {
    // The dialog element itself is hit only outside its inner box: the backdrop.
    if (dismissable && event.target === ref.current) latestClose.current();
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is only the backdrop's; the keyboard's way out is Escape (the dialog's own cancel event).
    <dialog
      ref={ref}
      class={wide ? "modal wide" : "modal"}
      aria-labelledby={titleId}
      onCancel={onCancel}
      onClick={onClick}
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
              onClick={() => latestClose.current()}
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
