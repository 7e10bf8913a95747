import { For, type JSX } from "solid-js";
import { useI18n } from "../lib/i18n";
import { IconAction, PencilIcon, TrashIcon } from "./action-icons";

/**
 * The panel-wrapped table every list page shows: a header row, one row per item, a message when empty. On a
 * narrow screen each row becomes a card: cells stack, each under the `data-label` its page gave it.
 */
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
      <table class={props.class ? `table cards ${props.class}` : "table cards"}>
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

/**
 * The last cell of a row: page-specific actions (children, `IconAction`s) first, then Edit and Delete, as
 * compact icon buttons named by their labels, so that every action fits the row at any width.
 */
export function RowActions(props: { onEdit: () => void; onDelete: () => void; children?: JSX.Element }) {
  const { t } = useI18n();
  return (
    <td class="col-actions">
      <div class="row-actions">
        {props.children}
        <IconAction label={t("common.edit")} icon={<PencilIcon />} onClick={() => props.onEdit()} />
        <IconAction label={t("common.delete")} icon={<TrashIcon />} danger onClick={() => props.onDelete()} />
      </div>
    </td>
  );
}
