import { GatewayError, validationError } from "../../../core/errors";
import { sha256Hex, unmaskUrlCredentials } from "../../../core/secrets";
import type { KeyColumns } from "../../../storage/keys";
import { displayPrefix } from "../keys/service";
import { linkService } from "../model-providers/service";
import { modelService } from "../models/service";
import { providerService } from "../providers/service";
import type { AdminDeps } from "../shared";
import type { ImportLink, ImportModel, ImportProvider, ImportResult, Skipped } from "./model";

/** An item to write, with the label a 422 names it by (`providers[2]`). */
export interface Labeled<T> {
  at: string;
  value: T;
}

/** A client key whose secret is known (the original llmio stores keys in the clear). */
export interface KeyWithSecret {
  key: string;
  columns: KeyColumns;
}

/** Everything one import writes, already checked against the item schemas. */
export interface ImportPlan {
  providers: Labeled<ImportProvider>[];
  models: Labeled<ImportModel>[];
  links: Labeled<ImportLink>[];
  keys: Labeled<KeyWithSecret>[];
  skipped: Skipped[];
}

export type ImportMode = "merge" | "replace";

/** A key as reads show it (`maskSecret`): exporting it masked must not overwrite the real one. */
export const isMaskedKey = (key: string) => key === "********" || key.includes("…");

/** Runs one item's write; a client error from a service is re-raised as a 422 naming the item. */
async function labeled<T>(at: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof GatewayError) || err.status >= 500) throw err;
    const field = err.field ? `${at}.${err.field}` : at;
    throw new GatewayError(422, "validation", `${field}: ${err.message}`, field);
  }
}

/**
 * Writes a plan in one transaction through the admin services (so every rule of a single create or
 * update holds), upserting by name. Any failure rolls the whole import back. The routing table is
 * rebuilt once, at the end.
 */
export async function applyPlan(d: AdminDeps, plan: ImportPlan, mode: ImportMode): Promise<ImportResult> {
  const result: ImportResult = {
    mode,
    providers: { created: 0, updated: 0 },
    models: { created: 0, updated: 0 },
    model_providers: { created: 0, updated: 0 },
    keys: { created: 0, updated: 0 },
    skipped: plan.skipped,
  };
  await d.storage.transaction(async (tx) => {
    // The services write through the transaction; the routing table is rebuilt once, after the commit.
    const quiet: AdminDeps = { ...d, storage: { ...d.storage, ...tx }, onConfigChange: async () => {} };
    // Replace deletes the providers first; a masked or absent key (or masked URL credentials) still keeps
    // what is stored by that name.
    const stored = new Map<string, { api_key: string; base_url: string }>();
    if (mode === "replace") {
      for (const p of await tx.providers.secrets()) stored.set(p.name, p);
      await tx.clearRouting();
    }

    for (const { at, value } of plan.providers) {
      const id = await tx.providers.idByName(value.name.trim());
      const key = value.api_key === undefined || isMaskedKey(value.api_key) ? undefined : value.api_key;
      await labeled(at, () =>
        id === undefined
          ? providerService.create(quiet, {
              ...value,
              base_url: unmaskUrlCredentials(value.base_url, stored.get(value.name.trim())?.base_url),
              api_key: key ?? stored.get(value.name.trim())?.api_key ?? "",
            })
          : providerService.update(quiet, id, { ...value, api_key: key }),
      );
      result.providers[id === undefined ? "created" : "updated"]++;
    }

    for (const { at, value } of plan.models) {
      const id = await tx.models.idByName(value.name.trim());
      await labeled(at, () =>
        id === undefined ? modelService.create(quiet, value) : modelService.update(quiet, id, value),
      );
      result.models[id === undefined ? "created" : "updated"]++;
    }

    for (const { at, value } of plan.links) {
      const { model, provider, ...fields } = value;
      const model_id = await tx.models.idByName(model.trim());
      if (model_id === undefined)
        throw validationError(`${at}.model`, `${at}.model: no model named "${model}"`);
      const provider_id = await tx.providers.idByName(provider.trim());
      if (provider_id === undefined)
        throw validationError(`${at}.provider`, `${at}.provider: no provider named "${provider}"`);
      const id = await tx.links.idOf(model_id, provider_id, fields.provider_model.trim());
      const input = { ...fields, model_id, provider_id };
      await labeled(at, () =>
        id === undefined ? linkService.create(quiet, input) : linkService.update(quiet, id, input),
      );
      result.model_providers[id === undefined ? "created" : "updated"]++;
    }

    // A key is the same key wherever its secret hashes the same.
    const now = d.clock.now();
    for (const { value } of plan.keys) {
      const hash = sha256Hex(value.key);
      const id = await tx.keys.idByHash(hash);
      if (id === undefined) await tx.keys.insert(value.columns, hash, displayPrefix(value.key), now);
      else {
        // The original has no limits or budget: a second import must not lift the ones set here since.
        const { rpm_limit, tpm_limit, budget, currency } = (await tx.keys.columns(id)) as KeyColumns;
        await tx.keys.update(id, { ...value.columns, rpm_limit, tpm_limit, budget, currency }, now);
      }
      result.keys[id === undefined ? "created" : "updated"]++;
    }
  });
  await d.onConfigChange();
  return result;
}
