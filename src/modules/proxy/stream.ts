import { GatewayError } from "../../core/errors";
import { INTERRUPTED_BY_SHUTDOWN } from "../../core/lifecycle";
import type { ProtocolCodec, Reframer, ResponseFacts, StreamTap } from "../../protocols/types";
import type { RecordStatus } from "../../storage/request-record";
import type { RequestContext } from "./context";

const encoder = new TextEncoder();
const IDLE = "idle";

export interface RelayOptions {
  /** The first upstream chunk, already pushed through `tap`, and what the tap returned for it. */
  first: { chunk: Uint8Array; out: Uint8Array | undefined };
  reader: ReadableStreamDefaultReader<Uint8Array>;
  tap: StreamTap;
  codec: ProtocolCodec;
  ctx: RequestContext;
  /** Aborts the upstream request. */
  abort: (why: string) => void;
  /** Whether the client has gone away (its request was aborted). */
  clientGone: () => boolean;
  idleMs: number;
  /** Fires when the shutdown grace is over: the stream ends at once with the protocol's error event. */
  interrupt?: AbortSignal;
  /** Re-frames what the client gets (Gemini's JSON-array streaming); the tap still sees upstream bytes. */
  reframe?: Reframer;
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
  // Per stream and in streaming mode: a character split across chunks is decoded whole for the IO log.
  const decoder = o.ctx.ioLog ? new TextDecoder() : undefined;
  // The idle limit counts only time spent waiting on the upstream: a client that is slow to read (the
  // stream is pull-based, so nothing is read upstream meanwhile) is no fault of the link.
  let waiting = false;
  const timer = setTimeout(function onIdle() {
    if (!waiting) return void timer.refresh();
    idle = true;
    o.abort(IDLE);
  }, o.idleMs);

  let onInterrupt: (() => void) | undefined;
  const end = (status: RecordStatus, error: string | null) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    if (onInterrupt) o.interrupt?.removeEventListener("abort", onInterrupt);
    o.onEnd(status, o.tap.facts(), error);
  };

  /** Sends bytes to the client; false when there was nothing to send. */
  const emit = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    bytes: Uint8Array | undefined,
  ): boolean => {
    const out = bytes && o.reframe ? o.reframe.push(bytes) : bytes;
    if (!out || !out.byteLength) return false;
    controller.enqueue(out);
    if (decoder) o.ctx.captureResponse(decoder.decode(out, { stream: true }));
    return true;
  };

  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array): boolean => {
    o.ctx.size += chunk.byteLength;
    return emit(controller, o.tap.push(chunk));
  };

  const close = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (o.reframe) controller.enqueue(o.reframe.end());
    controller.close();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      o.ctx.size += o.first.chunk.byteLength;
      emit(controller, o.first.out);
      // Shutdown's grace is over: the error event goes out (queued even if the client is slow to read), the
      // record is made now, and the upstream request stops.
      onInterrupt = () => {
        if (ended) return;
        o.abort("shutdown");
        o.reader.cancel().catch(() => {});
        o.tap.end();
        const err = new GatewayError(503, "unavailable", INTERRUPTED_BY_SHUTDOWN);
        emit(controller, encoder.encode(o.codec.streamErrorEvent(err)));
        end("error", INTERRUPTED_BY_SHUTDOWN);
        close(controller);
      };
      if (o.interrupt?.aborted) onInterrupt();
      else o.interrupt?.addEventListener("abort", onInterrupt, { once: true });
    },
    async pull(controller) {
      try {
        // A pull that enqueues nothing is not called again, so read on until something goes out: a chunk
        // the tap holds back or drops whole (the hidden usage-only chunk) would otherwise stall the stream.
        while (!ended) {
          waiting = true;
          timer.refresh();
          const r = await o.reader.read();
          waiting = false;
          if (ended) return;
          if (r.done) {
            emit(controller, o.tap.end());
            end("success", null);
            close(controller);
            return;
          }
          if (forward(controller, r.value)) return;
        }
      } catch (err) {
        waiting = false;
        if (ended) return;
        if (o.clientGone()) {
          // The read failed because the client left and the upstream request was aborted for it.
          end("cancelled", "client closed the stream");
          controller.close();
          return;
        }
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
        emit(controller, encoder.encode(o.codec.streamErrorEvent(gerr)));
        end("error", gerr.message);
        close(controller);
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
