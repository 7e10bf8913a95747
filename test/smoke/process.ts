import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

/** A child process whose stdout and stderr are collected as they arrive, so a test can wait for a line. */
export interface Child {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything printed so far, stdout then stderr. */
  output(): string;
  /** Resolves with the first match of `re` in the output; rejects on timeout or when the process ends first. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Sends a signal and resolves with the exit code, or null when it did not exit within timeoutMs. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<number | null>;
  /** SIGKILL if still running; safe to call any time. */
  kill(): void;
}

/** Spawns `cmd` in `cwd` with exactly `env` (nothing inherited), collecting its output. */
export function spawnChild(cmd: string[], cwd: string, env: Record<string, string>): Child {
  const proc = Bun.spawn(cmd, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const drain = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  };
  void drain(proc.stdout, (s) => {
    stdout += s;
  });
  void drain(proc.stderr, (s) => {
    stderr += s;
  });
  const output = () => stdout + stderr;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });

  return {
    proc,
    output,
    async waitFor(re, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const m = re.exec(output());
        if (m) return m;
        if (exited) {
          await Bun.sleep(50); // let the pipes flush the last lines
          const late = re.exec(output());
          if (late) return late;
          throw new Error(`process exited (${proc.exitCode}) before printing ${re}:\n${output()}`);
        }
        if (performance.now() > deadline) throw new Error(`no ${re} within ${timeoutMs} ms:\n${output()}`);
        await Bun.sleep(25);
      }
    },
    async stop(signal, timeoutMs) {
      if (!exited) proc.kill(signal);
      const timeout = Bun.sleep(timeoutMs).then(() => null);
      return Promise.race([proc.exited, timeout]);
    },
    kill() {
      if (!exited) proc.kill("SIGKILL");
    },
  };
}

/**
 * A TCP port that was free a moment ago: only for a target nothing should listen on, or through
 * spawnOnFreePort. Anything else may take it before the caller binds it; a gateway process binds PORT=0 and
 * reports its port (listeningPort) instead.
 */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port as number;
  server.stop(true);
  return port;
}

/** Waits for the gateway's `listening on http://host:port` line and answers the port (PORT=0 binds a free one). */
export async function listeningPort(child: Child, timeoutMs: number): Promise<number> {
  const m = await child.waitFor(/listening on http:\/\/\S+?:(\d+)/, timeoutMs);
  return Number(m[1]);
}

/**
 * Starts a server that must be told its port (a test of the port option, a redis-server): on a port from
 * freePort(), and on another one when something took that port in the meantime (`taken` matches what the
 * process printed before it exited). Resolves once `ready` matched the output.
 */
export async function spawnOnFreePort(
  spawn: (port: number) => Child,
  ready: RegExp,
  taken: RegExp,
  timeoutMs: number,
): Promise<{ child: Child; port: number; match: RegExpExecArray }> {
  for (let attempt = 1; ; attempt++) {
    const port = freePort();
    const child = spawn(port);
    try {
      return { child, port, match: await child.waitFor(ready, timeoutMs) };
    } catch (err) {
      child.kill();
      if (attempt === 5 || !taken.test(child.output())) throw err;
      console.warn(`port ${port} was taken before the process bound it; trying another`);
    }
  }
}

/**
 * Starts the gateway from source (`bun src/index.ts`) in `dir` on a free port of 127.0.0.1, with a clean
 * environment plus `env` (the caller's TOKEN, database and the rest); resolves once it listens.
 */
export async function startSourceGateway(
  dir: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ child: Child; port: number; url: string }> {
  const child = spawnChild([process.execPath, join(import.meta.dir, "..", "..", "src", "index.ts")], dir, {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: tmpdir(),
    PORT: "0",
    HOST: "127.0.0.1",
    ...env,
  });
  const port = await listeningPort(child, timeoutMs);
  return { child, port, url: `http://127.0.0.1:${port}` };
}
