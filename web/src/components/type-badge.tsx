import type { ProviderType } from "../lib/api";

/** A provider type as a coloured pill. */
export function TypeBadge(props: { type: ProviderType }) {
  return <span class={`badge type-${props.type}`}>{props.type}</span>;
}
