#!/usr/bin/env bun
// `npm test` / `bun run test`: every check CI enforces, in one run. Each step is a suite; the format check,
// the UI build and the type check count as one test each, `bun test` as the tests it reports. Every step
// runs even after a failure, so one run shows everything. The last line is always `N passed, N failed`.
import { join } from "node:path";
import { hasScript, ROOT } from "./build";

interface Suite {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
  note?: string;
}

const BIN = join(ROOT, "node_modules", ".bin");
const MINUTE = 60_000;

function header(title: string): void {
  console.log(`\n━━ ${title} ${"━".repeat(Math.max(0, 70 - title.length))}`);
}

/** Runs a command with the terminal attached and a hard time limit; returns its exit code (124 on timeout). */
async function run(cmd: string[], timeoutMs: number): Promise<number> {
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return proc.signalCode === "SIGKILL" ? 124 : code;
}

/** A step that counts as one test: it passes when the command exits 0. */
async function single(name: string, cmd: string[], timeoutMs: number): Promise<Suite> {
  header(name);
  const started = performance.now();
  const code = await run(cmd, timeoutMs);
  const seconds = (performance.now() - started) / 1000;
  const note = code === 124 ? "timed out" : code === 0 ? undefined : `exit code ${code}`;
  return { name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, seconds, note };
}

async function format(): Promise<Suite> {
  // Without --write, `biome format` exits non-zero when any file would change: the formatting is enforced.
  return single("format (biome format .)", [join(BIN, "biome"), "format", "."], MINUTE);
}

async function ui(): Promise<Suite | undefined> {
  if (!hasScript("build:ui")) {
    header("web UI build");
    console.warn("warning: package.json has no build:ui script yet; skipping the UI build");
    return undefined;
  }
  // Always rebuilt here, so tsc and the binary smoke test see the current generated module.
  return single("web UI build (build:ui)", [process.execPath, "run", "build:ui"], 5 * MINUTE);
}

async function typecheck(): Promise<Suite> {
  return single("typecheck (tsc --noEmit -p .)", [join(BIN, "tsc"), "--noEmit", "-p", "."], 5 * MINUTE);
}

/** `bun test` prints its summary (` N pass`, ` N fail`) on stderr: stream it through and parse it. */
async function unitTests(): Promise<Suite> {
  const name = "tests (bun test)";
  header(name);
  const started = performance.now();
  // bunfig.toml's [test] timeout is not applied by this Bun, so the per-test default is set here: 30 s
  // leaves a loaded CI machine room; suites that start browsers or processes set their own, longer ones.
  const proc = Bun.spawn([process.execPath, "test", "--timeout", "30000"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "pipe"],
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15 * MINUTE);
  let stderr = "";
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr) {
    process.stderr.write(chunk);
    stderr += decoder.decode(chunk, { stream: true });
  }
  const code = await proc.exited;
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  const count = (word: string) => {
    const m = new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "m").exec(stderr);
    return m ? Number(m[1]) : undefined;
  };
  const passed = count("pass");
  let failed = count("fail");
  let note: string | undefined;
  if (passed === undefined || failed === undefined) {
    // No summary: bun crashed, timed out, or found no tests. That is one failure, not silence.
    return {
      name,
      passed: passed ?? 0,
      failed: (failed ?? 0) + 1,
      seconds,
      note: `no summary, exit code ${code}`,
    };
  }
  if (code !== 0 && failed === 0) {
    // Errors outside any test (an unhandled rejection, a file that fails to load) fail the run.
    failed = 1;
    note = `exit code ${code} with no failed test`;
  }
  return { name, passed, failed, seconds, note };
}

const started = performance.now();
const suites: Suite[] = [];
suites.push(await format());
const uiSuite = await ui();
if (uiSuite) suites.push(uiSuite);
suites.push(await typecheck());
suites.push(await unitTests());

header("summary");
for (const s of suites) {
  const mark = s.failed === 0 ? "ok  " : "FAIL";
  const note = s.note ? ` (${s.note})` : "";
  console.log(`${mark} ${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.seconds.toFixed(1)} s${note}`);
}
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0);
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
