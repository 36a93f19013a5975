/**
 * Server-side rendering: wraps a page in its layouts and `_app`, renders it to
 * HTML and adds the scripts for exactly the islands it used.
 */
import { type ComponentType, h } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, serializeProps } from "./islands.ts";
import type { BuildManifest, PageProps } from "./types.ts";

/** Element id of the JSON block the browser runtime reads. */
export const STATE_ID = "__FRSH_STATE";

/**
 * Nests `page` inside `wrappers` (outermost first: `_app`, then layouts), each
 * receiving the inner content as `Component`.
 */
export function composePage(
  // deno-lint-ignore no-explicit-any
  page: ComponentType<any>,
  // deno-lint-ignore no-explicit-any
  wrappers: ComponentType<any>[],
  props: Omit<PageProps, "Component">,
) {
  // deno-lint-ignore no-explicit-any
  let inner: ComponentType<any> = () => h(page, { ...props, Component: () => null });
  for (const wrapper of [...wrappers].reverse()) {
    // deno-lint-ignore no-explicit-any
    const content: ComponentType<any> = inner;
    inner = () => h(wrapper, { ...props, Component: content });
  }
  return h(inner, {});
}

/** Renders a vnode tree to a full HTML document with the island scripts it needs. */
export function renderDocument(vnode: ReturnType<typeof h>, manifest: BuildManifest): string {
  const { result: body, islands } = collectIslands(() => renderToString(vnode));
  let head = "";
  let tail = "";
  if (islands.length > 0) {
    const names = [...new Set(islands.map((i) => i.name))];
    const sources: Record<string, string> = {};
    const preload = new Set<string>([manifest.runtime]);
    for (const name of names) {
      const entry = manifest.islands[name];
      if (!entry) {
        throw new Error(`Island "${name}" is missing from the build; run the build again`);
      }
      sources[name] = entry.src;
      preload.add(entry.src);
      entry.preload.forEach((p) => preload.add(p));
    }
    head = [...preload].map((src) => `<link rel="modulepreload" href="${src}">`).join("");
    const state = { islands: sources, props: islands.map((i) => i.props) };
    tail = `<script id="${STATE_ID}" type="application/json">${serializeProps(state)}</script>` +
      `<script type="module" src="${manifest.runtime}"></script>`;
  }
  if (manifest.dev && manifest.devClient) {
    tail += `<script type="module" src="${manifest.devClient}"></script>`;
  }
  return "<!DOCTYPE html>" + insertBefore(insertBefore(body, "</head>", head), "</body>", tail);
}

function insertBefore(html: string, tag: string, text: string): string {
  if (!text) return html;
  const at = html.lastIndexOf(tag);
  return at < 0 ? html + text : html.slice(0, at) + text + html.slice(at);
}
