/** Browser end to end: the live camera, fed by Chromium's fake capture device. */
import assert from "node:assert/strict";
import { photoToY4m } from "../fixtures/camera/y4m.ts";
import { fixtureBytes } from "../fixtures/photos.ts";
import { settledResults, withRecognizer } from "./recognizer_helpers.ts";

Deno.test("recognizer - the fake camera shows a 3: the viewfinder reads it live, offers it once steady, and capture keeps that frame and reading", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rz_camera_" });
  const video = `${dir}/digit.y4m`;
  await Deno.writeFile(
    video,
    await photoToY4m(await fixtureBytes("phone_3.jpg")),
  );
  try {
    await withRecognizer(async ({ page }) => {
      await page.click("#rz-tab-camera");
      const capture = page.locator("[data-testid=capture]");
      await page.waitForFunction(() => {
        const v = document.querySelector<HTMLVideoElement>(".rz-viewfinder video");
        return !!v && v.readyState >= 2 && v.videoWidth > 0;
      });
      assert.ok(await page.isVisible(".rz-guide"), "the framing guide is shown");
      // The live reading: digits over the video, offered once the last frames agree.
      await page.waitForSelector("[data-testid=camera-live][data-steady='3']", { timeout: 30_000 });
      const live = page.locator("[data-testid=camera-live]");
      assert.equal(await live.getAttribute("data-digit"), "3");
      assert.ok(await page.locator(".rz-guide .rz-live-box").count() >= 1, "a box over the digit");
      assert.equal(await capture.getAttribute("data-steady"), "true");
      assert.match(await capture.innerText(), /Keep 3/);
      await capture.click();
      const [result] = await settledResults(page, 1);
      assert.equal(result.state, "done");
      assert.equal(result.digit, "3");
      assert.match(result.text, /Camera/);
      assert.equal(await page.locator(".rz-result .rz-preview img").count(), 1, "the frame kept");
      // Stored in the history like every result.
      await page.waitForTimeout(500); // The history is written in the background.
      await page.goto(new URL("/history", page.url()).href);
      await page.waitForSelector(".history-item[data-label='3']", { timeout: 15_000 });
    }, {
      args: [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recognizer - without a camera the panel says so and offers the system camera", async () => {
  await withRecognizer(async ({ page }) => {
    // Headless Chromium without the fake device has no camera to open.
    await page.click("#rz-tab-camera");
    await page.waitForSelector(".rz-camera-error");
    assert.match(await page.locator(".rz-camera-error").innerText(), /camera/i);
    const fallback = page.locator("input[type=file][capture=environment]");
    assert.equal(await fallback.count(), 1);
    assert.equal(await fallback.getAttribute("accept"), "image/*");
    assert.ok(await page.locator("[data-testid=capture]").isDisabled());
  });
});
