import { useIsRouting, useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, type JSX, Show, useTransition } from "solid-js";
import { ChatIcon, FilterIcon, IconAction } from "../components/action-icons";
import { DataTable } from "../components/data-table";
import { Field, Switch } from "../components/form";
import { ChevronLeftIcon, ChevronRightIcon, RefreshIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ProtocolPath, StatusBadge, StreamBadge } from "../components/log-badges";
import { type LogFilterPick, LogDetailDrawer } from "../components/log-detail";
import {
  api,
  LOG_STATUSES,
  type LogEntry,
  type LogQuery,
  type LogStatus,
  PROVIDER_TYPES,
  type ProviderType,
} from "../lib/api";
import { formatCost, formatCount, formatMs, formatTime, formatTotal, formatTps } from "../lib/format";

const pad2 = (n: number) => String(n).padStart(2, "0");
/** `10:58:41` and `11-27`: the time of a record on two short lines. */
const formatClock = (ms: number) => formatTime(ms).slice(11);
const formatDay = (ms: number) => {
  const d = new Date(ms);
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
};
import { useI18n } from "../lib/i18n";
import { createInterval } from "../lib/timers";

const RANGES = { "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
const PAGE_SIZES = [20, 50, 100];
const REFRESH_MS = 5000;

/** The list's state lives in the URL, so a filtered view (or an open record) can be linked and reloaded. */
type Params = {
  model?: string;
  provider?: string;
  status?: string;
  style?: string;
  upstream?: string;
  key?: string;
  ua?: string;
  trace_id?: string;
  session_id?: string;
  range?: string;
  page?: string;
  size?: string;
  log?: string;
};

const FILTER_KEYS = [
  "model",
  "provider",
  "status",
  "style",
  "upstream",
  "key",
  "ua",
  "trace_id",
  "session_id",
  "range",
] as const;

export default function Logs() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams<Params>();
  const [models] = createResource(api.models.list);
  const [providers] = createResource(api.providers.list);
  const [keys] = createResource(api.keys.list);
  const keyNames = createMemo(() => new Map((keys() ?? []).map((k) => [k.id, k.name])));
  /** A key's name as the record shows it: the admin token, a deleted key, or the key's name. */
  const keyLabel = (id: number | null) =>
    id === null ? t("logs.f.keyAdmin") : (keyNames().get(id) ?? t("logs.keyGone", { id }));
  const [filtersOpen, setFiltersOpen] = createSignal(false);
  const [pending, start] = useTransition();
  const routing = useIsRouting();
  const [auto, setAuto] = createSignal(false);

  const pageSize = () => (PAGE_SIZES.includes(Number(params.size)) ? Number(params.size) : PAGE_SIZES[0]);
  // A string key, so that changes to unrelated params (the open record) do not refetch the list.
  const queryKey = createMemo(() =>
    JSON.stringify({
      page: Number(params.page) || 1,
      page_size: pageSize(),
      model: params.model || undefined,
      provider: params.provider || undefined,
      status: LOG_STATUSES.includes(params.status as LogStatus) ? params.status : undefined,
      style: PROVIDER_TYPES.includes(params.style as ProviderType) ? params.style : undefined,
      upstream_type: PROVIDER_TYPES.includes(params.upstream as ProviderType) ? params.upstream : undefined,
      key_id: Number(params.key) > 0 ? Number(params.key) : undefined,
      user_agent: params.ua || undefined,
      trace_id: params.trace_id || undefined,
      session_id: params.session_id || undefined,
      range: Object.hasOwn(RANGES, params.range ?? "") ? params.range : undefined,
    }),
  );
  const [page, { refetch }] = createResource(queryKey, (key) => {
    const { range, ...query } = JSON.parse(key) as LogQuery & { range?: Range };
    // A preset range is relative to the moment of each fetch, so auto-refresh slides it forward.
    return api.logs.list(range ? { ...query, from: String(Date.now() - RANGES[range]) } : query);
  });
  const reload = () => start(refetch);
  createInterval(reload, REFRESH_MS, auto);

  /** Sets filters and goes back to page 1 (a filter change makes the old page number meaningless). */
  const filter = (next: Partial<Params>) => setParams({ ...next, page: undefined });
  const filterCount = () => FILTER_KEYS.filter((k) => params[k]).length;
  const hasFilters = () => filterCount() > 0;
  const openId = () => Number(params.log) || null;

  const searchField = () => (params.session_id ? "session_id" : "trace_id");
  const [searchKind, setSearchKind] = createSignal<"trace_id" | "session_id">(searchField());
  let searchInput!: HTMLInputElement;
  let uaInput!: HTMLInputElement;
  const applyUa = () => filter({ ua: uaInput.value.trim() || undefined });
  /** Shows the requests of one session (the row's session button). */
  const pickSession = (sessionId: string) => {
    setSearchKind("session_id");
    searchInput.value = sessionId;
    filter({ session_id: sessionId, trace_id: undefined });
  };
  const applySearch = () => {
    const value = searchInput.value.trim() || undefined;
    filter(
      searchKind() === "trace_id"
        ? { trace_id: value, session_id: undefined }
        : { session_id: value, trace_id: undefined },
    );
  };

  return (
    <>
      <PageHeader title={t("logs.title")} subtitle={t("logs.subtitle")}>
        <Switch checked={auto()} onChange={setAuto} label={t("logs.autoRefresh")} />
        <button type="button" class="btn" onClick={reload} disabled={pending()}>
          <span class="icon-wrap" classList={{ spin: pending() }}>
            <RefreshIcon />
          </span>
          {t("logs.refresh")}
        </button>
      </PageHeader>

      <button
        type="button"
        class="btn filters-toggle"
        aria-expanded={filtersOpen()}
        aria-controls="log-filters"
        onClick={() => setFiltersOpen(!filtersOpen())}
      >
        <FilterIcon />
        {t("common.filters")}
        <Show when={filterCount()}>
          <span class="count-pill">{filterCount()}</span>
        </Show>
        <span class="chevron" classList={{ open: filtersOpen() }} aria-hidden="true">
          ›
        </span>
      </button>
      <div class="filters" id="log-filters" classList={{ open: filtersOpen() }}>
        <FilterSelect
          key="model"
          label={t("logs.filter.model")}
          value={params.model}
          onPick={filter}
          options={(models() ?? []).map((m) => ({ value: m.name, label: m.name }))}
        />
        <FilterSelect
          key="provider"
          label={t("logs.filter.provider")}
          value={params.provider}
          onPick={filter}
          options={(providers() ?? []).map((p) => ({ value: p.name, label: p.name }))}
        />
        <FilterSelect
          key="status"
          label={t("logs.filter.status")}
          value={params.status}
          onPick={filter}
          options={LOG_STATUSES.map((s) => ({ value: s, label: t(`logs.status.${s}`) }))}
        />
        <FilterSelect
          key="style"
          label={t("logs.f.style")}
          value={params.style}
          onPick={filter}
          options={PROVIDER_TYPES.map((s) => ({ value: s, label: s }))}
        />
        <FilterSelect
          key="upstream"
          label={t("logs.filter.upstream")}
          value={params.upstream}
          onPick={filter}
          options={PROVIDER_TYPES.map((s) => ({ value: s, label: s }))}
        />
        <FilterSelect
          key="key"
          label={t("logs.filter.key")}
          value={params.key}
          onPick={filter}
          options={(keys() ?? []).map((k) => ({ value: String(k.id), label: k.name }))}
        />
        <FilterSelect
          key="range"
          label={t("logs.filter.range")}
          allLabel={t("logs.range.all")}
          value={params.range}
          onPick={filter}
          options={(Object.keys(RANGES) as Range[]).map((r) => ({ value: r, label: t(`logs.range.${r}`) }))}
        />
        <Field label={t("logs.filter.ua")}>
          <input
            ref={uaInput}
            name="ua"
            class="mono"
            placeholder={t("logs.filter.uaPlaceholder")}
            value={params.ua ?? ""}
            onKeyDown={(e) => e.key === "Enter" && applyUa()}
            onBlur={() => {
              if (uaInput.value.trim() !== (params.ua ?? "")) applyUa();
            }}
          />
        </Field>
        <Field label={t("logs.filter.search")}>
          <div class="search-combo">
            <select
              aria-label={t("logs.filter.search")}
              value={searchKind()}
              onChange={(e) => setSearchKind(e.currentTarget.value as "trace_id" | "session_id")}
            >
              <option value="trace_id">{t("logs.search.trace")}</option>
              <option value="session_id">{t("logs.search.session")}</option>
            </select>
            <input
              ref={searchInput}
              name="search"
              class="mono"
              placeholder={t("logs.search.placeholder")}
              value={params.trace_id ?? params.session_id ?? ""}
              onKeyDown={(e) => e.key === "Enter" && applySearch()}
              onBlur={() => {
                const current = params[searchKind()] ?? "";
                if (searchInput.value.trim() !== current) applySearch();
              }}
            />
          </div>
        </Field>
        <Show when={hasFilters()}>
          <button
            type="button"
            class="btn ghost filters-reset"
            onClick={() => {
              searchInput.value = "";
              uaInput.value = "";
              setParams({ ...Object.fromEntries(FILTER_KEYS.map((k) => [k, undefined])), page: undefined });
            }}
          >
            {t("logs.reset")}
          </button>
        </Show>
      </div>

      <DataTable
        class="logs-table"
        stale={pending() || routing()}
        rows={page()?.data}
        columns={8}
        empty={t("logs.empty")}
        head={
          <>
            <th>{t("logs.col.time")}</th>
            <th>{t("logs.col.model")}</th>
            <th>{t("logs.col.provider")}</th>
            <th>{t("logs.col.path")}</th>
            <th>{t("logs.col.status")}</th>
            <th class="num">{t("logs.col.tokensCost")}</th>
            <th class="num">{t("logs.col.latency")}</th>
            <th>{t("logs.col.client")}</th>
          </>
        }
      >
        {(log) => (
          <LogRow
            log={log}
            keyLabel={keyLabel(log.key_id)}
            onOpen={() => setParams({ log: String(log.id) })}
            onSession={pickSession}
          />
        )}
      </DataTable>

      <Show when={page()}>
        {(p) => (
          <div class="pager">
            <span class="muted">
              {t("logs.pageInfo", { total: formatTotal(p()), page: p().page, pages: p().pages })}
            </span>
            <div class="toolbar-spacer" />
            <select
              class="page-size"
              name="page_size"
              value={pageSize()}
              onChange={(e) => setParams({ size: e.currentTarget.value, page: undefined })}
            >
              <For each={PAGE_SIZES}>{(n) => <option value={n}>{t("logs.pageSize", { n })}</option>}</For>
            </select>
            <IconButton
              label={t("logs.prev")}
              disabled={p().page <= 1}
              onClick={() => setParams({ page: String(p().page - 1) })}
            >
              <ChevronLeftIcon />
            </IconButton>
            <IconButton
              label={t("logs.next")}
              // Past a lower-bound total, a full page means there may be more.
              disabled={
                p().page >= p().pages && !(p().total_lower_bound && p().data.length === p().page_size)
              }
              onClick={() => setParams({ page: String(p().page + 1) })}
            >
              <ChevronRightIcon />
            </IconButton>
          </div>
        )}
      </Show>

      <Show when={openId()}>
        {(id) => (
          <LogDetailDrawer
            id={id()}
            keyLabel={keyLabel}
            onClose={() => setParams({ log: undefined })}
            onFilter={(pick: LogFilterPick) => {
              const next = { trace_id: undefined, session_id: undefined, ...pick };
              setSearchKind("trace_id" in pick ? "trace_id" : "session_id");
              searchInput.value = "trace_id" in pick ? pick.trace_id : pick.session_id;
              setParams({ ...next, page: undefined, log: undefined });
            }}
          />
        )}
      </Show>
    </>
  );
}

