import { t } from "elysia";
import { Currency, Model, ModelProvider, Provider } from "../../../storage/schema";
import { LinkCreate } from "../model-providers/model";
import { ModelCreate } from "../models/model";
import { ProviderCreate } from "../providers/model";

/** The export format's version; an import refuses any other. */
export const EXPORT_VERSION = 1;

// The export carries no ids or timestamps: links name their model and provider, so a document
// imports into any instance.
const STORED = ["id", "created_at", "updated_at"] as const;

export const ExportedProvider = t.Omit(Provider, [...STORED]);
export type ExportedProvider = typeof ExportedProvider.static;

export const ExportedModel = t.Omit(Model, [...STORED]);
export type ExportedModel = typeof ExportedModel.static;

/** A link names its model and provider instead of their ids. */
export const ExportedLink = t.Composite([
  t.Object({
    model: t.String({ description: "model name" }),
    provider: t.String({ description: "provider name" }),
  }),
  t.Omit(ModelProvider, [...STORED, "model_id", "provider_id"]),
]);
export type ExportedLink = typeof ExportedLink.static;

/** A client key's metadata: never the key or its hash, so it cannot be recreated from an export. */
export const ExportedKey = t.Object({
  name: t.String(),
  key_prefix: t.String(),
  enabled: t.Boolean(),
  allow_all: t.Boolean(),
  models: t.Array(t.String()),
  expires_at: t.Nullable(t.String()),
  rpm_limit: t.Nullable(t.Integer()),
  tpm_limit: t.Nullable(t.Integer()),
  budget: t.Nullable(t.Number()),
  currency: Currency,
  io_log: t.Boolean(),
});

export const ConfigExport = t.Object({
  version: t.Literal(EXPORT_VERSION),
  exported_at: t.String({ description: "ISO-8601" }),
  providers: t.Array(ExportedProvider),
  models: t.Array(ExportedModel),
  model_providers: t.Array(ExportedLink),
  keys: t.Array(ExportedKey),
});
export type ConfigExport = typeof ConfigExport.static;

export const ExportQuery = t.Object({ include_secrets: t.Optional(t.BooleanString()) });

// Items are checked one by one by the service, so a 422 can name `providers[2].type`; the route only
// checks the outline.
// Unknown fields are refused here and in every item, so a mistyped name is never silently dropped.
export const ImportBody = t.Object(
  {
    version: t.Optional(t.Integer()),
    exported_at: t.Optional(t.String({ maxLength: 64 })),
    providers: t.Optional(t.Array(t.Unknown(), { maxItems: 10_000 })),
    models: t.Optional(t.Array(t.Unknown(), { maxItems: 10_000 })),
    model_providers: t.Optional(t.Array(t.Unknown(), { maxItems: 100_000 })),
    keys: t.Optional(t.Array(t.Unknown(), { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
export type ImportBody = typeof ImportBody.static;

export const ImportQuery = t.Object({
  mode: t.Optional(t.UnionEnum(["merge", "replace"], { default: undefined })),
});

/** One imported provider: the create body, the key optional (absent or masked: keep the stored one). */
export const ImportProvider = t.Composite(
  [t.Omit(ProviderCreate, ["api_key"]), t.Object({ api_key: t.Optional(t.String({ maxLength: 10000 })) })],
  { additionalProperties: false },
);
export type ImportProvider = typeof ImportProvider.static;

export const ImportModel = ModelCreate;
export type ImportModel = typeof ImportModel.static;

export const ImportLink = t.Composite(
  [
    t.Omit(LinkCreate, ["model_id", "provider_id"]),
    t.Object({ model: t.String({ minLength: 1 }), provider: t.String({ minLength: 1 }) }),
  ],
  { additionalProperties: false },
);
export type ImportLink = typeof ImportLink.static;

const Counts = t.Object({ created: t.Integer(), updated: t.Integer() });

export const ImportResult = t.Object({
  mode: t.UnionEnum(["merge", "replace"]),
  providers: Counts,
  models: Counts,
  model_providers: Counts,
  keys: Counts,
  skipped: t.Array(t.Object({ item: t.String(), reason: t.String() })),
});
export type ImportResult = typeof ImportResult.static;
export type Skipped = ImportResult["skipped"][number];
