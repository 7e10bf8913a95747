import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { validationError } from "../../../core/errors";
import { maskHeaders, maskSecret, maskUrlCredentials, maskUrlPassword } from "../../../core/secrets";
import type { AdminDeps } from "../shared";
import { applyPlan, type ImportMode, type Labeled } from "./apply";
import {
  type ConfigExport,
  EXPORT_VERSION,
  type ImportBody,
  ImportLink,
  ImportModel,
  ImportProvider,
  type ImportResult,
} from "./model";

/** Checks each item of a section against its schema; the first failure is a 422 naming it (`providers[2].type`). */
function checkItems<T>(section: string, items: unknown[] | undefined, schema: TSchema): Labeled<T>[] {
  return (items ?? []).map((value, i) => {
    const at = `${section}[${i}]`;
    const first = Value.Errors(schema, value).First();
    if (first) {
      const path = first.path.replace(/^\//, "").replaceAll("/", ".");
      const field = path ? `${at}.${path}` : at;
      throw validationError(field, `${field}: ${first.message}`);
    }
    return { at, value: value as T };
  });
}

/** A second item with the same identity would silently overwrite the first: a 422 on the second. */
function checkUnique<T>(items: Labeled<T>[], identity: (v: T) => string, field: string) {
  const seen = new Set<string>();
  for (const { at, value } of items) {
    const id = identity(value);
    if (seen.has(id)) throw validationError(`${at}.${field}`, `${at}.${field}: appears twice in the import`);
    seen.add(id);
  }
}

const nameOf = (id: number, names: Map<number, string>) => names.get(id) ?? "";

export const transferService = {
  /** The whole routing configuration; links and key lists name their model and provider. */
  async exportConfig(d: AdminDeps, includeSecrets: boolean): Promise<ConfigExport> {
    const ps = await d.storage.providers.all();
    const ms = await d.storage.models.all();
    const links = await d.storage.links.all();
    const keys = await d.storage.keys.all();
    const providerNames = new Map(ps.map((p) => [p.id, p.name]));
    const modelNames = new Map(ms.map((m) => [m.id, m.name]));
    return {
      version: EXPORT_VERSION,
      exported_at: new Date(d.clock.now()).toISOString(),
      providers: ps.map(({ id, created_at, updated_at, ...p }) => ({
        ...p,
        base_url: includeSecrets ? p.base_url : maskUrlCredentials(p.base_url),
        api_key: includeSecrets ? p.api_key : maskSecret(p.api_key),
        headers: includeSecrets ? p.headers : maskHeaders(p.headers),
        proxy_url: includeSecrets ? p.proxy_url : maskUrlPassword(p.proxy_url),
      })),
      models: ms.map(({ id, created_at, updated_at, ...m }) => m),
      model_providers: links.map(({ id, model_id, provider_id, created_at, updated_at, ...l }) => ({
        model: nameOf(model_id, modelNames),
        provider: nameOf(provider_id, providerNames),
        ...l,
        headers: includeSecrets ? l.headers : maskHeaders(l.headers),
      })),
      // Metadata only: the key's hash never leaves the database, and usage counters belong to this instance.
      keys: keys.map(({ id, spent, usage_count, last_used_at, created_at, updated_at, ...k }) => k),
    };
  },

  /**
   * Imports an export document in one transaction: merge upserts providers, models and links by name;
   * replace deletes them all first. Keys are reported as skipped: an export carries no secret to
   * recreate them from.
   */
  importConfig(d: AdminDeps, body: ImportBody, mode: ImportMode): Promise<ImportResult> {
    if (body.version !== undefined && body.version !== EXPORT_VERSION)
      throw validationError("version", `version: only version ${EXPORT_VERSION} can be imported`);
    const plan = {
      providers: checkItems<ImportProvider>("providers", body.providers, ImportProvider),
      models: checkItems<ImportModel>("models", body.models, ImportModel),
      links: checkItems<ImportLink>("model_providers", body.model_providers, ImportLink),
      keys: [],
      skipped: (body.keys ?? []).map((_, i) => ({
        item: `keys[${i}]`,
        reason: "an export holds no key secret; create the key again on this instance",
      })),
    };
    checkUnique(plan.providers, (p) => p.name.trim(), "name");
    checkUnique(plan.models, (m) => m.name.trim(), "name");
    checkUnique(
      plan.links,
      (l) => JSON.stringify([l.model.trim(), l.provider.trim(), l.provider_model.trim()]),
      "provider_model",
    );
    return applyPlan(d, plan, mode);
  },
};
