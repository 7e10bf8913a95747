/** Readers for fields of a client body that answer a 400 naming the field when the value is malformed. */
import { isObject } from "../json";
import { invalid } from "../request";

type Json = Record<string, unknown>;

export function optionalNumber(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${field} must be a number`, field);
  return value;
}

export function optionalString(body: Json, field: string, path = field): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${path} must be a string`, path);
  return value;
}

export function requireString(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalid(`${path} must be a string`, path);
  return value;
}

export function requireObject(value: unknown, path: string): Json {
  if (!isObject(value)) throw invalid(`${path} must be an object`, path);
  return value;
}
