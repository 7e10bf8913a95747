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
  /**
   * Registers a call for when the shutdown grace is over (the stream then ends at once with the protocol's
   * error event); returns what unregisters it. The lifecycle's `whenInterrupted`: a Set entry, where a
   * listener on one shared AbortSignal per open stream made each add and remove scan every other stream's.
   */
  whenInterrupted?: (fn: () => void) => () => void;
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
 *
 * The stream is Bun's `direct` kind: each chunk is written straight into the response's socket sink, with no
 * queue between this loop and the socket (a default ReadableStream costs a queue turn and a pull promise
 * per chunk). Waiting on a write's promise is the back-pressure of a client slow to read.
 */
export function relayStream(o: RelayOptions): ReadableStream<Uint8Array> {
  // DOM's ReadableStream typing (lib "DOM") hides Bun's overload for direct sources.
  return new ReadableStream<Uint8Array>(new Relay(o) as unknown as UnderlyingDefaultSource<Uint8Array>);
}

type Written = number | Promise<number> | undefined;

class Relay implements Bun.DirectUnderlyingSource<Uint8Array> {
  readonly type = "direct";
  #ended = false;
  #idle = false;
  /** Waiting on the upstream: the idle limit counts only that time, never a client slow to read. */
  #waiting = false;
  readonly #timer: ReturnType<typeof setTimeout>;
  /** Per stream and in streaming mode: a character split across chunks is decoded whole for the IO log. */
  readonly #decoder: TextDecoder | undefined;
  /** The last bytes to send once the relay has ended from outside the loop (shutdown), then close. */
  #final: Uint8Array | undefined;
  /** Unregisters the shutdown call (see `whenInterrupted`). */
  #unwatch: (() => void) | undefined;

  constructor(private readonly o: RelayOptions) {
    this.#decoder = o.ctx.ioLog ? new TextDecoder() : undefined;
    this.#timer = setTimeout(() => {
      if (!this.#waiting) return void this.#timer.refresh();
      this.#idle = true;
      o.abort(IDLE);
    }, o.idleMs);
    o.ctx.size += o.first.chunk.byteLength;
    this.#unwatch = o.whenInterrupted?.(() => this.#interrupted());
  }

  async pull(controller: ReadableStreamDirectController): Promise<void> {
    const { o } = this;
    const { reader, tap } = o;
    try {
      const opened = this.#send(controller, o.first.out);
      if (opened instanceof Promise) await opened;
      while (!this.#ended) {
        this.#waiting = true;
        this.#timer.refresh();
        const r = await reader.read();
        this.#waiting = false;
        if (this.#ended) break;
        if (r.done) {
          const last = this.#send(controller, tap.end());
          if (last instanceof Promise) await last;
          this.#end("success", null);
          break;
        }
        o.ctx.size += r.value.byteLength;
        const sent = this.#send(controller, tap.push(r.value));
        if (sent instanceof Promise) await sent; // the client is slow to read: wait, without reading on
      }
    } catch (err) {
      this.#waiting = false;
      if (!this.#ended) {
        if (o.clientGone()) {
          // The read failed because the client left and the upstream request was aborted for it.
          this.#end("cancelled", "client closed the stream");
          return void controller.close();
        }
        const gerr = this.#idle
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
        tap.end(); // settle the facts; held-back bytes of a broken event are not worth sending
        this.#final = encoder.encode(o.codec.streamErrorEvent(gerr));
        this.#end("error", gerr.message);
      }
    }
    if (this.#final) this.#send(controller, this.#final);
    if (o.reframe) this.#write(controller, o.reframe.end());
    controller.close();
  }

  /** The client went away: stop the upstream at once. */
  cancel(): void {
    this.o.abort("client");
    this.o.reader.cancel().catch(() => {});
    this.#end("cancelled", "client closed the stream");
  }

  /**
   * Shutdown's grace is over: the record is made now and the upstream request stops; the loop then sends
   * the protocol's error event and closes (queued behind what a slow client has not read yet).
   */
  #interrupted(): void {
    if (this.#ended) return;
    const { o } = this;
    o.abort("shutdown");
    o.reader.cancel().catch(() => {});
    o.tap.end();
    this.#final = encoder.encode(
      o.codec.streamErrorEvent(new GatewayError(503, "unavailable", INTERRUPTED_BY_SHUTDOWN)),
    );
    this.#end("error", INTERRUPTED_BY_SHUTDOWN);
  }

  /** Sends tap output to the client (re-framed when asked); resolves when the client can take more. */
  #send(controller: ReadableStreamDirectController, bytes: Uint8Array | undefined): Written {
    const out = bytes && this.o.reframe ? this.o.reframe.push(bytes) : bytes;
    if (!out || !out.byteLength) return undefined;
    return this.#write(controller, out);
  }

  #write(controller: ReadableStreamDirectController, out: Uint8Array): Written {
    if (this.#decoder) this.o.ctx.captureResponse(this.#decoder.decode(out, { stream: true }));
    const written = controller.write(out);
    if (written instanceof Promise) return written.then(() => controller.flush());
    return controller.flush();
  }

  #end(status: RecordStatus, error: string | null): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#unwatch?.();
    this.o.onEnd(status, this.o.tap.facts(), error);
  }
}
