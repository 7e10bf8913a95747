import { createResource, createSignal, For, Show } from "solid-js";
import { type LatencyGroup, pagesApi } from "../lib/api";
import { formatCount, formatMs, formatPercent } from "../lib/format";
import { type DictKey, useI18n } from "../lib/i18n";

const RANGES = [24, 168, 720] as const;

/**
 * The dashboard's latency card: p50 / p95 duration and time to first token per model and per provider,
 * with each model's error rate, over the last 24 hours, 7 or 30 days.
 */
export function LatencyPanel() {
  const { t } = useI18n();
  const [hours, setHours] = createSignal<number>(24);
  const [by, setBy] = createSignal<"models" | "providers">("models");
  const [report] = createResource(hours, pagesApi.latency);
  const rows = () => report.latest?.[by()] ?? [];
  const pair = (p: LatencyGroup["latency"]) => (p ? `${formatMs(p.p50)} / ${formatMs(p.p95)}` : "—");
  return (
    <section class="panel dash-card latency-panel">
      <div class="pg-card-head">
        <div>
          <h2 class="pg-h2">{t("lat.title")}</h2>
          <p class="muted small">{t("lat.subtitle")}</p>
        </div>
        <div class="pg-tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={by() === "models"}
            classList={{ active: by() === "models" }}
            onClick={() => setBy("models")}
          >
            {t("lat.byModel")}
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={by() === "providers"}
            classList={{ active: by() === "providers" }}
            onClick={() => setBy("providers")}
          >
            {t("lat.byProvider")}
          </button>
        </div>
        <div class="segmented" role="group">
          <For each={RANGES}>
            {(h) => (
              <button
                type="button"
                classList={{ active: hours() === h }}
                aria-pressed={hours() === h}
                onClick={() => setHours(h)}
              >
                {t(`lat.range.${h}` as DictKey)}
              </button>
            )}
          </For>
        </div>
      </div>
      <Show when={rows().length} fallback={<p class="muted">{t("lat.empty")}</p>}>
        <div class="table-wrap">
          <table class="table latency-table" data-by={by()}>
            <thead>
              <tr>
                <th>{t("lat.name")}</th>
                <th class="num">{t("lat.requests")}</th>
                <th class="num">{t("lat.errorRate")}</th>
                <th class="num">{t("lat.latency")}</th>
                <th class="num">{t("lat.ttft")}</th>
              </tr>
            </thead>
            <tbody>
              <For each={rows()}>
                {(g) => (
                  <tr data-name={g.name}>
                    <td class="mono">{g.name}</td>
                    <td class="num">{formatCount(g.requests)}</td>
                    <td class="num" classList={{ "lat-bad": g.errors > 0 }}>
                      {formatPercent(g.errors, g.requests)}
                    </td>
                    <td class="num" data-col="latency">
                      {pair(g.latency)}
                    </td>
                    <td class="num" data-col="ttft">
                      {pair(g.ttft)}
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}
