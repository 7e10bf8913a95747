import { createSignal } from "solid-js";
import { useI18n } from "../lib/i18n";
import { CheckIcon, CopyIcon } from "./icons";

/** Copies `text()` to the clipboard and says so for a moment. */
export function CopyButton(props: { text: () => string; label?: string }) {
  const { t } = useI18n();
  const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text());
      setState("copied");
    } catch {
      setState("failed");
    }
    setTimeout(() => setState("idle"), 1500);
  };
  const label = () =>
    state() === "copied"
      ? t("logs.body.copied")
      : state() === "failed"
        ? t("logs.body.copyFailed")
        : (props.label ?? t("logs.body.copy"));
  return (
    <button type="button" class="btn sm" onClick={copy}>
      {state() === "copied" ? <CheckIcon /> : <CopyIcon />}
      {label()}
    </button>
  );
}
