import type { JSX } from "solid-js";
import { Icon as BaseIcon } from "./icons";

/** Icons of the compact row actions (edit, delete, test, session, filters), a size smaller than the nav's. */
const Icon = (props: { children: JSX.Element }) => <BaseIcon size={15}>{props.children}</BaseIcon>;

export const PencilIcon = () => (
  <Icon>
    <path d="M12 20h9M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4Z" />
  </Icon>
);
export const TrashIcon = () => (
  <Icon>
    <path d="M3 6h18M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6" />
  </Icon>
);
export const PlayIcon = () => (
  <Icon>
    <path d="m6 4 14 8-14 8Z" />
  </Icon>
);
export const ChatIcon = () => (
  <Icon>
    <path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2Z" />
  </Icon>
);
export const FilterIcon = () => (
  <Icon>
    <path d="M22 3H2l8 9.46V19l4 2v-8.54Z" />
  </Icon>
);

/** A compact row action: an icon, its label as accessible name and tooltip (and beside it on phones). */
export function IconAction(props: {
  label: string;
  icon: JSX.Element;
  onClick: () => void;
  danger?: boolean;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      class="btn sm row-action"
      classList={{ "danger-ghost": props.danger }}
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      onClick={(e) => {
        e.stopPropagation();
        props.onClick();
      }}
    >
      {props.icon}
      <span class="row-action-label">{props.label}</span>
    </button>
  );
}
