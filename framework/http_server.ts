/**
 * The HTTP/1.1 listener under the app, with a deadline on every phase of a
 * connection and a cap on how many are open.
 *
 * `Deno.serve` (hyper) has no timeout for reading request headers nor for
 * idle keep-alive connections (denoland/deno#3515), so a client that sends
 * nothing, or one header byte at a time, holds its descriptor forever. Deno's
 * `node:http` is a port of Node's server (llhttp) and has all of them:
 * `headersTimeout`, `requestTimeout` (the whole request, body included),
 * `keepAliveTimeout` and `maxConnections`; `@hono/node-server` bridges it to
 * the app's `fetch`-style handler. On top of that, this module:
 * - evicts the longest-idle connection (no request in progress) once the
 *   open count nears the cap, so idle clients cannot lock out new ones;
 * - answers requests that the parser or the URL rules reject (a bad `Host`,
 *   a bad request line, a header timeout) through the app itself, so they get
 *   its error page or JSON error with its headers, and logs one line each
 *   (rate-limited), never a stack trace;
 * - keeps the cap under the process's file-descriptor limit, and watches the
 *   accept loop: when descriptors ran out anyway and it stopped accepting,
 *   it logs once and listens again.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";

/** Deadlines and caps of the listener. */
export interface ConnectionLimits {
  /** Time for a client to send a whole request head, from its first byte or from connecting. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included (Node's `requestTimeout`). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests (at most half the header timeout). */
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are closed as soon as they are accepted. */
  maxConnections: number;
}

/** Defaults: generous for a phone on a bad network, short enough that idling is cheap. */
export function defaultConnectionLimits(): ConnectionLimits {
  return {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: connectionCapForDescriptors(openFileLimit()),
  };
}

/**
 * The soft limit on open files of this process (Deno raises it to the hard
 * limit at start-up), from /proc/self/limits; undefined where unknown.
 */
