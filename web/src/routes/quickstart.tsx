import { createResource, createSignal, For, Show } from "solid-js";
import { CopyButton } from "../components/copy-button";
import { Field } from "../components/form";
import { PageHeader } from "../components/layout";
import { api } from "../lib/api";
import { handedKey } from "../lib/handoff";
import { type DictKey, useI18n } from "../lib/i18n";
import { baseUrls, SNIPPET_KINDS, type SnippetKind, snippet } from "../lib/snippets";

/**
 * Quickstart: the base URL of each protocol and copyable client snippets (curl, TypeScript, Python,
 * Claude Code, Codex, Gemini CLI) for a chosen model and key. A key handed over from the keys page is
 * prefilled from memory; the page never puts a key in the URL or in storage.
 */
export default function Quickstart() {
  const { t } = useI18n();
  const [models] = createResource(api.models.list);
  const handed = handedKey();
  const [key, setKey] = createSignal(handed?.key ?? "");
  const [picked, setPicked] = createSignal<string>("");
  const [tab, setTab] = createSignal<SnippetKind>("curl");
  const base = location.origin;
  const model = () => picked() || models()?.[0]?.name || "your-model";
  const text = () => snippet(tab(), { base, model: model(), key: key().trim() || t("qs.placeholderKey") });

  return (
    <div class="quickstart">
      <PageHeader title={t("qs.title")} subtitle={t("qs.subtitle")} />
      <section class="panel pg-panel">
        <div class="form-grid">
          <Field label={t("qs.model")} hint={models()?.length ? undefined : t("qs.noModels")}>
            <select name="model" value={model()} onChange={(e) => setPicked(e.currentTarget.value)}>
              <For each={models() ?? []}>{(m) => <option value={m.name}>{m.name}</option>}</For>
            </select>
          </Field>
          <Field
            label={t("qs.key")}
            hint={handed ? t("qs.keyFromCreate", { name: handed.name }) : t("qs.keyHint")}
          >
            <input
              class="mono"
              name="key"
              type="text"
              autocomplete="off"
              spellcheck={false}
              placeholder={t("qs.keyPlaceholder")}
              value={key()}
              onInput={(e) => setKey(e.currentTarget.value)}
            />
          </Field>
        </div>
      </section>

      <section class="panel pg-panel">
        <h2 class="pg-h2">{t("qs.baseUrls")}</h2>
        <div class="table-wrap">
          <table class="table qs-urls">
            <thead>
              <tr>
                <th>{t("qs.protocol")}</th>
                <th>{t("qs.baseUrl")}</th>
                <th>{t("qs.endpoint")}</th>
              </tr>
            </thead>
            <tbody>
              <For each={baseUrls(base)}>
                {(row) => (
                  <tr>
                    <td>{row.protocol}</td>
                    <td>
                      <span class="mono">{row.baseUrl}</span> <CopyButton text={() => row.baseUrl} />
                    </td>
                    <td class="mono small muted">{row.endpoint}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </section>

      <section class="panel pg-panel">
        <div class="qs-tabs-row">
          <h2 class="pg-h2">{t("qs.snippets")}</h2>
          <div class="pg-tabs" role="tablist">
            <For each={SNIPPET_KINDS}>
              {(kind) => (
                <button
                  type="button"
                  role="tab"
                  aria-selected={tab() === kind}
                  classList={{ active: tab() === kind }}
                  onClick={() => setTab(kind)}
                >
                  {t(`qs.tab.${kind}` as DictKey)}
                </button>
              )}
            </For>
          </div>
        </div>
        <Show when={tab() === "codex"}>
          <p class="muted small">{t("qs.codexFile")}</p>
        </Show>
        <div class="qs-snippet">
          <div class="qs-copy">
            <CopyButton text={text} />
          </div>
          <pre class="code" data-snippet={tab()}>
            {text()}
          </pre>
        </div>
      </section>
    </div>
  );
}
