/**
 * What the server's middleware needs of a request context, and no more: the
 * framework's context (framework/types.ts) fits it structurally, so lib/server
 * does not depend on the framework and would run under another one.
 */

/** The request's URL and the way on to the next middleware or the route. */
export interface MiddlewareContext {
  url: URL;
  /** Runs the next middleware or the route itself. */
  next(): Promise<Response>;
}

/** A middleware: answers for the request, usually by adjusting what `ctx.next()` gives. */
export type Middleware = (ctx: MiddlewareContext) => Promise<Response>;
