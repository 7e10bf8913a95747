import { GatewayError, validationError } from "../../../core/errors";
import {
  maskHeaders,
  maskSecret,
  maskUrlCredentials,
  maskUrlPassword,
  unmaskHeaders,
  unmaskUrlCredentials,
} from "../../../core/secrets";
import { isHttpUrl } from "../../../providers/base-url";
import { listUpstreamModels } from "../../../providers/registry";
import type { Provider } from "../../../storage/schema";
import { type AdminDeps, found, rethrowConstraint } from "../shared";
import type { ProviderCreate, ProviderUpdate } from "./model";

/** A provider as the API shows it: the key, credential headers and URL credentials masked. */
export const toPublicProvider = (p: Provider): Provider => ({
  ...p,
  base_url: maskUrlCredentials(p.base_url),
  api_key: maskSecret(p.api_key),
  headers: maskHeaders(p.headers),
  proxy_url: maskUrlPassword(p.proxy_url),
});

function check(input: ProviderUpdate) {
  if (input.name !== undefined && !input.name.trim()) throw validationError("name", "name must not be blank");
  if (input.base_url !== undefined && !isHttpUrl(input.base_url.trim()))
    throw validationError("base_url", "base_url must be an http(s) URL");
  if (input.proxy_url && !/^(https?|socks5h?):\/\//.test(input.proxy_url))
    throw validationError("proxy_url", "proxy_url must be an http(s) or socks5 URL");
  if (input.console_url && !isHttpUrl(input.console_url))
    throw validationError("console_url", "console_url must be an http(s) URL");
  if (input.error_matcher) {
    try {
      new RegExp(input.error_matcher);
    } catch {
      throw validationError("error_matcher", "error_matcher must be a valid regular expression");
    }
  }
}

const clean = (input: ProviderUpdate) => ({
  ...input,
  name: input.name?.trim(),
  base_url: input.base_url?.trim().replace(/\/+$/, ""),
  // An empty string clears an optional text field just like null.
  anthropic_version: input.anthropic_version === "" ? null : input.anthropic_version,
  console_url: input.console_url === "" ? null : input.console_url,
  proxy_url: input.proxy_url === "" ? null : input.proxy_url,
  error_matcher: input.error_matcher === "" ? null : input.error_matcher,
  // null clears the extra headers.
  headers: input.headers === null ? {} : input.headers,
});

export const providerService = {
  list: async (d: AdminDeps) => (await d.storage.providers.all()).map(toPublicProvider),

  get: async (d: AdminDeps, id: number) =>
    toPublicProvider(found(await d.storage.providers.get(id), "provider", id)),

  async create(d: AdminDeps, input: ProviderCreate) {
    check(input);
    try {
      const p = await d.storage.providers.insert(clean(input), d.clock.now());
      await d.onConfigChange();
      return toPublicProvider(p);
    } catch (err) {
      rethrowConstraint(err, `provider "${input.name}"`, "name");
    }
  },

  async update(d: AdminDeps, id: number, patch: ProviderUpdate) {
    check(patch);
    const current = found(await d.storage.providers.get(id), "provider", id);
    // A form that sends back the masked key it was shown means "keep the key", not "store the mask".
    const keepKey = patch.api_key !== undefined && patch.api_key === maskSecret(current.api_key);
    // The same for masked header values and a masked proxy password.
    const headers = patch.headers ? unmaskHeaders(patch.headers, current.headers) : patch.headers;
    const keepProxy = patch.proxy_url !== undefined && patch.proxy_url === maskUrlPassword(current.proxy_url);
    const base_url = patch.base_url && unmaskUrlCredentials(patch.base_url.trim(), current.base_url);
    try {
      const changes = clean({
        ...patch,
        base_url,
        headers,
        ...(keepKey ? { api_key: undefined } : {}),
        ...(keepProxy ? { proxy_url: undefined } : {}),
      });
      const p = found(await d.storage.providers.update(id, changes, d.clock.now()), "provider", id);
      await d.onConfigChange();
      return toPublicProvider(p);
    } catch (err) {
      rethrowConstraint(err, `provider "${patch.name}"`, "name");
    }
  },

  async remove(d: AdminDeps, id: number) {
    found((await d.storage.providers.remove(id)) ? true : null, "provider", id);
    await d.onConfigChange();
    return { ok: true as const };
  },

  /** The upstream's own model list, read with the provider's key. */
  async upstreamModels(d: AdminDeps, id: number) {
    const p = found(await d.storage.providers.get(id), "provider", id);
    try {
      return { models: await listUpstreamModels(p, d.http, AbortSignal.timeout(15_000)) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new GatewayError(502, "upstream_error", message.replaceAll(p.api_key || "\u0000", "***"));
    }
  },
};
