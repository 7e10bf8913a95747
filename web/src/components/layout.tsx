import { A, type RouteSectionProps, useLocation, useNavigate } from "@solidjs/router";
import {
  createEffect,
  createResource,
  createSignal,
  ErrorBoundary,
  For,
  type JSX,
  on,
  Show,
  Suspense,
} from "solid-js";
import { clearToken, pagesApi, token } from "../lib/api";
import { type DictKey, useI18n } from "../lib/i18n";
import { ActivityIcon, CloudIcon, CubeIcon, DashboardIcon, KeyIcon, LinkIcon, LogoutIcon } from "./icons";
import { GearIcon, LayersIcon, PanelIcon, RocketIcon } from "./page-icons";
import { LanguageSwitch, ThemeToggle } from "./prefs";

interface NavItem {
  href: string;
  label: DictKey;
  icon: () => JSX.Element;
}

/** Only pages that exist and work are listed. The home page has no section. */
const NAV: { section?: DictKey; items: NavItem[] }[] = [
  {
    items: [
      { href: "/", label: "nav.dashboard", icon: DashboardIcon },
      { href: "/quickstart", label: "nav.quickstart", icon: RocketIcon },
    ],
  },
  {
    section: "nav.section.config",
    items: [
      { href: "/providers", label: "nav.providers", icon: CloudIcon },
      { href: "/models", label: "nav.models", icon: CubeIcon },
      { href: "/model-providers", label: "nav.links", icon: LinkIcon },
      { href: "/keys", label: "nav.keys", icon: KeyIcon },
      { href: "/bulk-mapping", label: "nav.bulk", icon: LayersIcon },
      { href: "/settings", label: "nav.settings", icon: GearIcon },
    ],
  },
  {
    section: "nav.section.observe",
    items: [{ href: "/logs", label: "nav.logs", icon: ActivityIcon }],
  },
];

export function Logo() {
  return (
    <span class="logo" aria-hidden="true">
      <svg viewBox="0 0 32 32" width="26" height="26">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <path
          d="M10 8.5v15h5.5M18 8.5v15h5.5"
          stroke="white"
          stroke-width="3"
          fill="none"
          stroke-linecap="round"
        />
      </svg>
    </span>
  );
}

/** The signed-in shell: header, sidebar, and the one Suspense + ErrorBoundary of the console. */
export function Layout(props: RouteSectionProps) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  let loggingOut = false;
  // The sidebar folds to its icons; the choice is a display preference kept in this browser.
  const [collapsed, setCollapsed] = createSignal(localStorage.getItem("llmio.sidebar") === "collapsed");
  const toggleSidebar = () => {
    setCollapsed(!collapsed());
    localStorage.setItem("llmio.sidebar", collapsed() ? "collapsed" : "open");
  };
  const [version] = createResource(token, () => pagesApi.version().catch(() => null));

  // Signed out (no token yet, or a 401 cleared it): go to /login and come back here afterwards.
  createEffect(() => {
    if (token() || loggingOut) return;
    const back = location.pathname + location.search;
    navigate(`/login?redirect=${encodeURIComponent(back)}`, { replace: true });
  });

  const logout = () => {
    loggingOut = true;
    clearToken();
    navigate("/login", { replace: true });
  };

  return (
    <Show when={token()}>
      <div class="shell" classList={{ "sidebar-collapsed": collapsed() }}>
        <header class="topbar">
          <A href="/" class="brand">
            <Logo />
            <span class="brand-name">{t("app.name")}</span>
            <span class="brand-tag">{t("app.tagline")}</span>
          </A>
          <div class="topbar-actions">
            <Show when={version.latest}>
              {(v) => (
                <span class="version-badge" title={t("header.version", { version: v().version })}>
                  v{v().version}
                </span>
              )}
            </Show>
            <LanguageSwitch />
            <ThemeToggle />
            <button type="button" class="btn ghost" onClick={logout}>
              <LogoutIcon />
              <span>{t("header.logout")}</span>
            </button>
          </div>
        </header>
        <nav class="sidebar">
          <For each={NAV}>
            {(group) => (
              <>
                <Show when={group.section}>{(section) => <div class="nav-section">{t(section())}</div>}</Show>
                <For each={group.items}>
                  {(item) => (
                    <A
                      href={item.href}
                      class="nav-item"
                      activeClass="active"
                      end={item.href === "/"}
                      title={collapsed() ? t(item.label) : undefined}
                    >
                      {item.icon()}
                      <span>{t(item.label)}</span>
                    </A>
                  )}
                </For>
              </>
            )}
          </For>
          <button
            type="button"
            class="nav-item sidebar-toggle"
            aria-expanded={!collapsed()}
            aria-label={collapsed() ? t("nav.expand") : t("nav.collapse")}
            title={collapsed() ? t("nav.expand") : t("nav.collapse")}
            onClick={toggleSidebar}
          >
            <PanelIcon />
            <span>{t("nav.collapseShort")}</span>
          </button>
        </nav>
        <main class="content">
          <ErrorBoundary
            fallback={(err: unknown, reset) => {
              // Leaving the page clears the error, so one failure does not stick to every page.
              createEffect(on(() => location.pathname, reset, { defer: true }));
              return (
                <div class="panel error-panel" role="alert">
                  <h2>{t("common.error")}</h2>
                  <p>{err instanceof Error ? err.message : String(err)}</p>
                  <button type="button" class="btn" onClick={reset}>
                    {t("common.retry")}
                  </button>
                </div>
              );
            }}
          >
            <Suspense fallback={<div class="loading">{t("common.loading")}</div>}>{props.children}</Suspense>
          </ErrorBoundary>
        </main>
      </div>
    </Show>
  );
}

/** Page title row: heading, subtitle, and actions on the right. */
export function PageHeader(props: { title: string; subtitle?: string; children?: JSX.Element }) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        <Show when={props.subtitle}>
          <p class="muted">{props.subtitle}</p>
        </Show>
      </div>
      <div class="page-actions">{props.children}</div>
    </div>
  );
}
