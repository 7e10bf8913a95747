import { describe, expect, it } from "bun:test";
import type { RequestRecord } from "../../src/storage/request-record";
import { Recorder } from "../../src/telemetry/recorder";
import type { RecordStore, WriteResult } from "../../src/telemetry/store";
import { record } from "../helpers/records";
import { until } from "../helpers/until";

/** A store whose database is "down" until `up` is set: it hands every batch back for later. */
function switchableStore() {
  const rows: RequestRecord[] = [];
  const state = { up: false, attempts: 0 };
  const store: RecordStore = {
    async write(records): Promise<WriteResult> {
      state.attempts++;
      if (!state.up) return { written: 0, failed: 0, retry: records };
      rows.push(...records);
      return { written: records.length, failed: 0 };
    },
    close: async () => {},
  };
  return { store, rows, state };
}

describe("recorder while the database is unreachable", () => {
  it("keeps records within its bound, counts what no longer fits, and writes them in order once it is back", async () => {
    const { store, rows, state } = switchableStore();
    const r = new Recorder(store, { capacity: 4, intervalMs: 60_000, retryMs: 10 });
    for (let i = 0; i < 3; i++) r.push(record(i));
    await r.flush();
    expect(r.waitingForStore).toBe(true);
    expect(r.pending).toBe(3);
    for (let i = 3; i < 6; i++) r.push(record(i));
    expect(r.pending).toBe(4);
    expect(r.dropped).toBe(2);
    state.up = true;
    await until(() => r.written >= 4, "the kept records to be written");
    expect(rows.map((x) => x.trace_id)).toEqual(["t-0", "t-1", "t-2", "t-3"]);
    expect(r.waitingForStore).toBe(false);
    expect({ written: r.written, failed: r.failed, dropped: r.dropped }).toEqual({
      written: 4,
      failed: 0,
      dropped: 2,
    });
    expect(state.attempts).toBeGreaterThan(1);
  });
});
