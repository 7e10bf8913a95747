import { For, type JSX } from "solid-js";
import { useI18n } from "../lib/i18n";

/** The panel-wrapped table every list page shows: a header row, one row per item, a message when empty. */
export function DataTable<T>(props: {
  /** The `<th>` cells. */
  head: JSX.Element;
  rows: readonly T[] | undefined;
  /** How many columns the empty-message row spans. */
  columns: number;
  empty: string;
  children: (item: T) => JSX.Element;
  class?: string;
  /** Dims the table while a newer version loads. */
  stale?: boolean;
}) {
  return (
    <div class="panel table-wrap" classList={{ stale: !!props.stale }}>
      <table class={props.class ? `table ${props.class}` : "table"}>
        <thead>
          <tr>{props.head}</tr>
        </thead>
        <tbody>
          <For
            each={props.rows}
            fallback={
              <tr>
                <td colSpan={props.columns} class="empty-row">
                  {props.empty}
                </td>
              </tr>
            }
          >
            {(item) => props.children(item)}
          </For>
        </tbody>
      </table>
    </div>
  );
}

/** The last cell of a row: page-specific buttons (children) first, then Edit and Delete. */
export function RowActions(props: { onEdit: () => void; onDelete: () => void; children?: JSX.Element }) {
  const { t } = useI18n();
  return (
    <td class="col-actions">
      <div class="row-actions">
        {props.children}
        <button type="button" class="btn sm" onClick={() => props.onEdit()}>
          {t("common.edit")}
        </button>
        <button type="button" class="btn sm danger-ghost" onClick={() => props.onDelete()}>
          {t("common.delete")}
        </button>
      </div>
    </td>
  );
}
