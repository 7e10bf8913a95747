import { createSignal, Show } from "solid-js";
import { createStore } from "solid-js/store";
import type { Result } from "../lib/api";
import { useI18n } from "../lib/i18n";
import { useToast } from "./toast";

/**
 * The save cycle of a create/edit dialog: field errors next to their fields, any other error under the
 * form, a busy flag while the request runs, and a toast plus `onSaved` when it succeeds.
 */
export function createSaveForm(options: {
  /** The fields whose errors a new attempt clears. */
  fields: readonly string[];
  /** Editing an existing item (the toast says "saved") or creating one ("created"). */
  editing: boolean;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [errors, setErrors] = createStore<Record<string, string>>({});
  const [formError, setFormError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  return {
    errors,
    formError,
    busy,
    /** Marks one field invalid (client-side checks). */
    fieldError: (field: string, message: string) => setErrors(field, message),
    /** Clears the errors of the last attempt. */
    reset() {
      setErrors(Object.fromEntries(options.fields.map((f) => [f, ""])));
      setFormError("");
    },
    /** Runs the request; an error naming one of `draft`'s fields goes next to that field. */
    async submit(request: () => Promise<Result>, draft: object) {
      setBusy(true);
      const res = await request();
      setBusy(false);
      if (!res.ok) {
        if (res.field && res.field in draft) setErrors(res.field, res.message);
        else setFormError(res.message);
        return;
      }
      toast.show(options.editing ? t("common.saved") : t("common.created"));
      options.onSaved();
    },
  };
}

/** A form-wide error message, shown only when there is one. */
export function FormError(props: { message: string; class?: string }) {
  return (
    <Show when={props.message}>
      <p class={props.class ? `form-error ${props.class}` : "form-error"} role="alert">
        {props.message}
      </p>
    </Show>
  );
}

/** The bottom of a dialog form: its error, then Cancel and Save (Saving… while busy). */
export function FormFooter(props: { error: string; busy: boolean; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <>
      <FormError message={props.error} class="span-2" />
      <div class="form-actions span-2">
        <button type="button" class="btn" onClick={() => props.onCancel()}>
          {t("common.cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={props.busy}>
          {props.busy ? t("common.saving") : t("common.save")}
        </button>
      </div>
    </>
  );
}

/** Which item a page's create/edit dialog is open for: a new one, an existing one, or none (closed). */
export function createEditTarget<T extends object>(onSaved: () => void) {
  const [target, setTarget] = createSignal<T | "new" | null>(null);
  return {
    isOpen: () => target() !== null,
    /** The item being edited; undefined while creating. */
    item: () => {
      const current = target();
      return current === "new" || current === null ? undefined : current;
    },
    open: (item: T | "new") => setTarget(() => item),
    close: () => setTarget(null),
    saved() {
      setTarget(null);
      onSaved();
    },
  };
}
