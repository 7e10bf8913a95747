import { describe, expect, it } from "bun:test";
import { Scratch } from "../../src/core/scratch";

describe("Scratch: one buffer lent to one body at a time", () => {
  it("lends the same memory again once released, and grows it for a larger body", () => {
    const s = new Scratch(16, 1024 * 1024);
    const a = s.take(100);
    expect(s.lent).toBe(true);
    s.release();
    const b = s.take(50);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteLength).toBe(50);
    s.release();
    const c = s.take(300 * 1024);
    expect(c.byteLength).toBe(300 * 1024);
    expect(c.buffer).not.toBe(a.buffer);
  });

  it("grows in steps, so a slightly longer body reuses the buffer, and never past its maximum", () => {
    const s = new Scratch(1024, 1024 * 1024);
    const a = s.take(300 * 1024);
    s.release();
    const b = s.take(300 * 1024 + 100);
    expect(b.buffer).toBe(a.buffer);
    s.release();
    const c = s.take(1024 * 1024);
    expect(c.buffer.byteLength).toBe(1024 * 1024);
  });

  it("gives fresh memory while lent, and outside its size range, without lending", () => {
    const s = new Scratch(16, 1024);
    const lent = s.take(100);
    const other = s.take(100);
    expect(other.buffer).not.toBe(lent.buffer);
    s.release();
    for (const size of [15, 1025]) {
      const fresh = s.take(size);
      expect(fresh.byteLength).toBe(size);
      expect(s.lent).toBe(false);
    }
  });
});
