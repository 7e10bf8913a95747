/**
 * The scale benchmark's load generator: streaming POSTs over raw keep-alive TCP connections, timestamping
 * each arrival of body bytes without parsing them (fetch and a stream reader per request cost the harness
 * more CPU per chunk than the paths it measures). A response is read as: status line, headers up to the
 * blank line, chunked body until its `0\r\n\r\n` terminator. Every arrival after the first is a gap.
 */
import type { Socket } from "bun";

export interface StreamWave {
  ok: number;
  errors: number;
  /** Inter-arrival gaps and time to first body bytes, ms, sorted; only of streams started after `keepAfterMs`. */
  gaps: Float64Array;
  ttfc: Float64Array;
  /** Gaps over 1 s. */
  stalls: number;
  ms: number;
}

export interface StreamWaveSpec {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Concurrent streams (one connection each). */
  streams: number;
  durationMs: number;
  /** Streams started before this are not measured (warm-up, connections opening). */
  keepAfterMs: number;
  /** Workers start over this span, so the streams' chunks are spread over time rather than one burst. */
  rampMs: number;
}

const enc = new TextEncoder();
const HEADERS_END = enc.encode("\r\n\r\n");
const TERMINATOR = enc.encode("0\r\n\r\n");
const STREAM_LIMIT_MS = 30_000;

interface Conn {
  /** Resolves the stream in progress: true when it ended well. */
  done: ((ok: boolean) => void) | undefined;
  inHeaders: boolean;
  /** Header bytes received so far (the status line and headers are tiny). */
  head: Buffer;
  /** The last bytes of the body seen, to find the terminator across arrivals. */
  tail: Uint8Array;
  started: number;
  last: number;
  keep: boolean;
}

/** Runs `streams` workers, each sending streams back to back on its own connection, for `durationMs`. */
export async function streamWave(spec: StreamWaveSpec): Promise<StreamWave> {
  const { hostname, port } = new URL(spec.url);
  const body = enc.encode(spec.body);
  const request = Buffer.concat([
    enc.encode(
      `POST ${spec.path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${Object.entries(spec.headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("")}content-length: ${body.length}\r\n\r\n`,
    ),
    body,
  ]);
  const gaps: number[] = [];
  const ttfc: number[] = [];
  let ok = 0;
  let errors = 0;
  let stalls = 0;
  const t0 = performance.now();
  const until = t0 + spec.durationMs;

  const finish = (socket: Socket<Conn>, good: boolean) => {
    const done = socket.data.done;
    socket.data.done = undefined;
    done?.(good);
  };
  const onBody = (conn: Conn, bytes: Uint8Array, now: number) => {
    if (!bytes.length) return;
    if (Number.isNaN(conn.last)) {
      if (conn.keep) ttfc.push(now - conn.started);
    } else if (conn.keep) {
      const gap = now - conn.last;
      gaps.push(gap);
      if (gap > 1000) stalls++;
    }
    conn.last = now;
    // Only the last five bytes matter for the terminator; keep them across arrivals.
    const joined = bytes.length >= 5 ? bytes : Buffer.concat([conn.tail, bytes]);
    conn.tail = joined.subarray(Math.max(0, joined.length - 5));
  };
  const ended = (tail: Uint8Array) =>
    tail.length === 5 &&
    tail[0] === TERMINATOR[0] &&
    tail[1] === TERMINATOR[1] &&
    tail[2] === TERMINATOR[2] &&
    tail[3] === TERMINATOR[3] &&
    tail[4] === TERMINATOR[4];

  const connect = () =>
    Bun.connect<Conn>({
      hostname,
      port: Number(port),
      socket: {
        open(socket) {
          socket.data = {
            done: undefined,
            inHeaders: true,
            head: Buffer.alloc(0),
            tail: new Uint8Array(0),
            started: 0,
            last: Number.NaN,
            keep: false,
          };
        },
        data(socket, data) {
          const now = performance.now();
          const conn = socket.data;
          let bytes: Uint8Array = data;
          if (conn.inHeaders) {
            conn.head = conn.head.length ? Buffer.concat([conn.head, data]) : data;
            const end = conn.head.indexOf(HEADERS_END);
            if (end === -1) return;
            if (conn.head[9] !== 50 /* "2" of "HTTP/1.1 200" */) return finish(socket, false);
            conn.inHeaders = false;
            bytes = conn.head.subarray(end + 4);
          }
          onBody(conn, bytes, now);
          if (ended(conn.tail)) finish(socket, true);
        },
        close(socket) {
          finish(socket, false);
        },
        error(socket) {
          finish(socket, false);
        },
      },
    });

  const worker = async (i: number) => {
    await Bun.sleep((i * spec.rampMs) / spec.streams);
    let socket: Socket<Conn> | undefined;
    while (performance.now() < until) {
      try {
        socket ??= await connect();
        const conn = socket.data;
        let limit: ReturnType<typeof setTimeout> | undefined;
        const good = await new Promise<boolean>((resolve) => {
          conn.done = resolve;
          // A stream that never ends fails instead of holding the wave open.
          limit = setTimeout(() => finish(socket as Socket<Conn>, false), STREAM_LIMIT_MS);
          conn.inHeaders = true;
          conn.head = Buffer.alloc(0);
          conn.tail = new Uint8Array(0);
          conn.last = Number.NaN;
          conn.started = performance.now();
          conn.keep = conn.started - t0 >= spec.keepAfterMs;
          socket?.write(request);
        });
        clearTimeout(limit);
        if (good) ok++;
        else {
          errors++;
          socket.end();
          socket = undefined;
        }
      } catch {
        errors++;
        socket = undefined;
        await Bun.sleep(10);
      }
    }
    socket?.end();
  };
  await Promise.all(Array.from({ length: spec.streams }, (_, i) => worker(i)));
  return {
    ok,
    errors,
    stalls,
    gaps: Float64Array.from(gaps).sort(),
    ttfc: Float64Array.from(ttfc).sort(),
    ms: performance.now() - t0,
  };
}
