/**
 * The browser runtime: hydrates every island on the page from its own bundle,
 * with the props the server rendered it with.
 */
import { type ComponentType, h, hydrate } from "preact";

interface PageState {
  islands: Record<string, string>;
  props: Record<string, unknown>[];
}

/** Hydrates the islands marked in the server's HTML. */
export async function revive(doc: Document = document): Promise<void> {
  const stateEl = doc.getElementById("__FRSH_STATE");
  if (!stateEl?.textContent) return;
  const state = JSON.parse(stateEl.textContent) as PageState;
  const modules = new Map<string, Promise<{ default: ComponentType }>>();
  const roots = [...doc.querySelectorAll<HTMLElement>("[data-frsh-island]")];
  await Promise.all(roots.map(async (root) => {
    const name = root.dataset.frshIsland!;
    if (!modules.has(name)) modules.set(name, import(state.islands[name]));
    const { default: Island } = await modules.get(name)!;
    hydrate(h(Island, state.props[Number(root.dataset.frshId)]), root);
    root.dataset.frshHydrated = "";
  }));
  doc.documentElement.dataset.frshReady = "";
}

revive().catch((err) => console.error("Island hydration failed", err));
