import { A } from "@solidjs/router";
import {
  createMemo,
  createResource,
  createSignal,
  For,
  type JSX,
  Match,
  Show,
  Switch,
  useTransition,
} from "solid-js";
import { BarList } from "../components/charts/bar-list";
import { DonutChart, type Slice } from "../components/charts/donut";
import { OTHERS_COLOR, PALETTE } from "../components/charts/scale";
import { SeriesChart, type SeriesChartPoint, TOKENS_COLOR } from "../components/charts/series-chart";
import { RefreshIcon } from "../components/icons";
import { LatencyPanel } from "../components/latency-panel";
import { PageHeader } from "../components/layout";
import { api, type ModelCount, type SeriesPoint, type UsageTotals } from "../lib/api";
import { formatCompact, formatCosts, formatCount, formatMs, formatPercent } from "../lib/format";
import { type DictKey, useI18n } from "../lib/i18n";
import "./dashboard.css";

/** Windows offered for the model share and the provider table: today, a week, a month. */
const DAY_RANGES = [1, 7, 30] as const;
type DayRange = (typeof DAY_RANGES)[number];
type SeriesRange = "24h" | "30d";
/** The donut shows this many models by name; the rest become one "others" slice. */
const NAMED_SLICES = 5;

const pad = (n: number) => String(n).padStart(2, "0");
const dayLabel = (t: number) => {
  const d = new Date(t);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
const hourLabel = (t: number) => `${pad(new Date(t).getHours())}:00`;

/** A small segmented control (shared look with the language switch). */
function Segmented<T extends string | number>(props: {
  options: readonly T[];
  value: T;
  label: (v: T) => string;
  onChange: (v: T) => void;
  name: string;
}) {
  return (
    <div class="segmented" role="group" aria-label={props.name} data-control={props.name}>
      <For each={props.options}>
        {(o) => (
          <button
            type="button"
            aria-pressed={props.value === o}
            classList={{ active: props.value === o }}
            onClick={() => props.onChange(o)}
          >
            {props.label(o)}
          </button>
        )}
      </For>
    </div>
  );
}

function Kpi(props: { id: string; title: string; desc: string; value: string; foot: JSX.Element }) {
  return (
    <section class="panel dash-kpi" data-kpi={props.id}>
      <h3>{props.title}</h3>
      <p class="muted">{props.desc}</p>
      <div class="dash-kpi-value">{props.value}</div>
      <div class="dash-kpi-foot">{props.foot}</div>
    </section>
  );
}

function Card(props: {
  title: string;
  subtitle: string;
  actions?: JSX.Element;
  children: JSX.Element;
  class?: string;
}) {
  return (
    <section class={`panel dash-card ${props.class ?? ""}`}>
      <div class="dash-card-head">
        <div>
          <h2>{props.title}</h2>
          <p class="muted">{props.subtitle}</p>
        </div>
        <div class="dash-card-actions">{props.actions}</div>
      </div>
      {props.children}
    </section>
  );
}

/** The top models by calls, the rest folded into one "others" slice. */
function toSlices(counts: ModelCount[], others: string): Slice[] {
  const named = counts.length > NAMED_SLICES + 1 ? counts.slice(0, NAMED_SLICES) : counts;
  const slices = named.map((c, i) => ({
    label: c.model,
    value: c.calls,
    color: PALETTE[i % PALETTE.length] as string,
  }));
  const rest = counts.slice(named.length).reduce((n, c) => n + c.calls, 0);
  return rest ? [...slices, { label: others, value: rest, color: OTHERS_COLOR }] : slices;
}

/** The home page: today's and the month's totals, model share, traffic over time, providers. */
export default function Dashboard() {
  const { t } = useI18n();
  const [pending, start] = useTransition();
  const [today, { refetch: refetchToday }] = createResource(() => api.metrics.use(1));
  const [month, { refetch: refetchMonth }] = createResource(() => api.metrics.use(30));
  const [modelDays, setModelDays] = createSignal<DayRange>(30);
  const [counts, { refetch: refetchCounts }] = createResource(modelDays, (d) => api.metrics.counts(d));
  const [modelView, setModelView] = createSignal<"share" | "ranking">("share");
  const [range, setRange] = createSignal<SeriesRange>("24h");
  const [series, { refetch: refetchSeries }] = createResource(range, (r) =>
    r === "24h" ? api.metrics.series("hour", 1) : api.metrics.series("day", 30),
  );
  const [providerDays, setProviderDays] = createSignal<DayRange>(30);
  const [providers, { refetch: refetchProviders }] = createResource(providerDays, (d) =>
    api.metrics.providers(d),
  );

  // Changes run as transitions: the page keeps showing the old figures (dimmed) instead of a spinner.
  const refresh = () =>
    start(() => {
      refetchToday();
      refetchMonth();
      refetchCounts();
      refetchSeries();
      refetchProviders();
    });

  const slices = createMemo(() => toSlices(counts() ?? [], t("dash.models.others")));
  const rangeLabel = (d: DayRange) => t(`dash.range.${d}` as DictKey);

  const errorFoot = (u: UsageTotals | undefined) => (
    <>
      <span>
        {t("dash.kpi.errorRate")}{" "}
        <strong data-error-rate>{formatPercent(u?.errors ?? 0, u?.reqs ?? 0)}</strong>
      </span>
      <span class="muted">{t("dash.kpi.errors", { n: formatCount(u?.errors ?? 0) })}</span>
    </>
  );
  const costFoot = (u: UsageTotals | undefined) => (
    <>
      <span>
        {t("dash.kpi.cost")} <strong data-cost>{formatCosts(u?.cost ?? [])}</strong>
      </span>
      <span class="muted">
        {t("dash.kpi.io", {
          input: formatCompact((u?.input_tokens ?? 0) + (u?.cached_tokens ?? 0)),
          output: formatCompact(u?.output_tokens ?? 0),
        })}
      </span>
    </>
  );

  const seriesTooltip = (p: SeriesChartPoint) => {
    const point = p as SeriesPoint;
    const time =
      range() === "24h"
        ? `${dayLabel(p.t)} ${hourLabel(p.t)}–${hourLabel(p.t + 3_600_000)}`
        : `${new Date(p.t).getFullYear()}-${dayLabel(p.t)}`;
    return (
      <>
        <div class="tip-time">{time}</div>
        <div class="tip-row">
          <span class="tip-key">
            <i style={{ background: "var(--accent)" }} />
            {t("dash.series.reqs")}
          </span>
          <strong>{formatCount(p.reqs)}</strong>
        </div>
        <div class="tip-row">
          <span class="tip-key">
            <i style={{ background: "var(--danger)" }} />
            {t("dash.series.errors")}
          </span>
          <strong>{formatCount(p.errors)}</strong>
        </div>
        <div class="tip-row">
          <span class="tip-key">
            <i style={{ background: TOKENS_COLOR }} />
            {t("dash.series.tokens")}
          </span>
          <strong>{formatCount(p.tokens)}</strong>
        </div>
        <Show when={point.cost.length > 0}>
          <div class="tip-row">
            <span class="tip-key">
              <i />
              {t("dash.series.cost")}
            </span>
            <strong>{formatCosts(point.cost)}</strong>
          </div>
        </Show>
      </>
    );
  };

  return (
    <div class="dashboard" classList={{ stale: pending() }}>
      <PageHeader title={t("dash.title")} subtitle={t("dash.subtitle")}>
        <button type="button" class="btn" onClick={refresh} disabled={pending()}>
          <span class="icon-wrap" classList={{ spin: pending() }}>
            <RefreshIcon />
          </span>
          {t("dash.refresh")}
        </button>
      </PageHeader>

      <div class="dash-kpis">
        <Kpi
          id="today-reqs"
          title={t("dash.kpi.todayReqs")}
          desc={t("dash.kpi.todayReqsDesc")}
          value={formatCount(today()?.reqs ?? 0)}
          foot={errorFoot(today())}
        />
        <Kpi
          id="today-tokens"
          title={t("dash.kpi.todayTokens")}
          desc={t("dash.kpi.todayTokensDesc")}
          value={formatCount(today()?.tokens ?? 0)}
          foot={costFoot(today())}
        />
        <Kpi
          id="month-reqs"
          title={t("dash.kpi.monthReqs")}
          desc={t("dash.kpi.monthReqsDesc")}
          value={formatCount(month()?.reqs ?? 0)}
          foot={errorFoot(month())}
        />
        <Kpi
          id="month-tokens"
          title={t("dash.kpi.monthTokens")}
          desc={t("dash.kpi.monthTokensDesc")}
          value={formatCount(month()?.tokens ?? 0)}
          foot={costFoot(month())}
        />
      </div>

      <Show
        when={(month()?.reqs ?? 0) > 0}
        fallback={
          <div class="panel empty-state dash-empty">
            <h2>{t("dash.empty.title")}</h2>
            <p>{t("dash.empty.body")}</p>
            <A href="/providers" class="btn primary">
              {t("dash.empty.action")}
            </A>
          </div>
        }
      >
        <div class="dash-grid">
          <Card
            class="dash-models"
            title={t("dash.models.title")}
            subtitle={t("dash.models.subtitle")}
            actions={
              <Segmented
                name="model-range"
                options={DAY_RANGES}
                value={modelDays()}
                label={rangeLabel}
                onChange={(d) => start(() => setModelDays(d))}
              />
            }
          >
            <div class="pg-tabs dash-tabs" role="tablist">
              <button
                type="button"
                role="tab"
                aria-selected={modelView() === "share"}
                classList={{ active: modelView() === "share" }}
                onClick={() => setModelView("share")}
              >
                {t("dash.models.share")}
              </button>
              <button
                type="button"
                role="tab"
                aria-selected={modelView() === "ranking"}
                classList={{ active: modelView() === "ranking" }}
                onClick={() => setModelView("ranking")}
              >
                {t("dash.models.ranking")}
              </button>
            </div>
            <div class="dash-models-body">
              <Switch>
                <Match when={(counts() ?? []).length === 0}>
                  <p class="muted dash-none">{t("dash.models.empty")}</p>
                </Match>
                <Match when={modelView() === "share"}>
                  <DonutChart slices={slices()} totalLabel={t("dash.models.calls")} />
                </Match>
                <Match when={modelView() === "ranking"}>
                  <BarList
                    items={(counts() ?? []).map((c) => ({
                      label: c.model,
                      value: c.calls,
                      detail: t("dash.models.tokens", { n: formatCompact(c.tokens) }),
                    }))}
                    format={formatCount}
                  />
                </Match>
              </Switch>
            </div>
          </Card>

          <Card
            class="dash-series"
            title={t("dash.series.title")}
            subtitle={t("dash.series.subtitle")}
            actions={
              <Segmented
                name="series-range"
                options={["24h", "30d"] as const}
                value={range()}
                label={(r) => t(`dash.series.${r}`)}
                onChange={(r) => start(() => setRange(r))}
              />
            }
          >
            <div class="dash-legend">
              <span>
                <i style={{ background: "var(--accent)" }} />
                {t("dash.series.reqs")}
              </span>
              <span>
                <i style={{ background: "var(--danger)" }} />
                {t("dash.series.errors")}
              </span>
              <span>
                <i class="line" style={{ background: TOKENS_COLOR }} />
                {t("dash.series.tokens")}
              </span>
            </div>
            <SeriesChart
              points={series() ?? []}
              tick={range() === "24h" ? hourLabel : dayLabel}
              tooltip={seriesTooltip}
              label={t("dash.series.title")}
            />
          </Card>
        </div>

        <Card
          class="dash-providers"
          title={t("dash.providers.title")}
          subtitle={t("dash.providers.subtitle")}
          actions={
            <Segmented
              name="provider-range"
              options={DAY_RANGES}
              value={providerDays()}
              label={rangeLabel}
              onChange={(d) => start(() => setProviderDays(d))}
            />
          }
        >
          <div class="table-wrap">
            <table class="table dash-provider-table">
              <thead>
                <tr>
                  <th>{t("dash.providers.col.provider")}</th>
                  <th class="num">{t("dash.providers.col.reqs")}</th>
                  <th class="num">{t("dash.providers.col.errors")}</th>
                  <th class="num">{t("dash.providers.col.tokens")}</th>
                  <th class="num">{t("dash.providers.col.cost")}</th>
                  <th class="num">{t("dash.providers.col.firstChunk")}</th>
                  <th class="num">{t("dash.providers.col.total")}</th>
                </tr>
              </thead>
              <tbody>
                <For
                  each={providers()}
                  fallback={
                    <tr>
                      <td colSpan={7} class="empty-row">
                        {t("common.empty")}
                      </td>
                    </tr>
                  }
                >
                  {(p) => {
                    const share = () =>
                      (p.reqs / Math.max(1, ...(providers() ?? []).map((x) => x.reqs))) * 100;
                    return (
                      <tr>
                        <td class="strong">
                          <Show
                            when={p.provider_name}
                            fallback={<span class="muted">{t("dash.providers.none")}</span>}
                          >
                            {p.provider_name}
                          </Show>
                        </td>
                        <td class="num">
                          <span class="share-cell">
                            <span class="share-track">
                              <span class="share-bar" style={{ width: `${share()}%` }} />
                            </span>
                            {formatCount(p.reqs)}
                          </span>
                        </td>
                        <td class="num" classList={{ "error-text": p.errors > 0 }}>
                          {formatPercent(p.errors, p.reqs)}
                          <span class="muted small"> ({formatCount(p.errors)})</span>
                        </td>
                        <td class="num">{formatCount(p.tokens)}</td>
                        <td class="num">{formatCosts(p.cost)}</td>
                        <td class="num">{formatMs(p.avg_first_chunk_ms)}</td>
                        <td class="num">{formatMs(p.avg_total_ms)}</td>
                      </tr>
                    );
                  }}
                </For>
              </tbody>
            </table>
          </div>
        </Card>
        <LatencyPanel />
      </Show>
    </div>
  );
}
