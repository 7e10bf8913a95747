import { createSignal, For, onMount, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { api, PROVIDER_TYPES, type Provider, type ProviderInput, type ProviderType } from "../lib/api";
import { useI18n } from "../lib/i18n";
import { Field, JsonField, jsonText, parseJsonObject, Switch } from "./form";
import { createSaveForm, FormFooter } from "./form-dialog";
import { Modal } from "./modal";

/** Create (no `provider`) or edit a provider; the stored key is never shown, only its mask. */
export function ProviderDialog(props: { provider?: Provider; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const p = props.provider;
  const [draft, setDraft] = createStore({
    name: p?.name ?? "",
    type: (p?.type ?? "openai") as ProviderType,
    base_url: p?.base_url ?? "",
    api_key: "",
    anthropic_version: p?.anthropic_version ?? "",
    console_url: p?.console_url ?? "",
    proxy_url: p?.proxy_url ?? "",
    error_matcher: p?.error_matcher ?? "",
    headers: jsonText(p?.headers),
    enabled: p?.enabled ?? true,
  });
  const form = createSaveForm({
    fields: ["name", "base_url", "api_key", "headers", "proxy_url", "console_url", "error_matcher"],
    editing: !!p,
    onSaved: () => props.onSaved(),
  });

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    form.reset();
    const headers = parseJsonObject<Record<string, string>>(draft.headers);
    if (!headers) return form.fieldError("headers", t("common.invalidJson"));
    const body: ProviderInput = {
      name: draft.name,
      type: draft.type,
      base_url: draft.base_url,
      api_key: draft.api_key,
      anthropic_version: draft.anthropic_version || null,
      console_url: draft.console_url || null,
      proxy_url: draft.proxy_url || null,
      error_matcher: draft.error_matcher || null,
      headers,
      enabled: draft.enabled,
    };
    // An empty key field means "keep the stored key": the form never sees the real one.
    const { api_key, ...rest } = body;
    await form.submit(
      () => (p ? api.providers.update(p.id, api_key ? body : rest) : api.providers.create(body)),
      draft,
    );
  };

  return (
    <Modal title={p ? t("providers.edit") : t("providers.add")} onClose={() => props.onClose()} wide>
      <form class="form-grid" onSubmit={save} id="provider-form">
        <Field label={t("common.name")} error={form.errors.name}>
          <input
            name="name"
            required
            value={draft.name}
            onInput={(e) => setDraft("name", e.currentTarget.value)}
          />
        </Field>
        <Field label={t("providers.type")}>
          <select
            name="type"
            value={draft.type}
            onChange={(e) => setDraft("type", e.currentTarget.value as ProviderType)}
          >
            <For each={PROVIDER_TYPES}>{(type) => <option value={type}>{type}</option>}</For>
          </select>
        </Field>
        <Field
          label={t("providers.baseUrl")}
          hint={t("providers.baseUrlHint")}
          error={form.errors.base_url}
          span={2}
        >
          <input
            name="base_url"
            required
            placeholder="https://api.openai.com/v1"
            value={draft.base_url}
            onInput={(e) => setDraft("base_url", e.currentTarget.value)}
          />
        </Field>
        <Field
          label={t("providers.apiKey")}
          hint={p ? `${t("providers.apiKeyKeep")} (${p.api_key || "—"})` : undefined}
          error={form.errors.api_key}
          span={2}
        >
          <input
            name="api_key"
            type="password"
            autocomplete="off"
            placeholder={p ? p.api_key : "sk-…"}
            value={draft.api_key}
            onInput={(e) => setDraft("api_key", e.currentTarget.value)}
          />
        </Field>
        <Show when={draft.type === "anthropic"}>
          <Field label={t("providers.anthropicVersion")}>
            <input
              name="anthropic_version"
              placeholder="2023-06-01"
              value={draft.anthropic_version}
              onInput={(e) => setDraft("anthropic_version", e.currentTarget.value)}
            />
          </Field>
        </Show>
        <Field label={t("common.enabled")}>
          <Switch
            checked={draft.enabled}
            label={draft.enabled ? t("common.on") : t("common.off")}
            onChange={(v) => setDraft("enabled", v)}
          />
        </Field>
        <details class="span-2 advanced">
          <summary>{t("providers.advanced")}</summary>
          <div class="form-grid">
            <Field label={t("providers.consoleUrl")} error={form.errors.console_url}>
              <input
                value={draft.console_url}
                onInput={(e) => setDraft("console_url", e.currentTarget.value)}
              />
            </Field>
            <Field label={t("providers.proxyUrl")} error={form.errors.proxy_url}>
              <input
                placeholder="http://127.0.0.1:7890"
                value={draft.proxy_url}
                onInput={(e) => setDraft("proxy_url", e.currentTarget.value)}
              />
            </Field>
            <Field label={t("providers.errorMatcher")} error={form.errors.error_matcher} span={2}>
              <input
                class="mono"
                value={draft.error_matcher}
                onInput={(e) => setDraft("error_matcher", e.currentTarget.value)}
              />
            </Field>
            <JsonField
              label={t("providers.headers")}
              error={form.errors.headers}
              span={2}
              placeholder={'{"X-Title": "llmio"}'}
              value={draft.headers}
              onInput={(v) => setDraft("headers", v)}
            />
          </div>
        </details>
        <FormFooter error={form.formError()} busy={form.busy()} onCancel={() => props.onClose()} />
      </form>
    </Modal>
  );
}

/** The provider's own model list, read live from the upstream with its key. */
export function UpstreamModelsDialog(props: { provider: Provider; onClose: () => void }) {
  const { t } = useI18n();
  const [models, setModels] = createSignal<string[] | null>(null);
  const [error, setError] = createSignal("");
  onMount(async () => {
    const res = await api.providers.upstreamModels(props.provider.id);
    if (res.ok) setModels(res.data.models);
    else setError(res.message);
  });
  return (
    <Modal
      title={t("providers.fetchModelsTitle", { name: props.provider.name })}
      onClose={() => props.onClose()}
    >
      <Show when={!error()} fallback={<p class="form-error">{error()}</p>}>
        <Show when={models()} fallback={<p class="muted">{t("common.loading")}</p>}>
          {(list) => (
            <Show when={list().length} fallback={<p class="muted">{t("providers.fetchModelsNone")}</p>}>
              <p class="muted">{t("providers.fetchModelsCount", { count: list().length })}</p>
              <ul class="chip-list">
                <For each={list()}>{(m) => <li class="chip mono">{m}</li>}</For>
              </ul>
            </Show>
          )}
        </Show>
      </Show>
    </Modal>
  );
}
