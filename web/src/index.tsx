import { Route, Router } from "@solidjs/router";
import { render } from "solid-js/web";
import { Layout } from "./components/layout";
import { ToastProvider } from "./components/toast";
import { I18nProvider } from "./lib/i18n";
import Dashboard from "./routes/dashboard";
import Keys from "./routes/keys";
import Login from "./routes/login";
import Logs from "./routes/logs";
import ModelProviders from "./routes/model-providers";
import Models from "./routes/models";
import NotFound from "./routes/not-found";
import Providers from "./routes/providers";
import BulkMapping from "./routes/bulk-mapping";
import Quickstart from "./routes/quickstart";
import Settings from "./routes/settings";
import "./styles.css";
import "./pages.css";

render(
  () => (
    <I18nProvider>
      <ToastProvider>
        <Router>
          <Route path="/login" component={Login} />
          <Route path="/" component={Layout}>
            <Route path="/" component={Dashboard} />
            <Route path="/providers" component={Providers} />
            <Route path="/models" component={Models} />
            <Route path="/model-providers" component={ModelProviders} />
            <Route path="/keys" component={Keys} />
            <Route path="/logs" component={Logs} />
            <Route path="/quickstart" component={Quickstart} />
            <Route path="/bulk-mapping" component={BulkMapping} />
            <Route path="/settings" component={Settings} />
            <Route path="*404" component={NotFound} />
          </Route>
        </Router>
      </ToastProvider>
    </I18nProvider>
  ),
  document.getElementById("root") as HTMLElement,
);
