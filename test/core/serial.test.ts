import { describe, expect, it } from "bun:test";
import { coalescing } from "../../src/core/serial";

/** A task whose runs the test ends by hand, recording which runs started. */
function manualTask() {
  const runs: { end: () => void; fail: (e: Error) => void }[] = [];
  const task = () =>
    new Promise<void>((resolve, reject) => {
      runs.push({ end: resolve, fail: reject });
    });
  return { runs, task };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  // Let every already-queued reaction run.
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
};

describe("coalescing", () => {
  it("runs at once when idle", async () => {
    const { runs, task } = manualTask();
    const run = coalescing(task);
    const p = run();
    expect(runs).toHaveLength(1);
    runs[0]!.end();
    await p;
  });

  it("never overlaps two runs, and answers a call made mid-run only after a run that started after it", async () => {
    const { runs, task } = manualTask();
    const run = coalescing(task);
    const first = run();
    const second = run();
    expect(runs).toHaveLength(1);
    runs[0]!.end();
    await first;
    expect(await settled(second)).toBe(false);
    await Promise.resolve();
    expect(runs).toHaveLength(2);
    runs[1]!.end();
    await second;
  });

  it("serves every call that arrived during one run with a single further run", async () => {
    const { runs, task } = manualTask();
    const run = coalescing(task);
    run();
    const calls = [run(), run(), run()];
    runs[0]!.end();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(runs).toHaveLength(2);
    runs[1]!.end();
    await Promise.all(calls);
    expect(runs).toHaveLength(2);
  });

  it("keeps going after a failed run, and the failure reaches only that run's callers", async () => {
    const { runs, task } = manualTask();
    const run = coalescing(task);
    const first = run();
    const second = run();
    runs[0]!.fail(new Error("database gone"));
    await expect(first).rejects.toThrow("database gone");
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(runs).toHaveLength(2);
    runs[1]!.end();
    await second;
    const third = run();
    expect(runs).toHaveLength(3);
    runs[2]!.end();
    await third;
  });
});
