/**
 * The HTTP side: loads `routes/` and `islands/`, and answers requests through
 * Hono with middleware, layouts, `_app`, static files and error pages.
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, JS_PREFIX, listIslands, OUT_DIR } from "./build.ts";
import { registerIsland } from "./islands.ts";
import { composePage, renderDocument } from "./render.ts";
import { withPageETag } from "./page_etag.ts";
import {
  comparePatterns,
  filesForDir,
  matchPattern,
  parseRouteFile,
  type RouteFile,
} from "./router.ts";
import { createStaticHandler, walkFiles } from "./static_files.ts";
import {
  type ConnectionLimits,
  defaultConnectionLimits,
  type HttpServerHandle,
  malformedReason,
  serveHttp,
} from "./http_server.ts";
import {
  type BuildManifest,
  type FreshContext,
  type HandlerFn,
  HttpError,
  type PageResponse,
  type RouteModule,
} from "./types.ts";

/** Options for {@link createApp}. */
export interface AppOptions {
  root: string;
  dev?: boolean;
  /** Middleware that runs before everything, static files included (e.g. security headers). */
  // deno-lint-ignore no-explicit-any
  before?: HandlerFn<any, any>[];
}

type Loaded = RouteFile & { mod: RouteModule };
// deno-lint-ignore no-explicit-any
type Ctx = FreshContext<any, any>;

/** Reads the build manifest, building first when it is missing or when in dev mode. */
export async function ensureBuild(root: string, dev = false): Promise<BuildManifest> {
  const path = join(root, OUT_DIR, "manifest.json");
  if (!dev) {
    try {
      return JSON.parse(await Deno.readTextFile(path));
    } catch {
      console.log("No build found: building…");
    }
  }
  return await build({ root, dev });
}

