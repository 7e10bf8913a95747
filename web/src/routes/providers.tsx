import { createResource, createSignal, Show, startTransition } from "solid-js";
import { IconAction } from "../components/action-icons";
import { DataTable, RowActions } from "../components/data-table";
import { createEditTarget } from "../components/form-dialog";
import { Switch } from "../components/form";
import { ListIcon, PlusIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ConfirmDelete } from "../components/modal";
import { ProviderDialog, UpstreamModelsDialog } from "../components/provider-dialogs";
import { useToast } from "../components/toast";
import { TypeBadge } from "../components/type-badge";
import { api, type Provider } from "../lib/api";
import { useI18n } from "../lib/i18n";

export default function Providers() {
  const { t } = useI18n();
  const toast = useToast();
  const [providers, { refetch }] = createResource(api.providers.list);
  const [deleting, setDeleting] = createSignal<Provider | null>(null);
  const [upstream, setUpstream] = createSignal<Provider | null>(null);
  // A transition keeps the current table on screen while it reloads, instead of the Suspense fallback.
  const reload = () => startTransition(refetch);
  const editor = createEditTarget<Provider>(() => void reload());

  const toggleEnabled = async (p: Provider, enabled: boolean) => {
    const res = await api.providers.update(p.id, { enabled });
    if (!res.ok) toast.show(res.message, "error");
    await reload();
  };

  return (
    <>
      <PageHeader title={t("providers.title")} subtitle={t("providers.subtitle")}>
        <button type="button" class="btn primary" onClick={() => editor.open("new")}>
          <PlusIcon />
          {t("providers.add")}
        </button>
      </PageHeader>

      <DataTable
        rows={providers()}
        columns={7}
        empty={t("providers.empty")}
        head={
          <>
            <th class="col-id">{t("common.id")}</th>
            <th>{t("common.name")}</th>
            <th>{t("providers.type")}</th>
            <th>{t("providers.baseUrl")}</th>
            <th>{t("providers.apiKey")}</th>
            <th>{t("common.enabled")}</th>
            <th class="col-actions">{t("common.actions")}</th>
          </>
        }
      >
        {(p) => (
          <tr classList={{ disabled: !p.enabled }}>
            <td class="col-id" data-label={t("common.id")}>
              {p.id}
            </td>
            <td class="strong card-title" data-label={t("common.name")}>
              <Show when={p.console_url} fallback={p.name}>
                <a href={p.console_url ?? ""} target="_blank" rel="noreferrer">
                  {p.name}
                </a>
              </Show>
            </td>
            <td data-label={t("providers.type")}>
              <TypeBadge type={p.type} />
            </td>
            <td class="mono muted" data-label={t("providers.baseUrl")}>
              <div class="clip url-cell" title={p.base_url}>
                {p.base_url}
              </div>
            </td>
            <td class="mono muted" data-label={t("providers.apiKey")}>
              {p.api_key || "—"}
            </td>
            <td data-label={t("common.enabled")}>
              <Switch
                checked={p.enabled}
                label={p.enabled ? t("common.on") : t("common.off")}
                onChange={(v) => toggleEnabled(p, v)}
              />
            </td>
            <RowActions onEdit={() => editor.open(p)} onDelete={() => setDeleting(p)}>
              <IconAction
                label={t("providers.fetchModels")}
                icon={<ListIcon />}
                onClick={() => setUpstream(p)}
              />
            </RowActions>
          </tr>
        )}
      </DataTable>

      <Show when={editor.isOpen()}>
        <ProviderDialog provider={editor.item()} onClose={editor.close} onSaved={editor.saved} />
      </Show>
      <ConfirmDelete
        target={deleting()}
        message={(p) => t("providers.deleteConfirm", { name: p.name })}
        remove={(p) => api.providers.remove(p.id)}
        onClose={() => setDeleting(null)}
        onDeleted={() => void reload()}
      />
      <Show when={upstream()}>
        {(p) => <UpstreamModelsDialog provider={p()} onClose={() => setUpstream(null)} />}
      </Show>
    </>
  );
}
