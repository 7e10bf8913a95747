import { seededRandom } from "../../src/core/clock";
import { GatewayError } from "../../src/core/errors";
import type { ProtocolCodec, SniffContext, StreamTap } from "../../src/protocols/types";

const encoder = new TextEncoder();

/** Builds an SSE transcript from events (each `field: value` lines), with the given line ending. */
export function sse(events: string[], eol = "\n"): string {
  return events.map((event) => `${event.split("\n").join(eol)}${eol}${eol}`).join("");
}

/** A `data:` event carrying JSON, the way every API serialises it (compact). */
export function data(json: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(json)}`;
}

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concat(parts: readonly (Uint8Array | undefined)[]): Uint8Array {
  const present = parts.filter((p): p is Uint8Array => p !== undefined);
  const out = new Uint8Array(present.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of present) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Cuts bytes at the given offsets into fresh chunks (each its own buffer, as a socket delivers them). */
export function splitAt(all: Uint8Array, points: readonly number[]): Uint8Array[] {
  const cuts = [0, ...points, all.length];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) chunks.push(all.slice(cuts[i], cuts[i + 1]));
  return chunks;
}

/** `count` random split patterns of 1–40 cuts each, reproducible from the seed. */
export function randomSplits(all: Uint8Array, count: number, seed = 42): Uint8Array[][] {
  const random = seededRandom(seed);
  const out: Uint8Array[][] = [];
  for (let n = 0; n < count; n++) {
    const cuts = new Set<number>();
    const want = 1 + Math.floor(random() * 40);
    for (let i = 0; i < want; i++) cuts.add(1 + Math.floor(random() * (all.length - 1)));
    out.push(
      splitAt(
        all,
        [...cuts].sort((a, b) => a - b),
      ),
    );
  }
  return out;
}

/** Feeds chunks through a tap; returns what it forwarded, per push and in total. */
export function feed(tap: StreamTap, chunks: readonly Uint8Array[]) {
  const returned = chunks.map((chunk) => tap.push(chunk));
  const tail = tap.end();
  return { returned, tail, forwarded: concat([...returned, tail]) };
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** The GatewayError `codec.sniff` throws for `body`; throws itself when sniff accepts the body. */
export function sniffErrorOf(codec: ProtocolCodec, body: unknown, ctx: SniffContext): GatewayError {
  try {
    codec.sniff(body as Record<string, unknown>, ctx);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("sniff accepted the body");
}
