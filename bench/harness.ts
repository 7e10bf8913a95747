/**
 * What the benchmark commands share: pinning to cores, child processes that are always stopped, the gateway
 * configured through its admin API, and readings of a process's memory and CPU time from /proc.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { MODELS, UPSTREAM_MODELS } from "./shared";

export const ROOT = join(import.meta.dir, "..");
export const TOKEN = "bench";
/** The gateway's admin token and a JSON body: what every benchmark request to llmio (or a reference) sends. */
export const AUTH_JSON = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
/** AUTH_JSON and the Anthropic version header, for the lanes that mix OpenAI and Anthropic clients. */
export const CLIENT_HEADERS = { ...AUTH_JSON, "anthropic-version": "2023-06-01" };
/** The prompt of every small benchmark request. */
export const MESSAGES = [{ role: "user", content: "Say hello in a few words." }];
export const TASKSET = Bun.which("taskset");

/** Re-runs this script pinned to core 0 (with every thread it starts) unless it already is. */
export async function pinToCore0(env: Record<string, string> = {}): Promise<void> {
  if (!TASKSET || process.env.BENCH_PINNED) return;
  const child = Bun.spawn([TASKSET, "-c", "0", process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, ...env, BENCH_PINNED: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  process.exit(await child.exited);
}

// ---- child processes, always stopped ----

const children = new Set<Subprocess>();
export const tmp = mkdtempSync(join(tmpdir(), "llmio-bench-"));
let cleaned = false;
export function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
}

/** Stops every child on exit, on SIGINT/SIGTERM, and after `hardLimitMs` whatever happens. */
export function guard(name: string, hardLimitMs: number) {
  process.on("exit", cleanup);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  setTimeout(() => {
    process.stderr.write(`${name}: gave up after ${hardLimitMs / 1000} s\n`);
    process.exit(1);
  }, hardLimitMs).unref();
}

export /** Starts a Bun script on one core; resolves with the process and the first stdout line matching `ready`. */
async function startChild(
  args: string[],
  core: number,
  ready: RegExp,
  env: Record<string, string> = {},
  opts: { bin?: string; cwd?: string } = {},
): Promise<{ proc: Subprocess<"pipe", "pipe", "inherit">; line: string }> {
  const cmd = [...(TASKSET ? [TASKSET, "-c", String(core)] : []), opts.bin ?? process.execPath, ...args];
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  children.add(proc);
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) throw new Error(`${args.join(" ")} exited before it was ready:\n${text}`);
      text += decoder.decode(r.value, { stream: true });
      const line = text.split("\n").find((l) => ready.test(l));
      if (line) {
        // Keep draining, so a chatty child never blocks on a full pipe.
        void (async () => {
          while (!(await reader.read().catch(() => ({ done: true }))).done) {}
        })();
        return { proc, line };
      }
    }
  } finally {
    clearTimeout(deadline);
  }
}

/** A progress log on stderr, each line stamped with the seconds since it was made (`seconds()`: so far). */
export function progressLog(digits = 1): ((msg: string) => void) & { seconds: () => number } {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const log = (msg: string) => void process.stderr.write(`[${seconds().toFixed(digits)}s] ${msg}\n`);
  return Object.assign(log, { seconds });
}

export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Starts llmio (`bun src/index.ts`) on core 1 with a fresh database; resolves with the process and its URL. */
export async function startGateway(
  opts: { profileDir?: string; env?: Record<string, string> } = {},
): Promise<{ proc: Subprocess<"pipe", "pipe", "inherit">; url: string }> {
  const port = freePort();
  const gateway = await startChild(
    [
      "--preload",
      "./bench/exit-with-harness.ts",
      ...(opts.profileDir ? ["--cpu-prof-md", `--cpu-prof-dir=${opts.profileDir}`] : []),
      "src/index.ts",
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--db",
      join(tmp, `llmio-${port}.db`),
    ],
    1,
    /listening on/,
    { TOKEN, LOG_LEVEL: "warn", ...opts.env },
  );
  return { proc: gateway.proc, url: `http://127.0.0.1:${port}` };
}

export /**
 * Idle memory of what ships: dist/llmio (built first when missing or stale) started alone in an empty
 * folder, configured like the measured gateway, then read once and stopped.
 */
