import { A } from "@solidjs/router";
import { createResource, createSignal, For, Show, startTransition } from "solid-js";
import { createStore } from "solid-js/store";
import { Field, Switch } from "../components/form";
import { LinkIcon, PlusIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ConfirmDialog, Modal } from "../components/modal";
import { useToast } from "../components/toast";
import { api, type Model, type ModelInput, STRATEGIES, type Strategy } from "../lib/api";
import { useI18n } from "../lib/i18n";

export default function Models() {
  const { t } = useI18n();
  const toast = useToast();
  const [models, { refetch }] = createResource(api.models.list);
  const [editing, setEditing] = createSignal<Model | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<Model | null>(null);
  const reload = () => startTransition(refetch);

  return (
    <>
      <PageHeader title={t("models.title")} subtitle={t("models.subtitle")}>
        <button type="button" class="btn primary" onClick={() => setEditing("new")}>
          <PlusIcon />
          {t("models.add")}
        </button>
      </PageHeader>

      <div class="panel table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th class="col-id">{t("common.id")}</th>
              <th>{t("common.name")}</th>
              <th>{t("models.remark")}</th>
              <th>{t("models.strategy")}</th>
              <th class="num">{t("models.maxAttempts")}</th>
              <th class="num">{t("models.timeout")}</th>
              <th>{t("models.breaker")}</th>
              <th class="col-actions">{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            <For
              each={models()}
              fallback={
                <tr>
                  <td colSpan={8} class="empty-row">
                    {t("models.empty")}
                  </td>
                </tr>
              }
            >
              {(m) => (
                <tr>
                  <td class="col-id">{m.id}</td>
                  <td class="strong mono">{m.name}</td>
                  <td class="muted ellipsis" title={m.remark}>
                    {m.remark || "—"}
                  </td>
                  <td>
                    <span class="badge">{t(`models.strategy.${m.strategy}`)}</span>
                  </td>
                  <td class="num">{m.max_attempts}</td>
                  <td class="num">{m.timeout_s}</td>
                  <td>
                    <span class={m.breaker ? "dot on" : "dot off"}>
                      {m.breaker ? t("common.on") : t("common.off")}
                    </span>
                  </td>
                  <td class="col-actions">
                    <div class="row-actions">
                      <A href={`/model-providers?model=${m.id}`} class="btn sm">
                        <LinkIcon />
                        {t("models.links")}
                      </A>
                      <button type="button" class="btn sm" onClick={() => setEditing(m)}>
                        {t("common.edit")}
                      </button>
                      <button type="button" class="btn sm danger-ghost" onClick={() => setDeleting(m)}>
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
          <ModelDialog
            model={current() === "new" ? undefined : (current() as Model)}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              void reload();
            }}
          />
        )}
      </Show>
      <Show when={deleting()}>
        {(m) => (
          <ConfirmDialog
            message={t("models.deleteConfirm", { name: m().name })}
            onClose={() => setDeleting(null)}
            onConfirm={async () => {
              const res = await api.models.remove(m().id);
              if (res.ok) {
                toast.show(t("common.deleted"));
                void reload();
              }
              return res;
            }}
          />
        )}
      </Show>
    </>
  );
}

function ModelDialog(props: { model?: Model; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const m = props.model;
  const [draft, setDraft] = createStore({
    name: m?.name ?? "",
    remark: m?.remark ?? "",
    strategy: (m?.strategy ?? "weighted") as Strategy,
    max_attempts: m?.max_attempts ?? 3,
    timeout_s: m?.timeout_s ?? 60,
    breaker: m?.breaker ?? true,
  });
  const [errors, setErrors] = createStore<Record<string, string>>({});
  const [formError, setFormError] = createSignal("");
  const [busy, setBusy] = createSignal(false);

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setErrors({ name: "", remark: "", max_attempts: "", timeout_s: "" });
    setFormError("");
    const body: ModelInput = { ...draft };
    setBusy(true);
    const res = m ? await api.models.update(m.id, body) : await api.models.create(body);
    setBusy(false);
    if (!res.ok) {
      if (res.field && res.field in draft) setErrors(res.field, res.message);
      else setFormError(res.message);
      return;
    }
    toast.show(m ? t("common.saved") : t("common.created"));
    props.onSaved();
  };

  return (
    <Modal title={m ? t("models.edit") : t("models.add")} onClose={() => props.onClose()}>
      <form class="form-grid" onSubmit={save}>
        <Field label={t("common.name")} error={errors.name} span={2}>
          <input
            name="name"
            class="mono"
            required
            placeholder="gpt-4o"
            value={draft.name}
            onInput={(e) => setDraft("name", e.currentTarget.value)}
          />
        </Field>
        <Field label={t("models.remark")} error={errors.remark} span={2}>
          <input
            name="remark"
            value={draft.remark}
            onInput={(e) => setDraft("remark", e.currentTarget.value)}
          />
        </Field>
        <Field label={t("models.strategy")}>
          <select
            value={draft.strategy}
            onChange={(e) => setDraft("strategy", e.currentTarget.value as Strategy)}
          >
            <For each={STRATEGIES}>{(s) => <option value={s}>{t(`models.strategy.${s}`)}</option>}</For>
          </select>
        </Field>
        <Field label={t("models.breaker")}>
          <Switch
            checked={draft.breaker}
            label={draft.breaker ? t("common.on") : t("common.off")}
            onChange={(v) => setDraft("breaker", v)}
          />
        </Field>
        <Field label={t("models.maxAttempts")} error={errors.max_attempts}>
          <input
            type="number"
            min="1"
            max="20"
            value={draft.max_attempts}
            onInput={(e) => setDraft("max_attempts", e.currentTarget.valueAsNumber || 1)}
          />
        </Field>
        <Field label={t("models.timeout")} error={errors.timeout_s}>
          <input
            type="number"
            min="1"
            max="3600"
            value={draft.timeout_s}
            onInput={(e) => setDraft("timeout_s", e.currentTarget.valueAsNumber || 1)}
          />
        </Field>
        <Show when={formError()}>
          <p class="form-error span-2" role="alert">
            {formError()}
          </p>
        </Show>
        <div class="form-actions span-2">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy()}>
            {busy() ? t("common.saving") : t("common.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
