import { createResource, ErrorBoundary, For, type JSX, Show, Suspense } from "solid-js";
import { api, type LogDetail } from "../lib/api";
import { formatBytes, formatCost, formatCount, formatMs, formatTime, formatTps } from "../lib/format";
import { type DictKey, useI18n } from "../lib/i18n";
import { kindText } from "../lib/labels";
import { BodyView } from "./body-view/body-view";
import { ProtocolPath, StatusBadge, StreamBadge } from "./log-badges";
import { Modal } from "./modal";

/** Which list filter a link in the drawer applies. */
export type LogFilterPick = { trace_id: string } | { session_id: string };

/**
 * One request record in a side drawer: headline figures, the attempt chain, every field, and the kept
 * bodies. It has its own Suspense and ErrorBoundary so that loading or failing stays inside the drawer
 * and the list behind it keeps its place.
 */
export function LogDetailDrawer(props: {
  id: number;
  /** The name of the key a record was made with (or what stands for it). */
  keyLabel: (keyId: number | null) => string;
  onClose: () => void;
  onFilter: (pick: LogFilterPick) => void;
}) {
  const { t } = useI18n();
  const [log] = createResource(() => props.id, api.logs.get);
  return (
    <Modal
      drawer
      title={t("logs.detail.title", { id: props.id })}
      titleExtra={
        <Show when={log.latest}>
          {(l) => (
            <div class="title-badges">
              <StatusBadge status={l().status} httpStatus={l().http_status} />
              <ProtocolPath style={l().style} upstream={l().upstream_type} />
              <StreamBadge stream={l().stream} />
            </div>
          )}
        </Show>
      }
      onClose={() => props.onClose()}
    >
      <ErrorBoundary
        fallback={(err: unknown) => (
          <p class="form-error" role="alert">
            {err instanceof Error ? err.message : String(err)}
          </p>
        )}
      >
        <Suspense fallback={<div class="loading">{t("common.loading")}</div>}>
          <Show when={log()}>
            {(l) => <DetailBody log={l()} keyLabel={props.keyLabel} onFilter={props.onFilter} />}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </Modal>
  );
}

function DetailBody(props: {
  log: LogDetail;
  keyLabel: (keyId: number | null) => string;
  onFilter: (pick: LogFilterPick) => void;
}) {
  const { t } = useI18n();
  const l = () => props.log;
  const tokens = (key: DictKey, n: number) => [t(key), formatCount(n)] as const;
  // Only a stream has a generation time to measure a rate over (older records may carry one anyway).
  const tpsTitle = () => (l().stream ? undefined : t("logs.tpsStreamOnly"));
  return (
    <div class="detail">
      <div class="kpis">
        <Kpi label={t("logs.f.totalMs")} value={formatMs(l().total_ms)} />
        <Kpi label={t("logs.f.firstChunkMs")} value={formatMs(l().first_chunk_ms)} />
        <Kpi label={t("logs.tokens.totalKpi")} value={formatCount(l().total_tokens)} />
        <Kpi label={t("logs.f.tps")} value={l().stream ? formatTps(l().tps) : "—"} title={tpsTitle()} />
        <Kpi label={t("logs.f.cost")} value={formatCost(l().cost, l().currency)} />
      </div>

      <Show when={l().error}>
        <section class="detail-section">
          <h3>{t("logs.detail.error")}</h3>
          <pre class="error-box">{l().error}</pre>
        </section>
      </Show>

      <section class="detail-section">
        <h3>{t("logs.chain.title")}</h3>
        <AttemptChain log={l()} />
      </section>

      <section class="detail-section">
        <h3>{t("logs.detail.request")}</h3>
        <dl class="facts">
          <Fact label={t("logs.f.time")}>{formatTime(l().created_at)}</Fact>
          <Fact label={t("logs.f.model")}>
            <strong>{l().model || "—"}</strong>
          </Fact>
          <Fact label={t("logs.f.provider")}>{l().provider_name ?? "—"}</Fact>
          <Fact label={t("logs.f.providerModel")}>
            <span class="mono">{l().provider_model ?? "—"}</span>
          </Fact>
          <Fact label={t("logs.f.path")}>
            <ProtocolPath style={l().style} upstream={l().upstream_type} />
          </Fact>
          <Fact label={t("logs.f.stream")}>{l().stream ? t("common.yes") : t("common.no")}</Fact>
          <Fact label={t("logs.f.status")}>
            <StatusBadge status={l().status} httpStatus={l().http_status} />
          </Fact>
          <Fact label={t("logs.f.finishReason")}>
            <span class="mono">{l().finish_reason ?? "—"}</span>
          </Fact>
          <Fact label={t("logs.f.traceId")} wide>
            <span class="mono">{l().trace_id}</span>
            <button type="button" class="link-btn" onClick={() => props.onFilter({ trace_id: l().trace_id })}>
              {t("logs.detail.filterTrace")}
            </button>
          </Fact>
          <Fact label={t("logs.f.sessionId")} wide>
            <Show when={l().session_id} fallback="—">
              {(sid) => (
                <>
                  <span class="mono">{sid()}</span>
                  <button
                    type="button"
                    class="link-btn"
                    onClick={() => props.onFilter({ session_id: sid() })}
                  >
                    {t("logs.detail.filterSession")}
                  </button>
                </>
              )}
            </Show>
          </Fact>
        </dl>
      </section>

      <div class="detail-columns">
        <section class="detail-section">
          <h3>{t("logs.detail.timing")}</h3>
          <dl class="facts single">
            <Fact label={t("logs.f.proxyMs")}>{formatMs(l().proxy_ms)}</Fact>
            <Fact label={t("logs.f.firstChunkMs")}>{formatMs(l().first_chunk_ms)}</Fact>
            <Fact label={t("logs.f.totalMs")}>{formatMs(l().total_ms)}</Fact>
            <Fact label={t("logs.f.tps")}>
              <span title={tpsTitle()}>{l().stream ? formatTps(l().tps) : "—"}</span>
            </Fact>
            <Fact label={t("logs.f.size")}>{formatBytes(l().size)}</Fact>
          </dl>
        </section>
        <section class="detail-section">
          <h3>{t("logs.detail.usage")}</h3>
          <dl class="facts single">
            <For
              each={[
                tokens("logs.tokens.input", l().input_tokens),
                tokens("logs.tokens.cached", l().cached_tokens),
                tokens("logs.tokens.cacheWrite", l().cache_write_tokens),
                tokens("logs.tokens.output", l().output_tokens),
                tokens("logs.tokens.reasoning", l().reasoning_tokens),
                tokens("logs.tokens.total", l().total_tokens),
              ]}
            >
              {([label, value]) => (
                <Fact label={label}>
                  <span class="num">{value}</span>
                </Fact>
              )}
            </For>
            <Fact label={t("logs.f.cost")}>
              {formatCost(l().cost, l().currency)} <span class="muted small">{l().currency ?? ""}</span>
            </Fact>
            <Show when={l().prices}>
              {(p) => (
                <Fact label={t("logs.f.prices")}>
                  <span class="mono small" title={t("logs.f.pricesOrder")}>
                    {[p().input, p().cached, p().cacheWrite, p().output].join(" · ")} {p().currency}
                  </span>
                </Fact>
              )}
            </Show>
          </dl>
        </section>
      </div>

      <section class="detail-section">
        <h3>{t("logs.detail.client")}</h3>
        <dl class="facts">
          <Fact label={t("logs.f.key")}>
            <span title={l().key_id === null ? undefined : `#${l().key_id}`}>
              {props.keyLabel(l().key_id)}
            </span>
          </Fact>
          <Fact label={t("logs.f.remoteIp")}>
            <span class="mono">{l().remote_ip ?? "—"}</span>
          </Fact>
          <Fact label={t("logs.f.userAgent")} wide>
            <span class="mono small">{l().user_agent ?? "—"}</span>
          </Fact>
        </dl>
      </section>

      <section class="detail-section">
        <h3>{t("logs.body.title")}</h3>
        <Show when={l().bodies} fallback={<div class="notice">{t("logs.body.notKept")}</div>}>
          {(b) => (
            <div class="bodies">
              <BodyView style={l().style} which="request" title={t("logs.body.request")} text={b().request} />
              <BodyView
                style={l().style}
                which="response"
                title={t("logs.body.response")}
                text={b().response}
              />
            </div>
          )}
        </Show>
      </section>
    </div>
  );
}

