/**
 * Islands on the server: components from `islands/` are marked while a page
 * renders, so the browser can hydrate exactly those, with their props.
 */
import { type ComponentType, h, options, type VNode } from "preact";

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

/** An island used by one render: its name and the props it was given. */
export interface IslandUse {
  name: string;
  props: Record<string, unknown>;
}

const islandNames = new Map<AnyComponent, string>();
let collecting: IslandUse[] | null = null;
let bypass = false;

/** Registers the default export of `islands/NAME.tsx` as the island NAME. */
export function registerIsland(name: string, component: AnyComponent): void {
  islandNames.set(component, name);
}

/** Marker attribute on the element that wraps an island's server-rendered HTML. */
export const ISLAND_ATTR = "data-frsh-island";

interface MarkerProps {
  island: { name: string; component: AnyComponent; props: Record<string, unknown> };
}

// Islands are swapped for a marker when their vnode is created; the marker
// decides at render time, so trees built before a render are handled too.
const previousVnodeHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (!bypass && typeof vnode.type === "function") {
    const name = islandNames.get(vnode.type as AnyComponent);
    if (name !== undefined) {
      const island = { name, component: vnode.type as AnyComponent, props: vnode.props };
      vnode.type = IslandMarker as AnyComponent;
      (vnode as VNode<MarkerProps>).props = { island, children: null };
    }
  }
  previousVnodeHook?.(vnode);
};

function IslandMarker({ island }: MarkerProps) {
  bypass = true;
  const inner = h(island.component, island.props);
  bypass = false;
  if (!collecting) return inner;
  // Children are JSX, which cannot travel as JSON; islands take data props only.
  const { children: _children, ...props } = island.props;
  const id = collecting.push({ name: island.name, props }) - 1;
  return h("div", { [ISLAND_ATTR]: island.name, "data-frsh-id": String(id) }, inner);
}

/** Runs `render` while recording which islands it renders and with which props. */
export function collectIslands<T>(render: () => T): { result: T; islands: IslandUse[] } {
  const previous = collecting;
  const islands: IslandUse[] = [];
  collecting = islands;
  try {
    return { result: render(), islands };
  } finally {
    collecting = previous;
  }
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the
 * JS line separators are escaped so a prop string can never close the script.
 */
export function serializeProps(value: unknown): string {
  return JSON.stringify(value ?? null).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}
