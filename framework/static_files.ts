/**
 * Serves files from fixed folders with ETags, the right cache policy, MIME
 * types and compression. Only files listed at start-up are served, so no
 * request path can reach outside those folders.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { extname, join, relative, sep } from "node:path";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".xml": "application/xml",
};

const COMPRESSIBLE = /^(text\/|application\/(json|manifest\+json|xml|wasm)|image\/svg)/;
/** Binary data of unknown kind (model weights): sent compressed only when that saves ≥ 5 %. */
const MAYBE_COMPRESSIBLE = /^application\/octet-stream/;

/** The MIME type for a file name, by extension. */
export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** A folder mounted at a URL prefix; `immutable` marks content-hashed files (all, or by URL path). */
export interface StaticMount {
  dir: string;
  prefix?: string;
  immutable?: boolean | ((path: string) => boolean);
}

interface Entry {
  file: string;
  immutable: boolean;
}

interface Cached {
  mtime: number;
  size: number;
  etag: string;
  body: Uint8Array;
  encoded: Map<string, Uint8Array>;
}

/** Lists every file below `dir`, as forward-slash paths relative to it. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(current)];
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(current, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.isFile) out.push(relative(dir, path).split(sep).join("/"));
    }
  }
  await walk(dir);
  return out.sort();
}

/** Picks the best encoding the client accepts: brotli, then gzip, else none. */
export function negotiateEncoding(acceptEncoding: string | null): "br" | "gzip" | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  return ok("br") ? "br" : ok("gzip") ? "gzip" : null;
}

/** True when an `If-None-Match` header names the given ETag (or `*`). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

/** Creates a request handler for the mounts; it answers null for paths it does not serve. */
export async function createStaticHandler(
  mounts: StaticMount[],
): Promise<(req: Request) => Promise<Response | null>> {
  const index = new Map<string, Entry>();
  // Earlier mounts win: build output shadows `static/`.
  for (const mount of [...mounts].reverse()) {
    const prefix = (mount.prefix ?? "/").replace(/\/?$/, "/");
    for (const rel of await walkFiles(mount.dir)) {
      const path = prefix + rel;
      const immutable = typeof mount.immutable === "function"
        ? mount.immutable(path)
        : !!mount.immutable;
      index.set(path, { file: join(mount.dir, rel), immutable });
    }
  }
  const cache = new Map<string, Cached>();

  async function load(entry: Entry): Promise<Cached | null> {
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(entry.file);
    } catch {
      return null;
    }
    const mtime = stat.mtime?.getTime() ?? 0;
    const hit = cache.get(entry.file);
    if (hit && hit.mtime === mtime && hit.size === stat.size) return hit;
    const body = await Deno.readFile(entry.file);
    const digest = await crypto.subtle.digest("SHA-1", body);
    const etag = `W/"${btoa(String.fromCharCode(...new Uint8Array(digest))).slice(0, 27)}"`;
    const fresh = { mtime, size: stat.size, etag, body, encoded: new Map() };
    cache.set(entry.file, fresh);
    return fresh;
  }

  return async (req: Request) => {
    if (req.method !== "GET" && req.method !== "HEAD") return null;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url).pathname);
    } catch {
      return null;
    }
    const entry = index.get(path);
    if (!entry) return null;
    const file = await load(entry);
    if (!file) return null;
    const type = mimeType(entry.file);
    const headers = new Headers({
      "Content-Type": type,
      ETag: file.etag,
      "Cache-Control": entry.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      Vary: "Accept-Encoding",
    });
    if (etagMatches(req.headers.get("If-None-Match"), file.etag)) {
      return new Response(null, { status: 304, headers });
    }
    let body = file.body;
    const maybe = MAYBE_COMPRESSIBLE.test(type);
    const encoding = (COMPRESSIBLE.test(type) || maybe) && body.length > 512
      ? negotiateEncoding(req.headers.get("Accept-Encoding"))
      : null;
    if (encoding) {
      let encoded = file.encoded.get(encoding);
      if (!encoded) {
        encoded = encoding === "br"
          ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
          : gzipSync(body, { level: 9 });
        // Not worth a decompression on the client: keep sending the bytes as they are.
        if (maybe && encoded.length > 0.95 * body.length) encoded = body;
        file.encoded.set(encoding, encoded);
      }
      if (encoded !== body) {
        body = encoded;
        headers.set("Content-Encoding", encoding);
      }
    }
    headers.set("Content-Length", String(body.length));
    return new Response(req.method === "HEAD" ? null : body as BodyInit, { headers });
  };
}
