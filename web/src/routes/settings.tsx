import { createResource, createSignal, type JSX, Show } from "solid-js";
import { CopyButton } from "../components/copy-button";
import { Field } from "../components/form";
import { PageHeader } from "../components/layout";
import { ConfirmDialog, Modal } from "../components/modal";
import { useToast } from "../components/toast";
import { type ImportDocument, type ImportMode, type ImportResult, pagesApi, type Result } from "../lib/api";
import { formatCount, formatTime } from "../lib/format";
import { useI18n } from "../lib/i18n";

/** A question asked before an action runs; the action's result closes it or shows its error. */
interface Pending {
  title: string;
  message: string;
  confirm: string;
  run: () => Promise<{ ok: boolean; message?: string }>;
}

/**
 * Settings: the request-log retention window (with its last run), the admin token's reset, export and
 * import of the configuration, and import of an original llmio database; each action asks first.
 */
export default function Settings() {
  const { t } = useI18n();
  const toast = useToast();
  const [settings, { refetch, mutate }] = createResource(pagesApi.settings.get);
  const [pending, setPending] = createSignal<Pending | null>(null);
  const [newToken, setNewToken] = createSignal<string | null>(null);
  const [days, setDays] = createSignal<string>("");
  const [secrets, setSecrets] = createSignal(false);
  const [mode, setMode] = createSignal<ImportMode>("merge");
  const [importFile, setImportFile] = createSignal<File | null>(null);
  const [dbFile, setDbFile] = createSignal<File | null>(null);
  const [imported, setImported] = createSignal<ImportResult | null>(null);

  const daysValue = () => (days() === "" ? (settings()?.log_retention_days ?? 0) : Number(days()));
  const ask = (p: Pending) => setPending(p);
  const done = <T,>(res: Result<T>, onOk: (data: T) => void) => {
    if (res.ok) onOk(res.data);
    return res;
  };

  const saveRetention = () => {
    const n = daysValue();
    if (!Number.isInteger(n) || n < 0) return;
    ask({
      title: t("set.retention.title"),
      message: n === 0 ? t("set.retention.confirmOff") : t("set.retention.confirm", { days: n }),
      confirm: t("common.confirm"),
      run: async () =>
        done(await pagesApi.settings.setRetention(n), (s) => {
          mutate(s);
          setDays("");
          toast.show(t("set.retention.saved"));
        }),
    });
  };

  const runRetention = () =>
    ask({
      title: t("set.retention.title"),
      message: t("set.retention.runConfirm", { days: settings()?.log_retention_days ?? 0 }),
      confirm: t("set.retention.run"),
      run: async () => done(await pagesApi.settings.runRetention(), () => void refetch()),
    });

  const resetToken = () =>
    ask({
      title: t("set.token.title"),
      message: t("set.token.confirm"),
      confirm: t("set.token.reset"),
      run: async () => done(await pagesApi.settings.resetToken(), (token) => setNewToken(token)),
    });

  const exportNow = async () => {
    const res = await pagesApi.transfer.exportConfig(secrets());
    if (!res.ok) return res;
    const blob = new Blob([JSON.stringify(res.data, null, 2)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `llmio-config-${new Date().toISOString().slice(0, 10)}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
    toast.show(t("set.export.done"));
    return res;
  };
  const exportConfig = () => {
    if (!secrets()) return void exportNow();
    ask({
      title: t("set.export.title"),
      message: t("set.export.confirmSecrets"),
      confirm: t("set.export.button"),
      run: exportNow,
    });
  };

  const importConfig = () => {
    const file = importFile();
    if (!file) return toast.show(t("set.chooseFile"), "error");
    ask({
      title: t("set.import.title"),
      message:
        mode() === "replace"
          ? t("set.import.confirmReplace", { file: file.name })
          : t("set.import.confirmMerge", { file: file.name }),
      confirm: t("set.import.button"),
      run: async () => {
        let doc: ImportDocument;
        try {
          doc = JSON.parse(await file.text()) as ImportDocument;
        } catch {
          return { ok: false, message: t("set.import.badFile") };
        }
        return done(await pagesApi.transfer.importConfig(doc, mode()), setImported);
      },
    });
  };

  const importLlmio = () => {
    const file = dbFile();
    if (!file) return toast.show(t("set.chooseFile"), "error");
    ask({
      title: t("set.llmio.title"),
      message: t("set.llmio.confirm", { file: file.name }),
      confirm: t("set.llmio.button"),
      run: async () => done(await pagesApi.transfer.importLlmio(file), setImported),
    });
  };

  const lastRun = () => {
    const run = settings()?.log_retention_last_run;
    if (!run) return t("set.retention.never");
    return t("set.retention.last", {
      time: formatTime(run.at),
      deleted: formatCount(run.deleted),
      days: run.days,
    });
  };

  return (
    <div class="settings">
      <PageHeader title={t("set.title")} subtitle={t("set.subtitle")} />

      <Section id="retention" title={t("set.retention.title")}>
        <div class="pg-row">
          <Field label={t("set.retention.days")} hint={t("set.retention.hint")}>
            <input
              name="retention-days"
              type="number"
              min="0"
              step="1"
              value={daysValue()}
              onInput={(e) => setDays(e.currentTarget.value)}
            />
          </Field>
          <button type="button" class="btn primary" onClick={saveRetention}>
            {t("set.retention.save")}
          </button>
          <button
            type="button"
            class="btn"
            onClick={runRetention}
            disabled={(settings()?.log_retention_days ?? 0) === 0}
          >
            {t("set.retention.run")}
          </button>
        </div>
        <p class="muted small" data-last-run>
          {(settings()?.log_retention_days ?? 0) === 0 ? `${t("set.retention.off")} · ` : ""}
          {lastRun()}
        </p>
      </Section>

      <Section id="token" title={t("set.token.title")}>
        <p class="muted">
          {settings()?.admin_token.source === "env"
            ? t("set.token.source.env")
            : settings()?.admin_token.source === "generated"
              ? t("set.token.source.generated")
              : t("set.token.source.stored")}
        </p>
        <button
          type="button"
          class="btn danger"
          onClick={resetToken}
          disabled={!settings()?.admin_token.resettable}
        >
          {t("set.token.reset")}
        </button>
      </Section>

      <Section id="export" title={t("set.export.title")}>
        <p class="muted">{t("set.export.hint")}</p>
        <div class="pg-row">
          <label class="pg-check">
            <input
              type="checkbox"
              name="include-secrets"
              checked={secrets()}
              onChange={(e) => setSecrets(e.currentTarget.checked)}
            />
            {t("set.export.secrets")}
          </label>
          <button type="button" class="btn" onClick={exportConfig}>
            {t("set.export.button")}
          </button>
        </div>
      </Section>

      <Section id="import" title={t("set.import.title")}>
        <p class="muted">{t("set.import.hint")}</p>
        <div class="pg-row">
          <Field label={t("set.import.file")}>
            <input
              name="import-file"
              type="file"
              accept="application/json,.json"
              onChange={(e) => setImportFile(e.currentTarget.files?.[0] ?? null)}
            />
          </Field>
        </div>
        <fieldset class="pg-radios">
          <legend class="field-label">{t("set.import.mode")}</legend>
          <label class="pg-check">
            <input
              type="radio"
              name="import-mode"
              value="merge"
              checked={mode() === "merge"}
              onChange={() => setMode("merge")}
            />
            {t("set.import.merge")}
          </label>
          <label class="pg-check">
            <input
              type="radio"
              name="import-mode"
              value="replace"
              checked={mode() === "replace"}
              onChange={() => setMode("replace")}
            />
            {t("set.import.replace")}
          </label>
        </fieldset>
        <button type="button" class="btn" onClick={importConfig}>
          {t("set.import.button")}
        </button>
      </Section>

      <Section id="llmio" title={t("set.llmio.title")}>
        <p class="muted">{t("set.llmio.hint")}</p>
        <div class="pg-row">
          <Field label={t("set.llmio.file")}>
            <input
              name="llmio-file"
              type="file"
              accept=".db,.sqlite,.sqlite3,application/octet-stream"
              onChange={(e) => setDbFile(e.currentTarget.files?.[0] ?? null)}
            />
          </Field>
          <button type="button" class="btn" onClick={importLlmio}>
            {t("set.llmio.button")}
          </button>
        </div>
      </Section>

      <Show when={imported()}>{(r) => <ImportSummary result={r()} onClose={() => setImported(null)} />}</Show>
      <Show when={pending()}>
        {(p) => (
          <ConfirmDialog
            title={p().title}
            message={p().message}
            confirmLabel={p().confirm}
            onConfirm={p().run}
            onClose={() => setPending(null)}
          />
        )}
      </Show>
      <Show when={newToken()}>
        {(token) => (
          <Modal
            title={t("set.token.newTitle")}
            onClose={() => setNewToken(null)}
            footer={
              <button type="button" class="btn primary" onClick={() => setNewToken(null)}>
                {t("keys.done")}
              </button>
            }
          >
            <div class="key-secret">
              <p class="notice" role="alert">
                {t("set.token.newNotice")}
              </p>
              <input
                class="mono"
                name="new-token"
                readOnly
                value={token()}
                onFocus={(e) => e.currentTarget.select()}
              />
              <div>
                <CopyButton text={token} />
              </div>
            </div>
          </Modal>
        )}
      </Show>
    </div>
  );
}

function Section(props: { id: string; title: string; children: JSX.Element }) {
  return (
    <section class="panel pg-panel" data-section={props.id}>
      <h2 class="pg-h2">{props.title}</h2>
      {props.children}
    </section>
  );
}

/** What an import did, counted per kind, with what it skipped and why. */
function ImportSummary(props: { result: ImportResult; onClose: () => void }) {
  const { t } = useI18n();
  const r = () => props.result;
  const kinds = () => [r().providers, r().models, r().model_providers, r().keys];
  const created = () => kinds().reduce((n, k) => n + k.created, 0);
  const updated = () => kinds().reduce((n, k) => n + k.updated, 0);
  return (
    <Modal
      title={t("set.import.title")}
      onClose={() => props.onClose()}
      footer={
        <button type="button" class="btn primary" onClick={() => props.onClose()}>
          {t("common.close")}
        </button>
      }
    >
      <p data-import-result>{t("set.import.result", { created: created(), updated: updated() })}</p>
      <Show when={r().skipped.length}>
        <p class="muted">{t("set.import.skipped", { n: r().skipped.length })}</p>
        <ul class="pg-skipped small">
          {r().skipped.map((s) => (
            <li>
              <span class="mono">{s.item}</span>: {s.reason}
            </li>
          ))}
        </ul>
      </Show>
    </Modal>
  );
}
