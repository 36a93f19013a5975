/**
 * The public API shape of routes, in Fresh 2's form, so route files read the
 * same as in a Fresh app.
 */
import type { ComponentType } from "preact";

/** Per-request context handed to handlers and middleware. */
export interface FreshContext<State = Record<string, unknown>, Data = unknown> {
  req: Request;
  url: URL;
  params: Record<string, string>;
  state: State;
  /** The error being rendered, on `_500` pages. */
  error?: unknown;
  /** Runs the next middleware or the route itself. */
  next(): Promise<Response>;
  /** Renders the route's page component with `data`. */
  render(data?: Data, init?: ResponseInit): Promise<Response>;
}

/** What a handler may return instead of a Response: data for the page. */
export interface PageResponse<Data> {
  data: Data;
  status?: number;
  headers?: HeadersInit;
}

/** A handler for one or every HTTP method. */
export type HandlerFn<Data = unknown, State = Record<string, unknown>> = (
  ctx: FreshContext<State, Data>,
) => Response | PageResponse<Data> | Promise<Response | PageResponse<Data>>;

/** `export const handler = { GET(ctx) {…}, POST(ctx) {…} }` */
export type Handlers<Data = unknown, State = Record<string, unknown>> = Partial<
  Record<"GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS", HandlerFn<Data, State>>
>;

/** Props of page, layout and `_app` components. */
export interface PageProps<Data = unknown, State = Record<string, unknown>> {
  data: Data;
  url: URL;
  params: Record<string, string>;
  state: State;
  error?: unknown;
  /** The wrapped content, for `_app` and `_layout`. */
  Component: ComponentType;
}

/** Returns data for the page from a handler, as Fresh 2's `page()` does. */
export function page<Data>(
  data: Data,
  init?: Omit<PageResponse<Data>, "data">,
): PageResponse<Data> {
  return { data, ...init };
}

/** Throw it from a handler to answer with that status (404 renders `_404`). */
export class HttpError extends Error {
  constructor(public status: number, message?: string) {
    super(message ?? `HTTP ${status}`);
  }
}

/** One route module as loaded from `routes/`. */
export interface RouteModule {
  // deno-lint-ignore no-explicit-any
  handler?: HandlerFn<any, any> | Handlers<any, any> | HandlerFn<any, any>[];
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<PageProps<any, any>>;
}

/** The build's record of island bundles, read by the server. */
export interface BuildManifest {
  buildId: string;
  dev: boolean;
  runtime: string;
  devClient?: string;
  islands: Record<string, { src: string; preload: string[] }>;
  /** URL of every bundled entry by name (`frsh-runtime`, `island-NAME`, config entries). */
  entries: Record<string, string>;
}
