import { describe, expect, it } from "bun:test";
import {
  holdsPlaceholder,
  LONG_STRING,
  outlineBytes,
  scanJson,
  spliceBody,
} from "../../src/protocols/raw-json";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (text: string) => enc.encode(text) as Uint8Array<ArrayBuffer>;

/** Bodies under 512 bytes are serialised again rather than spliced: the tests' bodies carry a long field. */
const PAD = `"pad":"${"p".repeat(600)}",`;
const padded = (text: string) => text.replace("{", `{${PAD}`);

/** The spliced bytes for `text` (padded) patched like the OpenAI chat codec patches a stream request. */
function splice(unpadded: string, patch: Record<string, unknown>): string | undefined {
  const text = padded(unpadded);
  const raw = bytes(text);
  const body = JSON.parse(text) as Record<string, unknown>;
  const out = spliceBody(raw, scanJson(raw, 256), body, { ...body, ...patch });
  return out && dec.decode(out);
}

describe("splicing the upstream body into the client's bytes", () => {
  it("replaces the top-level model and keeps every other byte as the client sent it", () => {
    const text =
      '{ "messages": [{"role":"user","content":"model \\"x\\" {["}],\n  "model" : "pub", "max_tokens": 5 }';
    const out = splice(text, { model: "up-1" });
    expect(out).toBe(
      padded(
        '{ "messages": [{"role":"user","content":"model \\"x\\" {["}],\n  "model" : "up-1", "max_tokens": 5 }',
      ),
    );
    expect(JSON.parse(out as string)).toEqual({ ...JSON.parse(padded(text)), model: "up-1" });
  });

  it("adds a missing top-level field (the usage flag) after the opening brace", () => {
    const text = '{"model":"pub","stream":true,"messages":[]}';
    const out = splice(text, { model: "up", stream_options: { include_usage: true } }) as string;
    expect(JSON.parse(out)).toEqual({
      pad: "p".repeat(600),
      model: "up",
      stream: true,
      messages: [],
      stream_options: { include_usage: true },
    });
  });

  it("leaves a nested model alone and names with non-ASCII text intact", () => {
    const text = '{"tools":[{"model":"nested"}],"model":"pub","note":"héllo ☃"}';
    const out = splice(text, { model: "über-model" }) as string;
    expect(JSON.parse(out)).toEqual({
      pad: "p".repeat(600),
      tools: [{ model: "nested" }],
      model: "über-model",
      note: "héllo ☃",
    });
  });

  it("refuses to splice when JSON.parse could read another model than the one found", () => {
    // an escaped key is `model` to the parser; a duplicate key means the last one wins
    expect(splice('{"model":"pub","mod\\u0065l":"other"}', { model: "up" })).toBeUndefined();
    expect(splice('{"model":"a","model":"pub"}', { model: "up" })).toBeUndefined();
  });

  it("refuses changed or removed fields, which only the serialiser can write", () => {
    expect(
      splice('{"model":"pub","stream_options":{"x":1}}', { stream_options: { x: 1, include_usage: true } }),
    ).toBeUndefined();
    const raw = bytes(padded('{"model":"pub","a":1}'));
    const body = JSON.parse(padded('{"model":"pub","a":1}'));
    expect(spliceBody(raw, scanJson(raw, 256), body, { pad: body.pad, model: "up" })).toBeUndefined();
  });

  it("adds the model when the body had none", () => {
    expect(JSON.parse(splice('{"contents":[]}', { model: "up" }) as string)).toEqual({
      pad: "p".repeat(600),
      contents: [],
      model: "up",
    });
  });

  it("leaves small bodies to the serialiser (cheaper than a scan and a splice)", () => {
    const raw = bytes('{"model":"pub","messages":[]}');
    expect(
      spliceBody(raw, scanJson(raw, 256), { model: "pub", messages: [] }, { model: "up", messages: [] }),
    ).toBeUndefined();
  });
});

describe("the raw depth scan", () => {
  it("counts brackets outside strings only", () => {
    expect(scanJson(bytes(`{"a":${"[".repeat(300)}${"]".repeat(300)}}`), 256).tooDeep).toBe(true);
    expect(scanJson(bytes(`{"a":"${"[".repeat(300)}"}`), 256).tooDeep).toBe(false);
    expect(scanJson(bytes(`{"a":${"[".repeat(255)}${"]".repeat(255)}}`), 256).tooDeep).toBe(false);
  });
});

describe("the outline of a body with long strings", () => {
  // JSON string content as a client writes it: escapes included.
  const long = `ünïcödé ☃ \\\\ \\" \\n \\u00e9 ${"x".repeat(LONG_STRING)}`;
  const outline = (text: string) => {
    const raw = bytes(text);
    const out = outlineBytes(raw, scanJson(raw, 256));
    return out && (JSON.parse(dec.decode(out)) as Record<string, unknown>);
  };

  it("keeps the structure and every short field, each long string a distinct placeholder", () => {
    const text = `{"model":"m","messages":[{"role":"user","content":"${long}"},{"role":"user","content":"${long}"}],"user":"u"}`;
    const body = outline(text) as { model: string; user: string; messages: { content: string }[] };
    expect(body.model).toBe("m");
    expect(body.user).toBe("u");
    const [a, b] = body.messages.map((m) => m.content);
    expect(holdsPlaceholder(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(text.length - JSON.stringify(body).length).toBeGreaterThan(2 * LONG_STRING);
  });

  it("is not made for a body without long strings", () => {
    expect(outline(`{"model":"m","content":"${"x".repeat(LONG_STRING - 1)}"}`)).toBeUndefined();
  });

  // Each offset puts the byte at another place of a four-byte word.
  it.each([0, 1, 2, 3, 4, 5, 6, 7])(
    "is refused for a raw control byte at offset %i of a long string",
    (at) => {
      const content = `${"x".repeat(at)}\u0001${"x".repeat(LONG_STRING)}`;
      expect(outline(`{"model":"m","content":"${content}"}`)).toBeUndefined();
      expect(outline(`{"model":"m","content":"${content.replace("\u0001", "y")}"}`)).toBeDefined();
    },
  );

  it.each(["\\x", "\\u12", "\\u12g4", "\\"])("is refused for the bad escape %s in a long string", (bad) => {
    expect(outline(`{"model":"m","content":"${"x".repeat(LONG_STRING)}${bad}"}`)).toBeUndefined();
  });

  it("accepts every valid escape", () => {
    const escapes = '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uD83D\\uDE00';
    expect(outline(`{"model":"m","content":"${escapes}${"x".repeat(LONG_STRING)}"}`)).toBeDefined();
  });
});
