import { type AnyElysia, Elysia } from "elysia";

/** The admin API's document leaves out the client-facing routes (documented by their vendors). */
const CLIENT_ROUTES = [/^\/v1/, /^\/v1beta/, /^\/openai/, /^\/anthropic/, /^\/gemini/];

/** The (protected) methods through which a plugin reads the app it is mounted in; `use` sets them. */
interface Mounted {
  getGlobalRoutes(): unknown;
  getGlobalDefinitions(): unknown;
}

/**
 * The OpenAPI document of the admin API (`/openapi/json`) and its reference page (`/openapi`), served by
 * @elysiajs/openapi, which is loaded on the first request to either: most gateways never ask, and the
 * plugin's code and the document stay out of start-up and the idle process.
 */
export function openapiDocs(version: string) {
  const plugin = new Elysia({ name: "openapi-docs" });
  let docs: Promise<AnyElysia> | undefined;
  const load = async (): Promise<AnyElysia> => {
    const { openapi } = await import("@elysiajs/openapi");
    const inner: AnyElysia = openapi({
      path: "/openapi",
      specPath: "/openapi/json",
      documentation: { info: { title: "llmio admin API", version } },
      exclude: { paths: CLIENT_ROUTES },
    });
    // Mounted with `use`, the plugin would document the app it is mounted in; it is not mounted (it loads
    // after the routes are fixed), so it is pointed at the app this plugin is mounted in, as `use` does.
    const host = plugin as unknown as Mounted;
    const target = inner as unknown as Mounted;
    target.getGlobalRoutes = () => host.getGlobalRoutes();
    target.getGlobalDefinitions = () => host.getGlobalDefinitions();
    return inner;
  };
  const serve = async (request: Request) => (await (docs ??= load())).handle(request);
  return plugin
    .get("/openapi", ({ request }) => serve(request), { detail: { hide: true } })
    .get("/openapi/json", ({ request }) => serve(request), { detail: { hide: true } });
}
