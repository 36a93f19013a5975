/**
 * The stand-in for `@fresh/core`: the same route-module shapes and helpers,
 * on Hono, preact-render-to-string and esbuild.
 */
export { HttpError, page } from "./types.ts";
export type { FreshContext, HandlerFn, Handlers, PageProps, PageResponse } from "./types.ts";
export { createApp, startServer } from "./server.ts";
export { build } from "./build.ts";
