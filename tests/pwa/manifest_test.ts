/** The web app manifest: linked from every page, complete, its icons real, installable by Chromium. */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { startPageServer } from "../helpers/server.ts";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../ensure_browser.ts";
import { CHROMIUM_ARGS } from "../helpers/browser.ts";
import { waitForServiceWorker } from "./helpers.ts";
import { buildOnce, ROOT } from "../helpers/build.ts";

interface Icon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

/** Fetches a PNG and returns its real size. */
async function pngSize(url: string): Promise<[number, number]> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  assert.equal(res.headers.get("Content-Type"), "image/png", url);
  const png = decode(new Uint8Array(await res.arrayBuffer()));
  return [png.width, png.height];
}

Deno.test("manifest - every page links it with the iOS tags; its fields, icons and shortcuts meet the install criteria", async () => {
  await buildOnce();
  const server = await startPageServer(ROOT);
  try {
    for (const path of ["/", "/history", "/about"]) {
      const html = await (await fetch(server.url + path)).text();
      assert.match(html, /<link rel="manifest" href="\/manifest.webmanifest"/, path);
      assert.match(html, /<link rel="apple-touch-icon" href="\/icons\/apple-touch-icon.png"/, path);
      assert.match(html, /<meta name="apple-mobile-web-app-capable" content="yes"/, path);
      assert.match(html, /<meta name="theme-color"/, path);
    }
    const res = await fetch(server.url + "/manifest.webmanifest");
    assert.equal(res.headers.get("Content-Type"), "application/manifest+json");
    const manifest = await res.json();
    for (const field of ["name", "short_name", "description", "start_url", "scope"]) {
      assert.equal(typeof manifest[field], "string", field);
      assert.ok(manifest[field].length > 0, field);
    }
    assert.ok(manifest.short_name.length <= 12, "short_name fits under a home-screen icon");
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.start_url, "/");
    assert.equal(manifest.scope, "/");
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);

    const icons: Icon[] = manifest.icons;
    const png = (purpose: string, size: number) =>
      icons.find((i) =>
        i.type === "image/png" && (i.purpose ?? "any").split(" ").includes(purpose) &&
        i.sizes === `${size}x${size}`
      );
    for (const size of [192, 512]) {
      assert.ok(png("any", size), `a ${size} px PNG icon`);
      assert.ok(png("maskable", size), `a separate ${size} px maskable icon`);
      assert.notEqual(png("any", size)!.src, png("maskable", size)!.src);
    }
    for (const icon of icons.filter((i) => i.type === "image/png")) {
      const [w, h] = await pngSize(server.url + icon.src);
      assert.equal(`${w}x${h}`, icon.sizes, `${icon.src} is really ${icon.sizes}`);
    }
    assert.deepEqual(await pngSize(server.url + "/icons/apple-touch-icon.png"), [180, 180]);

    const shortcuts: { url: string; icons: Icon[] }[] = manifest.shortcuts;
    assert.deepEqual(shortcuts.map((s) => s.url), ["/?mode=camera", "/?mode=draw"]);
    for (const s of shortcuts) {
      const [w] = await pngSize(server.url + s.icons[0].src);
      assert.equal(w, 96);
    }

    const share = manifest.share_target;
    assert.equal(share.action, "/share-target");
    assert.equal(share.method, "POST");
    assert.equal(share.enctype, "multipart/form-data");
    assert.ok(share.params.files[0].accept.includes("image/*"));
  } finally {
    await server.close();
  }
});

Deno.test("manifest - Chromium parses it without errors and finds the app installable", async () => {
  await buildOnce();
  const server = await startPageServer(ROOT);
  // A persistent profile: Chromium never offers installation in an incognito-like context.
  const profile = await Deno.makeTempDir({ prefix: "pwa_profile_" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.url + "/");
    await waitForServiceWorker(page);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send("Page.getAppManifest");
    assert.equal(manifest.url, server.url + "/manifest.webmanifest");
    assert.deepEqual(manifest.errors, []);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.close();
    await Deno.remove(profile, { recursive: true });
  }
});
