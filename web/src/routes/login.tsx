import { useNavigate, useSearchParams } from "@solidjs/router";
import { createSignal } from "solid-js";
import { FormError } from "../components/form-dialog";
import { Logo } from "../components/layout";
import { LanguageSwitch, ThemeToggle } from "../components/prefs";
import { api, setToken } from "../lib/api";
import { useI18n } from "../lib/i18n";

/** Only same-site paths are followed after login (no `//evil.example`). */
const safeRedirect = (value: string | string[] | undefined) =>
  typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/login")
    ? value
    : "/";

export default function Login() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [value, setValue] = createSignal("");
  const [error, setError] = createSignal("");
  const [busy, setBusy] = createSignal(false);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const candidate = value().trim();
    if (!candidate) return setError(t("login.required"));
    setBusy(true);
    setError("");
    const res = await api.checkToken(candidate);
    setBusy(false);
    if (!res.ok)
      return setError(res.status === 401 ? t("login.invalid") : res.message || t("common.networkError"));
    setToken(candidate);
    navigate(safeRedirect(params.redirect), { replace: true });
  };

  return (
    <div class="login-page">
      <div class="login-prefs">
        <LanguageSwitch />
        <ThemeToggle />
      </div>
      <form class="login-card" onSubmit={submit} novalidate>
        <div class="login-brand">
          <Logo />
          <span class="brand-name">{t("app.name")}</span>
        </div>
        <h1>{t("login.title")}</h1>
        <p class="muted">{t("login.subtitle")}</p>
        <label class="field">
          <span class="field-label">{t("login.token")}</span>
          <input
            name="token"
            type="password"
            autocomplete="current-password"
            placeholder={t("login.placeholder")}
            value={value()}
            onInput={(e) => setValue(e.currentTarget.value)}
            autofocus
          />
        </label>
        <FormError message={error()} />
        <button type="submit" class="btn primary block" disabled={busy()}>
          {busy() ? t("login.checking") : t("login.submit")}
        </button>
        <p class="login-hint">{t("login.hint")}</p>
      </form>
    </div>
  );
}
