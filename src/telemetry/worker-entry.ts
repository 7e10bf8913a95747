/**
 * Where a worker thread's code (a file in src/telemetry/) is. Run from source, it sits beside this file.
 * Inside a compiled binary it is an extra entry point (see scripts/build.ts), addressed relative to the
 * entry points' common root, src/.
 */
export function workerEntry(file: string): string {
  const compiled = import.meta.url.includes("/$bunfs/") || import.meta.url.includes("~BUN");
  return compiled ? `./telemetry/${file}` : new URL(`./${file}`, import.meta.url).href;
}
