import type { Capability, Needs, RouteLink } from "./types";

/** Which link capability each request need requires, in the order they are checked. */
const REQUIREMENTS: readonly (readonly [keyof Needs, Capability])[] = [
  ["tools", "tool_call"],
  ["structuredOutput", "structured_output"],
  ["image", "image"],
];

/** The capabilities a request with these needs requires of a link. */
export function requiredCapabilities(needs: Needs): Capability[] {
  return REQUIREMENTS.filter(([need]) => needs[need]).map(([, capability]) => capability);
}

export interface FilteredLinks {
  links: RouteLink[];
  /** Set when links existed but none has every required capability: the one that removed the last of them. */
  missing?: Capability;
}

/** Keeps the links able to serve these needs; names the capability at fault when none can. */
export function filterByNeeds(links: readonly RouteLink[], needs: Needs): FilteredLinks {
  let left = [...links];
  for (const capability of requiredCapabilities(needs)) {
    const next = left.filter((l) => l.capabilities[capability]);
    if (next.length === 0 && left.length > 0) return { links: [], missing: capability };
    left = next;
  }
  return { links: left };
}
