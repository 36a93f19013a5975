/**
 * First step of `deno task test`: makes sure Debian's Chromium is there for
 * the browser tests, installing it with apt-get when it is missing.
 */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function run(cmd: string[]): Promise<boolean> {
  const { success } = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "null",
    stderr: "inherit",
  }).output().catch(() => ({ success: false }));
  return success;
}

if (import.meta.main && !exists(CHROMIUM)) {
  console.log("Chromium not found: installing Debian's chromium package (one time)…");
  const sudo = Deno.uid?.() === 0 ? [] : ["sudo", "-n"];
  const ok = await run([...sudo, "apt-get", "install", "-y", "-q", "chromium"]) ||
    (await run([...sudo, "apt-get", "update", "-q"]) &&
      await run([...sudo, "apt-get", "install", "-y", "-q", "chromium"]));
  if (!ok || !exists(CHROMIUM)) {
    console.error(
      "Browser tests need Chromium: install it with `sudo apt-get install chromium` (or set CHROMIUM_PATH).",
    );
    Deno.exit(1);
  }
}
