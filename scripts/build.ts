#!/usr/bin/env bun
// Builds the single-file binary dist/llmio: the UI first (embedded through the generated module), then
// `bun build --compile`. Also exports the UI freshness check that `npm start` and the smoke test share.
//
//   bun scripts/build.ts                 always rebuild the UI, then compile
//   bun scripts/build.ts --ui-if-stale   rebuild the UI only when web/src is newer than its output
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "..");
export const BINARY = join(ROOT, "dist", "llmio");
const UI_SOURCES = ["web/src", "web/index.html", "web/vite.config.ts", "scripts/gen-ui-assets.ts"];
const UI_OUTPUTS = ["web/dist/index.html", "src/http/ui-assets.gen.ts"];

/** Whether package.json defines the named script (build:ui lands with the web UI). */
export function hasScript(name: string): boolean {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  return typeof pkg.scripts?.[name] === "string";
}

/** The newest modification time (ms) of the files under the given paths; 0 when none exist. */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) visit(resolve(ROOT, p));
  return newest;
}

/** True when the UI has to be (re)built: an output is missing or older than a source. */
export function uiIsStale(): boolean {
  const outputs = UI_OUTPUTS.map((p) => resolve(ROOT, p));
  if (outputs.some((p) => !existsSync(p))) return true;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return newestMtime(UI_SOURCES) > oldestOutput;
}

function run(cmd: string[]): void {
  console.log(`$ ${cmd.map((c) => (c === process.execPath ? "bun" : c)).join(" ")}`);
  const proc = Bun.spawnSync(cmd, { cwd: ROOT, stdio: ["inherit", "inherit", "inherit"] });
  if (proc.exitCode !== 0)
    throw new Error(`${cmd.slice(0, 3).join(" ")} failed with exit code ${proc.exitCode}`);
}

/** Runs `build:ui` if package.json has it (warns and skips otherwise). With onlyIfStale, skips a fresh UI. */
export function buildUi(opts: { onlyIfStale?: boolean } = {}): void {
  if (!hasScript("build:ui")) {
    console.warn("warning: package.json has no build:ui script yet; building without the web UI");
    return;
  }
  if (opts.onlyIfStale && !uiIsStale()) return;
  run([process.execPath, "run", "build:ui"]);
}

/** Compiles src/index.ts into dist/llmio. The binary ignores .env and bunfig.toml in its working folder. */
export function compileBinary(): void {
  run([
    process.execPath,
    "build",
    "--compile",
    "--minify",
    "--sourcemap",
    // Code loaded with import() (translation codecs, the OpenAPI generator, PostgreSQL, Redis) goes into
    // chunks of its own inside the binary: start-up parses only what it runs.
    "--splitting",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    "--no-compile-autoload-tsconfig",
    "--no-compile-autoload-package-json",
    "src/index.ts",
    // The request-record writer and the analytics reader threads are entry points too, so the binary
    // carries them (src/telemetry/worker-entry.ts finds them there).
    "src/telemetry/writer-worker.ts",
    "src/telemetry/analytics-worker.ts",
    "--outfile",
    BINARY,
  ]);
}

if (import.meta.main) {
  const started = performance.now();
  try {
    buildUi({ onlyIfStale: process.argv.includes("--ui-if-stale") });
    compileBinary();
  } catch (err) {
    console.error(`build: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  console.log(`built ${BINARY} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
