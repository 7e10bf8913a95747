import { A, useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { CAPABILITIES } from "../components/link-dialog";
import { Field } from "../components/form";
import { PageHeader } from "../components/layout";
import { useToast } from "../components/toast";
import { api, type BulkResult, pagesApi } from "../lib/api";
import { useI18n } from "../lib/i18n";

type Capability = "tool_call" | "structured_output" | "image";
const BULK_CAPS = CAPABILITIES.filter((c) => c.field !== "with_header") as {
  field: Capability;
  label: (typeof CAPABILITIES)[number]["label"];
}[];

/**
 * Bulk mapping: read a provider's upstream model list, pick several, and create the public models (named
 * prefix + id + suffix) and their links in one step. Models that exist already get the link only.
 */
export default function BulkMapping() {
  const { t } = useI18n();
  const toast = useToast();
  const [params, setParams] = useSearchParams<{ provider?: string }>();
  const [providers] = createResource(api.providers.list);
  const [models, { refetch: refetchModels }] = createResource(api.models.list);
  const providerId = () => Number(params.provider) || null;
  const [upstream] = createResource(providerId, async (id) => {
    const res = await api.providers.upstreamModels(id);
    return res.ok ? { models: res.data.models, error: "" } : { models: [] as string[], error: res.message };
  });
  const [picked, setPicked] = createSignal<Set<string>>(new Set());
  const [filter, setFilter] = createSignal("");
  const [prefix, setPrefix] = createSignal("");
  const [suffix, setSuffix] = createSignal("");
  const [caps, setCaps] = createSignal<Record<Capability, boolean>>({
    tool_call: false,
    structured_output: false,
    image: false,
  });
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<BulkResult | null>(null);
  const [error, setError] = createSignal("");

  const shown = createMemo(() => {
    const f = filter().trim().toLowerCase();
    return (upstream()?.models ?? []).filter((m) => !f || m.toLowerCase().includes(f));
  });
  const existing = createMemo(() => new Set((models() ?? []).map((m) => m.name)));
  const nameOf = (m: string) => `${prefix()}${m}${suffix()}`.trim();
  const selection = () => (upstream()?.models ?? []).filter((m) => picked().has(m));
  const toggle = (m: string, on: boolean) => {
    const next = new Set(picked());
    if (on) next.add(m);
    else next.delete(m);
    setPicked(next);
  };
  const pickProvider = (id: string) => {
    setPicked(new Set<string>());
    setResult(null);
    setError("");
    setParams({ provider: id || undefined });
  };

  const create = async () => {
    const id = providerId();
    if (!id || !selection().length) return;
    setBusy(true);
    setError("");
    const res = await pagesApi.bulkLink({
      provider_id: id,
      provider_models: selection(),
      prefix: prefix(),
      suffix: suffix(),
      ...caps(),
    });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setResult(res.data);
    setPicked(new Set<string>());
    void refetchModels();
    toast.show(t("bulk.done", { created: res.data.created.length, skipped: res.data.skipped.length }));
  };

  return (
    <div class="bulk">
      <PageHeader title={t("bulk.title")} subtitle={t("bulk.subtitle")} />
      <section class="panel pg-panel">
        <div class="form-grid">
          <Field label={t("bulk.provider")}>
            <select
              name="provider"
              value={params.provider ?? ""}
              onChange={(e) => pickProvider(e.currentTarget.value)}
            >
              <option value="">{t("bulk.pickProvider")}</option>
              <For each={providers() ?? []}>{(p) => <option value={String(p.id)}>{p.name}</option>}</For>
            </select>
          </Field>
          <Field label={t("bulk.filter")}>
            <input
              name="filter"
              type="search"
              value={filter()}
              onInput={(e) => setFilter(e.currentTarget.value)}
            />
          </Field>
          <Field label={t("bulk.prefix")}>
            <input
              name="prefix"
              class="mono"
              value={prefix()}
              onInput={(e) => setPrefix(e.currentTarget.value)}
            />
          </Field>
          <Field label={t("bulk.suffix")}>
            <input
              name="suffix"
              class="mono"
              value={suffix()}
              onInput={(e) => setSuffix(e.currentTarget.value)}
            />
          </Field>
        </div>
        <div class="pg-row">
          <span class="field-label">{t("bulk.capabilities")}</span>
          <For each={BULK_CAPS}>
            {(c) => (
              <label class="pg-check">
                <input
                  type="checkbox"
                  name={`cap-${c.field}`}
                  checked={caps()[c.field]}
                  onChange={(e) => setCaps({ ...caps(), [c.field]: e.currentTarget.checked })}
                />
                {t(c.label)}
              </label>
            )}
          </For>
        </div>
      </section>

      <Show when={providerId()}>
        <section class="panel pg-panel">
          <Show when={!upstream.loading} fallback={<p class="muted">{t("bulk.loading")}</p>}>
            <Show when={!upstream()?.error} fallback={<p class="form-error">{upstream()?.error}</p>}>
              <Show when={upstream()?.models.length} fallback={<p class="muted">{t("bulk.noModels")}</p>}>
                <div class="pg-row">
                  <span class="muted" data-selected-count>
                    {t("bulk.selected", { n: selection().length, total: upstream()?.models.length ?? 0 })}
                  </span>
                  <button
                    type="button"
                    class="btn sm"
                    onClick={() => setPicked(new Set([...picked(), ...shown()]))}
                  >
                    {t("bulk.selectAll")}
                  </button>
                  <button type="button" class="btn sm" onClick={() => setPicked(new Set<string>())}>
                    {t("bulk.selectNone")}
                  </button>
                </div>
                <ul class="bulk-list">
                  <For each={shown()}>
                    {(m) => (
                      <li>
                        <label class="pg-check">
                          <input
                            type="checkbox"
                            name="upstream-model"
                            value={m}
                            checked={picked().has(m)}
                            onChange={(e) => toggle(m, e.currentTarget.checked)}
                          />
                          <span class="mono">{m}</span>
                        </label>
                        <Show when={picked().has(m)}>
                          <span class="bulk-arrow muted">→</span>
                          <span class="mono strong">{nameOf(m)}</span>
                          <span class="tag" classList={{ "tag-warn": existing().has(nameOf(m)) }}>
                            {existing().has(nameOf(m)) ? t("bulk.exists") : t("bulk.new")}
                          </span>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
                <Show when={error()}>
                  <p class="form-error" role="alert">
                    {error()}
                  </p>
                </Show>
                <div class="pg-row">
                  <button
                    type="button"
                    class="btn primary"
                    disabled={!selection().length || busy()}
                    onClick={create}
                  >
                    {t("bulk.create", { n: selection().length })}
                  </button>
                </div>
              </Show>
            </Show>
          </Show>
        </section>
      </Show>

      <Show when={result()}>
        {(r) => (
          <section class="panel pg-panel" data-bulk-result>
            <p>{t("bulk.done", { created: r().created.length, skipped: r().skipped.length })}</p>
            <ul class="bulk-list">
              <For each={r().created}>
                {(c) => (
                  <li>
                    <span class="mono">{c.provider_model}</span>
                    <span class="bulk-arrow muted">→</span>
                    <A href={`/model-providers?model=${c.model_id}`} class="mono">
                      {c.model}
                    </A>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </Show>
    </div>
  );
}