async function binaryIdleRss(upstreamUrl: string): Promise<number> {
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts", "--ui-if-stale"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 240_000,
  });
  if (build.exitCode !== 0) throw new Error("npm run build failed");
  const dir = mkdtempSync(join(tmpdir(), "llmio-bench-bin-"));
  const port = freePort();
  const bin = await startChild(
    ["--port", String(port), "--host", "127.0.0.1"],
    1,
    /listening on/,
    { TOKEN, LOG_LEVEL: "warn" },
    { bin: join(ROOT, "dist", "llmio"), cwd: dir },
  );
  try {
    await configure(`http://127.0.0.1:${port}`, upstreamUrl);
    await Bun.sleep(500);
    return memoryMb(bin.proc.pid, "VmRSS");
  } finally {
    bin.proc.kill("SIGTERM");
    await Promise.race([bin.proc.exited, Bun.sleep(5000)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export /** Resident memory of a process in MB (VmRSS, or VmHWM for the peak). */
function memoryMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time of a process so far, µs: the sum over its threads of the scheduler's run time
 * (`/proc/<pid>/task/<tid>/schedstat`, nanoseconds), which stays exact on a busy machine where the tick-sampled
 * utime/stime of `/proc/<pid>/stat` charge whole 10 ms ticks to whoever happens to run. NaN when unreadable.
 */
/** What a thread of a Bun process does, from its name (`/proc/<pid>/task/<tid>/comm`). */
export type ThreadGroup = "js" | "fetch" | "workers" | "memory" | "jit" | "other";

function threadGroup(comm: string): ThreadGroup {
  if (comm === "HTTP Client") return "fetch";
  if (comm === "Worker") return "workers";
  // mimalloc's page purger and JavaScriptCore's heap threads (GC helpers, collector).
  if (
    comm === "mi-scavenger" ||
    comm.startsWith("JSC") ||
    comm.includes("ollector") ||
    comm.startsWith("Heap")
  )
    return "memory";
  if (comm.startsWith("JIT")) return "jit";
  if (comm.startsWith("Bun Pool") || comm.startsWith("bun-")) return "other";
  return "js";
}

/**
 * CPU time of a process so far by what its threads do, µs (see cpuTimeUs): the JavaScript thread, fetch's HTTP
 * client thread, Workers (the record writer, the analytics reader), the allocator and garbage collector, JIT
 * compiler threads, and the rest. A thread that ended (a JIT worker) takes its time with it.
 */
export function cpuByThreadUs(pid: number | undefined): Record<ThreadGroup, number> {
  const out = byGroup(() => 0);
  if (pid === undefined) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
        out[threadGroup(comm)] += ns / 1000;
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return out;
}

/** The thread groups, in the order the benchmarks print them. */
export const THREAD_GROUPS: readonly ThreadGroup[] = ["js", "fetch", "workers", "memory", "jit", "other"];

const byGroup = (f: (g: ThreadGroup) => number) =>
  Object.fromEntries(THREAD_GROUPS.map((g) => [g, f(g)])) as Record<ThreadGroup, number>;

/**
 * The CPU by thread group spent since `before` (an earlier cpuByThreadUs of `pid`), divided by `per`: NaN without
 * a process; a group whose threads ended meanwhile (JIT workers come and go) counts no less than 0.
 */
export function cpuByThreadSince(
  pid: number | undefined,
  before: Record<ThreadGroup, number>,
  per = 1,
): Record<ThreadGroup, number> {
  if (pid === undefined) return byGroup(() => Number.NaN);
  const now = cpuByThreadUs(pid);
  return byGroup((g) => Math.max(0, now[g] - before[g]) / per);
}

export function cpuTimeUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return ns / 1000;
  } catch {
    return Number.NaN;
  }
}

async function admin(base: string, path: string, body: unknown): Promise<{ id: number }> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: AUTH_JSON,
    body: JSON.stringify(body),
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: number };
}

export /**
 * Two providers (OpenAI chat and Anthropic) on the fake upstream, and their models through the admin API
 * (provider_model differs from the name, so the gateway rewrites `model` as in real use). `bench-x` and
 * `bench-x-fast` are linked only to the OpenAI-chat provider: an Anthropic client calling them is translated.
 * With `pacedUpstream` (bench:scale's lean paced stream server), `bench-paced` is linked to a provider there.
 */
async function configure(base: string, upstream: string, pacedUpstream?: string) {
  const provider: Record<string, number> = {};
  for (const type of ["openai", "anthropic"]) {
    provider[type] = (
      await admin(base, "/api/providers", {
        name: `fake-${type}`,
        type,
        base_url: upstream,
        api_key: "sk-bench-upstream",
      })
    ).id;
  }
  if (pacedUpstream)
    provider.paced = (
      await admin(base, "/api/providers", {
        name: "paced",
        type: "openai",
        base_url: pacedUpstream,
        api_key: "sk-bench-upstream",
      })
    ).id;
  const links: [string, string, string][] = [
    [MODELS.openai, "openai", UPSTREAM_MODELS.openai],
    [MODELS.openaiFast, "openai", UPSTREAM_MODELS.openaiFast],
    [MODELS.anthropic, "anthropic", UPSTREAM_MODELS.anthropic],
    [MODELS.translated, "openai", UPSTREAM_MODELS.openai],
    [MODELS.translatedFast, "openai", UPSTREAM_MODELS.openaiFast],
    [MODELS.paced, pacedUpstream ? "paced" : "openai", UPSTREAM_MODELS.paced],
  ];
  for (const [name, type, up] of links) {
    const model = await admin(base, "/api/models", { name });
    await admin(base, "/api/model-providers", {
      model_id: model.id,
      provider_id: provider[type],
      provider_model: up,
    });
  }
}
