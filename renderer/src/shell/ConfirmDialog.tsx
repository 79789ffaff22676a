/**
 * A modal "are you sure?" for destructive actions. The safe choice has the focus, so Enter right
 * after opening changes nothing; Escape cancels.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface ConfirmDialogProps {
  /** Prefix for the heading's and text's ids (aria-labelledby / aria-describedby). */
  id: string;
  title: string;
  text: string;
  confirmLabel: string;
  /** data-action of the confirm button, which tests and shortcuts address. */
  confirmAction: string;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}

export function ConfirmDialog({ id, title, text, confirmLabel, confirmAction, busy = false, onCancel, onConfirm }: ConfirmDialogProps) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancelled = useRef(false);
  useEffect(() => {
    // The dialog is removed (not closed) when the screen is done with it, which would drop the
    // focus on the page body. Cancelled, the focus goes back to what opened it; confirmed, the thing
    // it was about (and its button) goes away, so it goes to the main area.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    element?.querySelector<HTMLButtonElement>('[data-action="cancel"]')?.focus();
    return () => {
      queueMicrotask(() => {
        const back = cancelled.current && opener?.isConnected ? opener : document.getElementById('main');
        back?.focus({ preventScroll: true });
      });
    };
  }, []);
  const cancel = () => {
    cancelled.current = true;
    onCancel();
  };
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onCancel={(event) => {
        event.preventDefault();
        cancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-text`}>{text}</p>
      <div className="dialog-actions">
        <button type="button" className="button" data-action="cancel" onClick={cancel} disabled={busy}>
          {t('shell.common.cancel')}
        </button>
        <button type="button" className="button button--danger" data-action={confirmAction} onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
