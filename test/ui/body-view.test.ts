import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Locator, Page } from "playwright-core";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, addKey, FOUR, type Gateway, linkFour, startGateway } from "../helpers/gateway";
import {
  anthropicToolRequest,
  chatToolRequest,
  geminiToolRequest,
  responsesToolRequest,
} from "../web/conversations";
import { BROWSER_HOOK_MS, BROWSER_TEST_MS, haveChromium, launchPage, uiBuilt } from "./chromium";
import { shot, signIn, switchLanguage } from "./pages";

// A real browser on a shared machine: each test (and hook) gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The log drawer's body viewer in a real Chromium, on bodies a real gateway logged for requests in each of
 * the four protocols (tool conversations, streamed and whole) answered by the fake upstream.
 */
describe.skipIf(!haveChromium || !uiBuilt)("body viewer in the log drawer", () => {
  let browser: Browser;
  let page: Page;
  let gw: Gateway;
  let up: FakeUpstream;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    up = startFakeUpstream();
    gw = startGateway();
    linkFour(gw, up.url);
    const io = addKey(gw, { name: "io", ioLog: true });
    const headers = { ...AUTH, authorization: `Bearer ${io.key}` };
    const send = async (name: string, path: string, body: unknown) => {
      const res = await fetch(gw.url + path, { method: "POST", headers, body: JSON.stringify(body) });
      await res.text();
      expect(res.status).toBe(200);
      await gw.flush();
      ids[name] = Number(gw.logs()[0].id);
    };
    await send("anthropic-stream", "/v1/messages", { ...anthropicToolRequest, model: FOUR.anthropic.model });
    await send("chat-tools", "/v1/chat/completions", {
      ...chatToolRequest,
      model: FOUR.openai.model,
      stream: false,
    });
    await send("responses-stream", "/v1/responses", {
      ...responsesToolRequest,
      model: FOUR["openai-responses"].model,
      stream: true,
    });
    await send(
      "gemini-stream",
      `/v1beta/models/${FOUR.gemini.model}:streamGenerateContent?alt=sse`,
      geminiToolRequest,
    );
    ({ browser, page } = await launchPage({ width: 1440, height: 900 }));
    page.setDefaultTimeout(15_000);
    await signIn(page, "zh-CN");
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await up?.stop();
  });

  const open = async (name: string) => {
    await page.goto(`${gw.url}/logs?log=${ids[name]}`);
    const drawer = page.locator("dialog[open]");
    await drawer.locator(".bv").nth(1).waitFor();
    return { drawer, request: drawer.locator(".bv").nth(0), response: drawer.locator(".bv").nth(1) };
  };
  const fold = (body: Locator, id: string) => body.locator(`.bv-fold[data-fold=${id}]`);

  it(
    "shows an Anthropic request's system prompt, roles, tool call and result, tools and parameters",
    async () => {
      const { request, response } = await open("anthropic-stream");
      expect(await fold(request, "system").locator(".bv-fold-title").textContent()).toBe("系统提示");
      expect(await fold(request, "system").textContent()).toContain("You are a weather bot.");
      const messages = fold(request, "messages");
      expect(await messages.locator(".bv-count").textContent()).toBe("3");
      expect(await messages.locator(".bv-role").allTextContents()).toEqual(["用户", "助手", "用户"]);
      expect(await messages.locator(".bv-call").first().textContent()).toContain("get_weather");
      expect(await messages.locator(".bv-call").nth(1).textContent()).toContain("18 °C");
      expect(await messages.locator(".bv-image").textContent()).toContain("image/jpeg");
      await fold(request, "tools").locator(":scope > summary").click();
      expect(await fold(request, "tools").textContent()).toContain("Current weather");
      await fold(request, "params").locator(":scope > summary").click();
      expect(await fold(request, "params").textContent()).toContain("budget_tokens");
      // The reply was streamed: assembled text, chunk count, finish reason and usage.
      expect(await response.locator(".tag-stream").textContent()).toBe("流式");
      expect(await fold(response, "content").locator(".bv-text").textContent()).toBe(
        "Hello from the fake upstream!",
      );
      expect(await response.locator(".bv-finish").textContent()).toBe("end_turn");
      expect(await fold(response, "usage").textContent()).toContain("output_tokens");
      await shot(page, "body-view-anthropic", false);
      // Raw SSE shows the transcript as logged.
      await response.getByRole("button", { name: "原始 SSE" }).click();
      expect(await response.locator("pre.code").textContent()).toContain("event: message_start");
      await response.getByRole("button", { name: "结构化" }).click();
      await response.locator(".bv-structured").waitFor();
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "shows an OpenAI chat reply's tool call (whole body) and the raw JSON",
    async () => {
      const { request, response } = await open("chat-tools");
      expect(await fold(request, "messages").locator(".bv-role").allTextContents()).toEqual([
        "用户",
        "助手",
        "工具",
      ]);
      const call = fold(response, "content").locator(".bv-call");
      await call.waitFor();
      expect(await call.textContent()).toContain("get_weather");
      expect(await response.locator(".bv-finish").textContent()).toBe("tool_calls");
      expect(await response.locator(".tag-stream").count()).toBe(0);
      await request.getByRole("button", { name: "原始 JSON" }).click();
      expect(await request.locator("pre.code").textContent()).toContain('"tool_choice": "auto"');
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "assembles streamed Responses and Gemini replies, in English",
    async () => {
      await page.goto(`${gw.url}/logs`);
      await switchLanguage(page, "en-US");
      let { request, response } = await open("responses-stream");
      expect(await fold(request, "tools").locator(".bv-fold-title").textContent()).toBe("Tools");
      expect(await fold(request, "tools").locator(".bv-count").textContent()).toBe("2");
      expect(await fold(request, "messages").locator(".bv-role").allTextContents()).toEqual([
        "User",
        "Assistant",
        "Tool",
      ]);
      expect(await fold(response, "content").locator(".bv-text").textContent()).toBe(
        "Hello from the fake upstream!",
      );
      expect(await response.locator(".bv-finish").textContent()).toBe("completed");
      expect(await response.locator(".body-head").textContent()).toMatch(/\d+ chunks/);

      ({ request, response } = await open("gemini-stream"));
      expect(await fold(request, "system").textContent()).toContain("weather bot");
      expect(await fold(request, "messages").locator(".bv-role").allTextContents()).toEqual([
        "User",
        "Model",
        "User",
      ]);
      expect(await fold(response, "content").locator(".bv-text").textContent()).toBe(
        "Hello from the fake upstream!",
      );
      expect(await response.locator(".bv-finish").textContent()).toBe("STOP");
      await response.locator(".bv-fold").last().scrollIntoViewIfNeeded();
      await shot(page, "body-view-gemini-en", false);
      ({ response } = await open("anthropic-stream"));
      await response.locator(".bv-finish").waitFor();
      // The drawer scrolled to its bodies: the request's messages and the start of the reply.
      await page.locator("dialog[open] .bodies").evaluate((el) => el.scrollIntoView({ block: "start" }));
      await shot(page, "readme-log-detail", false);
    },
    { timeout: BROWSER_TEST_MS },
  );
});
