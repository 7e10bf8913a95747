/** Shorthands the Gemini translation suites share. */
import { GatewayError } from "../../../src/core/errors";
import type { CanonicalRequest } from "../../../src/protocols/canonical";
import { geminiInbound } from "../../../src/protocols/gemini/inbound";
import { geminiOutbound } from "../../../src/protocols/gemini/outbound";

export const ctx = { model: "gemini-3-pro-preview", stream: false };
export const decode = (body: unknown) => geminiInbound.decodeRequest(body as Record<string, unknown>, ctx);
export const encodeOpts = { model: "gemini-3-pro-preview", stream: false, extraBody: {} };
export const encode = (req: Partial<CanonicalRequest>) =>
  geminiOutbound.encodeRequest(
    { model: "m", stream: false, system: [], messages: [], features: [], ...req },
    encodeOpts,
  );
export const render = { model: "my-gemini", id: "resp_local", created: 1_700_000_000 };

export function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("no error thrown");
}

export const user = (text: string) => ({ role: "user" as const, content: [{ type: "text" as const, text }] });