/** A pager arrow: an icon with its label as the accessible name and tooltip. */
function IconButton(props: { label: string; disabled: boolean; onClick: () => void; children: JSX.Element }) {
  return (
    <button
      type="button"
      class="btn icon"
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      onClick={() => props.onClick()}
    >
      {props.children}
    </button>
  );
}

/**
 * A filter over one URL param; the empty choice ("all") clears it. Each option carries `selected`, so a
 * value from the URL shows as soon as its option arrives (options load after the select is made).
 */
function FilterSelect(props: {
  key: (typeof FILTER_KEYS)[number];
  label: string;
  value: string | undefined;
  onPick: (next: Partial<Params>) => void;
  options: { value: string; label: string }[];
  /** The empty choice's label; "all" unless given. */
  allLabel?: string;
}) {
  const { t } = useI18n();
  return (
    <Field label={props.label}>
      <select
        name={props.key}
        value={props.value ?? ""}
        onChange={(e) => props.onPick({ [props.key]: e.currentTarget.value || undefined })}
      >
        <option value="" selected={!props.value}>
          {props.allLabel ?? t("common.all")}
        </option>
        <For each={props.options}>
          {(o) => (
            <option value={o.value} selected={o.value === props.value}>
              {o.label}
            </option>
          )}
        </For>
      </select>
    </Field>
  );
}

