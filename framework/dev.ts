/**
 * `deno task dev`: runs the app in dev mode and restarts it when a source file
 * changes; pages reload themselves when the server's boot id changes.
 */
import { join, resolve } from "node:path";

const root = resolve(Deno.args[0] ?? Deno.cwd());
const WATCHED = ["routes", "islands", "components", "static", "lib", "framework"];

let child: Deno.ChildProcess | null = null;
function start() {
  child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(root, "main.ts")],
    cwd: root,
    env: { FRESH_DEV: "1" },
  }).spawn();
}

async function restart() {
  if (child) {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
  }
  start();
}

// Take the app server down with us, or it would outlive the dev loop.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      child?.kill("SIGTERM");
    } catch { /* already gone */ }
    Deno.exit(0);
  });
}

start();
const watcher = Deno.watchFs(
  WATCHED.map((d) => join(root, d)).filter((d) => {
    try {
      return Deno.statSync(d).isDirectory;
    } catch {
      return false;
    }
  }),
);
let timer: ReturnType<typeof setTimeout> | undefined;
for await (const event of watcher) {
  if (event.paths.every((p) => p.includes("/_fresh/") || p.endsWith("~"))) continue;
  clearTimeout(timer);
  timer = setTimeout(() => {
    console.log("Change detected, restarting…");
    restart();
  }, 150);
}