function Kpi(props: { label: string; value: string; title?: string }) {
  return (
    <div class="kpi" title={props.title}>
      <span class="kpi-label">{props.label}</span>
      <span class="kpi-value">{props.value}</span>
    </div>
  );
}

function Fact(props: { label: string; children: JSX.Element; wide?: boolean }) {
  return (
    <div class="fact" classList={{ wide: props.wide }}>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/** The failed attempts in order, then the link that produced the answer (or the final failure). */
function AttemptChain(props: { log: LogDetail }) {
  const { t } = useI18n();
  const l = () => props.log;
  return (
    <ol class="chain">
      <For each={l().attempts}>
        {(a, i) => (
          <li class="chain-step failed">
            <span class="chain-index">{i() + 1}</span>
            <div class="chain-main">
              <div class="chain-line">
                <strong>{a.provider_name}</strong>
                <span class="mono small muted">{a.provider_model}</span>
                <span class="badge status status-error">
                  <span class="status-dot" aria-hidden="true" />
                  {t("logs.chain.failed")}
                  <Show when={a.status}>
                    <span class="status-code">{a.status}</span>
                  </Show>
                </span>
                <span class="tag" data-kind={a.kind}>
                  {kindText(t, a.kind)}
                </span>
                <span class="chain-ms">{formatMs(a.ms)}</span>
              </div>
              <Show when={a.error}>
                <div class="chain-error mono">{a.error}</div>
              </Show>
            </div>
          </li>
        )}
      </For>
      <li class={`chain-step final ${l().status}`}>
        <span class="chain-index">{l().provider_name ? l().attempts.length + 1 : "✕"}</span>
        <div class="chain-main">
          <div class="chain-line">
            <Show when={l().provider_name} fallback={<span class="muted">{t("logs.chain.noProvider")}</span>}>
              <strong>{l().provider_name}</strong>
              <span class="mono small muted">{l().provider_model}</span>
            </Show>
            <StatusBadge status={l().status} httpStatus={l().http_status} />
            <span class="tag">{t("logs.chain.final")}</span>
            <span class="chain-ms">{formatMs(l().total_ms)}</span>
          </div>
        </div>
      </li>
    </ol>
  );
}
