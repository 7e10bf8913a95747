import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { createApp } from "../../src/app";
import { staticAdminToken } from "../../src/http/admin-token";
import { openDatabase } from "../../src/storage/db";
import { sqliteStorage } from "../../src/storage/sqlite";
import { testConfig } from "../helpers/app";
import {
  BROWSER_HOOK_MS,
  BROWSER_TEST_MS,
  CHROMIUM,
  haveChromium,
  launchPage,
  uiBuilt as built,
} from "./chromium";
import { SHOTS } from "./pages";

// A real browser on a shared machine: each test gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The admin console in a real Chromium against the real app on a real socket. Screenshots of each page
 * go to tmp/ui/llmio-ui-*.png (git-ignored) for a human to look at.
 */

const TOKEN = "ui-test-token";
if (!haveChromium)
  console.warn(`skipping the console test: ${CHROMIUM} is missing (apt-get install chromium)`);
if (!built) console.warn("skipping the console test: the UI is not built (npm run build:ui)");

describe.skipIf(!haveChromium || !built)("admin console in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let base: string;
  let app: ReturnType<typeof createApp>;

  const shot = (name: string) =>
    page.screenshot({ path: `${SHOTS}/llmio-ui-${name}.png`, fullPage: true, animations: "disabled" });
  const adminPost = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ id: number }>);

  beforeAll(async () => {
    app = createApp({
      storage: sqliteStorage(openDatabase(":memory:")),
      config: testConfig({ token: TOKEN }),
      adminToken: staticAdminToken(TOKEN),
    });
    app.listen({ port: 0, hostname: "127.0.0.1", reusePort: false });
    base = `http://127.0.0.1:${app.server?.port}`;
    ({ browser, page } = await launchPage({ width: 1360, height: 800 }));
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await app?.stop(true);
  }, BROWSER_HOOK_MS);

  it("sends a signed-out visitor from / to the login page", async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login\?redirect=/);
    await expect(page.getByRole("heading", { name: "登录 llmio" }).isVisible()).resolves.toBe(true);
    await shot("login");
  });

  it("shows an error for a wrong token and stays on the login page", async () => {
    await page.locator("input[name=token]").fill("wrong-token");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("alert").filter({ hasText: "令牌无效" }).waitFor();
    expect(page.url()).toContain("/login");
    expect(await page.evaluate(() => localStorage.getItem("llmio.token"))).toBeNull();
    await shot("login-error");
  });

  it("signs in with the right token, lands on the dashboard, and opens the providers page", async () => {
    await page.locator("input[name=token]").fill(TOKEN);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("heading", { name: "仪表盘" }).waitFor();
    await page.locator(".sidebar").getByRole("link", { name: "提供商", exact: true }).click();
    await page.waitForURL(/\/providers$/);
    await page.getByRole("heading", { name: "提供商" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("llmio.token"))).toBe(TOKEN);
  });

  it("creates a provider through the dialog and shows it in the table with a masked key", async () => {
    await page.getByRole("button", { name: "添加提供商" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.locator("input[name=name]").fill("openai-main");
    await dialog.locator("select[name=type]").selectOption("openai");
    await dialog.locator("input[name=base_url]").fill("https://api.example.com/v1");
    await dialog.locator("input[name=api_key]").fill("sk-ui-test-secret-123456");
    await shot("provider-dialog");
    await dialog.getByRole("button", { name: "保存" }).click();
    const row = page.locator("tbody tr", { hasText: "openai-main" });
    await row.waitFor();
    expect(await row.textContent()).toContain("https://api.example.com/v1");
    expect(await page.locator("body").textContent()).not.toContain("sk-ui-test-secret-123456");
    await page.locator("dialog[open]").waitFor({ state: "detached" });
    await shot("providers");
  });

  it("shows the API's error message when a name is taken", async () => {
    await page.getByRole("button", { name: "添加提供商" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.locator("input[name=name]").fill("openai-main");
    await dialog.locator("input[name=base_url]").fill("https://api.example.com");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.getByText("already exists").waitFor();
    await dialog.getByRole("button", { name: "取消" }).click();
    await page.locator("dialog[open]").waitFor({ state: "detached" });
  });

  it("switches the language to English and keeps the choice", async () => {
    await page.getByRole("button", { name: "EN" }).click();
    await page.getByRole("heading", { name: "Providers" }).waitFor();
    await page.getByRole("link", { name: "Models" }).waitFor();
    await page.getByRole("button", { name: "Add provider" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("llmio.lang"))).toBe("en-US");
  });

  it("lists models and the selected model's provider links", async () => {
    const providers = (await (
      await fetch(`${base}/api/providers`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { id: number }[];
    const model = await adminPost("/api/models", { name: "gpt-4o", remark: "default chat model" });
    await adminPost("/api/model-providers", {
      model_id: model.id,
      provider_id: providers[0].id,
      provider_model: "gpt-4o-2024-08-06",
      weight: 10,
      image: false,
      input_price: 2.5,
      output_price: 10,
    });

    await page.getByRole("link", { name: "Models" }).click();
    await page.locator("tbody tr", { hasText: "gpt-4o" }).waitFor();
    await shot("models");

    await page.getByRole("link", { name: "Model links" }).click();
    const row = page.locator("tbody tr", { hasText: "gpt-4o-2024-08-06" });
    await row.waitFor();
    expect(await row.textContent()).toContain("openai-main");
    await shot("links");

    await page.getByRole("button", { name: "Add link" }).click();
    const dialog = page.locator("dialog[open]");
    expect(await dialog.locator("select[name=provider_id]").inputValue()).toBe(String(providers[0].id));
    await shot("link-dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.locator("dialog[open]").waitFor({ state: "detached" });
  });

  it("toggles the dark theme and remembers it", async () => {
    await page.getByRole("button", { name: "Switch to dark mode" }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await page.evaluate(() => localStorage.getItem("llmio.theme"))).toBe("dark");
    await shot("links-dark");
    await page.getByRole("link", { name: "Providers" }).click();
    await page.getByRole("heading", { name: "Providers" }).waitFor();
    await shot("providers-dark");
  });

  it("logs out back to the login page", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);
    await page.getByRole("heading", { name: "Sign in to llmio" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("llmio.token"))).toBeNull();
  });

  it("answers a rejected stored token with the login page, then returns to the page asked for", async () => {
    await page.evaluate(() => localStorage.setItem("llmio.token", "stale-token"));
    await page.goto(`${base}/models`);
    await page.waitForURL(/\/login\?redirect=%2Fmodels$/);
    expect(await page.evaluate(() => localStorage.getItem("llmio.token"))).toBeNull();
    await page.locator("input[name=token]").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/models$/);
    await page.getByRole("heading", { name: "Models" }).waitFor();
  });
});
