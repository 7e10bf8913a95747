import type { RequestRecord } from "./request-record";
import type { KeyColumns, RoutingKey } from "./keys";
import type { ApiKeyView, Model, ModelProvider, Provider } from "./schema";

/*
 * The one storage interface the gateway uses, with two implementations: bun:sqlite (sqlite.ts, one
 * machine) and PostgreSQL (postgres/, several instances). Every call is async; the SQLite one wraps
 * synchronous statements. Nothing above src/storage/ writes SQL.
 */

/** The CRUD every configuration table has; values are entity fields, `now` stamps created/updated_at. */
export interface EntityRepo<E> {
  all(): Promise<E[]>;
  get(id: number): Promise<E | null>;
  insert(values: Record<string, unknown>, now: number): Promise<E>;
  /** Updates only the given fields; null for an unknown id. */
  update(id: number, patch: Record<string, unknown>, now: number): Promise<E | null>;
  remove(id: number): Promise<boolean>;
}

export interface NamedRepo<E> extends EntityRepo<E> {
  idByName(name: string): Promise<number | undefined>;
}

export interface LinksRepo extends EntityRepo<ModelProvider> {
  ofModel(modelId: number): Promise<ModelProvider[]>;
  idOf(modelId: number, providerId: number, providerModel: string): Promise<number | undefined>;
}

/** api_keys as the admin API and the routing snapshot read and write it. */
export interface KeysRepo {
  all(): Promise<ApiKeyView[]>;
  get(id: number): Promise<ApiKeyView | null>;
  /** The stored columns of a key, for merging a PUT. */
  columns(id: number): Promise<KeyColumns | null>;
  insert(c: KeyColumns, hash: string, prefix: string, now: number): Promise<ApiKeyView>;
  update(id: number, c: KeyColumns, now: number): Promise<ApiKeyView | null>;
  setSecret(id: number, hash: string, prefix: string, now: number): Promise<ApiKeyView | null>;
  remove(id: number): Promise<boolean>;
  /** Multiplies a key's spend (its currency changed: the spend is converted with it). */
  scaleSpent(id: number, factor: number): Promise<void>;
  idByHash(hash: string): Promise<number | undefined>;
  forRouting(): Promise<RoutingKey[]>;
}

/** JSON values by key (the admin token's hash among them). */
export interface SettingsRepo {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Stores the value only when the key has none; resolves with whether it did. */
  add(key: string, value: unknown): Promise<boolean>;
}

/** Everything a transaction can touch. */
export interface ConfigRepos {
  providers: NamedRepo<Provider> & {
    /** Names, keys and URLs of every provider (an import that replaces them keeps their credentials). */
    secrets(): Promise<{ name: string; api_key: string; base_url: string }[]>;
  };
  models: NamedRepo<Model>;
  links: LinksRepo;
  keys: KeysRepo;
  settings: SettingsRepo;
  /** Deletes every link, model and provider (an import that replaces the configuration). */
  clearRouting(): Promise<void>;
}

/** Request records: the batched writer's inserts and retention's deletes. */
export interface RecordsRepo {
  /** Writes a batch (records, bodies, key usage) in one transaction. */
  insert(records: readonly RequestRecord[]): Promise<void>;
  /** Deletes up to `limit` of the oldest records created before `before`; resolves with how many. */
  prune(before: number, limit: number): Promise<number>;
  /** Deletes the rollups of hours before `before`; resolves with how many (none where there are none). */
  pruneRollups(before: number): Promise<number>;
}

export interface Storage extends ConfigRepos {
  readonly kind: "sqlite" | "postgres";
  /** Where it lives, for the startup line (a password never appears). */
  readonly location: string;
  /** Runs `fn` in one transaction: all its writes commit together or none do. */
  transaction<T>(fn: (tx: ConfigRepos) => Promise<T>): Promise<T>;
  records: RecordsRepo;
  close(): Promise<void>;
}
