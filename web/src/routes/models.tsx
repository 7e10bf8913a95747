import { A } from "@solidjs/router";
import { createResource, createSignal, For, Show, startTransition } from "solid-js";
import { createStore } from "solid-js/store";
import { DataTable, RowActions } from "../components/data-table";
import { Field, Switch } from "../components/form";
import { createEditTarget, createSaveForm, FormFooter } from "../components/form-dialog";
import { LinkIcon, PlusIcon } from "../components/icons";
import { PageHeader } from "../components/layout";
import { ConfirmDelete, Modal } from "../components/modal";
import { api, type Model, type ModelInput, STRATEGIES, type Strategy } from "../lib/api";
import { type DictKey, useI18n } from "../lib/i18n";

export default function Models() {
  const { t } = useI18n();
  const [models, { refetch }] = createResource(api.models.list);
  const [deleting, setDeleting] = createSignal<Model | null>(null);
  const reload = () => startTransition(refetch);
  const editor = createEditTarget<Model>(() => void reload());

  return (
    <>
      <PageHeader title={t("models.title")} subtitle={t("models.subtitle")}>
        <button type="button" class="btn primary" onClick={() => editor.open("new")}>
          <PlusIcon />
          {t("models.add")}
        </button>
      </PageHeader>

      <DataTable
        rows={models()}
        columns={9}
        empty={t("models.empty")}
        head={
          <>
            <th class="col-id">{t("common.id")}</th>
            <th>{t("common.name")}</th>
            <th>{t("models.col.links")}</th>
            <th>{t("models.remark")}</th>
            <th>{t("models.strategy")}</th>
            <th class="num">{t("models.maxAttempts")}</th>
            <th class="num">{t("models.timeout")}</th>
            <th>{t("models.breaker")}</th>
            <th class="col-actions">{t("common.actions")}</th>
          </>
        }
      >
        {(m) => (
          <tr data-model={m.name}>
            <td class="col-id" data-label={t("common.id")}>
              {m.id}
            </td>
            <td class="strong mono card-title" data-label={t("common.name")}>
              {m.name}
            </td>
            <td data-label={t("models.col.links")}>
              <A
                href={`/model-providers?model=${m.id}`}
                class="link-count"
                classList={{ none: m.enabled_links === 0 }}
                title={t("models.links")}
              >
                <LinkIcon />
                {t("models.linksCount", { enabled: m.enabled_links, total: m.links })}
              </A>
            </td>
            <td class="muted" data-label={t("models.remark")}>
              <div class="clip remark-cell" title={m.remark}>
                {m.remark || "—"}
              </div>
            </td>
            <td data-label={t("models.strategy")}>
              <span class="badge">{t(`models.strategy.${m.strategy}`)}</span>
            </td>
            <td class="num" data-label={t("models.maxAttempts")}>
              {m.max_attempts}
            </td>
            <td class="num" data-label={t("models.timeout")}>
              {m.timeout_s}
            </td>
            <td data-label={t("models.breaker")}>
              <span class={m.breaker ? "dot on" : "dot off"}>
                {m.breaker ? t("common.on") : t("common.off")}
              </span>
            </td>
            <RowActions onEdit={() => editor.open(m)} onDelete={() => setDeleting(m)} />
          </tr>
        )}
      </DataTable>

      <Show when={editor.isOpen()}>
        <ModelDialog model={editor.item()} onClose={editor.close} onSaved={editor.saved} />
      </Show>
      <ConfirmDelete
        target={deleting()}
        message={(m) => t("models.deleteConfirm", { name: m.name })}
        remove={(m) => api.models.remove(m.id)}
        onClose={() => setDeleting(null)}
        onDeleted={() => void reload()}
      />
    </>
  );
}

function ModelDialog(props: { model?: Model; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const m = props.model;
  const [draft, setDraft] = createStore({
    name: m?.name ?? "",
    remark: m?.remark ?? "",
    strategy: (m?.strategy ?? "weighted") as Strategy,
    max_attempts: m?.max_attempts ?? 3,
    timeout_s: m?.timeout_s ?? 60,
    breaker: m?.breaker ?? true,
  });
  const form = createSaveForm({
    fields: ["name", "remark", "max_attempts", "timeout_s"],
    editing: !!m,
    onSaved: () => props.onSaved(),
  });

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    form.reset();
    const body: ModelInput = { ...draft };
    await form.submit(() => (m ? api.models.update(m.id, body) : api.models.create(body)), draft);
  };

  /** A whole number of at least 1 (an empty field counts as 1). */
  const countField = (field: "max_attempts" | "timeout_s", label: DictKey, max: number) => (
    <Field label={t(label)} error={form.errors[field]}>
      <input
        type="number"
        min="1"
        max={String(max)}
        value={draft[field]}
        onInput={(e) => setDraft(field, e.currentTarget.valueAsNumber || 1)}
      />
    </Field>
  );

  return (
    <Modal title={m ? t("models.edit") : t("models.add")} onClose={() => props.onClose()}>
      <form class="form-grid" onSubmit={save}>
        <Field label={t("common.name")} error={form.errors.name} span={2}>
          <input
            name="name"
            class="mono"
            required
            placeholder="gpt-4o"
            value={draft.name}
            onInput={(e) => setDraft("name", e.currentTarget.value)}
          />
        </Field>
        <Field label={t("models.remark")} error={form.errors.remark} span={2}>
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
        {countField("max_attempts", "models.maxAttempts", 20)}
        {countField("timeout_s", "models.timeout", 3600)}
        <FormFooter error={form.formError()} busy={form.busy()} onCancel={() => props.onClose()} />
      </form>
    </Modal>
  );
}
