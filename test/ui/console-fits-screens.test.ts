import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { TEST_TOKEN } from "../helpers/app";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { type Gateway, keysApi, startGateway } from "../helpers/gateway";
import { BROWSER_HOOK_MS, BROWSER_TEST_MS, haveChromium, launchPage, uiBuilt as built } from "./chromium";

// A real browser on a shared machine: each test gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The console as an admin uses it, on a laptop (1440×900, and 1280) and on a phone (390×844), in a real
 * Chromium against a real gateway that has proxied real traffic (a link cooling down after a 429, one with
 * its breaker open, a translated request, keys in two currencies). Each test is named after the defect of
 * issue 9 it guards. Screenshots of every page at both sizes go to test/ui/screenshots/ (git-ignored).
 */

const SHOTS = "test/ui/screenshots";
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const T = { timeout: BROWSER_TEST_MS };

type Lang = "en-US" | "zh-CN";

/** Whether the page scrolls sideways (it must not). */
const pageOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The row actions (and other table buttons) that lie outside the viewport, left or right. */
const actionsOffScreen = (page: Page) =>
  page.evaluate(() => {
    const out: string[] = [];
    for (const b of document.querySelectorAll<HTMLElement>(
      ".row-actions button, .row-actions a, td button",
    )) {
      const r = b.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < 0 || r.right > window.innerWidth + 0.5)
        out.push(b.getAttribute("aria-label") ?? b.textContent ?? "");
    }
    return out;
  });

/** How far each table is wider than its panel (0 when it fits). */
const tableOverflow = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".table-wrap")].map((w) => w.scrollWidth - w.clientWidth),
  );

/** Whether the element lies inside the viewport. */
const insideViewport = (page: Page, selector: string) =>
  page.evaluate(async (sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    // Measured where it comes to rest (dialogs slide or pop in).
    await Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished));
    const r = el.getBoundingClientRect();
    return (
      r.left >= -0.5 &&
      r.top >= -0.5 &&
      r.right <= window.innerWidth + 0.5 &&
      r.bottom <= window.innerHeight + 0.5
    );
  }, selector);

