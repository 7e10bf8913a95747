import { A, useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show, startTransition } from "solid-js";
import { IconAction, PlayIcon } from "../components/action-icons";
import { DataTable, RowActions } from "../components/data-table";
import { Field, Switch } from "../components/form";
import { createEditTarget } from "../components/form-dialog";
import { CheckIcon, CrossIcon, PlusIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { HealthCell, HealthFailures } from "../components/link-health";
import { CAPABILITIES, LinkDialog } from "../components/link-dialog";
import { LinkTestDialog } from "../components/link-test-dialog";
import { ConfirmDelete } from "../components/modal";
import { ResultStrip } from "../components/result-strip";
import { useToast } from "../components/toast";
import { TypeBadge } from "../components/type-badge";
import {
  api,
  type Currency,
  type LinkInput,
  type ModelProvider,
  PROVIDER_TYPES,
  type ProviderType,
} from "../lib/api";
import { useI18n } from "../lib/i18n";
import { createInterval, createServerNow } from "../lib/timers";

const HEALTH_REFRESH_MS = 3000;

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
  const [deleting, setDeleting] = createSignal<ModelProvider | null>(null);
  const [testing, setTesting] = createSignal<ModelProvider | null>(null);
  const reload = () => startTransition(refetch);
  const editor = createEditTarget<ModelProvider>(() => void reload());
  // Health is a live view: polled while the page is open and read through `.latest`, so a refresh never
  // blanks the table. A failed poll shows no health rather than taking the page down (a 401 still signs out).
  // Countdowns run on the server's clock: the breaker and cooldown instants are the server's.
  const serverClock = createServerNow();
  const now = serverClock.now;
  const [health, { refetch: refetchHealth }] = createResource(async () => {
    const report = await api.health().catch(() => null);
    if (report) serverClock.sync(report.now);
    return report;
  });
  createInterval(() => void refetchHealth(), HEALTH_REFRESH_MS);
  const healthById = createMemo(() => new Map((health.latest?.links ?? []).map((h) => [h.link_id, h])));
  const [expanded, setExpanded] = createSignal<ReadonlySet<number>>(new Set());
  const toggleExpanded = (id: number) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

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
      <PageHeader title={t("links.title")} subtitle={t("links.subtitle")}>
        <A href="/bulk-mapping" class="btn">
          {t("bulk.fromLinks")}
        </A>
      </PageHeader>

      <Show when={models()?.length} fallback={<div class="panel empty-state">{t("links.noModels")}</div>}>
        <div class="toolbar">
          <Field label={t("links.model")}>
            <select
              name="model"
              value={modelId() ?? ""}
              onChange={(e) => setParams({ model: e.currentTarget.value })}
            >
              <For each={models()}>
                {(m) => (
                  <option value={m.id} selected={m.id === modelId()}>
                    {m.name}
                  </option>
                )}
              </For>
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
            onClick={() => editor.open("new")}
          >
            <PlusIcon />
            {t("links.add")}
          </button>
        </div>

        <DataTable
          class="links-table"
          rows={visible()}
          columns={8}
          empty={t("links.empty")}
          head={
            <>
              <th>{t("links.col.providerModel")}</th>
              <th>{t("links.col.caps")}</th>
              <th class="num">{t("links.col.weightPriority")}</th>
              <th>{t("common.enabled")}</th>
              <th>{t("health.col")}</th>
              <th class="num" title={t("links.prices")}>
                {t("links.col.prices")}
              </th>
              <th class="col-actions">{t("common.actions")}</th>
            </>
          }
        >
          {(l) => {
            const provider = () => providerById().get(l.provider_id);
            const linkHealth = () => healthById().get(l.id);
            const open = () => expanded().has(l.id) && !!linkHealth()?.recent_failures.length;
            return (
              <>
                <tr classList={{ disabled: !l.enabled, "has-detail": open() }} data-link-id={l.id}>
                  <td class="card-title" data-label={t("links.col.providerModel")}>
                    <div class="cell-badges">
                      <span class="strong clip" title={`#${l.id}`}>
                        {provider()?.name ?? `#${l.provider_id}`}
                      </span>
                      <Show when={provider()}>{(p) => <TypeBadge type={p().type} />}</Show>
                    </div>
                    <div class="sub mono clip" title={l.provider_model}>
                      {l.provider_model}
                    </div>
                  </td>
                  <td data-label={t("links.col.caps")}>
                    <div class="caps">
                      <For each={CAPABILITIES}>
                        {(c) => (
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
                            <span>{t(c.short)}</span>
                          </button>
                        )}
                      </For>
                    </div>
                  </td>
                  <td class="num" data-label={t("links.col.weightPriority")}>
                    <div>
                      <span title={t("links.weight")}>{l.weight}</span>
                      <span class="sep">/</span>
                      <span title={t("links.priority")}>{l.priority}</span>
                    </div>
                  </td>
                  <td data-label={t("common.enabled")}>
                    <Switch
                      checked={l.enabled}
                      title={l.enabled ? t("common.on") : t("common.off")}
                      onChange={(v) => patch(l, { enabled: v })}
                    />
                  </td>
                  <td class="health-cell" data-label={t("health.col")}>
                    <HealthCell
                      health={linkHealth()}
                      now={now}
                      expanded={open()}
                      onToggle={() => toggleExpanded(l.id)}
                    />
                    <ResultStrip results={linkHealth()?.recent_results ?? []} />
                  </td>
                  <td class="num mono small" data-label={t("links.col.prices")}>
                    <Prices link={l} />
                  </td>
                  <RowActions onEdit={() => editor.open(l)} onDelete={() => setDeleting(l)}>
                    <IconAction label={t("links.test")} icon={<PlayIcon />} onClick={() => setTesting(l)} />
                  </RowActions>
                </tr>
                <Show when={open() && linkHealth()}>
                  {(h) => (
                    <tr class="detail-row">
                      <td colSpan={8}>
                        <HealthFailures health={h()} now={now} />
                      </td>
                    </tr>
                  )}
                </Show>
              </>
            );
          }}
        </DataTable>
      </Show>

      <Show when={editor.isOpen() && modelId()}>
        <LinkDialog
          modelId={modelId() as number}
          modelName={models()?.find((m) => m.id === modelId())?.name ?? ""}
          providers={providers() ?? []}
          link={editor.item()}
          onClose={editor.close}
          onSaved={editor.saved}
        />
      </Show>
      <Show when={testing()}>
        {(l) => (
          <LinkTestDialog
            link={l()}
            providerName={providerById().get(l().provider_id)?.name ?? `#${l().provider_id}`}
            providerType={providerById().get(l().provider_id)?.type}
            onClose={() => setTesting(null)}
          />
        )}
      </Show>
      <ConfirmDelete
        target={deleting()}
        message={(l) =>
          t("links.deleteConfirm", {
            name: `${providerById().get(l.provider_id)?.name ?? ""} / ${l.provider_model}`,
          })
        }
        remove={(l) => api.links.remove(l.id)}
        onClose={() => setDeleting(null)}
        onDeleted={() => void reload()}
      />
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
