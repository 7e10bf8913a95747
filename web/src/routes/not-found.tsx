import { A } from "@solidjs/router";
import { useI18n } from "../lib/i18n";

export default function NotFound() {
  const { t } = useI18n();
  return (
    <div class="panel empty-state">
      <h2>{t("notFound.title")}</h2>
      <A href="/" class="btn">
        {t("notFound.back")}
      </A>
    </div>
  );
}