describe.skipIf(!haveChromium || !built)("the console on a laptop and on a phone", () => {
  let browser: Browser;
  let desk: Page;
  let phone: Page;
  let gw: Gateway;
  let up: FakeUpstream;
  let chatId: number;
  let alphaId: number;

  const shot = (page: Page, name: string) =>
    page.screenshot({
      path: `${SHOTS}/${name}-${page.viewportSize()?.width}.png`,
      fullPage: true,
      animations: "disabled",
      timeout: 20_000,
    });

  async function open(page: Page, path: string, lang: Lang) {
    await page.evaluate(
      ([token, l]) => {
        localStorage.setItem("llmio.token", token as string);
        localStorage.setItem("llmio.lang", l as string);
      },
      [TEST_TOKEN, lang],
    );
    await page.goto(`${gw.url}${path}`);
    await page.locator(".page-head h1").waitFor();
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    up = startFakeUpstream({
      "up-429": {
        kind: "status",
        status: 429,
        body: '{"error":{"message":"slow down"}}',
        headers: { "retry-after": "600" },
      },
      "up-fail": { kind: "status", status: 500, body: '{"error":{"message":"upstream exploded"}}' },
    });
    gw = startGateway();
    const prices = { input_price: 2.5, output_price: 10 };
    // chat-x, by priority: a link that answers 429 (then cools down for 10 min), one that answers 500
    // (three in a row open its breaker), and one that works.
    chatId = gw.link({
      model: "chat-x",
      provider: "cn-relay-with-a-rather-long-name",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-429",
      priority: 20,
      modelOptions: { strategy: "priority", breaker: true, max_attempts: 3 },
      link: { ...prices, currency: "CNY" },
    }).link.model_id;
    gw.link({
      model: "chat-x",
      provider: "flaky-openai",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-fail",
      priority: 10,
      link: prices,
    });
    gw.link({
      model: "chat-x",
      provider: "openai-main",
      type: "openai",
      baseUrl: up.url,
      providerModel: "gpt-4o-mini-2024-07-18-long-upstream-name",
      link: prices,
    });
    gw.link({
      model: "claude-sonnet-4-5-20250929",
      provider: "anthropic-eu",
      type: "anthropic",
      baseUrl: up.url,
      providerModel: "claude-sonnet-4-5",
      link: prices,
    });
    gw.link({
      model: "gemini-2.5-pro",
      provider: "google",
      type: "gemini",
      baseUrl: up.url,
      providerModel: "g-pro",
    });

    const alpha = await keysApi(gw, "POST", "", {
      name: "alpha key",
      budget: 5,
      currency: "USD",
      io_log: true,
    });
    const beta = await keysApi(gw, "POST", "", { name: "beta-cny", currency: "CNY" });
    alphaId = alpha.id;
    const messages = [{ role: "user", content: "hi" }];
    const send = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await fetch(gw.url + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      await res.text();
      return res.status;
    };
    const alphaH = {
      authorization: `Bearer ${alpha.key}`,
      "user-agent": "claude-cli/2.0.14 (external, cli)",
    };
    const betaH = { authorization: `Bearer ${beta.key}`, "user-agent": "OpenAI/Python 1.50.0" };
    // Three failovers over chat-x: 429 (cooling from then on), then 500 three times (breaker open).
    expect(
      await send(
        "/v1/chat/completions",
        { model: "chat-x", messages },
        { ...alphaH, "x-session-id": "sess-1" },
      ),
    ).toBe(200);
    expect(
      await send(
        "/v1/chat/completions",
        { model: "chat-x", messages, stream: true },
        { ...alphaH, "x-session-id": "sess-1" },
      ),
    ).toBe(200);
    expect(await send("/v1/chat/completions", { model: "chat-x", messages }, betaH)).toBe(200);
    // An Anthropic client on chat-x, whose links all speak OpenAI: translated.
    expect(
      await send("/v1/messages", { model: "chat-x", max_tokens: 16, messages }, { "x-api-key": alpha.key }),
    ).toBe(200);
    expect(
      await send("/v1/messages", { model: "claude-sonnet-4-5-20250929", max_tokens: 16, messages }, betaH),
    ).toBe(200);
    await gw.flush();

    ({ browser, page: desk } = await launchPage(DESKTOP));
    phone = await browser.newPage({ viewport: PHONE });
    // The machine is shared: waits get room, the tests' own timeouts still bound them.
    for (const p of [desk, phone]) p.setDefaultTimeout(12_000);
    for (const p of [desk, phone]) await p.goto(`${gw.url}/login`);
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await up?.stop();
  });

  const PAGES = [
    ["dashboard", "/"],
    ["providers", "/providers"],
    ["models", "/models"],
    ["links", "/model-providers?model=1"],
    ["keys", "/keys"],
    ["logs", "/logs"],
  ] as const;

  it("defect 1: at 1440 and 1280 px every table fits its panel and no row action is off-screen (en-US)", async () => {
    for (const [name, path] of PAGES) {
      await open(desk, path.replace("model=1", `model=${chatId}`), "en-US");
      await desk.locator(".table tbody tr, .dash-kpis, .kpi").first().waitFor();
      expect(await pageOverflow(desk)).toBeLessThanOrEqual(0);
      expect({ name, off: await actionsOffScreen(desk) }).toEqual({ name, off: [] });
      for (const o of await tableOverflow(desk)) expect({ name, o }).toEqual({ name, o: 0 });
      await shot(desk, name);
    }
    await desk.setViewportSize({ width: 1280, height: 800 });
    try {
      for (const [name, path] of PAGES) {
        await open(desk, path.replace("model=1", `model=${chatId}`), "en-US");
        await desk.locator(".table tbody tr, .kpi").first().waitFor();
        expect(await pageOverflow(desk)).toBeLessThanOrEqual(0);
        expect({ name, off: await actionsOffScreen(desk) }).toEqual({ name, off: [] });
        for (const o of await tableOverflow(desk)) expect({ name, o }).toEqual({ name, o: 0 });
        await shot(desk, name);
      }
    } finally {
      await desk.setViewportSize(DESKTOP);
    }
  }, 60_000);

  it(
    "defect 2: the key dialog's model picker has checkbox-sized checkboxes and names on one line",
    async () => {
      await open(desk, "/keys", "en-US");
      await desk.getByRole("button", { name: "Create key" }).click();
      const dialog = desk.locator("dialog[open]");
      await dialog.locator("label.switch", { hasText: "Allow every model" }).click();
      const chip = dialog.locator(".chip").first();
      await chip.waitFor();
      const box = await chip.locator("input[type=checkbox]").boundingBox();
      expect(box?.width).toBeLessThan(20);
      expect(box?.height).toBeLessThan(20);
      // One line per name: the chip is about one line high.
      expect((await chip.boundingBox())?.height).toBeLessThan(30);
      expect(await insideViewport(desk, "dialog[open]")).toBe(true);
      await shot(desk, "key-dialog");
      await desk.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    },
    T,
  );

  it(
    "defect 5: a link cooling down after a 429 says so in its own colour; an open breaker is red",
    async () => {
      await open(desk, `/model-providers?model=${chatId}`, "en-US");
      const cooling = desk.locator("tbody tr", { hasText: "up-429" }).locator(".badge.breaker");
      await cooling.filter({ hasText: /Cooling \d/ }).waitFor();
      expect(await cooling.getAttribute("data-state")).toBe("cooling");
      expect(await cooling.textContent()).not.toContain("Healthy");
      const open_ = desk.locator("tbody tr", { hasText: "up-fail" }).locator(".badge.breaker");
      // Open, or half-open once its open time is over (the suite takes a while): red, or amber.
      const breakerState = await open_.getAttribute("data-state");
      expect(["open", "half_open"]).toContain(breakerState as string);
      const healthy = desk.locator("tbody tr", { hasText: "gpt-4o-mini" }).locator(".badge.breaker");
      expect(await healthy.getAttribute("data-state")).toBe("closed");
      const colour = (l: typeof cooling) => l.evaluate((el) => getComputedStyle(el).color);
      expect(await colour(cooling)).toBe("rgb(2, 132, 199)");
      expect(await colour(open_)).toBe(breakerState === "open" ? "rgb(229, 72, 77)" : "rgb(180, 83, 9)");
      expect(await colour(healthy)).toBe("rgb(22, 163, 74)");
      await shot(desk, "links-health");
    },
    T,
  );

  it(
    "defect 4: log filters opened from the URL show in their dropdowns (model, provider, key, protocols, User-Agent)",
    async () => {
      await open(
        desk,
        `/logs?model=chat-x&provider=openai-main&key=${alphaId}&style=openai&upstream=openai&ua=claude`,
        "en-US",
      );
      await desk.locator(".logs-table tbody tr.clickable").first().waitFor();
      // The options arrive after the selects are made: each must still show the URL's value.
      await desk.waitForFunction(
        () =>
          (document.querySelector("select[name=key]") as HTMLSelectElement | null)?.selectedOptions[0]
            ?.textContent === "alpha key",
      );
      const value = (name: string) => desk.locator(`select[name=${name}]`).inputValue();
      expect(await value("model")).toBe("chat-x");
      expect(await value("provider")).toBe("openai-main");
      expect(await value("style")).toBe("openai");
      expect(await value("upstream")).toBe("openai");
      expect(await desk.locator("input[name=ua]").inputValue()).toBe("claude");
      // Two alpha requests over OpenAI from claude-cli reached openai-main.
      expect(await desk.locator(".logs-table tbody tr.clickable").count()).toBe(2);
      await shot(desk, "logs-filtered");
    },
    T,
  );

  it(
    "defect 8 and issue 6: the list shows the key, the User-Agent and the protocol path; the detail names the key",
    async () => {
      await open(desk, "/logs", "en-US");
      const rows = desk.locator(".logs-table tbody tr.clickable");
      await rows.nth(4).waitFor();
      const translated = rows.filter({ has: desk.locator(".proto-path[data-translated=yes]") });
      expect(await translated.count()).toBe(1);
      expect((await translated.locator(".proto-path").textContent())?.replace(/\s+/g, " ")).toBe(
        "anthropic → openai",
      );
      expect(await translated.locator(".client-cell").textContent()).toContain("alpha key");
      expect(await rows.locator(".proto-path[data-translated=no]").count()).toBe(4);
      expect(await rows.filter({ hasText: "claude-cli/2.0.14" }).count()).toBe(2);
      expect(await rows.filter({ hasText: "beta-cny" }).count()).toBe(2);

      // Filtering by upstream protocol: the one Anthropic upstream request.
      await desk.locator("select[name=upstream]").selectOption("anthropic");
      await desk.waitForURL(/upstream=anthropic/);
      await desk
        .locator(".logs-table tbody tr.clickable", { hasText: "claude-sonnet-4-5-20250929" })
        .waitFor();
      await desk.waitForFunction(
        () => document.querySelectorAll(".logs-table tbody tr.clickable").length === 1,
      );
      await desk.locator("select[name=upstream]").selectOption("");

      await translated.click();
      const drawer = desk.locator("dialog[open]");
      await drawer.locator(".chain-step.final").waitFor();
      expect(await drawer.locator(".fact", { hasText: "Key" }).first().textContent()).toContain("alpha key");
      expect(await drawer.textContent()).not.toContain("Key ID");
      expect(await drawer.locator(".modal-title .proto-path").getAttribute("data-translated")).toBe("yes");
      await shot(desk, "log-detail");
      await desk.keyboard.press("Escape");
      await drawer.waitFor({ state: "detached" });
    },
    T,
  );

  it(
    "missing 6: each row with a session has a button that lists that session's requests",
    async () => {
      await open(desk, "/logs", "en-US");
      const rows = desk.locator(".logs-table tbody tr.clickable");
      await rows.nth(4).waitFor();
      expect(await desk.getByRole("button", { name: "Requests of this session" }).count()).toBe(2);
      await desk.getByRole("button", { name: "Requests of this session" }).first().click();
      await desk.waitForURL(/session_id=sess-1/);
      await desk.waitForFunction(
        () => document.querySelectorAll(".logs-table tbody tr.clickable").length === 2,
      );
      // The button filtered, it did not open the record.
      expect(await desk.locator("dialog[open]").count()).toBe(0);
    },
    T,
  );

  it(
    "defect 12: a whole (non-stream) answer shows no tokens-per-second, a stream does",
    async () => {
      await open(desk, "/logs", "en-US");
      const rows = desk.locator(".logs-table tbody tr.clickable");
      await rows.nth(4).waitFor();
      expect(
        await rows
          .filter({ hasNot: desk.locator(".tag-stream") })
          .locator(".tps")
          .count(),
      ).toBe(0);
      const streamed = rows.filter({ has: desk.locator(".tag-stream") });
      expect(await streamed.count()).toBe(1);
      await rows
        .filter({ hasNot: desk.locator(".tag-stream") })
        .first()
        .click();
      const drawer = desk.locator("dialog[open]");
      await drawer.locator(".kpi").first().waitFor();
      expect(
        await drawer.locator(".kpi", { hasText: "Output speed" }).locator(".kpi-value").textContent(),
      ).toBe("—");
      await desk.keyboard.press("Escape");
      await drawer.waitFor({ state: "detached" });
    },
    T,
  );

  it(
    "defect 10: a toast raised just before a dialog opens is drawn above the dialog's backdrop",
    async () => {
      await open(desk, "/keys", "en-US");
      await desk.locator("tbody tr", { hasText: "beta-cny" }).getByRole("button", { name: "Rotate" }).click();
      await desk.locator("dialog[open]").getByRole("button", { name: "Rotate" }).click();
      const secret = desk.locator("dialog[open]").filter({ hasText: "Save your new key" });
      await secret.waitFor();
      const toast = desk.locator(".toast", { hasText: "Key rotated" });
      // Read at once: the toast goes away after a few seconds.
      await toast.waitFor();
      // Read back the pixels: under the backdrop the toast's white would be dimmed to grey (~140).
      const toastPixel = async () => {
        const box = await toast.boundingBox();
        if (!box) throw new Error("no toast box");
        const png = await desk.screenshot({
          clip: { x: box.x, y: box.y, width: box.width, height: box.height },
          animations: "disabled",
        });
        return desk.evaluate(async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = document.createElement("canvas");
          c.width = img.width;
          c.height = img.height;
          const ctx = c.getContext("2d") as CanvasRenderingContext2D;
          ctx.drawImage(img, 0, 0);
          // Right of the short text, on the toast's own background.
          return [...ctx.getImageData(img.width - 12, Math.floor(img.height / 2), 1, 1).data.slice(0, 3)];
        }, png.toString("base64"));
      };
      const rgb = await toastPixel();
      for (const channel of rgb) expect(channel).toBeGreaterThan(240);
      await shot(desk, "toast-over-dialog");
      await secret.getByRole("button", { name: "I have saved it" }).click();
      await secret.waitFor({ state: "detached" });
    },
    T,
  );

  it(
    "defect 11: the add-link dialog names its model, picks no provider for you, and starts with capabilities off",
    async () => {
      await open(desk, `/model-providers?model=${chatId}`, "en-US");
      await desk.getByRole("button", { name: "Add link" }).click();
      const dialog = desk.locator("dialog[open]");
      await dialog.locator("h2", { hasText: "chat-x" }).waitFor();
      expect(await dialog.locator("select[name=provider_id]").inputValue()).toBe("");
      const caps = dialog.locator(".switch-row input[role=switch]");
      // Tools, structured output, vision, pass headers: off; enabled: on.
      expect(await caps.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked))).toEqual([
        false,
        false,
        false,
        false,
        true,
      ]);
      // Saving without a provider says what is missing instead of sending the request.
      await dialog.locator("input[name=provider_model]").fill("x");
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.locator(".field-error", { hasText: "Choose a provider" }).waitFor();
      await shot(desk, "link-dialog");
      await desk.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
    },
    T,
  );

  it(
    "defect 6: the dashboard's ranking bars get the card's width",
    async () => {
      await open(desk, "/", "en-US");
      await desk.getByRole("tab", { name: /ranking/i }).click();
      const tracks = desk.locator(".bar-list .bar-track");
      await tracks.first().waitFor();
      for (const w of await tracks.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width)))
        expect(w).toBeGreaterThan(200);
      const fills = await desk
        .locator(".bar-list .bar-fill")
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      // chat-x had 4 calls, the others 1: the bars differ visibly.
      expect(Math.max(...fills) - Math.min(...fills)).toBeGreaterThan(100);
      await shot(desk, "dashboard-ranking");
    },
    T,
  );

  it(
    "defect 7: keys show spend in their own currency and say at which rate other costs are converted",
    async () => {
      await open(desk, "/keys", "en-US");
      const note = desk.locator(".spend-note");
      await note.waitFor();
      expect(await note.textContent()).toContain("1 USD = 7.2 CNY (default rate)");
      // beta-cny paid ¥ for the relay's first answer? No: the relay only ever answered 429. Its spend is in ¥.
      expect(
        await desk.locator("tbody tr", { hasText: "beta-cny" }).locator(".spend").textContent(),
      ).toContain("¥");
      expect(
        await desk.locator("tbody tr", { hasText: "alpha key" }).locator(".spend").textContent(),
      ).toContain("/ $5.00");
      await note.getByRole("button", { name: "Edit rate" }).click();
      const dialog = desk.locator("dialog[open]");
      await dialog.locator("input[name=usd_cny_rate]").fill("7.1");
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      await desk.locator(".spend-note[data-rate='7.1']").waitFor();
      expect(await note.textContent()).not.toContain("default");
    },
    T,
  );

  it(
    "missing 6: the models page shows how many links each model has, linking to them",
    async () => {
      await open(desk, "/models", "en-US");
      const count = desk.locator("tr[data-model=chat-x] .link-count");
      await count.waitFor();
      expect(await count.textContent()).toBe("3 of 3 on");
      await count.click();
      await desk.waitForURL(new RegExp(`/model-providers\\?model=${chatId}$`));
    },
    T,
  );

  it(
    "defect 9: in zh-CN failure kinds are words and relative times read as Chinese",
    async () => {
      await open(desk, `/model-providers?model=${chatId}`, "zh-CN");
      const flaky = desk.locator("tbody tr", { hasText: "up-fail" });
      await flaky.getByRole("button", { name: /最近失败/ }).click();
      const detail = desk.locator("tr.detail-row");
      await detail.waitFor();
      const text = (await detail.textContent()) ?? "";
      expect(text).toContain("服务端错误");
      expect(text).not.toMatch(/\bserver\b/);
      expect(text).toMatch(/\d+ (秒|分钟)前/);
      expect(text).not.toMatch(/\d+[smh] 前/);
      await shot(desk, "links-failures-zh");

      await open(desk, "/logs", "zh-CN");
      await desk.locator(".logs-table tbody tr.clickable").first().waitFor();
      await desk.locator(".logs-table tbody tr.clickable", { hasText: "3 次尝试" }).first().click();
      const drawer = desk.locator("dialog[open]");
      await drawer.locator(".chain-step.failed").first().waitFor();
      const kinds = await drawer.locator(".chain-step.failed .tag[data-kind]").allTextContents();
      expect(kinds).toEqual(["限流", "服务端错误"]);
      await desk.keyboard.press("Escape");
      await drawer.waitFor({ state: "detached" });
    },
    T,
  );

  it("defect 3 and missing 7: at 390 px every page is cards, without sideways scrolling, actions on screen (zh-CN and en-US)", async () => {
    for (const lang of ["zh-CN", "en-US"] as const) {
      for (const [name, path] of PAGES) {
        await open(phone, path.replace("model=1", `model=${chatId}`), lang);
        await phone.locator(".table tbody tr, .kpi").first().waitFor();
        expect({ name, lang, overflow: await pageOverflow(phone) }).toEqual({ name, lang, overflow: 0 });
        expect({ name, off: await actionsOffScreen(phone) }).toEqual({ name, off: [] });
        if (name !== "dashboard") {
          expect(await phone.locator(".table thead").first().isVisible()).toBe(false);
        }
        // The navigation is one row (it scrolls sideways itself, with a fade as the hint).
        const nav = await phone.locator(".sidebar").boundingBox();
        expect(nav?.height).toBeLessThan(56);
        await shot(phone, `${name}-${lang}`);
      }
    }
    const mask = await phone.locator(".sidebar").evaluate((el) => getComputedStyle(el).maskImage);
    expect(mask).toContain("linear-gradient");
  }, 90_000);

  it(
    "defect 3: on a phone the dialogs open inside the screen and the log drawer's close button covers nothing",
    async () => {
      await open(phone, "/providers", "en-US");
      await phone.getByRole("button", { name: "Add provider" }).click();
      await phone.locator("dialog[open]").waitFor();
      expect(await insideViewport(phone, "dialog[open]")).toBe(true);
      await phone.keyboard.press("Escape");
      await phone.locator("dialog[open]").waitFor({ state: "detached" });

      await open(phone, `/model-providers?model=${chatId}`, "en-US");
      await phone.locator("tbody tr").first().waitFor();
      await phone.getByRole("button", { name: "Add link" }).click();
      await phone.locator("dialog[open]").waitFor();
      expect(await insideViewport(phone, "dialog[open]")).toBe(true);
      expect(await pageOverflow(phone)).toBeLessThanOrEqual(0);
      await shot(phone, "link-dialog");
      await phone.keyboard.press("Escape");
      await phone.locator("dialog[open]").waitFor({ state: "detached" });

      // A row's own button opens its dialog inside the screen too.
      await phone.locator("tbody tr", { hasText: "up-fail" }).getByRole("button", { name: "Edit" }).click();
      await phone.locator("dialog[open]").waitFor();
      expect(await insideViewport(phone, "dialog[open]")).toBe(true);
      await phone.keyboard.press("Escape");
      await phone.locator("dialog[open]").waitFor({ state: "detached" });

      await open(phone, "/logs", "en-US");
      await phone.locator(".logs-table tbody tr.clickable", { hasText: "3 tries" }).first().click();
      const drawer = phone.locator("dialog[open]");
      await drawer.locator(".chain-step.final").waitFor();
      expect(await insideViewport(phone, "dialog[open]")).toBe(true);
      const close = await drawer.getByRole("button", { name: "Close" }).first().boundingBox();
      const badges = await drawer.locator(".title-badges").boundingBox();
      if (!close || !badges) throw new Error("missing boxes");
      const overlap =
        close.x < badges.x + badges.width &&
        badges.x < close.x + close.width &&
        close.y < badges.y + badges.height &&
        badges.y < close.y + close.height;
      expect(overlap).toBe(false);
      await shot(phone, "log-detail");
      await phone.keyboard.press("Escape");
      await drawer.waitFor({ state: "detached" });
    },
    T,
  );

  it(
    "defect 3 and missing 7: on a phone the log filters fold behind one button that counts the active ones",
    async () => {
      await open(phone, "/logs?status=success", "en-US");
      await phone.locator(".logs-table tbody tr.clickable").first().waitFor();
      const filters = phone.locator(".filters");
      expect(await filters.isVisible()).toBe(false);
      const toggle = phone.locator(".filters-toggle");
      expect(await toggle.textContent()).toContain("1");
      // The first record is near the top instead of ~640 px down.
      const first = await phone.locator(".logs-table tbody tr.clickable").first().boundingBox();
      expect(first?.y).toBeLessThan(330);
      await toggle.click();
      await filters.waitFor();
      expect(await phone.locator("select[name=status]").inputValue()).toBe("success");
      await shot(phone, "logs-filters-open");
    },
    T,
  );
});
