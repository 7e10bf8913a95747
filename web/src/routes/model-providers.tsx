import { useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show, startTransition } from "solid-js";
import { createStore } from "solid-js/store";
import { Field, jsonText, parseJsonObject, Switch } from "../components/form";
import { CheckIcon, CrossIcon, PlusIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ConfirmDialog, Modal } from "../components/modal";
import { useToast } from "../components/toast";
import {
  api,
  CURRENCIES,
  type Currency,
  type LinkInput,
  type ModelProvider,
  PROVIDER_TYPES,
  type Provider,
  type ProviderType,
} from "../lib/api";
import { type DictKey, useI18n } from "../lib/i18n";
import { TypeBadge } from "./providers";

type Capability = "tool_call" | "structured_output" | "image" | "with_header";
const CAPABILITIES: { field: Capability; label: DictKey; short: DictKey }[] = [
  { field: "tool_call", label: "links.toolCall", short: "links.col.toolCall" },
  { field: "structured_output", label: "links.structuredOutput", short: "links.col.structuredOutput" },
  { field: "image", label: "links.image", short: "links.col.image" },
  { field: "with_header", label: "links.withHeader", short: "links.col.withHeader" },
];

const currencySymbol = (c: Currency) => (c === "CNY" ? "¥" : "$");

export default function ModelProviders() {
  const { t } = useI18n();
  const toast = useToast();
  const [params, setParams] = useSearchParams();
  const [models] = createResource(api.models.list);
  const [providers] = createResource(api.providers.list);
  const modelId = () => Number(params.model) || models()?.[0]?.id;
  const [links, { refetch }] = createResource(modelId, api.links.list);
  const [typeFilter, setTypeFilter] = createSignal<ProviderType | "">("");
  const [editing, setEditing] = createSignal<ModelProvider | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<ModelProvider | null>(null);
  const reload = () => startTransition(refetch);

  const providerById = createMemo(() => new Map((providers() ?? []).map((p) => [p.id, p])));
  const visible = () =>
    (links() ?? []).filter((l) => !typeFilter() || providerById().get(l.provider_id)?.type === typeFilter());

  const patch = async (link: ModelProvider, body: Partial<LinkInput>) => {
    const res = await api.links.update(link.id, body);
    if (!res.ok) toast.show(res.message, "error");
    await reload();
  };

  return (
    <>
      <PageHeader title={t("links.title")} subtitle={t("links.subtitle")} />

      <Show when={models()?.length} fallback={<div class="panel empty-state">{t("links.noModels")}</div>}>
        <div class="toolbar">
          <Field label={t("links.model")}>
            <select
              name="model"
              value={modelId() ?? ""}
              onChange={(e) => setParams({ model: e.currentTarget.value })}
            >
              <For each={models()}>{(m) => <option value={m.id}>{m.name}</option>}</For>
            </select>
          </Field>
          <Field label={t("links.providerType")}>
            <select
              value={typeFilter()}
              onChange={(e) => setTypeFilter(e.currentTarget.value as ProviderType | "")}
            >
              <option value="">{t("common.all")}</option>
              <For each={PROVIDER_TYPES}>{(type) => <option value={type}>{type}</option>}</For>
            </select>
          </Field>
          <div class="toolbar-spacer" />
          <button
            type="button"
            class="btn primary"
            disabled={!providers()?.length}
            title={providers()?.length ? undefined : t("links.noProviders")}
            onClick={() => setEditing("new")}
          >
            <PlusIcon />
            {t("links.add")}
          </button>
        </div>

        <div class="panel table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th class="col-id">{t("common.id")}</th>
                <th>{t("links.providerModel")}</th>
                <th>{t("links.type")}</th>
                <th>{t("links.provider")}</th>
                <For each={CAPABILITIES}>
                  {(c) => (
                    <th class="center" title={t(c.label)}>
                      {t(c.short)}
                    </th>
                  )}
                </For>
                <th class="num">{t("links.weight")}</th>
                <th class="num">{t("links.priority")}</th>
                <th>{t("common.enabled")}</th>
                <th class="num" title={t("links.prices")}>
                  {t("links.col.prices")}
                </th>
                <th class="col-actions">{t("common.actions")}</th>
              </tr>
            </thead>
            <tbody>
              <For
                each={visible()}
                fallback={
                  <tr>
                    <td colSpan={13} class="empty-row">
                      {t("links.empty")}
                    </td>
                  </tr>
                }
              >
                {(l) => {
                  const provider = () => providerById().get(l.provider_id);
                  return (
                    <tr classList={{ disabled: !l.enabled }}>
                      <td class="col-id">{l.id}</td>
                      <td class="strong mono ellipsis" title={l.provider_model}>
                        {l.provider_model}
                      </td>
                      <td>
                        <Show when={provider()}>{(p) => <TypeBadge type={p().type} />}</Show>
                      </td>
                      <td>{provider()?.name ?? `#${l.provider_id}`}</td>
                      <For each={CAPABILITIES}>
                        {(c) => (
                          <td class="center">
                            <button
                              type="button"
                              class="cap"
                              classList={{ yes: l[c.field], no: !l[c.field] }}
                              title={`${t(c.label)} · ${t("links.toggle")}`}
                              aria-label={t(c.label)}
                              aria-pressed={l[c.field]}
                              onClick={() => patch(l, { [c.field]: !l[c.field] })}
                            >
                              {l[c.field] ? <CheckIcon /> : <CrossIcon />}
                            </button>
                          </td>
                        )}
                      </For>
                      <td class="num">{l.weight}</td>
                      <td class="num">{l.priority}</td>
                      <td>
                        <Switch
                          checked={l.enabled}
                          title={l.enabled ? t("common.on") : t("common.off")}
                          onChange={(v) => patch(l, { enabled: v })}
                        />
                      </td>
                      <td class="num mono small">
                        <Prices link={l} />
                      </td>
                      <td class="col-actions">
                        <div class="row-actions">
                          <button type="button" class="btn sm" onClick={() => setEditing(l)}>
                            {t("common.edit")}
                          </button>
                          <button type="button" class="btn sm danger-ghost" onClick={() => setDeleting(l)}>
                            {t("common.delete")}
                          </button>
                        </div>
                      </td>
                    </tr>
                  );
                }}
              </For>
            </tbody>
          </table>
        </div>
      </Show>

      <Show when={editing() && modelId()}>
        <LinkDialog
          modelId={modelId() as number}
          providers={providers() ?? []}
          link={editing() === "new" ? undefined : (editing() as ModelProvider)}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void reload();
          }}
        />
      </Show>
      <Show when={deleting()}>
        {(l) => (
          <ConfirmDialog
            message={t("links.deleteConfirm", {
              name: `${providerById().get(l().provider_id)?.name ?? ""} / ${l().provider_model}`,
            })}
            onClose={() => setDeleting(null)}
            onConfirm={async () => {
              const res = await api.links.remove(l().id);
              if (res.ok) {
                toast.show(t("common.deleted"));
                void reload();
              }
              return res;
            }}
          />
        )}
      </Show>
    </>
  );
}

