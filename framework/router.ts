/**
 * File-system routing in Fresh's conventions: turns paths under `routes/`
 * into URL patterns and orders them so the most specific route wins.
 */

/** What a file under `routes/` is for. */
export type RouteFileKind =
  | "page"
  | "app"
  | "layout"
  | "middleware"
  | "notFound"
  | "error";

/** One file found under `routes/`, with its URL pattern when it is a page. */
export interface RouteFile {
  /** Path relative to `routes/`, with forward slashes, e.g. `blog/[slug].tsx`. */
  file: string;
  kind: RouteFileKind;
  /** Directory the file belongs to, as a URL prefix (`/`, `/blog/`). */
  dir: string;
  /** Hono-style pattern for pages, e.g. `/blog/:slug`. */
  pattern?: string;
}

const SPECIAL: Record<string, RouteFileKind> = {
  _app: "app",
  _layout: "layout",
  _middleware: "middleware",
  _404: "notFound",
  _500: "error",
};

const ROUTE_EXT = /\.(tsx|ts|jsx|js)$/;

/** Classifies a file under `routes/` and computes its URL pattern; null when it is not a route. */
export function parseRouteFile(file: string): RouteFile | null {
  file = file.replaceAll("\\", "/");
  if (!ROUTE_EXT.test(file) || /(^|\/)\(_[^/]*\)\//.test(file)) return null;
  if (/_test\.[jt]sx?$|\.test\.[jt]sx?$/.test(file)) return null;
  const parts = file.replace(ROUTE_EXT, "").split("/");
  const name = parts.pop()!;
  const dir = "/" + parts.filter((p) => !isGroup(p)).map((p) => p + "/").join("");
  if (name in SPECIAL) return { file, kind: SPECIAL[name], dir };
  if (name.startsWith("_")) return null;
  const segments = [...parts, name].filter((p) => !isGroup(p));
  if (segments.at(-1) === "index") segments.pop();
  const pattern = "/" + segments.map(segmentToPattern).join("/");
  return { file, kind: "page", dir, pattern };
}

/** `(group)` folders organise files without adding a URL segment, as in Fresh. */
function isGroup(part: string): boolean {
  return /^\(.+\)$/.test(part);
}

function segmentToPattern(segment: string): string {
  const rest = segment.match(/^\[\.\.\.(\w+)\]$/);
  if (rest) return `:${rest[1]}{.+}`;
  // Segments may mix text and params, e.g. `v[version]`.
  return segment.replace(/\[(\w+)\]/g, (_, name) => `:${name}`);
}

/** Sort key per segment: static text beats a param, a param beats a catch-all. */
function segmentRank(segment: string): number {
  if (segment.includes("{.+}")) return 2;
  if (segment.includes(":")) return 1;
  return 0;
}

/** Orders page patterns so that a more specific pattern is tried before a more general one. */
export function comparePatterns(a: string, b: string): number {
  const as = a.split("/").filter(Boolean);
  const bs = b.split("/").filter(Boolean);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    // Patterns of different lengths rarely overlap; shorter first keeps the order stable.
    if (as[i] === undefined) return -1;
    if (bs[i] === undefined) return 1;
    const diff = segmentRank(as[i]) - segmentRank(bs[i]);
    if (diff !== 0) return diff;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Matches a URL path against a pattern and returns its params, or null. */
export function matchPattern(
  pattern: string,
  path: string,
): Record<string, string> | null {
  const names: string[] = [];
  const source = pattern.split("/").map((segment) =>
    segment.replace(/:(\w+)(\{\.\+\})?|[^:]+/g, (token, name, rest) => {
      if (!name) return token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(name);
      return rest ? "(.+)" : "([^/]+)";
    })
  ).join("/");
  const match = new RegExp(`^${source}/?$`).exec(path);
  if (!match) return null;
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    try {
      params[name] = decodeURIComponent(match[i + 1]);
    } catch {
      params[name] = match[i + 1];
    }
  });
  return params;
}

/** The special files (layouts, middleware) that apply to a page in directory `dir`, outermost first. */
export function filesForDir<T extends RouteFile>(
  files: T[],
  kind: RouteFileKind,
  dir: string,
): T[] {
  return files
    .filter((f) => f.kind === kind && dir.startsWith(f.dir))
    .sort((a, b) => a.dir.length - b.dir.length);
}
