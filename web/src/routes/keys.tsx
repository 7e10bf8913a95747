import { useNavigate } from "@solidjs/router";
import { createResource, createSignal, For, Show, startTransition } from "solid-js";
import { createStore } from "solid-js/store";
import { CopyButton } from "../components/copy-button";
import { IconAction } from "../components/action-icons";
import { DataTable, RowActions } from "../components/data-table";
import { CurrencyField, Field, Switch } from "../components/form";
import { createEditTarget, createSaveForm, FormFooter } from "../components/form-dialog";
import { PlusIcon, RefreshIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ConfirmDelete, ConfirmDialog, Modal } from "../components/modal";
import { useToast } from "../components/toast";
import { type ApiKey, type ApiKeyInput, api, type Currency } from "../lib/api";
import { formatCost, formatCount, formatTime } from "../lib/format";
import { handOffKey } from "../lib/handoff";
import { useI18n } from "../lib/i18n";

/** `expires_at` in epoch ms: the wire has ISO text, which Eden may already have turned into a Date. */
const expiryMs = (k: ApiKey): number | null =>
  k.expires_at === null ? null : new Date(k.expires_at as string | Date).getTime();

/** A newly issued key on its way to the one dialog that shows it. */
interface Secret {
  name: string;
  key: string;
}

