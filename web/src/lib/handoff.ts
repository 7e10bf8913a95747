import { createSignal } from "solid-js";

/** A client key handed from the keys page to the quickstart: in this tab's memory only, never stored. */
export interface HandedKey {
  name: string;
  key: string;
}

const [handed, setHanded] = createSignal<HandedKey | null>(null);

/** The key last handed over (null after a reload: it is never written anywhere). */
export const handedKey = handed;

export function handOffKey(key: HandedKey): void {
  setHanded(key);
}
