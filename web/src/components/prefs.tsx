import { For } from "solid-js";
import { LANGS, useI18n } from "../lib/i18n";
import { theme, toggleTheme } from "../lib/theme";
import { MoonIcon, SunIcon } from "./icons";

/** The language switch: one button per language, the current one pressed. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div class="segmented" role="group" aria-label={t("header.language")}>
      <For each={LANGS}>
        {(l) => (
          <button
            type="button"
            title={l.label}
            aria-pressed={lang() === l.code}
            classList={{ active: lang() === l.code }}
            onClick={() => setLang(l.code)}
          >
            {l.short}
          </button>
        )}
      </For>
    </div>
  );
}

export function ThemeToggle() {
  const { t } = useI18n();
  const label = () => (theme() === "dark" ? t("header.theme.light") : t("header.theme.dark"));
  return (
    <button type="button" class="btn icon ghost" title={label()} aria-label={label()} onClick={toggleTheme}>
      {theme() === "dark" ? <SunIcon /> : <MoonIcon />}
    </button>
  );
}
