import { createSignal } from "solid-js";

export type Theme = "light" | "dark";
const STORAGE_KEY = "llmio.theme";

// index.html sets data-theme before first paint (saved choice, else the system preference).
const [theme, setThemeSignal] = createSignal<Theme>(
  document.documentElement.dataset.theme === "dark" ? "dark" : "light",
);

export { theme };

export function toggleTheme() {
  const next: Theme = theme() === "dark" ? "light" : "dark";
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.dataset.theme = next;
  setThemeSignal(next);
}
