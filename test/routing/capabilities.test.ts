import { describe, expect, it } from "bun:test";
import { filterByNeeds, requiredCapabilities } from "../../src/routing/capabilities";
import { link, noNeeds } from "./fixtures";

describe("filterByNeeds", () => {
  it.each([
    ["tools", { ...noNeeds, tools: true }, "tool_call"],
    ["structured output", { ...noNeeds, structuredOutput: true }, "structured_output"],
    ["an image", { ...noNeeds, image: true }, "image"],
  ] as const)("keeps only links able to serve %s", (_, needs, capability) => {
    const able = link(1);
    const unable = link(2, { capabilities: { [capability]: false } });
    expect(filterByNeeds([able, unable], needs)).toEqual({ links: [able] });
    expect(requiredCapabilities(needs)).toEqual([capability]);
  });

  it("names the missing capability when no link qualifies", () => {
    const links = [link(1, { capabilities: { image: false } }), link(2, { capabilities: { image: false } })];
    expect(filterByNeeds(links, { ...noNeeds, image: true })).toEqual({ links: [], missing: "image" });
  });

  it("names the capability that removed the last link when needs combine", () => {
    const noTools = link(1, { capabilities: { tool_call: false } });
    const noImage = link(2, { capabilities: { image: false } });
    const res = filterByNeeds([noTools, noImage], { tools: true, structuredOutput: true, image: true });
    expect(res).toEqual({ links: [], missing: "image" });
  });

  it("keeps every link when nothing is needed, and names nothing when there were no links", () => {
    const links = [link(1, { capabilities: { tool_call: false, structured_output: false, image: false } })];
    expect(filterByNeeds(links, noNeeds).links).toEqual(links);
    expect(filterByNeeds([], { ...noNeeds, tools: true })).toEqual({ links: [] });
  });
});
