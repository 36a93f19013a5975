import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal yes/no question (native `<dialog>`: focus kept inside, Escape cancels). */
export function ConfirmDialog(
  { open, title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps,
) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="sheet confirm-dialog"
      aria-labelledby="confirm-title"
      onClose={onCancel}
    >
      <h2 id="confirm-title">{title}</h2>
      <div class="confirm-body">{children}</div>
      <div class="dialog-actions">
        <button type="button" onClick={onCancel} autofocus>Cancel</button>
        <button type="button" class="danger" onClick={onConfirm}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}
