import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { VERSION } from "../../src/core/version";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream";
import { chat, type Gateway, startGateway } from "../helpers/gateway";
import { smallOriginalDatabase } from "../helpers/llmio-original";
import { BROWSER_HOOK_MS, BROWSER_TEST_MS, haveChromium, launchPage, uiBuilt } from "./chromium";
import { shot, signIn, switchLanguage } from "./pages";

// A real browser on a shared machine: each test (and hook) gets its own, longer time.
setDefaultTimeout(BROWSER_TEST_MS);

/*
 * The console's added pages in a real Chromium against a real gateway (and a fake upstream): quickstart
 * (also reached from a new key), settings, bulk mapping, the links' result strips, the dashboard's latency
 * card, the version badge and the collapsible sidebar, in both languages.
 */
describe.skipIf(!haveChromium || !uiBuilt)("added console pages in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let gw: Gateway;
  let up: FakeUpstream;
  let chatModelId = 0;

  beforeAll(async () => {
    up = startFakeUpstream({ "up-bad": { kind: "status", status: 500 } });
    gw = startGateway();
    chatModelId = gw.link({
      model: "chat-x",
      provider: "steady",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-ok",
    }).link.model_id;
    gw.link({
      model: "chat-x",
      provider: "flaky",
      type: "openai",
      baseUrl: up.url,
      providerModel: "up-bad",
      modelOptions: { max_attempts: 2 },
    });
    for (let i = 0; i < 6; i++) expect((await chat(gw, "chat-x", { stream: i % 2 === 0 })).status).toBe(200);
    await gw.flush();
    ({ browser, page } = await launchPage({ width: 1440, height: 900 }));
    page.setDefaultTimeout(15_000);
    await signIn(page, "zh-CN");
  }, BROWSER_HOOK_MS);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await up?.stop();
  });

  it(
    "shows the version badge, the new nav entries, and folds the sidebar (kept after a reload)",
    async () => {
      await page.goto(`${gw.url}/`);
      expect(await page.locator(".version-badge").textContent()).toBe(`v${VERSION}`);
      const sidebar = page.locator(".sidebar");
      for (const name of ["快速开始", "批量映射", "设置"])
        await sidebar.getByRole("link", { name, exact: true }).waitFor();
      const width = async () => (await sidebar.boundingBox())?.width ?? 0;
      expect(await width()).toBeGreaterThan(150);
      await sidebar.getByRole("button", { name: "收起侧边栏" }).click();
      await page.locator(".shell.sidebar-collapsed").waitFor();
      expect(await width()).toBeLessThan(70);
      await page.reload();
      await page.locator(".shell.sidebar-collapsed").waitFor();
      await shot(page, "sidebar-collapsed", false);
      await sidebar.getByRole("button", { name: "展开侧边栏" }).click();
      await page.locator(".shell:not(.sidebar-collapsed)").waitFor();
      expect(await width()).toBeGreaterThan(150);
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "shows p50 / p95 latency, time to first token and error rate per model and provider on the dashboard",
    async () => {
      await page.goto(`${gw.url}/`);
      const panel = page.locator(".latency-panel");
      const row = panel.locator("tr[data-name=chat-x]");
      await row.waitFor();
      expect(await row.locator("td").nth(1).textContent()).toBe("6");
      expect(await row.locator("[data-col=latency]").textContent()).toMatch(/ms \/ .*ms|s \/ /);
      expect(await row.locator("[data-col=ttft]").textContent()).not.toBe("—");
      await panel.getByRole("tab", { name: "按提供商" }).click();
      await panel.locator("table[data-by=providers] tr[data-name=steady]").waitFor();
      await shot(page, "dashboard");
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "draws each link's recent results as green and red bars on the links page",
    async () => {
      await page.goto(`${gw.url}/model-providers?model=${chatModelId}`);
      const strip = (upstream: string) =>
        page.locator("tbody tr", { hasText: upstream }).locator(".result-strip");
      await strip("up-ok").waitFor();
      const ok = (await strip("up-ok").getAttribute("data-results")) ?? "";
      const bad = (await strip("up-bad").getAttribute("data-results")) ?? "";
      expect(ok).toMatch(/^1+$/);
      expect(bad).toMatch(/^0+$/);
      expect(ok.length + bad.length).toBeGreaterThanOrEqual(6);
      expect(await strip("up-ok").locator(".bar.ok").count()).toBe(ok.length);
      expect(await strip("up-bad").locator(".bar.fail").count()).toBe(bad.length);
      await shot(page, "links-strips");
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "maps several upstream models of a provider in one step, with a prefix",
    async () => {
      await page.goto(`${gw.url}/model-providers?model=${chatModelId}`);
      await page.getByRole("link", { name: "批量映射" }).first().click();
      await page.waitForURL(/\/bulk-mapping/);
      await page.locator("select[name=provider]").selectOption({ label: "steady" });
      await page.locator("input[name=upstream-model]").nth(1).waitFor();
      await page.locator("input[name=prefix]").fill("fk/");
      await page.getByRole("button", { name: "全选" }).click();
      expect(await page.locator("[data-selected-count]").textContent()).toBe("已选 2 / 2");
      expect(await page.locator(".bulk-list").first().textContent()).toContain("fk/fake-a");
      await shot(page, "bulk-mapping");
      await page.getByRole("button", { name: "创建 2 个映射" }).click();
      await page.locator("[data-bulk-result]").getByRole("link", { name: "fk/fake-b" }).waitFor();
      const links = gw.db
        .query(
          "SELECT m.name, l.provider_model FROM model_providers l JOIN models m ON m.id = l.model_id WHERE m.name LIKE 'fk/%' ORDER BY m.name",
        )
        .all();
      expect(links).toEqual([
        { name: "fk/fake-a", provider_model: "fake-a" },
        { name: "fk/fake-b", provider_model: "fake-b" },
      ]);
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "offers the quickstart right after a key is created, with the key in memory only",
    async () => {
      await page.goto(`${gw.url}/keys`);
      await page.getByRole("button", { name: "创建密钥" }).click();
      const form = page.locator("dialog[open]");
      await form.locator("input[name=name]").fill("qs-client");
      await form.getByRole("button", { name: "保存" }).click();
      const dialog = page.locator("dialog[open]").filter({ hasText: "请保存新密钥" });
      const key = await dialog.locator("input[name=secret]").inputValue();
      await dialog.getByRole("button", { name: "快速开始" }).click();
      await page.waitForURL(/\/quickstart$/);
      expect(page.url()).not.toContain(key);
      expect(await page.locator("input[name=key]").inputValue()).toBe(key);
      expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toContain(
        key,
      );
      const code = page.locator("pre[data-snippet]");
      expect(await code.textContent()).toContain(`curl ${gw.url}/v1/chat/completions`);
      expect(await code.textContent()).toContain(`Authorization: Bearer ${key}`);
      expect(await page.locator(".qs-urls").textContent()).toContain(`${gw.url}/v1`);
      await page.getByRole("tab", { name: "Claude Code" }).click();
      expect(await code.textContent()).toContain(`ANTHROPIC_BASE_URL=${gw.url}`);
      expect(await code.textContent()).toContain(`ANTHROPIC_AUTH_TOKEN=${key}`);
      await page.getByRole("tab", { name: "Codex" }).click();
      expect(await code.textContent()).toContain('wire_api = "responses"');
      await page.getByRole("tab", { name: "Gemini CLI" }).click();
      expect(await code.textContent()).toContain(`GOOGLE_GEMINI_BASE_URL=${gw.url}`);
      // The snippet really works: the curl's key and model answer through the gateway.
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: await page.locator("select[name=model]").inputValue(),
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(res.status).toBe(200);
      await page.getByRole("tab", { name: "curl" }).click();
      await shot(page, "quickstart");
      // After a reload the key is gone: it was never stored.
      await page.reload();
      expect(await page.locator("input[name=key]").inputValue()).toBe("");
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "shows the quickstart in English with a placeholder key",
    async () => {
      await switchLanguage(page, "en-US");
      await page.getByRole("heading", { name: "Quickstart" }).waitFor();
      await page.getByRole("tab", { name: "Python" }).click();
      const code = await page.locator("pre[data-snippet]").textContent();
      expect(code).toContain(`base_url="${gw.url}/v1"`);
      expect(code).toContain('api_key="sk-llmio-YOUR-KEY"');
      await page.getByRole("tab", { name: "Claude Code" }).click();
      await shot(page, "readme-quickstart", false);
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "shows the dashboard's latency card in English (the README's screenshot)",
    async () => {
      await page.setViewportSize({ width: 1440, height: 1320 });
      await page.goto(`${gw.url}/`);
      await page.locator(".latency-panel tr[data-name=chat-x]").waitFor();
      expect(await page.locator(".latency-panel h2").textContent()).toBe("Latency and time to first token");
      await shot(page, "readme-dashboard", false);
      await page.setViewportSize({ width: 1440, height: 900 });
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "fits the new pages on a phone (390 px): no sideways scrolling",
    async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        for (const path of ["/quickstart", "/settings", "/bulk-mapping?provider=1"]) {
          await page.goto(gw.url + path);
          await page.locator(".pg-panel").first().waitFor();
          if (path.startsWith("/bulk")) await page.locator("input[name=upstream-model]").first().waitFor();
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect({ path, width }).toEqual({ path, width: 390 });
          await shot(page, `phone${path.split("?")[0].replace("/", "-")}`);
        }
      } finally {
        await page.setViewportSize({ width: 1440, height: 900 });
      }
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "sets the log retention and runs it, each after a confirmation, in English",
    async () => {
      await page.goto(`${gw.url}/settings`);
      const retention = page.locator("[data-section=retention]");
      await retention.locator("input[name=retention-days]").fill("30");
      await retention.getByRole("button", { name: "Save" }).click();
      const confirm = page.locator("dialog[open]");
      expect(await confirm.textContent()).toContain("Keep request logs for 30 days?");
      await confirm.getByRole("button", { name: "Confirm" }).click();
      await page.locator("dialog[open]").waitFor({ state: "detached" });
      expect(await gw.runtime.retention.days()).toBe(30);
      await retention.getByRole("button", { name: "Run now" }).click();
      await page.locator("dialog[open]").getByRole("button", { name: "Run now" }).click();
      await retention.locator("[data-last-run]", { hasText: "deleted 0 (keeping 30 days)" }).waitFor();
      // The token comes from TOKEN here: the reset is refused and says why.
      const token = page.locator("[data-section=token]");
      expect(await token.textContent()).toContain("TOKEN environment variable");
      expect(await token.getByRole("button", { name: "Reset token" }).isDisabled()).toBe(true);
      await shot(page, "settings-en");
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "exports the configuration and imports it back (merge, then replace), each after a confirmation",
    async () => {
      const exportSection = page.locator("[data-section=export]");
      const download = page.waitForEvent("download");
      await exportSection.getByRole("button", { name: "Export" }).click();
      const file = await download;
      const path = await file.path();
      const doc = JSON.parse(await Bun.file(path).text()) as {
        models: { name: string }[];
        model_providers: { model: string }[];
      };
      expect(doc.models.map((m) => m.name)).toContain("chat-x");

      // Replace with a file that has only chat-x: the bulk-mapped models go, after a warning.
      const only = {
        ...doc,
        models: doc.models.filter((m) => m.name === "chat-x"),
        model_providers: doc.model_providers.filter((l) => l.model === "chat-x"),
      };
      const importSection = page.locator("[data-section=import]");
      await importSection.locator("input[name=import-file]").setInputFiles({
        name: "only-chat.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify(only)),
      });
      await importSection.locator("input[name=import-mode][value=replace]").check();
      await importSection.getByRole("button", { name: "Import" }).click();
      const confirm = page.locator("dialog[open]");
      expect(await confirm.textContent()).toContain(
        "Replace the current configuration with “only-chat.json”?",
      );
      await confirm.getByRole("button", { name: "Import" }).click();
      await page.locator("[data-import-result]").waitFor();
      const names = (gw.db.query("SELECT name FROM models ORDER BY name").all() as { name: string }[]).map(
        (r) => r.name,
      );
      expect(names).toEqual(["chat-x"]);
      await page.locator("dialog[open] .modal-foot").getByRole("button", { name: "Close" }).click();

      // A file that is not JSON is refused inside the confirmation, and nothing changes.
      await importSection.locator("input[name=import-file]").setInputFiles({
        name: "bad.json",
        mimeType: "application/json",
        buffer: Buffer.from("not json"),
      });
      await importSection.getByRole("button", { name: "Import" }).click();
      await page.locator("dialog[open]").getByRole("button", { name: "Import" }).click();
      await page.locator("dialog[open] .form-error", { hasText: "Not a configuration file" }).waitFor();
      await page.keyboard.press("Escape");
    },
    { timeout: BROWSER_TEST_MS },
  );

  it(
    "imports an original llmio database after a confirmation",
    async () => {
      await page.goto(`${gw.url}/settings`);
      const section = page.locator("[data-section=llmio]");
      await section.locator("input[name=llmio-file]").setInputFiles({
        name: "llmio.db",
        mimeType: "application/octet-stream",
        buffer: Buffer.from(smallOriginalDatabase(up.url)),
      });
      await section.getByRole("button", { name: "Import database" }).click();
      const confirm = page.locator("dialog[open]");
      expect(await confirm.textContent()).toContain("“llmio.db”");
      await confirm.getByRole("button", { name: "Import database" }).click();
      expect(await page.locator("[data-import-result]").textContent()).toContain("3 created");
      const names = (gw.db.query("SELECT name FROM models ORDER BY name").all() as { name: string }[]).map(
        (r) => r.name,
      );
      expect(names).toContain("orig-model");
      await page.locator("dialog[open] .modal-foot").getByRole("button", { name: "Close" }).click();
    },
    { timeout: BROWSER_TEST_MS },
  );
});
