#!/usr/bin/env bun
/**
 * The scale benchmark's upstream: an OpenAI-chat stream of 12 events, one every PACE_MS (default 20), on raw
 * TCP with HTTP/1.1 keep-alive and chunked framing written by hand. Every stream's frames are encoded once at
 * start-up and every request gets the same ones, whatever it asks; one timer per stream writes the next frame.
 * The test suite's fake upstream (Bun.serve, a ReadableStream and a sleep per chunk) costs several times
 * more CPU per chunk, and at 1,000 streams it, not the path under test, set the pace.
 * Usage: bun bench/paced-upstream.ts; prints its URL; exits when stdin closes.
 */
import type { Socket } from "bun";
import { fakeStreamEvents } from "../test/helpers/fake-upstream";
import { exitWhenStdinCloses, UPSTREAM_MODELS } from "./shared";

const PACE_MS = Number(process.env.PACE_MS ?? 20);
/** Content chunks per stream (SCALE_CHUNKS, default 8): the stream has four events more (role, finish, usage, done). */
const CHUNKS = Math.max(1, Math.floor(Number(process.env.SCALE_CHUNKS ?? 8)) || 8);
const enc = new TextEncoder();
const HEAD = enc.encode(
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n",
);
const frame = (text: string) => {
  const body = enc.encode(text);
  return Buffer.concat([enc.encode(`${body.length.toString(16)}\r\n`), body, enc.encode("\r\n")]);
};
const TEXT = "Hello from the fake upstream!";
/**
 * The stream's events: its text split in CHUNKS pieces. The usual text has 29 characters, too few for more than
 * 29 pieces (the split would stop there): a longer stream says it over and over, four characters a piece.
 */
function streamEvents(): string[] {
  const events = fakeStreamEvents("openai", UPSTREAM_MODELS.paced, TEXT, CHUNKS);
  if (events.length === CHUNKS + 4) return events;
  const long = TEXT.repeat(Math.ceil((4 * CHUNKS) / TEXT.length)).slice(0, 4 * CHUNKS);
  const more = fakeStreamEvents("openai", UPSTREAM_MODELS.paced, long, CHUNKS);
  if (more.length !== CHUNKS + 4) throw new Error(`paced upstream: ${more.length} events, not ${CHUNKS + 4}`);
  return more;
}
const EVENTS = streamEvents().map(frame);
const LAST = enc.encode("0\r\n\r\n");
const HEADERS_END = enc.encode("\r\n\r\n");

interface Conn {
  /** Bytes of the request being read (headers, then the body up to its Content-Length). */
  buffered: Buffer;
  /** Frames sent of the stream in progress; -1 when none is. */
  sent: number;
  timer: ReturnType<typeof setInterval> | undefined;
  /** Bytes the socket did not take yet (sent on drain). */
  unsent: Uint8Array | undefined;
}

function send(socket: Socket<Conn>, bytes: Uint8Array) {
  const conn = socket.data;
  if (conn.unsent) {
    conn.unsent = Buffer.concat([conn.unsent, bytes]);
    return;
  }
  const n = socket.write(bytes);
  if (n < bytes.length) conn.unsent = bytes.subarray(Math.max(0, n));
}

function stop(conn: Conn) {
  if (conn.timer) clearInterval(conn.timer);
  conn.timer = undefined;
  conn.sent = -1;
}

/** Answers a complete request: the head and the first event now, the rest one per PACE_MS. */
function answer(socket: Socket<Conn>) {
  const conn = socket.data;
  conn.sent = 1;
  send(socket, Buffer.concat([HEAD, EVENTS[0] as Uint8Array]));
  conn.timer = setInterval(() => {
    if (conn.sent < EVENTS.length) {
      send(socket, EVENTS[conn.sent++] as Uint8Array);
      if (conn.sent < EVENTS.length) return;
      send(socket, LAST);
    }
    stop(conn);
    take(socket);
  }, PACE_MS);
}

/** Starts the next request on the connection once its headers and body are all in. */
function take(socket: Socket<Conn>) {
  const conn = socket.data;
  if (conn.sent !== -1) return;
  const end = conn.buffered.indexOf(HEADERS_END);
  if (end === -1) return;
  const head = conn.buffered.subarray(0, end).toString("latin1");
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  if (conn.buffered.length < end + 4 + length) return;
  conn.buffered = conn.buffered.subarray(end + 4 + length);
  answer(socket);
}

const server = Bun.listen<Conn>({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open(socket) {
      socket.data = { buffered: Buffer.alloc(0), sent: -1, timer: undefined, unsent: undefined };
    },
    data(socket, data) {
      const conn = socket.data;
      conn.buffered = conn.buffered.length ? Buffer.concat([conn.buffered, data]) : data;
      take(socket);
    },
    drain(socket) {
      const unsent = socket.data.unsent;
      socket.data.unsent = undefined;
      if (unsent) send(socket, unsent);
    },
    close(socket) {
      stop(socket.data);
    },
    error(socket) {
      stop(socket.data);
    },
  },
});

process.stdout.write(`http://127.0.0.1:${server.port}\n`);
exitWhenStdinCloses(() => server.stop(true));