/** One dense row; the whole row opens the record. */
function LogRow(props: {
  log: LogEntry;
  keyLabel: string;
  onOpen: () => void;
  onSession: (sessionId: string) => void;
}) {
  const { t } = useI18n();
  const l = () => props.log;
  const tries = () => l().attempts.length + (l().provider_name ? 1 : 0);
  const tokenTitle = () =>
    [
      `${t("logs.tokens.input")} ${formatCount(l().input_tokens)}`,
      `${t("logs.tokens.cached")} ${formatCount(l().cached_tokens)}`,
      `${t("logs.tokens.cacheWrite")} ${formatCount(l().cache_write_tokens)}`,
      `${t("logs.tokens.output")} ${formatCount(l().output_tokens)}`,
      `${t("logs.tokens.reasoning")} ${formatCount(l().reasoning_tokens)}`,
      `${t("logs.tokens.total")} ${formatCount(l().total_tokens)}`,
    ].join("\n");
  return (
    <tr
      class="clickable"
      tabIndex={0}
      aria-label={t("logs.open")}
      onClick={() => props.onOpen()}
      onKeyDown={(e) => {
        if (e.currentTarget !== e.target) return;
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          props.onOpen();
        }
      }}
    >
      <td class="time" title={formatTime(l().created_at)} data-label={t("logs.col.time")}>
        <div>{formatClock(l().created_at)}</div>
        <div class="sub">{formatDay(l().created_at)}</div>
      </td>
      <td class="card-title" data-label={t("logs.col.model")}>
        <div class="strong clip model-cell" title={l().model}>
          {l().model || "—"}
        </div>
      </td>
      <td class="provider-cell" data-label={t("logs.col.provider")}>
        <Show when={l().provider_name} fallback={<span class="muted">—</span>}>
          <div class="clip">{l().provider_name}</div>
          <div class="sub mono clip" title={l().provider_model ?? ""}>
            {l().provider_model}
          </div>
        </Show>
      </td>
      <td data-label={t("logs.col.path")}>
        <ProtocolPath style={l().style} upstream={l().upstream_type} />
        <div class="sub">
          <StreamBadge stream={l().stream} />
        </div>
      </td>
      <td title={l().error ?? undefined} data-label={t("logs.col.status")}>
        <StatusBadge status={l().status} httpStatus={l().http_status} />
        <Show when={tries() > 1}>
          <div class="sub">
            <span class="tag tag-warn" title={t("logs.triesTitle", { failed: l().attempts.length })}>
              {t("logs.tries", { count: tries() })}
            </span>
          </div>
        </Show>
      </td>
      <td class="num" title={tokenTitle()} data-label={t("logs.col.tokensCost")}>
        <div class="tokens">
          {formatCount(l().input_tokens)}
          <span class="sep">/</span>
          {formatCount(l().cached_tokens)}
          <span class="sep">/</span>
          {formatCount(l().output_tokens)}
        </div>
        <Show when={l().cache_write_tokens || l().reasoning_tokens}>
          <div class="sub">
            <Show when={l().cache_write_tokens}>
              {t("logs.tokens.writeShort")} {formatCount(l().cache_write_tokens)}
            </Show>
            <Show when={l().cache_write_tokens && l().reasoning_tokens}> · </Show>
            <Show when={l().reasoning_tokens}>
              {t("logs.tokens.reasoningShort")} {formatCount(l().reasoning_tokens)}
            </Show>
          </div>
        </Show>
        <div class="sub mono cost" classList={{ muted: !l().cost }}>
          {formatCost(l().cost, l().currency)}
        </div>
      </td>

      <td class="num" data-label={t("logs.col.latency")}>
        <div>
          <span class="muted">{formatMs(l().first_chunk_ms)}</span>
          <span class="sep">/</span>
          {formatMs(l().total_ms)}
        </div>
        <Show when={l().stream && l().tps !== null}>
          <div class="sub tps" title={t("logs.f.tps")}>
            {formatTps(l().tps)}
          </div>
        </Show>
      </td>
      <td class="client-cell" data-label={t("logs.col.client")}>
        <div class="client-line">
          <span class="clip" classList={{ muted: l().key_id === null }}>
            {props.keyLabel}
          </span>
          <Show when={l().session_id}>
            {(sid) => (
              <IconAction
                label={t("logs.session")}
                icon={<ChatIcon />}
                onClick={() => props.onSession(sid())}
              />
            )}
          </Show>
        </div>
        <div class="sub mono clip ua" title={l().user_agent ?? ""}>
          {l().user_agent ?? "—"}
        </div>
      </td>
    </tr>
  );
}
