import { createResource, createSignal, For, Show, startTransition } from "solid-js";
import { Switch } from "../components/form";
import { ListIcon, PlusIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ConfirmDialog } from "../components/modal";
import { ProviderDialog, UpstreamModelsDialog } from "../components/provider-dialogs";
import { useToast } from "../components/toast";
import { TypeBadge } from "../components/type-badge";
import { api, type Provider } from "../lib/api";
import { useI18n } from "../lib/i18n";

export default function Providers() {
  const { t } = useI18n();
  const toast = useToast();
  const [providers, { refetch }] = createResource(api.providers.list);
  const [editing, setEditing] = createSignal<Provider | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<Provider | null>(null);
  const [upstream, setUpstream] = createSignal<Provider | null>(null);
  // A transition keeps the current table on screen while it reloads, instead of the Suspense fallback.
  const reload = () => startTransition(refetch);

  const toggleEnabled = async (p: Provider, enabled: boolean) => {
    const res = await api.providers.update(p.id, { enabled });
    if (!res.ok) toast.show(res.message, "error");
    await reload();
  };

  return (
    <>
      <PageHeader title={t("providers.title")} subtitle={t("providers.subtitle")}>
        <button type="button" class="btn primary" onClick={() => setEditing("new")}>
          <PlusIcon />
          {t("providers.add")}
        </button>
      </PageHeader>

      <div class="panel table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th class="col-id">{t("common.id")}</th>
              <th>{t("common.name")}</th>
              <th>{t("providers.type")}</th>
              <th>{t("providers.baseUrl")}</th>
              <th>{t("providers.apiKey")}</th>
              <th>{t("common.enabled")}</th>
              <th class="col-actions">{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            <For
              each={providers()}
              fallback={
                <tr>
                  <td colSpan={7} class="empty-row">
                    {t("providers.empty")}
                  </td>
                </tr>
              }
            >
              {(p) => (
                <tr classList={{ disabled: !p.enabled }}>
                  <td class="col-id">{p.id}</td>
                  <td class="strong">
                    <Show when={p.console_url} fallback={p.name}>
                      <a href={p.console_url ?? ""} target="_blank" rel="noreferrer">
                        {p.name}
                      </a>
                    </Show>
                  </td>
                  <td>
                    <TypeBadge type={p.type} />
                  </td>
                  <td class="mono muted ellipsis" title={p.base_url}>
                    {p.base_url}
                  </td>
                  <td class="mono muted">{p.api_key || "—"}</td>
                  <td>
                    <Switch
                      checked={p.enabled}
                      label={p.enabled ? t("common.on") : t("common.off")}
                      onChange={(v) => toggleEnabled(p, v)}
                    />
                  </td>
                  <td class="col-actions">
                    <div class="row-actions">
                      <button type="button" class="btn sm" onClick={() => setUpstream(p)}>
                        <ListIcon />
                        {t("providers.fetchModels")}
                      </button>
                      <button type="button" class="btn sm" onClick={() => setEditing(p)}>
                        {t("common.edit")}
                      </button>
                      <button type="button" class="btn sm danger-ghost" onClick={() => setDeleting(p)}>
                        {t("common.delete")}
                      </button>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>

      <Show when={editing()}>
        {(current) => (
          <ProviderDialog
            provider={current() === "new" ? undefined : (current() as Provider)}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              void reload();
            }}
          />
        )}
      </Show>
      <Show when={deleting()}>
        {(p) => (
          <ConfirmDialog
            message={t("providers.deleteConfirm", { name: p().name })}
            onClose={() => setDeleting(null)}
            onConfirm={async () => {
              const res = await api.providers.remove(p().id);
              if (res.ok) {
                toast.show(t("common.deleted"));
                void reload();
              }
              return res;
            }}
          />
        )}
      </Show>
      <Show when={upstream()}>
        {(p) => <UpstreamModelsDialog provider={p()} onClose={() => setUpstream(null)} />}
      </Show>
    </>
  );
}
