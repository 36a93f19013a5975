import assert from "node:assert/strict";
import { encode as encode_png } from "fast-png";
import { GIF_LZW_LOOP } from "../api/test_images.ts";
import { fixturePath } from "../fixtures/photos.ts";
import { modelPath } from "./helpers.ts";

const CLI = new URL("../../cli/predict.ts", import.meta.url).pathname;

/** Runs the predict CLI and returns its exit code and parsed JSON lines. */
async function predict(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--model", modelPath(), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const lines = text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { code: out.code, lines, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("predict CLI - prints one JSON line per file and fails at the end on a bad file", async () => {
  const photo = await fixturePath("phone_2.jpg");
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/notes.png`;
    await Deno.writeTextFile(bad, "this is not a picture");
    const blank = `${dir}/blank.png`;
    await Deno.writeFile(
      blank,
      encode_png({ width: 64, height: 48, data: new Uint8Array(64 * 48).fill(250), channels: 1 }),
    );
    const { code, lines, stderr } = await predict(bad, photo, blank);
    assert.equal(code, 1, stderr);
    assert.equal(lines.length, 3);

    assert.equal(lines[0].file, bad);
    assert.equal(lines[0].code, "not_an_image");
    assert.match(lines[0].error, /not an image/i);

    // The photo after the bad file is still read: a single 2, with its box in photo pixels.
    assert.equal(lines[1].file, photo);
    assert.equal(lines[1].digits, "2");
    assert.equal(lines[1].predictions.length, 1);
    const p = lines[1].predictions[0];
    assert.equal(p.digit, 2);
    assert.ok(p.confidence > 0 && p.confidence <= 1);
    assert.equal(p.box.length, 4);
    assert.ok(p.box[2] > 200 && p.box[3] > 300, `box ${p.box} in a 518×518 photo`);

    assert.equal(lines[2].digits, "");
    assert.equal(lines[2].no_digit, true);
    assert.ok(lines[2].reason);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("predict CLI - exits 0 when every file is read", async () => {
  const { code, lines } = await predict(await fixturePath("drawn_3.png"));
  assert.equal(code, 0);
  assert.equal(lines.length, 1);
  assert.equal(typeof lines[0].digits, "string");
});

Deno.test("predict CLI - a GIF that makes the decoder loop fails alone, after the deadline", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const gif = `${dir}/loop.gif`;
    await Deno.writeFile(gif, GIF_LZW_LOOP);
    const photo = await fixturePath("phone_2.jpg");
    // The deadline also covers starting a fresh decoder worker after the stuck one is
    // killed, which took over 5 s on the busy 2-core machine with tests running in parallel.
    const { code, lines, stderr } = await predict("--deadline", "10", gif, photo);
    assert.equal(code, 1, stderr);
    assert.equal(lines[0].code, "decode_timeout");
    assert.match(lines[0].error, /could not be decoded within 10 s/);
    assert.equal(lines[1].digits, "2", JSON.stringify(lines[1]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
