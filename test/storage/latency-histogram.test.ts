import { describe, expect, it } from "bun:test";
import { BUCKET_FLOORS, BUCKETS, bucketOf } from "../../src/storage/latency-histogram";

/** The largest double below `x` (x > 0). */
function below(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) - 1n);
  return view.getFloat64(0);
}

describe("latency histogram buckets", () => {
  it("start each bucket exactly at its floor: the floor is in it, the double below it is not", () => {
    expect(BUCKET_FLOORS).toHaveLength(BUCKETS - 1);
    BUCKET_FLOORS.forEach((floor, i) => {
      expect({ floor, bucket: bucketOf(floor) }).toEqual({ floor, bucket: i + 1 });
      expect({ floor, bucket: bucketOf(below(floor)) }).toEqual({ floor, bucket: i });
    });
  });

  it("are four per doubling from 0.1 ms, the first for anything shorter, the last open", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(0.0999)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(0.1)).toBe(1);
    expect(bucketOf(0.2)).toBe(5);
    expect(bucketOf(0.4)).toBe(9);
    expect(bucketOf(1000)).toBe(1 + Math.floor(4 * Math.log2(10_000)));
    expect(bucketOf(1e12)).toBe(BUCKETS - 1);
  });
});
