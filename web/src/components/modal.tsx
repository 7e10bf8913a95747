import { type JSX, onMount, Show } from "solid-js";
import { useI18n } from "../lib/i18n";
import { CrossIcon } from "./icons";
import { useToast } from "./toast";

/**
 * A modal on the native <dialog> element (focus trap, Esc and backdrop for free). Mount it with
 * <Show when={open()}>; it opens itself and calls onClose when dismissed.
 */
export function Modal(props: {
  title: string;
  onClose: () => void;
  children: JSX.Element;
  footer?: JSX.Element;
  wide?: boolean;
  /** Slides in from the right at full height instead of sitting in the middle. */
  drawer?: boolean;
  /** Extra content in the title row (badges), left of the close button. */
  titleExtra?: JSX.Element;
}) {
  const { t } = useI18n();
  const toast = useToast();
  let dialog!: HTMLDialogElement;
  onMount(() => {
    dialog.showModal();
    // A toast shown just before (e.g. "rotated", then the new key's dialog) stays visible above it.
    toast.raise();
  });
  return (
    <dialog
      ref={dialog}
      class="modal"
      classList={{ wide: props.wide, drawer: props.drawer }}
      onClose={() => props.onClose()}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === dialog) dialog.close();
      }}
    >
      <div class="modal-head">
        <div class="modal-title">
          <h2>{props.title}</h2>
          {props.titleExtra}
        </div>
        <button
          type="button"
          class="btn icon ghost"
          aria-label={t("common.close")}
          onClick={() => dialog.close()}
        >
          <CrossIcon />
        </button>
      </div>
      <div class="modal-body">{props.children}</div>
      <Show when={props.footer}>
        <div class="modal-foot">{props.footer}</div>
      </Show>
    </dialog>
  );
}

/** A yes/no question before a destructive action; shows the action's error message if it fails. */
export function ConfirmDialog(props: {
  message: string;
  /** The dialog's title; "confirm delete" when absent. */
  title?: string;
  confirmLabel?: string;
  onConfirm: () => Promise<{ ok: boolean; message?: string }>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  let busy = false;
  let errorBox!: HTMLParagraphElement;
  const confirm = async () => {
    if (busy) return;
    busy = true;
    const res = await props.onConfirm();
    busy = false;
    if (res.ok) props.onClose();
    else errorBox.textContent = res.message ?? t("common.error");
  };
  return (
    <Modal
      title={props.title ?? t("common.confirmDelete")}
      onClose={() => props.onClose()}
      footer={
        <>
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t("common.cancel")}
          </button>
          <button type="button" class="btn danger" onClick={confirm}>
            {props.confirmLabel ?? t("common.delete")}
          </button>
        </>
      }
    >
      <p class="confirm-text">{props.message}</p>
      <p class="form-error" ref={errorBox} role="alert" />
    </Modal>
  );
}

/** The confirm dialog for deleting `target` (shown while it is set); a toast and `onDeleted` on success. */
export function ConfirmDelete<T>(props: {
  target: T | null;
  message: (target: T) => string;
  remove: (target: T) => Promise<{ ok: boolean; message?: string }>;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  return (
    <Show when={props.target}>
      {(target) => (
        <ConfirmDialog
          message={props.message(target())}
          onClose={() => props.onClose()}
          onConfirm={async () => {
            const res = await props.remove(target());
            if (res.ok) {
              toast.show(t("common.deleted"));
              props.onDeleted();
            }
            return res;
          }}
        />
      )}
    </Show>
  );
}
