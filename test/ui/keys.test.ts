import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { TEST_TOKEN } from "../helpers/app";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { FOUR, type Gateway, linkFour, startGateway } from "../helpers/gateway";
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
 * The Keys page in a real Chromium against a real gateway and a fake upstream: a key created in the UI
 * is copied from the one dialog that shows it and works for /v1/chat/completions until the UI disables it.
 */

if (!haveChromium) console.warn(`skipping the keys UI test: ${CHROMIUM} is missing`);
if (!built) console.warn("skipping the keys UI test: the UI is not built (npm run build:ui)");

describe.skipIf(!haveChromium || !built)("keys page in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let gw: Gateway;
  let up: FakeUpstream;
  let copied = "";

  const shot = (name: string) =>
    page.screenshot({ path: `${SHOTS}/llmio-ui-${name}.png`, fullPage: true, animations: "disabled" });
  const chat = (key: string) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: FOUR.openai.model, messages: [{ role: "user", content: "hi" }] }),
    });

  beforeAll(async () => {
    up = startFakeUpstream();
    gw = startGateway();
    linkFour(gw, up.url);
    ({ browser, page } = await launchPage({ width: 1440, height: 860 }));
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: gw.url });
    // Signed in, in Chinese (the default language).
    await page.goto(`${gw.url}/login`);
    await page.evaluate((token) => localStorage.setItem("llmio.token", token), TEST_TOKEN);
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await up?.stop();
  }, BROWSER_HOOK_MS);

  it("lists the Keys page under configuration in the nav", async () => {
    await page.goto(`${gw.url}/`);
    await page.locator(".sidebar").getByRole("link", { name: "API 密钥", exact: true }).click();
    await page.waitForURL(/\/keys$/);
    await page.getByRole("heading", { name: "API 密钥" }).waitFor();
    await page.getByText("还没有 API 密钥").waitFor();
  });

  it("creates a key and shows it once with a copy button and a you-will-not-see-it-again notice", async () => {
    await page.getByRole("button", { name: "创建密钥" }).click();
    const form = page.locator("dialog[open]");
    await form.locator("input[name=name]").fill("ui-client");
    await form.locator("input[name=rpm_limit]").fill("100");
    await shot("keys-form");
    await form.getByRole("button", { name: "保存" }).click();

    const dialog = page.locator("dialog[open]").filter({ hasText: "请保存新密钥" });
    await dialog.waitFor();
    await expect(dialog.getByRole("alert").textContent()).resolves.toContain("关闭后将无法再次查看");
    const shown = await dialog.locator("input[name=secret]").inputValue();
    expect(shown).toMatch(/^sk-llmio-[A-Za-z0-9_-]{43}$/);
    await shot("keys-secret");
    await dialog.getByRole("button", { name: "复制密钥" }).click();
    await dialog.getByRole("button", { name: "已复制" }).waitFor();
    copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    await dialog.getByRole("button", { name: "我已保存" }).click();
    await dialog.waitFor({ state: "detached" });

    // The table shows the prefix only, never the key.
    const row = page.locator("tbody tr").filter({ hasText: "ui-client" });
    await expect(row.textContent()).resolves.toContain(`${copied.slice(0, 12)}…${copied.slice(-4)}`);
    await expect(row.textContent()).resolves.not.toContain(copied);
    await expect(row.textContent()).resolves.toContain("100 RPM");
    expect(await page.content()).not.toContain(copied);
  });

  it("the copied key works against the gateway", async () => {
    const res = await chat(copied);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
  });

  it("disabling the key in the UI makes the next call a 401", async () => {
    const row = page.locator("tbody tr").filter({ hasText: "ui-client" });
    const toggle = row.getByRole("switch");
    expect(await toggle.isChecked()).toBe(true);
    const saved = page.waitForResponse(
      (r) => r.request().method() === "PUT" && r.url().includes("/api/keys/"),
    );
    await toggle.click({ force: true });
    expect((await saved).status()).toBe(200);
    await page.waitForFunction(
      () => !(document.querySelector("tbody tr [role=switch]") as HTMLInputElement | null)?.checked,
    );
    await shot("keys-disabled");
    const res = await chat(copied);
    expect(res.status).toBe(401);
  });

  it("rotates a key after confirming and shows the new one once", async () => {
    const row = page.locator("tbody tr").filter({ hasText: "ui-client" });
    await row.getByRole("button", { name: "轮换" }).click();
    const confirm = page.locator("dialog[open]").filter({ hasText: "轮换密钥" });
    await confirm.getByRole("button", { name: "轮换" }).click();
    const dialog = page.locator("dialog[open]").filter({ hasText: "请保存新密钥" });
    await dialog.waitFor();
    const rotated = await dialog.locator("input[name=secret]").inputValue();
    expect(rotated).not.toBe(copied);
    await dialog.getByRole("button", { name: "我已保存" }).click();
    await page
      .locator("tbody tr")
      .filter({ hasText: `…${rotated.slice(-4)}` })
      .waitFor();
  });
});
