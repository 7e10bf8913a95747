import { createSignal, For, onMount, Show } from "solid-js";
import {
  api,
  type LinkTestReport,
  type ModelProvider,
  PROBE_KINDS,
  type ProbeKind,
  type ProbeResult,
  type ProviderType,
  type Result,
} from "../lib/api";
import { formatMs } from "../lib/format";
import { useI18n } from "../lib/i18n";
import { createNow } from "../lib/timers";
import { CheckIcon, CrossIcon, RefreshIcon } from "./icons";
import { Modal } from "./modal";
import { TypeBadge } from "./type-badge";

/**
 * Tests one link for real (text, stream, tool call, structured output, image) and shows each probe as it
 * comes back: a spinner while the requests run, then ✓ / ✗ / skipped with the time and the error.
 * The test is an action, not a read, so it runs outside the page's Suspense and can be run again.
 */
export function LinkTestDialog(props: {
  link: ModelProvider;
  providerName: string;
  providerType?: ProviderType;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [outcome, setOutcome] = createSignal<Result<LinkTestReport> | null>(null);
  const [startedAt, setStartedAt] = createSignal(0);
  const running = () => outcome() === null;
  const tick = createNow(200);
  let runs = 0;

  const run = async () => {
    const mine = ++runs;
    setOutcome(null);
    setStartedAt(Date.now());
    const res = await api.links.test(props.link.id);
    // A newer run owns the dialog; an older answer must not overwrite it.
    if (mine === runs) setOutcome(res);
  };
  onMount(() => void run());

  const report = () => {
    const o = outcome();
    return o?.ok ? o.data : undefined;
  };
  /** The test itself could not run (link gone, server unreachable): the message, else undefined. */
  const failure = () => {
    const o = outcome();
    return o && !o.ok ? o.message : undefined;
  };
  const counts = () => {
    const r = report();
    const all = r ? PROBE_KINDS.map((k) => r.results[k]) : [];
    return {
      passed: all.filter((p) => p.ok).length,
      failed: all.filter((p) => !p.ok && !p.skipped).length,
      ran: all.filter((p) => !p.skipped).length,
      skipped: all.filter((p) => p.skipped).length,
    };
  };
  const elapsed = () => Math.max(0, Math.floor((tick() - startedAt()) / 1000));

  return (
    <Modal
      wide
      title={t("linkTest.title")}
      titleExtra={<Verdict running={running()} report={report()} failed={counts().failed} />}
      onClose={() => props.onClose()}
      footer={
        <>
          <span class="link-test-summary muted small">
            <Show when={!running()} fallback={t("linkTest.runningFor", { seconds: elapsed() })}>
              <Show when={report()}>
                {t("linkTest.summary", { passed: counts().passed, total: counts().ran })}
                <Show when={counts().skipped}>
                  {" · "}
                  {t("linkTest.skippedCount", { count: counts().skipped })}
                </Show>
              </Show>
            </Show>
          </span>
          <button type="button" class="btn" disabled={running()} onClick={() => void run()}>
            <span class="icon-wrap" classList={{ spin: running() }}>
              <RefreshIcon />
            </span>
            {t("linkTest.again")}
          </button>
          <button type="button" class="btn primary" onClick={() => props.onClose()}>
            {t("common.close")}
          </button>
        </>
      }
    >
      <div class="link-test-target">
        <Show when={props.providerType}>{(type) => <TypeBadge type={type()} />}</Show>
        <strong>{props.providerName}</strong>
        <span class="muted">/</span>
        <span class="mono">{props.link.provider_model}</span>
      </div>
      <p class="muted small link-test-hint">{t("linkTest.hint")}</p>
      <Show
        when={failure()}
        fallback={
          <ul class="probe-list" aria-busy={running()}>
            <For each={PROBE_KINDS}>
              {(kind) => <ProbeRow kind={kind} result={report()?.results[kind]} />}
            </For>
          </ul>
        }
      >
        {(message) => (
          <p class="error-box" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </Modal>
  );
}

/** The overall answer in the title row: testing, all passed, or how many probes failed. */
function Verdict(props: { running: boolean; report: LinkTestReport | undefined; failed: number }) {
  const { t } = useI18n();
  return (
    <Show
      when={!props.running}
      fallback={
        <span class="badge probe-verdict running" data-verdict="running">
          <span class="spinner" aria-hidden="true" />
          {t("linkTest.running")}
        </span>
      }
    >
      <Show when={props.report}>
        {(r) => (
          <span
            class={`badge status ${r().ok ? "status-success" : "status-error"}`}
            data-verdict={r().ok ? "pass" : "fail"}
          >
            <span class="status-dot" aria-hidden="true" />
            {r().ok ? t("linkTest.passed") : t("linkTest.failed", { count: props.failed })}
          </span>
        )}
      </Show>
    </Show>
  );
}

/** One probe: what it checks, and its outcome once the answer is in (a spinner until then). */
function ProbeRow(props: { kind: ProbeKind; result: ProbeResult | undefined }) {
  const { t } = useI18n();
  const state = () => {
    const r = props.result;
    if (!r) return "running";
    if (r.skipped) return "skipped";
    return r.ok ? "pass" : "fail";
  };
  return (
    <li class={`probe ${state()}`} data-probe={props.kind} data-state={state()}>
      <span class="probe-icon" aria-hidden="true">
        <Show when={state() === "running"}>
          <span class="spinner" />
        </Show>
        <Show when={state() === "pass"}>
          <CheckIcon />
        </Show>
        <Show when={state() === "fail"}>
          <CrossIcon />
        </Show>
        <Show when={state() === "skipped"}>–</Show>
      </span>
      <div class="probe-main">
        <div class="probe-line">
          <span class="probe-name">{t(`linkTest.probe.${props.kind}`)}</span>
          <span class="muted small probe-what">{t(`linkTest.what.${props.kind}`)}</span>
          <span class="probe-outcome">
            <Show when={state() === "running"}>
              <span class="muted small">{t("linkTest.waiting")}</span>
            </Show>
            <Show when={state() === "skipped"}>
              <span class="tag">{t("linkTest.skipped")}</span>
            </Show>
            <Show when={state() === "pass" || state() === "fail"}>
              <span class="probe-ms mono small">{formatMs(props.result?.ms)}</span>
            </Show>
          </span>
        </div>
        <Show when={state() === "skipped"}>
          <div class="muted small">{t("linkTest.skippedWhy")}</div>
        </Show>
        <Show when={props.result?.error}>
          {(error) => <div class="probe-error mono small">{error()}</div>}
        </Show>
      </div>
    </li>
  );
}
