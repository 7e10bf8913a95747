import { GatewayError } from "../../core/errors";
import type { ProtocolCodec, ResponseFacts, StreamTap } from "../../protocols/types";
import type { RecordStatus } from "../../telemetry/record";
import type { RequestContext } from "./context";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const IDLE = "idle";

export interface RelayOptions {
  first: Uint8Array;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  tap: StreamTap;
  codec: ProtocolCodec;
  ctx: RequestContext;
  /** Aborts the upstream request. */
  abort: (why: string) => void;
  idleMs: number;
  /** Called exactly once when the relay ends, however it ends. */
  onEnd: (status: RecordStatus, facts: ResponseFacts, error: string | null) => void;
}

/**
 * Relays an upstream SSE stream to the client as it arrives. Each chunk passes through the protocol's tap
 * (which reads usage and normally returns the very same bytes). A stream silent for `idleMs`, or one that
 * breaks, ends with the protocol's error event (never a fake completion); a client that goes away aborts
 * the upstream request at once.
 */
export function relayStream(o: RelayOptions): ReadableStream<Uint8Array> {
  let ended = false;
  let idle = false;
  const timer = setTimeout(() => {
    idle = true;
    o.abort(IDLE);
  }, o.idleMs);

  const end = (status: RecordStatus, error: string | null) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    o.onEnd(status, o.tap.facts(), error);
  };

  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array) => {
    o.ctx.size += chunk.byteLength;
    const out = o.tap.push(chunk);
    if (out && out.byteLength) {
      controller.enqueue(out);
      if (o.ctx.ioLog) o.ctx.captureResponse(decoder.decode(out));
    }
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      forward(controller, o.first);
    },
    async pull(controller) {
      if (ended) return;
      try {
        const r = await o.reader.read();
        if (ended) return;
        if (r.done) {
          const rest = o.tap.end();
          if (rest && rest.byteLength) controller.enqueue(rest);
          end("success", null);
          controller.close();
          return;
        }
        timer.refresh();
        forward(controller, r.value);
      } catch (err) {
        if (ended) return;
        const gerr = idle
          ? new GatewayError(
              504,
              "upstream_timeout",
              `upstream stream was silent for ${Math.round(o.idleMs / 1000)} s`,
            )
          : new GatewayError(
              502,
              "upstream_error",
              `upstream stream broke: ${err instanceof Error ? err.message : String(err)}`,
            );
        o.tap.end(); // settle the facts; held-back bytes of a broken event are not worth sending
        const event = o.codec.streamErrorEvent(gerr);
        controller.enqueue(encoder.encode(event));
        o.ctx.captureResponse(event);
        end("error", gerr.message);
        controller.close();
      }
    },
    cancel() {
      // The client went away: stop the upstream at once.
      o.abort("client");
      o.reader.cancel().catch(() => {});
      end("cancelled", "client closed the stream");
    },
  });
}
