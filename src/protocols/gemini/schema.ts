import { isObject } from "../json";

function camel(key: string): string {
  return key.includes("_") ? key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : key;
}

/**
 * Gemini's `Schema` (an OpenAPI 3.0 subset: upper-case `type`, `nullable`, `propertyOrdering`, keys in
 * camelCase or snake_case) as the JSON Schema the other protocols take: types lower-cased, `nullable`
 * folded into the type, `propertyOrdering` dropped (it only orders Gemini's output). Property names and
 * values (`enum`, `default`, `example`) are data and stay as they are.
 */
export function fromGeminiSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(schema)) {
    const key = camel(rawKey);
    switch (key) {
      case "type":
        out.type = typeof value === "string" ? value.toLowerCase() : value;
        break;
      case "nullable":
      case "propertyOrdering":
        break;
      case "properties":
        if (isObject(value)) {
          const props: Record<string, unknown> = {};
          for (const [name, prop] of Object.entries(value)) props[name] = fromGeminiSchema(prop);
          out.properties = props;
        } else {
          out.properties = value;
        }
        break;
      case "items":
        out.items = fromGeminiSchema(value);
        break;
      case "anyOf":
        out.anyOf = Array.isArray(value) ? value.map(fromGeminiSchema) : value;
        break;
      default:
        out[key] = value;
    }
  }
  if (schema.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

/** A canonical JSON schema for `parametersJsonSchema` / `responseJsonSchema`: `$schema` is not a keyword there. */
export function toGeminiJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  if (!("$schema" in schema)) return schema;
  const { $schema: _, ...rest } = schema;
  return rest;
}
