/** Starts an app's real server on a free port in a child process, for integration and e2e tests. */
import { resolve } from "node:path";

/** A running test server. */
export interface TestServer {
  url: string;
  port: number;
  output: () => string;
  close(): Promise<void>;
}

/** A TCP port that is free right now on loopback. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Runs `main.ts` of the app in `root` and waits until it answers. */
export async function startTestServer(
  root: string,
  env: Record<string, string> = {},
  script = "main.ts",
): Promise<TestServer> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", resolve(root, script)],
    cwd: root,
    env: { PORT: String(port), ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) log += decoder.decode(chunk);
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      const res = await fetch(url + "/__ready_probe__");
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`Server in ${root} did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    output: () => log,
    async close() {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      await child.status;
      await pumps;
    },
  };
}

/**
 * The app's server for browser tests (tests/helpers/page_server.ts): the
 * same app, without the warm-up of the server-side model and decoders.
 */
export function startPageServer(
  root: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startTestServer(root, env, "tests/helpers/page_server.ts");
}
