import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { type AdminToken, resolveAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { type Gateway, startGateway } from "../helpers/gateway";
import { BROWSER_HOOK_MS, BROWSER_TEST_MS, haveChromium, launchPage, uiBuilt } from "./chromium";
import { shot } from "./pages";

// A real browser on a shared machine: each test (and hook) gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The admin token reset from the settings page, on a gateway whose token was generated (no TOKEN): after
 * a confirmation the new token is shown once, this browser goes on with it, and the old one is refused.
 */
describe.skipIf(!haveChromium || !uiBuilt)("admin token reset in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let gw: Gateway;
  let adminToken: AdminToken;
  let old = "";

  beforeAll(async () => {
    // The generated token's hash lives in a settings table of its own here; the gateway only verifies.
    adminToken = await resolveAdminToken(sqliteStorage(openDatabase(":memory:")).settings, undefined);
    old = adminToken.generated as string;
    gw = startGateway({ config: { token: undefined }, deps: { adminToken } });
    ({ browser, page } = await launchPage({ width: 1440, height: 900 }));
    page.setDefaultTimeout(15_000);
    await page.addInitScript((token) => {
      if (!sessionStorage.getItem("signed")) {
        localStorage.setItem("llmio.token", token);
        localStorage.setItem("llmio.lang", "zh-CN");
        sessionStorage.setItem("signed", "1");
      }
    }, old);
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it(
    "resets the token after a confirmation, shows the new one once, and keeps this browser signed in",
    async () => {
      await page.goto(`${gw.url}/settings`);
      const section = page.locator("[data-section=token]");
      expect(await section.textContent()).toContain("令牌由本次启动生成并以哈希保存");
      await section.getByRole("button", { name: "重置令牌" }).click();
      const confirm = page.locator("dialog[open]");
      expect(await confirm.textContent()).toContain("旧令牌立即失效");
      await confirm.getByRole("button", { name: "重置令牌" }).click();
      const shown = page.locator("dialog[open] input[name=new-token]");
      await shown.waitFor();
      const next = await shown.inputValue();
      expect(next).toMatch(/^llmio-/);
      expect(next).not.toBe(old);
      expect(await page.evaluate(() => localStorage.getItem("llmio.token"))).toBe(next);
      await shot(page, "settings-token-reset", false);
      const check = (token: string) =>
        fetch(`${gw.url}/api/auth/check`, { headers: { authorization: `Bearer ${token}` } }).then(
          (r) => r.status,
        );
      expect(await check(old)).toBe(401);
      expect(await check(next)).toBe(200);
      // This browser goes on with the new token: the next page loads without a trip to the login page.
      await page.locator("dialog[open] .modal-foot").getByRole("button").click();
      await page.goto(`${gw.url}/keys`);
      await page.getByRole("heading", { name: "API 密钥" }).waitFor();
      expect(page.url()).not.toContain("/login");
    },
    { timeout: BROWSER_TEST_MS },
  );
});