/** Loads the app in `root` and returns a fetch handler for it. */
export async function createApp(options: AppOptions): Promise<(req: Request) => Promise<Response>> {
  const root = resolve(options.root);
  const manifest = await ensureBuild(root, options.dev);
  for (const { name, file } of listIslands(root)) {
    registerIsland(name, (await import(pathToFileURL(file).href)).default);
  }
  const files: Loaded[] = [];
  for (const rel of await walkFiles(join(root, "routes"))) {
    const parsed = parseRouteFile(rel);
    if (parsed) {
      files.push({ ...parsed, mod: await import(pathToFileURL(join(root, "routes", rel)).href) });
    }
  }
  const pages = files.filter((f) => f.kind === "page").sort((a, b) =>
    comparePatterns(a.pattern!, b.pattern!)
  );
  const app = files.find((f) => f.kind === "app")?.mod.default;
  const special = (kind: "notFound" | "error") =>
    files.find((f) => f.kind === kind && f.dir === "/")?.mod;
  const serveStatic = await createStaticHandler([
    // Only bundles have content-hashed names; other build output (a service worker) must revalidate.
    { dir: join(root, OUT_DIR, "static"), immutable: (path) => path.startsWith(JS_PREFIX) },
    { dir: join(root, "static") },
  ]);
  const bootId = crypto.randomUUID();

  const renderRoute = (
    route: Loaded | undefined,
    ctx: Ctx,
    data: unknown,
    init: ResponseInit = {},
  ): Promise<Response> => {
    const page = route?.mod.default;
    if (!page) throw new HttpError(404);
    const dir = route.dir;
    const wrappers = [
      ...(app ? [app] : []),
      ...filesForDir(files, "layout", dir).map((f) => f.mod.default!).filter(Boolean),
    ];
    const props = { data, url: ctx.url, params: ctx.params, state: ctx.state, error: ctx.error };
    const html = renderDocument(composePage(page, wrappers, props), manifest);
    const headers = new Headers(init.headers);
    headers.set("Content-Type", "text/html; charset=utf-8");
    return Promise.resolve(new Response(html, { status: init.status ?? 200, headers }));
  };

  const runHandler = async (route: Loaded, ctx: FreshContext): Promise<Response> => {
    const handler = route.mod.handler;
    const method = ctx.req.method === "HEAD" ? "GET" : ctx.req.method;
    let fn: HandlerFn | undefined;
    if (typeof handler === "function") fn = handler;
    else if (handler && !Array.isArray(handler)) {
      fn = (handler as Record<string, HandlerFn>)[method];
    }
    if (!fn) {
      if (method === "GET" && route.mod.default) return ctx.render();
      return new Response("Method Not Allowed", {
        status: 405,
        headers: { Allow: allowedMethods(route.mod).join(", ") },
      });
    }
    const result = await fn(ctx);
    if (result instanceof Response) return result;
    const { data, status, headers } = result as PageResponse<unknown>;
    return ctx.render(data, { status, headers });
  };

  const makeContext = (req: Request, route: Loaded | undefined, params: Record<string, string>) => {
    const ctx: Ctx = {
      req,
      url: new URL(req.url),
      params,
      state: {},
      next: () => Promise.resolve(new Response(null, { status: 404 })),
      render: (data, init) => renderRoute(route, ctx, data, init),
    };
    return ctx;
  };

  /** Runs middleware outermost first, then `last`. */
  const chain = (
    ctx: Ctx,
    handlers: HandlerFn[],
    last: () => Promise<Response>,
  ) => {
    const step = async (i: number): Promise<Response> => {
      if (i === handlers.length) return await last();
      ctx.next = () => step(i + 1);
      const result = await handlers[i](ctx);
      return result instanceof Response ? result : ctx.render(result.data, result);
    };
    return step(0);
  };
  const middlewareFor = (dir: string): HandlerFn[] =>
    filesForDir(files, "middleware", dir).flatMap((f) => {
      const h = f.mod.handler;
      return Array.isArray(h) ? h : typeof h === "function" ? [h] : [];
    });

  const renderError = async (req: Request, error: unknown): Promise<Response> => {
    if (error instanceof HttpError && error.status === 404) return notFound(req);
    const where = `${req.method} ${new URL(req.url).pathname}`;
    if (error instanceof HttpError && error.status < 500) {
      // The client's fault: one line (refused requests are logged by the listener already).
      if (!malformedReason(req)) console.warn(`${where}: ${error.status} ${error.message}`);
    } else {
      console.error(`Error while handling ${where}:`, error);
    }
    const status = error instanceof HttpError ? error.status : 500;
    try {
      const mod = special("error");
      const route = mod && files.find((f) => f.mod === mod)!;
      const ctx = makeContext(req, route, {});
      ctx.error = error;
      if (route) return await renderRoute(route, ctx, undefined, { status });
    } catch (inner) {
      console.error("The _500 page failed too:", inner);
    }
    return new Response("Internal Server Error", {
      status,
      headers: { "Content-Type": "text/plain" },
    });
  };
  const notFound = async (req: Request): Promise<Response> => {
    const mod = special("notFound");
    const route = mod && files.find((f) => f.mod === mod)!;
    if (!route) return new Response("Not Found", { status: 404 });
    try {
      return await renderRoute(route, makeContext(req, route, {}), undefined, { status: 404 });
    } catch (error) {
      return renderError(req, error);
    }
  };

  const hono = new Hono();
  hono.use("*", compress());
  hono.use("*", async (c, next) => {
    const ctx = makeContext(c.req.raw, undefined, {});
    c.res = await chain(ctx, options.before ?? [], async () => {
      // Refused by the listener (bad Host, bad request line, timeout): the
      // error page or the API's JSON error, through the same middleware.
      const refused = malformedReason(c.req.raw);
      if (refused) return renderError(c.req.raw, new HttpError(refused.status, refused.reason));
      await next();
      return c.res;
    });
  });
  if (options.dev) {
    hono.get("/_frsh/alive", () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`retry: 300\ndata: ${bootId}\n\n`));
          },
        }),
        { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store" } },
      ));
  }
  hono.use("*", async (c, next) => {
    const res = await serveStatic(c.req.raw);
    if (res) return res;
    await next();
  });
  for (const route of pages) {
    hono.all(route.pattern!, async (c) => {
      const req = c.req.raw;
      const params = matchPattern(route.pattern!, new URL(req.url).pathname) ?? {};
      const ctx = makeContext(req, route, params);
      try {
        const res = await withPageETag(
          req,
          await chain(ctx, middlewareFor(route.dir), () => runHandler(route, ctx)),
        );
        if (req.method === "HEAD") return new Response(null, res);
        return res;
      } catch (error) {
        return renderError(req, error);
      }
    });
  }
  hono.notFound((c) => notFound(c.req.raw));
  hono.onError((error, c) => renderError(c.req.raw, error));
  return (req) => Promise.resolve(hono.fetch(req));
}

/** The methods a route answers: its handler's, plus GET and HEAD where it renders a page. */
function allowedMethods(mod: RouteModule): string[] {
  const handler = mod.handler;
  const methods = new Set<string>();
  if (typeof handler === "function") return ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
  if (handler && !Array.isArray(handler)) {
    for (const name of Object.keys(handler)) methods.add(name.toUpperCase());
  }
  if (mod.default || methods.has("GET")) {
    methods.add("GET");
    methods.add("HEAD");
  }
  return [...methods];
}

/**
 * Starts the app on `hostname:port` (default 127.0.0.1:8000) behind the
 * listener of http_server.ts, with its connection limits, and resolves once
 * it listens.
 */
export async function startServer(
  options: AppOptions & { port?: number; hostname?: string; limits?: Partial<ConnectionLimits> },
): Promise<HttpServerHandle> {
  const handler = await createApp(options);
  return await serveHttp(handler, {
    port: options.port ?? 8000,
    hostname: options.hostname ?? "127.0.0.1",
    limits: { ...defaultConnectionLimits(), ...options.limits },
    onListen: ({ hostname, port }) => console.log(`Listening on http://${hostname}:${port}/`),
  });
}
