import { afterAll, describe, expect, it } from "bun:test";

// core/scratch.ts lends one buffer to each large upstream body in turn and takes it back as soon as fetch has
// been called with it: that is safe only because fetch copies a Uint8Array body when it is called. If a Bun
// upgrade ever sends from the caller's memory instead, this fails before any body is corrupted in use.
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  maxRequestBodySize: 64 * 1024 * 1024,
  async fetch(req) {
    const body = await req.bytes();
    let changed = 0;
    for (const b of body) if (b !== 0x41) changed++;
    return Response.json({ length: body.length, changed });
  },
});
afterAll(() => server.stop(true));

describe("fetch copies its body when called", () => {
  for (const size of [64 * 1024, 1024 * 1024, 8 * 1024 * 1024]) {
    it(`sends ${size} bytes as they were at the call, whatever the caller writes after`, async () => {
      const body = new Uint8Array(size).fill(0x41);
      const sent = fetch(`http://127.0.0.1:${server.port}/`, { method: "POST", body });
      body.fill(0x42);
      expect(await (await sent).json()).toEqual({ length: size, changed: 0 });
    });
  }
});
