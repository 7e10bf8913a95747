import type { TSchema } from "@sinclair/typebox";
import { Value, ValueErrorType } from "@sinclair/typebox/value";
import { GatewayError, validationError } from "../core/errors";
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from "../core/json-depth";

/** The largest admin request body; the import routes pass their own, larger limit. */
export const ADMIN_BODY_LIMIT = 1024 * 1024;

const tooLarge = (limit: number) =>
  new GatewayError(413, "payload_too_large", `request body exceeds ${limit} bytes`);

/**
 * Reads a raw request body, refusing it (413) as soon as it passes `limit`: a declared length is checked
 * before a byte is read, and a chunked body is counted as it arrives, so no oversized body is ever held.
 */
export async function readBodyWithin(
  request: Request,
  limit: number,
  refuse = tooLarge,
): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length") ?? 0) > limit) throw refuse(limit);
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) throw refuse(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses an admin JSON body within `limit`: 413 past it, 422 when it nests deeper than MAX_JSON_DEPTH
 * (found by a byte scan before the parse, so a 20 KB body nested 10,000 levels deep costs one pass),
 * 400 when it is not UTF-8 JSON. An empty body is `null`, which the schema then refuses by name.
 */
export async function readAdminJson(request: Request, limit: number): Promise<unknown> {
  const bytes = await readBodyWithin(request, limit);
  if (bytes.byteLength === 0) return null;
  if (jsonNestsDeeperThan(bytes, MAX_JSON_DEPTH))
    throw validationError("body", `body: nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    throw new GatewayError(400, "invalid_request", "request body is not valid JSON");
  }
}

/** A TypeBox error path (`/headers/x-a`) as a field name (`headers.x-a`; the root is `body`), at most 200 characters. */
const fieldOf = (path: string) => (path.replace(/^\//, "").replaceAll("/", ".") || "body").slice(0, 200);

/**
 * Checks a body against its schema and throws a 422 naming the first field at fault, unknown fields
 * included (every admin body schema sets `additionalProperties: false`). Only the first error is
 * rendered, and never the value, so the answer costs no more than the input.
 */
export function checkBody(schema: TSchema, body: unknown): unknown {
  const value = Value.Default(schema, body);
  if (Value.Check(schema, value)) return value;
  const first = Value.Errors(schema, value).First();
  const field = fieldOf(first?.path ?? "");
  const what = first?.type === ValueErrorType.ObjectAdditionalProperties ? "unknown field" : first?.message;
  throw validationError(field, `${field}: ${what ?? "invalid value"}`);
}

/**
 * The route options of an admin route that takes a JSON body: the schema (for Elysia, Eden and OpenAPI),
 * our own bounded parse, and our own check before Elysia's. Elysia's check would silently drop unknown
 * fields, and its validation error renders the whole value (indented), which for a deeply nested body
 * costs seconds and hundreds of MB; ours names the first field and stops.
 */
export function adminBody<const S extends TSchema>(schema: S, limit = ADMIN_BODY_LIMIT) {
  return {
    body: schema,
    // Ours always answers (an empty body is null), so Elysia's "json" never runs: it is there to tell
    // OpenAPI the content type.
    parse: [({ request }: { request: Request }) => readAdminJson(request, limit), "json" as const],
    transform(ctx: { body: unknown }) {
      ctx.body = checkBody(schema, ctx.body);
    },
  };
}
