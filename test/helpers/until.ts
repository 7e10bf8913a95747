/** How long a test waits for something it set in motion: generous, since a loaded CI machine is slow. */
export const SETTLE_MS = 10_000;

/**
 * Polls `check` until it holds (a condition, never a fixed sleep); fails naming `what` after `timeoutMs`. The
 * bound only keeps a broken test from hanging: it is no claim about speed.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = SETTLE_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(5);
  }
}
