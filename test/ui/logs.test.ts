import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Locator, Page } from "playwright-core";
import { TEST_TOKEN } from "../helpers/app";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, addKey, type Gateway, startGateway } from "../helpers/gateway";
import { BROWSER_HOOK_MS, BROWSER_TEST_MS, haveChromium, launchPage, uiBuilt as built } from "./chromium";
import { SHOTS } from "./pages";

// A real browser on a shared machine: each test gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The request-log page and link health in a real Chromium, against a real gateway that has proxied real
 * requests to a fake upstream (one of them failing over). Screenshots go to tmp/ui/llmio-ui-logs-*.png (git-ignored).
 */

/** Waits until `locator` matches exactly `n` elements (the list refetches after a filter change). */
async function waitForCount(locator: Locator, n: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let count = await locator.count();
  while (count !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} matches, still ${count}`);
    await Bun.sleep(50);
    count = await locator.count();
  }
}

describe.skipIf(!haveChromium || !built)("request logs and link health in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let gw: Gateway;
  let up: FakeUpstream;
  let chatModelId: number;
  let flakyLinkId: number;
  let slowModelId: number;

  const shot = (name: string) =>
    page.screenshot({ path: `${SHOTS}/llmio-ui-logs-${name}.png`, fullPage: true, animations: "disabled" });
  const rows = () => page.locator(".logs-table tbody tr.clickable");

  beforeAll(async () => {
    up = startFakeUpstream({
      "up-fail": { kind: "status", status: 500, body: '{"error":{"message":"upstream exploded"}}' },
      "up-down": { kind: "status", status: 503, body: "service unavailable" },
      "up-slow": { kind: "ok", delayMs: 700 },
    });
    gw = startGateway();
    // chat-x: a flaky first choice that always answers 500, then a steady one; the breaker is on.
    const flaky = gw.link({
      model: "chat-x",
      provider: "flaky",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-fail",
      priority: 10,
      modelOptions: { strategy: "priority", breaker: true, max_attempts: 3 },
    });
    chatModelId = flaky.link.model_id;
    flakyLinkId = flaky.link.id;
    gw.link({ model: "chat-x", provider: "steady", type: "openai", baseUrl: up.url, providerModel: "up-ok" });
    gw.link({
      model: "claude-x",
      provider: "anth",
      type: "anthropic",
      baseUrl: up.url,
      providerModel: "up-claude",
    });
    gw.link({ model: "down-x", provider: "dead", type: "openai", baseUrl: up.url, providerModel: "up-down" });
    // slow-x: only for the link test (no traffic), slow enough to see the probes run, vision switched off.
    slowModelId = gw.link({
      model: "slow-x",
      provider: "steady",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-slow",
      link: { image: false },
    }).link.model_id;
    const io = addKey(gw, { name: "io key", ioLog: true });
    const ioHeaders = { ...AUTH, authorization: `Bearer ${io.key}` };

    const send = async (path: string, body: unknown, headers: Record<string, string> = AUTH) => {
      const res = await fetch(gw.url + path, { method: "POST", headers, body: JSON.stringify(body) });
      await res.text();
      return res.status;
    };
    const messages = [{ role: "user", content: "hi" }];
    // Three failovers (each trips over "flaky" once: three in a row open its breaker), one of them streamed.
    expect(await send("/v1/chat/completions", { model: "chat-x", messages }, ioHeaders)).toBe(200);
    expect(await send("/v1/chat/completions", { model: "chat-x", messages, stream: true }, ioHeaders)).toBe(
      200,
    );
    expect(await send("/v1/chat/completions", { model: "chat-x", messages })).toBe(200);
    expect(await send("/v1/messages", { model: "claude-x", max_tokens: 16, messages })).toBe(200);
    expect(await send("/v1/chat/completions", { model: "down-x", messages })).toBeGreaterThanOrEqual(500);
    await gw.flush();

    ({ browser, page } = await launchPage({ width: 1440, height: 860 }));
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await up?.stop();
  }, BROWSER_HOOK_MS);

  it("signs in through the login page and lands on the logs with one row per request", async () => {
    await page.goto(`${gw.url}/logs`);
    await page.waitForURL(/\/login\?redirect=%2Flogs$/);
    await page.locator("input[name=token]").fill(TEST_TOKEN);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL(/\/logs$/);
    await page.getByRole("heading", { name: "请求日志" }).waitFor();
    await page.getByRole("link", { name: "请求日志" }).waitFor();
    await rows().nth(4).waitFor();
    expect(await rows().count()).toBe(5);
    expect(await page.locator(".pager").textContent()).toContain("共 5 条");
    // The failed-over requests say how many tries they took.
    expect(await rows().filter({ hasText: "2 次尝试" }).count()).toBe(3);
    expect(await rows().filter({ hasText: "claude-x" }).textContent()).toContain("anthropic");
    await shot("list");
  });

  it("filters by status through the URL and back", async () => {
    await page.locator("select[name=status]").selectOption("error");
    await page.waitForURL(/status=error/);
    await waitForCount(rows(), 1);
    const row = rows().first();
    expect(await row.textContent()).toContain("down-x");
    expect(await row.textContent()).toContain("失败");
    await shot("filtered");
    await page.locator("select[name=status]").selectOption("");
    await waitForCount(rows(), 5);
  });

  it("opens a failed-over request and shows the attempt chain and the kept bodies", async () => {
    // The streamed chat-x request went through the IO-logging key, so its bodies were kept.
    await rows()
      .filter({ hasText: "chat-x" })
      .filter({ has: page.locator(".tag-stream") })
      .click();
    await page.waitForURL(/[?&]log=\d+/);
    const drawer = page.locator("dialog[open]");
    await drawer.locator(".chain-step.final").waitFor();
    const failed = drawer.locator(".chain-step.failed");
    expect(await failed.count()).toBe(1);
    const failedText = await failed.textContent();
    expect(failedText).toContain("flaky");
    expect(failedText).toContain("服务端错误");
    expect(failedText).toContain("500");
    expect(await drawer.locator(".chain-step.final").textContent()).toContain("steady");
    const bodies = drawer.locator(".body-viewer");
    expect(await bodies.count()).toBe(2);
    await bodies.nth(0).getByRole("button", { name: "原始 JSON" }).click();
    expect(await bodies.nth(0).locator(".code").textContent()).toContain('"model": "chat-x"');
    expect(await bodies.nth(1).textContent()).toContain("SSE");
    await bodies.nth(1).getByRole("button", { name: "原始 SSE" }).click();
    expect(await bodies.nth(1).locator(".code").textContent()).toContain("data:");
    await shot("detail");
    await drawer.locator(".bodies").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/llmio-ui-logs-detail-bodies.png`, animations: "disabled" });
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => !url.searchParams.has("log"));
    await page.locator("dialog").waitFor({ state: "detached" });
  });

  it("says the body was not kept for a key without IO logging", async () => {
    await rows().filter({ hasText: "down-x" }).click();
    const drawer = page.locator("dialog[open]");
    await drawer.getByText("未保存内容").waitFor();
    expect(await drawer.locator(".error-box").textContent()).toBeTruthy();
    await shot("detail-error");
    await page.keyboard.press("Escape");
    await page.locator("dialog").waitFor({ state: "detached" });
  });

  it(
    "picks up a new request by itself with auto refresh on (in English)",
    async () => {
      await page.getByRole("button", { name: "EN" }).click();
      await page.getByRole("heading", { name: "Request logs" }).waitFor();
      const autoRefresh = page.getByRole("switch", { name: "Auto refresh" });
      await page.locator("label.switch", { hasText: "Auto refresh" }).click();
      expect(await autoRefresh.isChecked()).toBe(true);
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: AUTH,
        body: JSON.stringify({ model: "chat-x", messages: [{ role: "user", content: "again" }] }),
      });
      expect(res.status).toBe(200);
      await gw.flush();
      // The page refreshes every 5 s: room for a few refreshes on a loaded machine.
      await waitForCount(rows(), 6, 20_000);
      expect(await page.locator(".pager").textContent()).toContain("6 records");
      await page.locator("label.switch", { hasText: "Auto refresh" }).click();
      expect(await autoRefresh.isChecked()).toBe(false);
      await page.getByRole("button", { name: "Switch to dark mode" }).click();
      await shot("list-en-dark");
      await rows().filter({ hasText: "2 tries" }).first().click();
      await page.locator("dialog[open] .chain-step.final").waitFor();
      await page.screenshot({ path: `${SHOTS}/llmio-ui-logs-detail-en-dark.png`, animations: "disabled" });
      await page.keyboard.press("Escape");
      await page.locator("dialog").waitFor({ state: "detached" });
    },
    BROWSER_TEST_MS,
  );

  it("shows the open breaker of the flaky link on the links page, with its recent failures", async () => {
    // The breaker opened in beforeAll for 30 s, which a slow run may have used up by now: it recovers (as a
    // good answer would close it), then three failovers in a row open it again, for 30 s from here.
    gw.runtime.health.success(flakyLinkId);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: AUTH,
        body: JSON.stringify({ model: "chat-x", messages: [{ role: "user", content: "again" }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(gw.runtime.health.snapshot(flakyLinkId).breaker).toBe("open");
    // The browser's clock runs an hour fast: countdowns must still run on the server's time.
    await page.clock.setSystemTime(Date.now() + 3_600_000);
    await page.goto(`${gw.url}/model-providers?model=${chatModelId}`);
    const flaky = page.locator("tbody tr", { hasText: "up-fail" });
    await flaky.locator("[data-breaker=open]").waitFor();
    expect(await flaky.textContent()).toContain("Open");
    expect(await flaky.textContent()).toMatch(/half-open in [1-9]\d*s/);
    expect(
      await page.locator("tbody tr", { hasText: "up-ok" }).locator("[data-breaker=closed]").count(),
    ).toBe(1);
    await flaky.getByRole("button", { name: /Recent failures/ }).click();
    const detail = page.locator("tr.detail-row");
    await detail.waitFor();
    expect(await detail.textContent()).toContain("server");
    // Three failures opened the breaker; on a slow machine a half-open trial may have failed once more.
    expect(await detail.locator("li").count()).toBeGreaterThanOrEqual(3);
    await shot("links-health");
  });

  it("tests a link for real: five passing probes, then the upstream's error on the failing link", async () => {
    const dialog = page.locator("dialog[open]");
    const probes = dialog.locator(".probe");
    await page.locator("tbody tr", { hasText: "up-ok" }).getByRole("button", { name: "Test" }).click();
    await dialog.locator("[data-verdict=pass]").waitFor();
    expect(await dialog.locator("[data-verdict]").textContent()).toBe("All passed");
    expect(await probes.count()).toBe(5);
    expect(await dialog.locator(".probe[data-state=pass]").count()).toBe(5);
    expect(await probes.allTextContents()).toEqual([
      expect.stringContaining("Text"),
      expect.stringContaining("Streaming"),
      expect.stringContaining("Tool call"),
      expect.stringContaining("Structured output"),
      expect.stringContaining("Vision"),
    ]);
    expect(await dialog.locator(".probe-ms").first().textContent()).toMatch(/^\d+ ms$/);
    expect(await dialog.locator(".modal-foot").textContent()).toContain("5 of 5 passed");
    await shot("link-test-pass");
    await dialog.getByRole("button", { name: "Close" }).last().click();
    await page.locator("dialog").waitFor({ state: "detached" });

    await page.locator("tbody tr", { hasText: "up-fail" }).getByRole("button", { name: "Test" }).click();
    await dialog.locator("[data-verdict=fail]").waitFor();
    expect(await dialog.locator("[data-verdict]").textContent()).toBe("5 failed");
    expect(await dialog.locator(".probe[data-state=fail]").count()).toBe(5);
    const errors = await dialog.locator(".probe-error").allTextContents();
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toContain("HTTP 500");
    expect(errors[0]).toContain("upstream exploded");
    await shot("link-test-fail");
    await page.keyboard.press("Escape");
    await page.locator("dialog").waitFor({ state: "detached" });
  });

  it("shows the probes running, skips a capability the link has off, and runs again (in Chinese)", async () => {
    await page.getByRole("button", { name: "Switch to light mode" }).click();
    await page.getByRole("button", { name: "中" }).click();
    await page.goto(`${gw.url}/model-providers?model=${slowModelId}`);
    await page.locator("tbody tr", { hasText: "up-slow" }).getByRole("button", { name: "测试" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.locator("[data-verdict=running]").waitFor();
    expect(await dialog.locator(".probe[data-state=running] .spinner").count()).toBe(5);
    expect(await dialog.getByRole("button", { name: "重新测试" }).isDisabled()).toBe(true);
    await shot("link-test-running");
    await dialog.locator("[data-verdict=pass]").waitFor();
    expect(await dialog.locator("[data-verdict]").textContent()).toBe("全部通过");
    expect(await dialog.locator(".probe[data-state=pass]").count()).toBe(4);
    const vision = dialog.locator(".probe[data-probe=image]");
    expect(await vision.getAttribute("data-state")).toBe("skipped");
    expect(await vision.textContent()).toContain("已跳过");
    expect(await dialog.locator(".modal-foot").textContent()).toContain("4 / 4 项通过 · 1 项跳过");

    await dialog.getByRole("button", { name: "重新测试" }).click();
    await dialog.locator("[data-verdict=running]").waitFor();
    await dialog.locator("[data-verdict=pass]").waitFor();
    await shot("link-test-skipped");
    await page.keyboard.press("Escape");
    await page.locator("dialog").waitFor({ state: "detached" });
  });
});