export function openFileLimit(): number | undefined {
  try {
    const text = Deno.readTextFileSync("/proc/self/limits");
    const match = text.match(/^Max open files\s+(\d+|unlimited)/m);
    if (!match) return undefined;
    return match[1] === "unlimited" ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * A connection cap that leaves descriptors for everything else (workers,
 * files, the model, sockets being refused): at most 4,096, and at most 3/4
 * of what the limit leaves after 128 reserved.
 */
export function connectionCapForDescriptors(limit: number | undefined): number {
  if (limit === undefined) return 4096;
  return Math.max(16, Math.min(4096, Math.floor((limit - 128) * 0.75)));
}

/** Why a request was refused before reaching a route, for the app to answer. */
export interface MalformedRequest {
  /** 400, 408 or 431. */
  status: number;
  /** One line for the log and the answer, e.g. "invalid Host header". */
  reason: string;
}

const malformed = new WeakMap<Request, MalformedRequest>();
const clientAddresses = new WeakMap<Request, string>();

/** The reason a request was refused, when the listener refused it (see createApp). */
export function malformedReason(req: Request): MalformedRequest | undefined {
  return malformed.get(req);
}

/** The client's IP address as the listener saw it (no proxy headers are trusted). */
export function clientAddress(req: Request): string | undefined {
  return clientAddresses.get(req);
}

/** Whether `address` is this machine (IPv4 or IPv6 loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || /^(::ffff:)?127\./.test(address);
}

// A Host header is a DNS name, an IPv4 address or a bracketed IPv6 address,
// with an optional port; anything else (spaces, quotes, %, ?, #, /) is refused
// before it can become part of a URL.
const VALID_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** Whether `host` is acceptable as a Host header value. */
export function isValidHost(host: string | undefined): boolean {
  return host !== undefined && VALID_HOST.test(host);
}

/** The path of a request target, for choosing an error's format; "/" when there is none. */
export function targetPath(target: string | undefined): string {
  if (!target || target[0] !== "/") return "/";
  try {
    return new URL(target.split(/[?#]/)[0], "http://localhost").pathname;
  } catch {
    return "/";
  }
}

/** Logs at most one line per `key` every 10 s, counting the ones left out. */
function rateLimitedLogger() {
  const last = new Map<string, { at: number; skipped: number }>();
  return (key: string, line: string) => {
    const now = performance.now();
    const entry = last.get(key);
    if (entry && now - entry.at < 10_000) {
      entry.skipped++;
      return;
    }
    const skipped = entry?.skipped ? ` (and ${entry.skipped} more like it in the last 10 s)` : "";
    console.warn(line + skipped);
    last.set(key, { at: now, skipped: 0 });
  };
}

const REASONS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, "request timeout (headers or body too slow)"],
  HPE_HEADER_OVERFLOW: [431, "request headers too large"],
};

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions {
  port: number;
  hostname: string;
  limits: ConnectionLimits;
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A running listener. */
export interface HttpServerHandle {
  /** The bound address (the real port when 0 was asked). */
  addr: { hostname: string; port: number };
  /** Open connections right now. */
  connections(): number;
  /** Stops listening and closes every connection. */
  shutdown(): Promise<void>;
}

/** Serves `handler` on `hostname:port` with the limits in the module comment. */
export async function serveHttp(
  handler: (req: Request) => Promise<Response>,
  options: ServeHttpOptions,
): Promise<HttpServerHandle> {
  const { limits } = options;
  const log = rateLimitedLogger();
  // Per socket: when it last went idle, or null while a request is in progress.
  const sockets = new Map<Socket, { idleSince: number | null }>();
  const evictAt = Math.max(1, Math.floor(limits.maxConnections * 0.9));
  let accepted = 0;

  const listener = getRequestListener(
    (req: Request, env) => {
      const address = (env.incoming as http.IncomingMessage).socket?.remoteAddress;
      if (address) clientAddresses.set(req, address);
      return handler(req);
    },
    {
      overrideGlobalObjects: false,
      // Reached only for errors thrown before the app runs; those are refused above.
      errorHandler: () => new Response("Bad Request", { status: 400 }),
    },
  );

  /** Runs a refused request through the app (error page or JSON error) and returns its answer. */
  const answerMalformed = async (
    method: string,
    target: string | undefined,
    why: MalformedRequest,
  ) => {
    const req = new Request(`http://localhost${targetPath(target)}`, {
      method: method === "GET" || method === "HEAD" ? method : "POST",
    });
    malformed.set(req, why);
    try {
      return await handler(req);
    } catch {
      return new Response(`${why.status} ${why.reason}`, { status: why.status });
    }
  };

  const onRequest = async (incoming: http.IncomingMessage, outgoing: http.ServerResponse) => {
    const state = sockets.get(incoming.socket as Socket);
    if (state) state.idleSince = null;
    outgoing.once("close", () => {
      if (state) state.idleSince = performance.now();
    });
    const host = incoming.headers.host;
    const target = incoming.url ?? "";
    if (
      !isValidHost(host) ||
      !(target.startsWith("/") || (incoming.method === "OPTIONS" && target === "*"))
    ) {
      const why = {
        status: 400,
        reason: !isValidHost(host) ? "invalid Host header" : "invalid request target",
      };
      log(
        why.reason,
        `Refused ${incoming.method} ${
          JSON.stringify(target.slice(0, 100))
        } from ${incoming.socket.remoteAddress}: ${why.reason} ${
          JSON.stringify(String(host ?? "").slice(0, 100))
        }`,
      );
      const res = await answerMalformed(incoming.method ?? "GET", target, why);
      res.headers.set("Connection", "close");
      incoming.resume();
      await writeResponse(outgoing, res);
      return;
    }
    await listener(incoming, outgoing);
  };

  // Node starts the next request's header clock when a response ends, so an
  // idle keep-alive connection must close well before that clock runs out, or
  // a request sent on it at the wrong moment gets a 408.
  const keepAliveTimeout = Math.min(limits.keepAliveTimeoutMs, limits.headersTimeoutMs / 2);
  const server = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout,
    // Node checks the deadlines on this period (30 s by default): a tenth of the shortest.
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, keepAliveTimeout) / 10)),
    ),
  } as http.ServerOptions, onRequest);
  server.maxConnections = limits.maxConnections;

  server.on("connection", (socket: Socket) => {
    accepted++;
    sockets.set(socket, { idleSince: performance.now() });
    socket.once("close", () => sockets.delete(socket));
    if (sockets.size >= evictAt) evictIdlest(socket);
  });
  /** Closes the connection that has waited longest without a request in progress. */
  const evictIdlest = (except: Socket) => {
    let oldest: Socket | undefined;
    let oldestAt = Infinity;
    for (const [socket, { idleSince }] of sockets) {
      if (socket !== except && idleSince !== null && idleSince < oldestAt) {
        oldest = socket;
        oldestAt = idleSince;
      }
    }
    if (oldest) {
      log(
        "evict",
        `Near the cap of ${limits.maxConnections} connections: closing the longest idle`,
      );
      oldest.destroy();
      sockets.delete(oldest);
    }
  };

  server.on(
    "clientError",
    (error: NodeJS.ErrnoException & { rawPacket?: Uint8Array }, socket: Socket) => {
      if (error.code === "ECONNRESET" || !socket.writable) {
        socket.destroy();
        return;
      }
      const [status, reason] = REASONS[error.code ?? ""] ?? [400, "malformed request"];
      const head = error.rawPacket
        ? new TextDecoder().decode(error.rawPacket.subarray(0, 2048))
        : "";
      const [, method = "GET", target] = head.match(/^([A-Z]+) (\S+)/) ?? [];
      log(
        reason,
        `Refused a request from ${socket.remoteAddress}: ${reason} (${
          error.code ?? error.message
        })`,
      );
      answerMalformed(method, target, { status, reason })
        .then((res) => writeRawResponse(socket, res))
        .catch(() => socket.destroy());
    },
  );
  server.on("error", (error: Error) => log("server", `HTTP server error: ${error.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  const addr = { hostname: info.address, port: info.port };
  options.onListen?.(addr);
  const watchdog = watchAcceptLoop(server, addr, () => accepted, log);

  return {
    addr,
    connections: () => sockets.size,
    async shutdown() {
      clearInterval(watchdog);
      for (const socket of sockets.keys()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Deno's node:http stops accepting for good once an accept fails for want
 * of descriptors. Every 2 s this connects to the server itself; when the
 * connection is made (the kernel queues it) but never reaches the server,
 * the accept loop is dead: log once and listen again on the same address.
 * When even the probe cannot get a descriptor, it only logs (once).
 */
function watchAcceptLoop(
  server: http.Server,
  addr: { hostname: string; port: number },
  acceptedCount: () => number,
  log: (key: string, line: string) => void,
): number {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const before = acceptedCount();
    let probe: Deno.TcpConn | undefined;
    try {
      probe = await Deno.connect({ hostname: addr.hostname, port: addr.port });
      await new Promise((r) => setTimeout(r, 1000));
      if (acceptedCount() === before) {
        log(
          "relisten",
          "The server stopped accepting connections (out of file descriptors?): listening again",
        );
        await new Promise<void>((resolve) => {
          server.close();
          server.listen(addr.port, addr.hostname, () => resolve());
        });
      }
    } catch (error) {
      log("probe", `Cannot open a connection to check the server: ${(error as Error).message}`);
    } finally {
      try {
        probe?.close();
      } catch { /* already closed */ }
      busy = false;
    }
  }, 2000) as unknown as number;
  Deno.unrefTimer(timer);
  return timer;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/** Writes a fetch `Response` through node's response object. */
async function writeResponse(outgoing: http.ServerResponse, res: Response) {
  const body = new Uint8Array(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  headers["content-length"] = String(body.byteLength);
  outgoing.writeHead(res.status, headers);
  outgoing.end(body);
}

/** Writes a fetch `Response` straight onto a socket the parser gave up on, then closes it. */
async function writeRawResponse(socket: Socket, res: Response) {
  const body = new Uint8Array(await res.arrayBuffer());
  let head = `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? "Error"}\r\n`;
  res.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection" && name !== "content-encoding") {
      head += `${name}: ${value}\r\n`;
    }
  });
  head += `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  socket.end(new Uint8Array([...new TextEncoder().encode(head), ...body]));
}
