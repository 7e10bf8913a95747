import { afterAll, describe, expect, it } from "bun:test";
import { AUTH, startGateway } from "../helpers/gateway";

const gw = startGateway();
afterAll(() => gw.stop());

describe("model names in paths", () => {
  it.each(["/v1/models/a%25b", "/v1beta/models/a%25b", "/anthropic/v1/models"])(
    "never answers 500 for %s (names are decoded once)",
    async (path) => {
      const res = await fetch(`${gw.url}${path}`, {
        headers: { ...AUTH, "anthropic-version": "2023-06-01" },
      });
      expect(res.status).toBeLessThan(500);
    },
  );

  it("looks a percent-encoded model up by its decoded name", async () => {
    const res = await fetch(`${gw.url}/v1/models/a%25b`, { headers: AUTH });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('"a%b"');
  });

  it("answers a generate call on a percent-encoded Gemini model in Gemini's shape", async () => {
    const res = await fetch(`${gw.url}/v1beta/models/a%25b:generateContent`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe("NOT_FOUND");
    expect(body.error.message).toContain('"a%b"');
  });
});
