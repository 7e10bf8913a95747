import { setPriority } from "node:os";

/** The nice value of the gateway's side threads (record writer, analytics): below the proxy's, never idle. */
export const SIDE_THREAD_NICE = 10;

/**
 * Lowers the calling thread's priority to SIDE_THREAD_NICE. On Linux each thread has its own nice value, so
 * a worker that calls this yields the CPU to the thread that proxies whenever both want it (a gateway is
 * often given one core, and a batch insert would otherwise hold it for milliseconds between two chunks of
 * a stream); at nice 10 it still gets about a tenth of a contended core: enough for the writer to keep up
 * with 7,100 records a second of saturating load, where at nice 19 it fell 50,000 behind and dropped records
 * (bench/README.md). Raising nice needs no privilege (lowering it again does, so there is no way back);
 * where it fails (another platform) the thread runs at the process's priority, harmlessly.
 */
export function yieldToProxy(): void {
  try {
    setPriority(0, SIDE_THREAD_NICE);
  } catch {}
}
