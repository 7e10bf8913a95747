import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { TEST_TOKEN } from "../helpers/app";

/** Screenshots of the UI tests go to the git-ignored `tmp/ui/` of the worktree. */
export const SHOTS = join(import.meta.dir, "../../tmp/ui");
mkdirSync(SHOTS, { recursive: true });

/** Signs the page in (the stored token) and picks the language before any page script runs. */
export async function signIn(page: Page, lang: "zh-CN" | "en-US" = "zh-CN"): Promise<void> {
  await page.addInitScript(
    ([token, l]) => {
      localStorage.setItem("llmio.token", token);
      if (!sessionStorage.getItem("llmio.test.lang")) {
        localStorage.setItem("llmio.lang", l);
        sessionStorage.setItem("llmio.test.lang", l);
      }
    },
    [TEST_TOKEN, lang] as const,
  );
}

/** Switches the console's language through the header's switch. */
export async function switchLanguage(page: Page, to: "zh-CN" | "en-US"): Promise<void> {
  await page.getByRole("button", { name: to === "en-US" ? "EN" : "中" }).click();
}

export function shot(page: Page, name: string, fullPage = true) {
  return page.screenshot({
    path: join(SHOTS, `${name}.png`),
    fullPage,
    animations: "disabled",
    timeout: 20_000,
  });
}
