import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { insertRecords } from "../../src/storage/request-logs";
import type { RequestRecord } from "../../src/storage/request-record";
import { TEST_TOKEN } from "../helpers/app";
import { middayClock } from "../helpers/clock";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { AUTH, type Gateway, startGateway } from "../helpers/gateway";
import { record } from "../helpers/records";
import { BROWSER_HOOK_MS, BROWSER_TEST_MS, haveChromium, launchPage, uiBuilt } from "./chromium";
import { SHOTS } from "./pages";

// A real browser on a shared machine: each test gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The dashboard in a real Chromium, against a real gateway that has proxied real requests to a fake
 * upstream: three good ones on gpt-alpha, two failing ones on claude-beta. Screenshots go to
 * tmp/ui/llmio-ui-dashboard-*.png (git-ignored).
 */

/** Today, this month and the current hour hold every request of the suite, whatever the hour of the run. */
const clock = middayClock();

describe.skipIf(!haveChromium || !uiBuilt)("dashboard in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let gw: Gateway;
  let up: FakeUpstream;
  let tokens = 0;

  const shot = (name: string) =>
    page.screenshot({
      path: `${SHOTS}/llmio-ui-dashboard-${name}.png`,
      fullPage: true,
      animations: "disabled",
    });
  const kpi = (id: string) => page.locator(`[data-kpi=${id}] .dash-kpi-value`);
  const bands = () => page.locator(".series-chart .hover-band");

  beforeAll(async () => {
    up = startFakeUpstream({
      "up-broken": { kind: "status", status: 500, body: '{"error":{"message":"upstream exploded"}}' },
    });
    gw = startGateway({ deps: { clock } });
    gw.link({
      model: "gpt-alpha",
      provider: "alpha-cloud",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-alpha",
      link: { input_price: 2, output_price: 8, currency: "USD" },
    });
    gw.link({
      model: "claude-beta",
      provider: "beta-cloud",
      type: "anthropic",
      baseUrl: up.url,
      providerModel: "up-broken",
      modelOptions: { max_attempts: 1 },
    });
    const send = async (path: string, body: unknown) => {
      const res = await fetch(gw.url + path, { method: "POST", headers: AUTH, body: JSON.stringify(body) });
      await res.text();
      return res.status;
    };
    const messages = [{ role: "user", content: "hi" }];
    for (let i = 0; i < 3; i++) {
      expect(await send("/v1/chat/completions", { model: "gpt-alpha", messages, stream: i === 0 })).toBe(200);
    }
    for (let i = 0; i < 2; i++) {
      expect(
        await send("/v1/messages", { model: "claude-beta", max_tokens: 16, messages }),
      ).toBeGreaterThanOrEqual(500);
    }
    await gw.flush();
    tokens = gw.logs().reduce((n, r) => n + (r.total_tokens as number), 0);

    ({ browser, page } = await launchPage({ width: 1440, height: 900 }));
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await up?.stop();
  }, BROWSER_HOOK_MS);

  it("opens on the dashboard after login, first in the nav", async () => {
    await page.goto(`${gw.url}/`);
    await page.waitForURL(/\/login\?redirect=%2F$/);
    await page.locator("input[name=token]").fill(TEST_TOKEN);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("heading", { name: "仪表盘" }).waitFor();
    const first = page.locator(".sidebar .nav-item").first();
    expect(await first.textContent()).toBe("仪表盘");
    expect(await first.getAttribute("class")).toContain("active");
  });

  it("shows today's and the month's requests, tokens, error rate and cost", async () => {
    expect(tokens).toBeGreaterThan(0);
    await page.locator(".donut").waitFor();
    expect(await kpi("today-reqs").textContent()).toBe("5");
    expect(await kpi("month-reqs").textContent()).toBe("5");
    expect(await kpi("today-tokens").textContent()).toBe(tokens.toLocaleString("en-US"));
    expect(await kpi("month-tokens").textContent()).toBe(tokens.toLocaleString("en-US"));
    expect(await page.locator("[data-kpi=today-reqs] [data-error-rate]").textContent()).toBe("40%");
    expect(await page.locator("[data-kpi=today-reqs] .dash-kpi-foot").textContent()).toContain("2 次失败");
    expect(await page.locator("[data-kpi=today-tokens] [data-cost]").textContent()).toMatch(/^\$0\.0\d+$/);
  });

  it("shows both models in the donut legend and in the ranking, most called first", async () => {
    const legend = page.locator(".legend li");
    expect(await legend.count()).toBe(2);
    expect(await legend.nth(0).textContent()).toContain("gpt-alpha");
    expect(await legend.nth(0).locator(".legend-value").textContent()).toBe("3");
    expect(await legend.nth(0).locator(".legend-share").textContent()).toBe("60%");
    expect(await legend.nth(1).textContent()).toContain("claude-beta");
    expect(await legend.nth(1).locator(".legend-value").textContent()).toBe("2");
    expect(await page.locator(".donut-center-value").textContent()).toBe("5");
    expect(await page.locator(".donut-slice").count()).toBe(2);
    await shot("zh-light");

    await page.getByRole("tab", { name: "调用次数排行" }).click();
    const ranks = page.locator(".bar-list li");
    await ranks.first().waitFor();
    expect(await ranks.count()).toBe(2);
    expect(await ranks.nth(0).locator(".bar-label").textContent()).toBe("gpt-alpha");
    expect(await ranks.nth(1).locator(".bar-label").textContent()).toBe("claude-beta");
    await page.getByRole("tab", { name: "调用次数分布" }).click();
    await page.locator(".donut").waitFor();
  });

  it("lists both providers with their requests and error rates", async () => {
    const rows = page.locator(".dash-provider-table tbody tr");
    expect(await rows.count()).toBe(2);
    const alpha = rows.filter({ hasText: "alpha-cloud" });
    const beta = rows.filter({ hasText: "beta-cloud" });
    expect(await alpha.locator("td").nth(1).textContent()).toBe("3");
    expect(await alpha.locator("td").nth(2).textContent()).toContain("0%");
    expect(await beta.locator("td").nth(1).textContent()).toBe("2");
    expect(await beta.locator("td").nth(2).textContent()).toContain("100%");
  });

  it("switches the series from 24 hours by hour to 30 days by day", async () => {
    expect(await bands().count()).toBe(24);
    expect(await page.locator(".chart-x text").last().textContent()).toMatch(/^\d\d:00$/);
    // The current hour holds all five requests: its bar is the tallest one.
    await bands().last().hover();
    const tip = page.locator(".chart-tooltip");
    await tip.waitFor();
    expect(await tip.textContent()).toContain("请求5");
    expect(await tip.textContent()).toContain("失败2");
    await page.screenshot({ path: `${SHOTS}/llmio-ui-dashboard-tooltip.png`, animations: "disabled" });

    await page.locator("[data-control=series-range]").getByRole("button", { name: "30 天" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".series-chart .hover-band").length === 30);
    expect(await page.locator(".chart-x text").last().textContent()).toMatch(/^\d\d-\d\d$/);
    await bands().last().hover();
    expect(await tip.textContent()).toContain(`Tokens${tokens.toLocaleString("en-US")}`);
    await page.mouse.move(0, 0);
    await shot("zh-light-30d");
  });

  it("reads the same in English and in the dark theme", async () => {
    await page.getByRole("button", { name: "EN" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.locator("[data-kpi=today-reqs] h3").textContent()).toBe("Requests today");
    await page.getByRole("button", { name: "Switch to dark mode" }).click();
    await page.locator("[data-control=series-range]").getByRole("button", { name: "24 hours" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".series-chart .hover-band").length === 24);
    await shot("en-dark");
  });

  it("shows an empty state when there are no records yet", async () => {
    gw.db.run("DELETE FROM request_logs");
    gw.db.run("DELETE FROM request_rollups");
    gw.db.run("DELETE FROM dashboard_rollups");
    gw.db.run("DELETE FROM dashboard_daily");
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.getByRole("heading", { name: "No requests yet" }).waitFor();
    expect(await kpi("today-reqs").textContent()).toBe("0");
    expect(await page.locator(".donut").count()).toBe(0);
    await shot("en-dark-empty");
    await page.getByRole("button", { name: "Switch to light mode" }).click();
    await page.getByRole("button", { name: "中" }).click();
  });

  it("folds all but the five busiest models into others, over a month of traffic", async () => {
    // Eight models with 80, 70 … 10 calls spread over the last 30 days (one an hour, newest first).
    const now = clock.now();
    const records: RequestRecord[] = [];
    for (let m = 0; m < 8; m++) {
      for (let i = 0; i < 80 - m * 10; i++) {
        records.push({
          ...record(records.length),
          model: `model-${String.fromCharCode(97 + m)}`,
          status: i % 13 === 0 ? "error" : "success",
          usage: { input: 400 + 37 * i, cachedRead: 0, cacheWrite: 0, output: 120 + 11 * m, reasoning: 0 },
          created_at: now - ((i * 8 + m) % 720) * 3_600_000,
        });
      }
    }
    insertRecords(gw.db, records);
    await page.getByRole("button", { name: "刷新" }).click();
    const legend = page.locator(".legend li");
    await legend.nth(5).waitFor();
    expect(await legend.count()).toBe(6);
    expect(await legend.locator(".legend-label").allTextContents()).toEqual([
      "model-a",
      "model-b",
      "model-c",
      "model-d",
      "model-e",
      "其他",
    ]);
    // model-f, -g and -h: 30 + 20 + 10 calls.
    expect(await legend.nth(5).locator(".legend-value").textContent()).toBe("60");
    await page.locator("[data-control=series-range]").getByRole("button", { name: "30 天" }).click();
    await page.waitForFunction(() => document.querySelectorAll(".series-chart .hover-band").length === 30);
    await shot("zh-light-busy");
    await page
      .getByRole("button", { name: "Switch to dark mode" })
      .or(page.getByRole("button", { name: "切换到深色模式" }))
      .click();
    await shot("zh-dark-busy");
  });
});
