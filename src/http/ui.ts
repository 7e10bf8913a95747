import { Elysia, NotFoundError } from "elysia";
import { uiAssets } from "./ui-assets";

/*
 * Serves the built admin UI from the generated manifest (scripts/gen-ui-assets.ts).
 *
 * Why not @elysiajs/static: it reads a folder from disk at startup. Inside a `bun build --compile`
 * binary started from an empty folder there is no web/dist to read and it crashes; it also has no SPA
 * fallback and no per-file cache rules. The generated `with { type: "file" }` imports make Bun embed
 * every file in the binary, and `Bun.file(path)` reads them from there or from disk alike.
 */

/** Paths that belong to the APIs: an unknown one stays a JSON 404, never the UI's index.html. */
const API_PREFIXES = ["/api", "/v1", "/v1beta", "/openai", "/anthropic", "/gemini", "/openapi", "/metrics"];

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
  map: "application/json; charset=utf-8",
};

const IMMUTABLE = "public, max-age=31536000, immutable";
const NOT_BUILT = "UI not built: run npm run build:ui\n";

const isApiPath = (path: string) => API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));

const contentType = (path: string) =>
  CONTENT_TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";

/** The `If-None-Match` header matches this ETag (a list, weak forms and `*` included). */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

/**
 * The UI plugin: hashed `/assets/*` cached for a year, index.html revalidated (no-cache), ETag/304,
 * and index.html for any client route (a GET that accepts HTML, outside the API prefixes).
 */
export function uiPlugin(assets: Record<string, string> = uiAssets) {
  const built = "/index.html" in assets;
  // Files never change while the process runs, so each ETag is computed once.
  const etags = new Map<string, Promise<string>>();
  const etagOf = (urlPath: string, file: string) => {
    let etag = etags.get(urlPath);
    if (!etag) {
      etag = Bun.file(file)
        .bytes()
        .then((bytes) => `"${Bun.hash(bytes).toString(16)}-${bytes.length.toString(16)}"`);
      etags.set(urlPath, etag);
    }
    return etag;
  };

  async function serve(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (isApiPath(path)) throw new NotFoundError();
    const wantsHtml = path === "/" || (request.headers.get("accept") ?? "").includes("text/html");

    let urlPath = path === "/" ? "/index.html" : path;
    if (!(urlPath in assets)) {
      // An unknown asset is a real 404; anything else a browser asks for is a client route.
      if (!wantsHtml || path.startsWith("/assets/")) throw new NotFoundError();
      urlPath = "/index.html";
    }
    if (!built) {
      return new Response(NOT_BUILT, {
        status: 503,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      });
    }

    const file = assets[urlPath];
    const etag = await etagOf(urlPath, file);
    const headers = {
      "content-type": contentType(urlPath),
      "cache-control": urlPath.startsWith("/assets/") ? IMMUTABLE : "no-cache",
      etag,
    };
    if (matches(request.headers.get("if-none-match"), etag))
      return new Response(null, { status: 304, headers });
    return new Response(Bun.file(file), { headers });
  }

  return new Elysia({ name: "ui" }).get("/*", ({ request }) => serve(request), { detail: { hide: true } });
}
