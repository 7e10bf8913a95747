import { createSignal, For } from "solid-js";
import { createStore } from "solid-js/store";
import { api, type Currency, type LinkInput, type ModelProvider, type Provider } from "../lib/api";
import { type DictKey, useI18n } from "../lib/i18n";
import { CurrencyField, Field, JsonField, jsonText, parseJsonObject, Switch } from "./form";
import { createSaveForm, FormFooter } from "./form-dialog";
import { Modal } from "./modal";

type Capability = "tool_call" | "structured_output" | "image" | "with_header";
/** The per-link switches, with a long label (forms) and a short one (table headers). */
export const CAPABILITIES: { field: Capability; label: DictKey; short: DictKey }[] = [
  { field: "tool_call", label: "links.toolCall", short: "links.col.toolCall" },
  { field: "structured_output", label: "links.structuredOutput", short: "links.col.structuredOutput" },
  { field: "image", label: "links.image", short: "links.col.image" },
  { field: "with_header", label: "links.withHeader", short: "links.col.withHeader" },
];

/**
 * Create (no `link`) or edit one model → provider link. The title names the model. A new link picks no
 * provider unless there is only one, and starts with every capability off: the admin switches on what the
 * upstream supports (the link test checks it).
 */
export function LinkDialog(props: {
  modelId: number;
  modelName: string;
  providers: Provider[];
  link?: ModelProvider;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const l = props.link;
  const [draft, setDraft] = createStore({
    provider_id: l?.provider_id ?? (props.providers.length === 1 ? (props.providers[0]?.id ?? 0) : 0),
    provider_model: l?.provider_model ?? "",
    weight: l?.weight ?? 1,
    priority: l?.priority ?? 0,
    tool_call: l?.tool_call ?? false,
    structured_output: l?.structured_output ?? false,
    image: l?.image ?? false,
    with_header: l?.with_header ?? false,
    enabled: l?.enabled ?? true,
    input_price: l?.input_price ?? 0,
    cached_price: l?.cached_price ?? 0,
    cache_write_price: l?.cache_write_price ?? 0,
    output_price: l?.output_price ?? 0,
    currency: (l?.currency ?? "USD") as Currency,
    headers: jsonText(l?.headers),
    extra_body: jsonText(l?.extra_body),
  });
  const form = createSaveForm({
    fields: ["provider_id", "provider_model", "weight", "priority", "headers", "extra_body"],
    editing: !!l,
    onSaved: () => props.onSaved(),
  });
  const [upstream, setUpstream] = createSignal<string[]>([]);
  const [upstreamNote, setUpstreamNote] = createSignal("");

  const loadUpstream = async () => {
    if (!draft.provider_id) return setUpstreamNote(t("links.pickProvider"));
    setUpstreamNote(t("common.loading"));
    const res = await api.providers.upstreamModels(draft.provider_id);
    if (res.ok) {
      setUpstream(res.data.models);
      setUpstreamNote(t("links.upstreamLoaded", { count: res.data.models.length }));
    } else setUpstreamNote(res.message);
  };

  const num = (value: number) => (Number.isFinite(value) ? value : 0);

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    form.reset();
    if (!draft.provider_id) return form.fieldError("provider_id", t("links.pickProvider"));
    const headers = parseJsonObject<Record<string, string>>(draft.headers);
    const extraBody = parseJsonObject(draft.extra_body);
    if (!headers) return form.fieldError("headers", t("common.invalidJson"));
    if (!extraBody) return form.fieldError("extra_body", t("common.invalidJson"));
    const body: LinkInput = {
      ...draft,
      model_id: props.modelId,
      weight: num(draft.weight),
      priority: num(draft.priority),
      input_price: num(draft.input_price),
      cached_price: num(draft.cached_price),
      cache_write_price: num(draft.cache_write_price),
      output_price: num(draft.output_price),
      headers,
      extra_body: extraBody,
    };
    await form.submit(() => (l ? api.links.update(l.id, body) : api.links.create(body)), draft);
  };

  const priceField = (
    field: "input_price" | "cached_price" | "cache_write_price" | "output_price",
    label: DictKey,
  ) => (
    <Field label={t(label)}>
      <input
        type="number"
        min="0"
        step="any"
        value={draft[field]}
        onInput={(e) => setDraft(field, e.currentTarget.valueAsNumber)}
      />
    </Field>
  );

  return (
    <Modal
      title={t(l ? "links.editOf" : "links.addTo", { model: props.modelName })}
      onClose={() => props.onClose()}
      wide
    >
      <form class="form-grid" onSubmit={save}>
        <Field label={t("links.provider")} error={form.errors.provider_id}>
          <select
            name="provider_id"
            value={draft.provider_id || ""}
            onChange={(e) => {
              setDraft("provider_id", Number(e.currentTarget.value));
              setUpstream([]);
              setUpstreamNote("");
            }}
          >
            <option value="" disabled>
              {t("links.pickProvider")}
            </option>
            <For each={props.providers}>
              {(p) => (
                <option value={p.id} selected={p.id === draft.provider_id}>
                  {p.name} ({p.type})
                </option>
              )}
            </For>
          </select>
        </Field>
        <Field label={t("links.providerModel")} error={form.errors.provider_model} hint={upstreamNote()}>
          <div class="input-with-button">
            <input
              name="provider_model"
              class="mono"
              required
              list="upstream-models"
              value={draft.provider_model}
              onInput={(e) => setDraft("provider_model", e.currentTarget.value)}
            />
            <button type="button" class="btn sm" onClick={loadUpstream}>
              {t("links.loadUpstream")}
            </button>
          </div>
          <datalist id="upstream-models">
            <For each={upstream()}>{(m) => <option value={m} />}</For>
          </datalist>
        </Field>
        <Field label={t("links.weight")} error={form.errors.weight}>
          <input
            name="weight"
            type="number"
            min="0"
            value={draft.weight}
            onInput={(e) => setDraft("weight", e.currentTarget.valueAsNumber)}
          />
        </Field>
        <Field label={t("links.priority")} error={form.errors.priority}>
          <input
            name="priority"
            type="number"
            value={draft.priority}
            onInput={(e) => setDraft("priority", e.currentTarget.valueAsNumber)}
          />
        </Field>
        <div class="field span-2">
          <span class="field-label">{t("links.capabilities")}</span>
          <span class="field-hint">{t("links.capsHint")}</span>
          <div class="switch-row">
            <For each={CAPABILITIES}>
              {(c) => (
                <Switch checked={draft[c.field]} label={t(c.label)} onChange={(v) => setDraft(c.field, v)} />
              )}
            </For>
            <Switch
              checked={draft.enabled}
              label={t("common.enabled")}
              onChange={(v) => setDraft("enabled", v)}
            />
          </div>
        </div>
        <fieldset class="span-2 price-grid">
          <legend>{t("links.prices")}</legend>
          {priceField("input_price", "links.inputPrice")}
          {priceField("cached_price", "links.cachedPrice")}
          {priceField("cache_write_price", "links.cacheWritePrice")}
          {priceField("output_price", "links.outputPrice")}
          <CurrencyField
            label={t("links.currency")}
            value={draft.currency}
            onChange={(c) => setDraft("currency", c)}
          />
        </fieldset>
        <details class="span-2 advanced" open={!!(draft.headers || draft.extra_body)}>
          <summary>{t("providers.advanced")}</summary>
          <div class="form-grid">
            <JsonField
              label={t("links.headers")}
              error={form.errors.headers}
              value={draft.headers}
              onInput={(v) => setDraft("headers", v)}
            />
            <JsonField
              label={t("links.extraBody")}
              error={form.errors.extra_body}
              placeholder={'{"temperature": 0.2}'}
              value={draft.extra_body}
              onInput={(v) => setDraft("extra_body", v)}
            />
          </div>
        </details>
        <FormFooter error={form.formError()} busy={form.busy()} onCancel={() => props.onClose()} />
      </form>
    </Modal>
  );
}
