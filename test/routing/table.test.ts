import { describe, expect, it } from "bun:test";
import { RoutingTable } from "../../src/routing/table";
import { link, model } from "./fixtures";

describe("RoutingTable", () => {
  it("finds a model by name and lists all in the given order", () => {
    const table = new RoutingTable([
      model([link(1)], { id: 1, name: "b" }),
      model([link(2)], { id: 2, name: "a" }),
    ]);
    expect(table.get("a")?.id).toBe(2);
    expect(table.get("missing")).toBeUndefined();
    expect(table.models().map((m) => m.name)).toEqual(["b", "a"]);
    expect(table.linkIds()).toEqual([1, 2]);
  });

  it("is unaffected by later edits of the models it was built from, and frozen itself", () => {
    const source = model([link(1)]);
    const table = new RoutingTable([source]);
    source.maxAttempts = 9;
    source.links.push(link(2));
    expect(table.get("gpt")?.maxAttempts).toBe(3);
    expect(table.get("gpt")?.links.map((l) => l.id)).toEqual([1]);
    expect(Object.isFrozen(table.get("gpt"))).toBe(true);
    expect(Object.isFrozen(table.get("gpt")?.links)).toBe(true);
    expect(Object.isFrozen(table.models())).toBe(true);
  });

  it("rejects duplicate model names", () => {
    expect(() => new RoutingTable([model([]), model([])])).toThrow("duplicate model name");
  });
});
