import { createContext, createSignal, For, type JSX, onMount, useContext } from "solid-js";

interface Toast {
  id: number;
  text: string;
  kind: "ok" | "error";
}

interface Toaster {
  show: (text: string, kind?: Toast["kind"]) => void;
  /** Puts the toasts back above everything, a dialog opened since included (see the provider). */
  raise: () => void;
}

const ToastContext = createContext<Toaster>();

/**
 * Short-lived notices in the corner ("Saved", "Deleted", upstream errors outside a form). Dialogs open in
 * the browser's top layer, above any z-index, so the toasts live there too: a manual popover, shown again
 * (which moves it to the top of that layer) whenever a toast appears or a dialog opens.
 */
export function ToastProvider(props: { children: JSX.Element }) {
  const [toasts, setToasts] = createSignal<Toast[]>([]);
  let box!: HTMLDivElement;
  let next = 1;
  const raiseNow = () => {
    if (!box?.isConnected || typeof box.showPopover !== "function") return;
    if (box.matches(":popover-open")) box.hidePopover();
    box.showPopover();
  };
  // Now, and once more after the current frame's work (a dialog being opened or closed in the same task).
  const raise = () => {
    raiseNow();
    requestAnimationFrame(raiseNow);
  };
  const show = (text: string, kind: Toast["kind"] = "ok") => {
    const id = next++;
    setToasts((list) => [...list, { id, text, kind }]);
    raise();
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), kind === "error" ? 6000 : 4000);
  };
  onMount(raise);
  return (
    <ToastContext.Provider value={{ show, raise }}>
      {props.children}
      <div class="toasts" popover="manual" ref={box} role="status" aria-live="polite">
        <For each={toasts()}>{(toast) => <div class={`toast ${toast.kind}`}>{toast.text}</div>}</For>
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Toaster {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error("useToast must be used inside <ToastProvider>");
  return ctx;
}
