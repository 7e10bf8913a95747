import type { RouteModel } from "./types";

/**
 * The models clients can ask for, indexed by name. Immutable once built: when the admin API changes the
 * configuration the proxy builds a new table and swaps the reference, so a request in flight keeps the
 * table it started with.
 */
export class RoutingTable {
  readonly #byName: ReadonlyMap<string, RouteModel>;
  readonly #models: readonly RouteModel[];

  /** `models` in display order; names must be unique (storage guarantees it, a duplicate is a bug). */
  constructor(models: readonly RouteModel[]) {
    const byName = new Map<string, RouteModel>();
    const list: RouteModel[] = [];
    for (const model of models) {
      if (byName.has(model.name)) throw new Error(`duplicate model name in routing table: ${model.name}`);
      // Shallow copies, frozen, so a later edit of the caller's objects cannot leak into a live table.
      // Providers are shared and hold a RegExp, which must stay writable (lastIndex), so they are not frozen.
      const frozen = Object.freeze({
        ...model,
        links: Object.freeze(model.links.map((l) => Object.freeze({ ...l }))),
      });
      byName.set(model.name, frozen as RouteModel);
      list.push(frozen as RouteModel);
    }
    this.#byName = byName;
    this.#models = Object.freeze(list);
  }

  /** The model clients call `name`, if any. */
  get(name: string): RouteModel | undefined {
    return this.#byName.get(name);
  }

  /** Every model, in the order given (for /v1/models). */
  models(): readonly RouteModel[] {
    return this.#models;
  }

  /** Ids of every link in the table, to drop health state of links that no longer exist. */
  linkIds(): number[] {
    return this.#models.flatMap((m) => m.links.map((l) => l.id));
  }
}