export default function Keys() {
  const { t } = useI18n();
  const toast = useToast();
  const [keys, { refetch }] = createResource(api.keys.list);
  const [deleting, setDeleting] = createSignal<ApiKey | null>(null);
  const [rotating, setRotating] = createSignal<ApiKey | null>(null);
  const [secret, setSecret] = createSignal<Secret | null>(null);
  const [rate, { refetch: refetchRate }] = createResource(api.keys.exchangeRate);
  const [editingRate, setEditingRate] = createSignal(false);
  const reload = () => startTransition(refetch);
  const editor = createEditTarget<ApiKey>(() => void reload());

  const toggleEnabled = async (k: ApiKey, enabled: boolean) => {
    const res = await api.keys.update(k.id, { enabled });
    if (!res.ok) toast.show(res.message, "error");
    await reload();
  };

  const limits = (k: ApiKey) =>
    [
      k.rpm_limit !== null ? `${formatCount(k.rpm_limit)} RPM` : null,
      k.tpm_limit !== null ? `${formatCount(k.tpm_limit)} TPM` : null,
    ].filter(Boolean);

  return (
    <>
      <PageHeader title={t("keys.title")} subtitle={t("keys.subtitle")}>
        <button type="button" class="btn primary" onClick={() => editor.open("new")}>
          <PlusIcon />
          {t("keys.add")}
        </button>
      </PageHeader>

      <Show when={rate()}>
        {(r) => (
          <p class="spend-note muted small" data-rate={r().usd_cny_rate}>
            {t("keys.spendNote", {
              rate: r().usd_cny_rate,
              suffix: r().is_default ? t("keys.rateDefault") : "",
            })}{" "}
            <button type="button" class="link-btn" onClick={() => setEditingRate(true)}>
              {t("keys.rateEdit")}
            </button>
          </p>
        )}
      </Show>

      <DataTable
        class="keys-table"
        rows={keys()}
        columns={8}
        empty={t("keys.empty")}
        head={
          <>
            <th>{t("keys.col.name")}</th>
            <th>{t("common.enabled")}</th>
            <th>{t("keys.models")}</th>
            <th>{t("keys.expiry")}</th>
            <th>{t("keys.limits")}</th>
            <th class="num">{t("keys.spent")}</th>
            <th class="num">{t("keys.col.usage")}</th>
            <th class="col-actions">{t("common.actions")}</th>
          </>
        }
      >
        {(k) => (
          <tr data-key-id={k.id}>
            <td class="card-title" data-label={t("keys.col.name")}>
              <div class="strong clip name-cell" title={k.name}>
                {k.name}
              </div>
              <div class="sub mono">{k.key_prefix}</div>
            </td>
            <td data-label={t("common.enabled")}>
              <Switch
                checked={k.enabled}
                title={`${k.name} · ${t("common.enabled")}`}
                onChange={(v) => toggleEnabled(k, v)}
              />
            </td>
            <td data-label={t("keys.models")}>
              <Show when={!k.allow_all} fallback={<span class="badge">{t("keys.allModels")}</span>}>
                <div class="mono clip models-cell" title={k.models.join(", ")}>
                  {k.models.join(", ") || "—"}
                </div>
              </Show>
            </td>
            <td data-label={t("keys.expiry")}>
              <Show when={expiryMs(k)} fallback={<span class="muted">{t("keys.never")}</span>}>
                {(ms) => (
                  <span class="cell-badges">
                    <span title={formatTime(ms())}>{formatTime(ms(), true)}</span>
                    <Show when={ms() <= Date.now()}>
                      <span class="tag tag-warn">{t("keys.expired")}</span>
                    </Show>
                  </span>
                )}
              </Show>
            </td>
            <td class="muted" data-label={t("keys.limits")}>
              {limits(k).join(" · ") || t("keys.unlimited")}
            </td>
            <td class="num" data-label={t("keys.spent")}>
              <div class="spend" title={k.currency}>
                {formatCost(k.spent, k.currency)}
                {" / "}
                {k.budget === null ? t("keys.unlimited") : formatCost(k.budget, k.currency)}
              </div>
              <Show when={k.budget}>
                {(budget) => (
                  <div class="spend-bar" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, (k.spent / budget()) * 100)}%` }} />
                  </div>
                )}
              </Show>
            </td>
            <td class="num" data-label={t("keys.col.usage")}>
              <div>{formatCount(k.usage_count)}</div>
              <div class="sub">{k.last_used_at === null ? "—" : formatTime(k.last_used_at, true)}</div>
            </td>
            <RowActions onEdit={() => editor.open(k)} onDelete={() => setDeleting(k)}>
              <IconAction label={t("keys.rotate")} icon={<RefreshIcon />} onClick={() => setRotating(k)} />
            </RowActions>
          </tr>
        )}
      </DataTable>

      <Show when={editingRate() && rate()}>
        {(r) => (
          <RateDialog
            rate={r().usd_cny_rate}
            onClose={() => setEditingRate(false)}
            onSaved={() => {
              setEditingRate(false);
              void refetchRate();
            }}
          />
        )}
      </Show>
      <Show when={editor.isOpen()}>
        <KeyDialog
          apiKey={editor.item()}
          onClose={editor.close}
          onSaved={editor.saved}
          onCreated={(s) => setSecret(s)}
        />
      </Show>
      <Show when={secret()}>{(s) => <SecretDialog secret={s()} onClose={() => setSecret(null)} />}</Show>
      <Show when={rotating()}>
        {(k) => (
          <ConfirmDialog
            title={t("keys.rotateTitle")}
            message={t("keys.rotateConfirm", { name: k().name })}
            confirmLabel={t("keys.rotate")}
            onClose={() => setRotating(null)}
            onConfirm={async () => {
              const res = await api.keys.rotate(k().id);
              if (res.ok) {
                toast.show(t("keys.rotated"));
                setSecret({ name: res.data.name, key: res.data.key });
                void reload();
              }
              return res;
            }}
          />
        )}
      </Show>
      <ConfirmDelete
        target={deleting()}
        message={(k) => t("keys.deleteConfirm", { name: k.name })}
        remove={(k) => api.keys.remove(k.id)}
        onClose={() => setDeleting(null)}
        onDeleted={() => void reload()}
      />
    </>
  );
}

/** Shows a new key once, with a copy button and the notice that it cannot be shown again. */
function SecretDialog(props: { secret: Secret; onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  // The key goes to the quickstart in memory only (never in the URL).
  const quickstart = () => {
    handOffKey({ name: props.secret.name, key: props.secret.key });
    props.onClose();
    navigate("/quickstart");
  };
  return (
    <Modal
      title={t("keys.secretTitle")}
      onClose={() => props.onClose()}
      footer={
        <>
          <button type="button" class="btn" title={t("keys.quickstartHint")} onClick={quickstart}>
            {t("keys.quickstart")}
          </button>
          <button type="button" class="btn primary" onClick={() => props.onClose()}>
            {t("keys.done")}
          </button>
        </>
      }
    >
      <div class="key-secret">
        <p class="notice" role="alert">
          {t("keys.secretNotice")}
        </p>
        <p class="strong">{props.secret.name}</p>
        <input
          class="mono"
          name="secret"
          readOnly
          value={props.secret.key}
          onFocus={(e) => e.currentTarget.select()}
        />
        <div>
          <CopyButton text={() => props.secret.key} label={t("keys.copy")} />
        </div>
      </div>
    </Modal>
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Epoch ms as the `YYYY-MM-DDTHH:mm` a datetime-local input shows (local time). */
function toLocalInput(ms: number | null): string {
  if (ms === null) return "";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function KeyDialog(props: {
  apiKey?: ApiKey;
  onClose: () => void;
  onSaved: () => void;
  onCreated: (secret: Secret) => void;
}) {
  const { t } = useI18n();
  const k = props.apiKey;
  const [models] = createResource(api.models.list);
  // Numbers are edited as text, so an empty field can mean "unlimited".
  const [draft, setDraft] = createStore({
    name: k?.name ?? "",
    enabled: k?.enabled ?? true,
    allow_all: k?.allow_all ?? true,
    models: [...(k?.models ?? [])],
    expires_at: toLocalInput(k ? expiryMs(k) : null),
    rpm_limit: k?.rpm_limit?.toString() ?? "",
    tpm_limit: k?.tpm_limit?.toString() ?? "",
    budget: k?.budget?.toString() ?? "",
    currency: (k?.currency ?? "USD") as Currency,
    io_log: k?.io_log ?? false,
  });
  const form = createSaveForm({
    fields: ["name", "models", "expires_at", "rpm_limit", "tpm_limit", "budget"],
    editing: !!k,
    onSaved: () => props.onSaved(),
  });

  /** An empty field is null; anything else must be a number of at least `min` (whole when `int`). */
  const numberOf = (field: "rpm_limit" | "tpm_limit" | "budget", min: number, int: boolean) => {
    const text = draft[field].trim();
    if (!text) return null;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) {
      form.fieldError(field, t("keys.invalidNumber", { min }));
      return undefined;
    }
    return n;
  };

  const toggleModel = (name: string, on: boolean) =>
    setDraft("models", (list) => (on ? [...list, name] : list.filter((m) => m !== name)));

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    form.reset();
    const rpm = numberOf("rpm_limit", 1, true);
    const tpm = numberOf("tpm_limit", 1, true);
    const budget = numberOf("budget", 0, false);
    if (rpm === undefined || tpm === undefined || budget === undefined) return;
    const body: ApiKeyInput = {
      name: draft.name,
      enabled: draft.enabled,
      allow_all: draft.allow_all,
      models: draft.models,
      expires_at: draft.expires_at ? new Date(draft.expires_at).toISOString() : null,
      rpm_limit: rpm,
      tpm_limit: tpm,
      budget,
      currency: draft.currency,
      io_log: draft.io_log,
    };
    await form.submit(async () => {
      if (k) return api.keys.update(k.id, body);
      const res = await api.keys.create(body);
      if (res.ok) props.onCreated({ name: res.data.name, key: res.data.key });
      return res;
    }, draft);
  };

  const numberField = (field: "rpm_limit" | "tpm_limit" | "budget", label: string, hint: string) => (
    <Field label={label} hint={hint} error={form.errors[field]}>
      <input
        name={field}
        inputMode="decimal"
        placeholder={t("keys.unlimited")}
        value={draft[field]}
        onInput={(e) => setDraft(field, e.currentTarget.value)}
      />
    </Field>
  );

  return (
    <Modal title={k ? t("keys.edit") : t("keys.add")} onClose={() => props.onClose()}>
      <form class="form-grid" onSubmit={save}>
        <Field label={t("common.name")} error={form.errors.name} span={2}>
          <input
            name="name"
            required
            placeholder="my-app"
            value={draft.name}
            onInput={(e) => setDraft("name", e.currentTarget.value)}
          />
        </Field>
        <Field label={t("common.enabled")}>
          <Switch
            checked={draft.enabled}
            label={draft.enabled ? t("common.on") : t("common.off")}
            onChange={(v) => setDraft("enabled", v)}
          />
        </Field>
        <Field label={t("keys.ioLog")}>
          <Switch
            checked={draft.io_log}
            label={draft.io_log ? t("common.on") : t("common.off")}
            onChange={(v) => setDraft("io_log", v)}
          />
        </Field>
        <Field label={t("keys.models")} hint={t("keys.modelsHint")} error={form.errors.models} span={2}>
          <div class="key-models">
            <Switch
              checked={draft.allow_all}
              label={t("keys.allowAll")}
              onChange={(v) => setDraft("allow_all", v)}
            />
            <Show when={!draft.allow_all}>
              <ul class="chip-list">
                <For each={models()} fallback={<li class="muted">{t("keys.noModels")}</li>}>
                  {(m) => (
                    <li class="chip">
                      <label>
                        <input
                          type="checkbox"
                          checked={draft.models.includes(m.name)}
                          onChange={(e) => toggleModel(m.name, e.currentTarget.checked)}
                        />{" "}
                        <span class="mono">{m.name}</span>
                      </label>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </div>
        </Field>
        <Field label={t("keys.expiry")} hint={t("keys.expiryHint")} error={form.errors.expires_at} span={2}>
          <input
            name="expires_at"
            type="datetime-local"
            value={draft.expires_at}
            onInput={(e) => setDraft("expires_at", e.currentTarget.value)}
          />
        </Field>
        {numberField("rpm_limit", t("keys.rpm"), t("keys.limitHint"))}
        {numberField("tpm_limit", t("keys.tpm"), t("keys.limitHint"))}
        {numberField("budget", t("keys.budget"), `${t("keys.budgetHint")} · ${draft.currency}`)}
        <CurrencyField
          label={t("keys.currency")}
          value={draft.currency}
          onChange={(c) => setDraft("currency", c)}
        />
        <FormFooter error={form.formError()} busy={form.busy()} onCancel={() => props.onClose()} />
      </form>
    </Modal>
  );
}

/** Edits the CNY-per-USD rate that converts costs into a key's currency. */
function RateDialog(props: { rate: number; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [value, setValue] = createSignal(String(props.rate));
  const form = createSaveForm({ fields: ["usd_cny_rate"], editing: true, onSaved: () => props.onSaved() });
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    form.reset();
    const n = Number(value());
    if (!Number.isFinite(n) || n <= 0)
      return form.fieldError("usd_cny_rate", t("keys.invalidNumber", { min: 0 }));
    await form.submit(() => api.keys.setExchangeRate(n), {});
  };
  return (
    <Modal title={t("keys.rateTitle")} onClose={() => props.onClose()}>
      <form class="form-grid" onSubmit={save}>
        <Field
          label={t("keys.rateLabel")}
          hint={t("keys.rateHint")}
          error={form.errors.usd_cny_rate}
          span={2}
        >
          <input
            name="usd_cny_rate"
            inputMode="decimal"
            value={value()}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </Field>
        <FormFooter error={form.formError()} busy={form.busy()} onCancel={() => props.onClose()} />
      </form>
    </Modal>
  );
}
