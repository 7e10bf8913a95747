import { For, type JSX, Show } from "solid-js";
import { CURRENCIES, type Currency } from "../lib/api";

/** A labelled form row; `hint` under the control, `error` in red when set. */
export function Field(props: {
  label: string;
  children: JSX.Element;
  hint?: string;
  error?: string;
  span?: 1 | 2;
}) {
  return (
    <label class="field" classList={{ "span-2": props.span === 2, invalid: !!props.error }}>
      <span class="field-label">{props.label}</span>
      {props.children}
      <Show
        when={props.error}
        fallback={<Show when={props.hint}>{<span class="field-hint">{props.hint}</span>}</Show>}
      >
        <span class="field-error">{props.error}</span>
      </Show>
    </label>
  );
}

/** A JSON-object text area (headers, extra body); read it back with parseJsonObject. */
export function JsonField(props: {
  label: string;
  value: string;
  onInput: (text: string) => void;
  error?: string;
  placeholder?: string;
  span?: 1 | 2;
}) {
  return (
    <Field label={props.label} error={props.error} span={props.span}>
      <textarea
        class="mono"
        rows={3}
        placeholder={props.placeholder}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

/** An on/off switch (a checkbox with role="switch"). */
export function Switch(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label?: string;
  title?: string;
  disabled?: boolean;
}) {
  return (
    <label class="switch" title={props.title}>
      <input
        type="checkbox"
        role="switch"
        checked={props.checked}
        disabled={props.disabled}
        aria-label={props.title ?? props.label}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <span class="switch-track" aria-hidden="true" />
      <Show when={props.label}>
        <span class="switch-label">{props.label}</span>
      </Show>
    </label>
  );
}

/** Parses a JSON-object text field; empty text is `{}`; anything else that is not an object is null. */
export function parseJsonObject<T = Record<string, unknown>>(text: string): T | null {
  if (!text.trim()) return {} as T;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as T) : null;
  } catch {
    return null;
  }
}

/** Pretty JSON for a text field; `{}` shows as empty. */
export const jsonText = (value: object | undefined) =>
  value && Object.keys(value).length ? JSON.stringify(value, null, 2) : "";

/** A labelled currency picker (USD / CNY), shared by the link prices and the key budget. */
export function CurrencyField(props: { label: string; value: Currency; onChange: (c: Currency) => void }) {
  return (
    <Field label={props.label}>
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as Currency)}>
        <For each={CURRENCIES}>{(c) => <option value={c}>{c}</option>}</For>
      </select>
    </Field>
  );
}
