import { createContext, createSignal, For, type JSX, useContext } from "solid-js";

interface Toast {
  id: number;
  text: string;
  kind: "ok" | "error";
}

interface Toaster {
  show: (text: string, kind?: Toast["kind"]) => void;
}

const ToastContext = createContext<Toaster>();

/** Short-lived notices in the corner ("Saved", "Deleted", upstream errors outside a form). */
export function ToastProvider(props: { children: JSX.Element }) {
  const [toasts, setToasts] = createSignal<Toast[]>([]);
  let next = 1;
  const show = (text: string, kind: Toast["kind"] = "ok") => {
    const id = next++;
    setToasts((list) => [...list, { id, text, kind }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), kind === "error" ? 6000 : 2500);
  };
  return (
    <ToastContext.Provider value={{ show }}>
      {props.children}
      <div class="toasts" role="status" aria-live="polite">
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