function Prices(props: { link: ModelProvider }) {
  const { t } = useI18n();
  const l = props.link;
  const sym = currencySymbol(l.currency);
  const free = !l.input_price && !l.output_price && !l.cached_price && !l.cache_write_price;
  const title = [
    `${t("links.inputPrice")} ${sym}${l.input_price}`,
    `${t("links.cachedPrice")} ${sym}${l.cached_price}`,
    `${t("links.cacheWritePrice")} ${sym}${l.cache_write_price}`,
    `${t("links.outputPrice")} ${sym}${l.output_price}`,
  ].join(" · ");
  return (
    <Show when={!free} fallback={<span class="muted">—</span>}>
      <span title={title}>
        {sym}
        {l.input_price} / {sym}
        {l.output_price}
      </span>
    </Show>
  );
}

function LinkDialog(props: {
  modelId: number;
  providers: Provider[];
  link?: ModelProvider;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const l = props.link;
  const [draft, setDraft] = createStore({
    provider_id: l?.provider_id ?? props.providers[0]?.id ?? 0,
    provider_model: l?.provider_model ?? "",
    weight: l?.weight ?? 1,
    priority: l?.priority ?? 0,
    tool_call: l?.tool_call ?? true,
    structured_output: l?.structured_output ?? true,
    image: l?.image ?? true,
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
  const [errors, setErrors] = createStore<Record<string, string>>({});
  const [formError, setFormError] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [upstream, setUpstream] = createSignal<string[]>([]);
  const [upstreamNote, setUpstreamNote] = createSignal("");

  const loadUpstream = async () => {
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
    setErrors({ provider_id: "", provider_model: "", weight: "", priority: "", headers: "", extra_body: "" });
    setFormError("");
    const headers = parseJsonObject<Record<string, string>>(draft.headers);
    const extraBody = parseJsonObject(draft.extra_body);
    if (!headers) return setErrors("headers", t("common.invalidJson"));
    if (!extraBody) return setErrors("extra_body", t("common.invalidJson"));
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
    setBusy(true);
    const res = l ? await api.links.update(l.id, body) : await api.links.create(body);
    setBusy(false);
    if (!res.ok) {
      if (res.field && res.field in draft) setErrors(res.field, res.message);
      else setFormError(res.message);
      return;
    }
    toast.show(l ? t("common.saved") : t("common.created"));
    props.onSaved();
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
    <Modal title={l ? t("links.edit") : t("links.add")} onClose={() => props.onClose()} wide>
      <form class="form-grid" onSubmit={save}>
        <Field label={t("links.provider")} error={errors.provider_id}>
          <select
            name="provider_id"
            value={draft.provider_id}
            onChange={(e) => {
              setDraft("provider_id", Number(e.currentTarget.value));
              setUpstream([]);
              setUpstreamNote("");
            }}
          >
            <For each={props.providers}>
              {(p) => (
                <option value={p.id}>
                  {p.name} ({p.type})
                </option>
              )}
            </For>
          </select>
        </Field>
        <Field label={t("links.providerModel")} error={errors.provider_model} hint={upstreamNote()}>
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
        <Field label={t("links.weight")} error={errors.weight}>
          <input
            name="weight"
            type="number"
            min="0"
            value={draft.weight}
            onInput={(e) => setDraft("weight", e.currentTarget.valueAsNumber)}
          />
        </Field>
        <Field label={t("links.priority")} error={errors.priority}>
          <input
            name="priority"
            type="number"
            value={draft.priority}
            onInput={(e) => setDraft("priority", e.currentTarget.valueAsNumber)}
          />
        </Field>
        <div class="field span-2">
          <span class="field-label">{t("links.capabilities")}</span>
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
          <Field label={t("links.currency")}>
            <select
              value={draft.currency}
              onChange={(e) => setDraft("currency", e.currentTarget.value as Currency)}
            >
              <For each={CURRENCIES}>{(c) => <option value={c}>{c}</option>}</For>
            </select>
          </Field>
        </fieldset>
        <details class="span-2 advanced" open={!!(draft.headers || draft.extra_body)}>
          <summary>{t("providers.advanced")}</summary>
          <div class="form-grid">
            <Field label={t("links.headers")} error={errors.headers}>
              <textarea
                class="mono"
                rows={3}
                value={draft.headers}
                onInput={(e) => setDraft("headers", e.currentTarget.value)}
              />
            </Field>
            <Field label={t("links.extraBody")} error={errors.extra_body}>
              <textarea
                class="mono"
                rows={3}
                placeholder={'{"temperature": 0.2}'}
                value={draft.extra_body}
                onInput={(e) => setDraft("extra_body", e.currentTarget.value)}
              />
            </Field>
          </div>
        </details>
        <Show when={formError()}>
          <p class="form-error span-2" role="alert">
            {formError()}
          </p>
        </Show>
        <div class="form-actions span-2">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy()}>
            {busy() ? t("common.saving") : t("common.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
