import assert from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { isUnsupportedFormat, sniffImageFormat } from "./image_format.ts";
import { bmpBytes, WEBP_LOSSLESS } from "../../tests/api/test_images.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("image_format - sniffs each supported format from its bytes", () => {
  const png = encodePng({ width: 2, height: 2, data: new Uint8Array(4), channels: 1 });
  const jpg = jpeg.encode({ data: new Uint8Array(16), width: 2, height: 2 }, 80).data;
  assert.equal(sniffImageFormat(png), "png");
  assert.equal(sniffImageFormat(new Uint8Array(jpg)), "jpeg");
  assert.equal(sniffImageFormat(text("GIF89a\x01\x00\x01\x00")), "gif");
  assert.equal(sniffImageFormat(WEBP_LOSSLESS), "webp");
  assert.equal(
    sniffImageFormat(bmpBytes({ width: 2, height: 2, data: new Uint8Array(16) })),
    "bmp",
  );
});

Deno.test("image_format - TIFF, HEIC and AVIF are recognised as unsupported, SVG as svg", () => {
  const tiffLe = new Uint8Array([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]);
  const tiffBe = new Uint8Array([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8]);
  const heic = new Uint8Array([0, 0, 0, 24, ...text("ftypheic"), 0, 0, 0, 0]);
  const avif = new Uint8Array([0, 0, 0, 24, ...text("ftypavif"), 0, 0, 0, 0]);
  for (
    const [bytes, format] of [[tiffLe, "tiff"], [tiffBe, "tiff"], [heic, "heic"], [
      avif,
      "avif",
    ]] as const
  ) {
    assert.equal(sniffImageFormat(bytes), format);
    assert.ok(isUnsupportedFormat(sniffImageFormat(bytes)));
  }
  assert.equal(sniffImageFormat(text("<?xml version='1.0'?>\n<svg></svg>")), "svg");
  assert.equal(sniffImageFormat(text("\uFEFF  <svg xmlns='http://www.w3.org/2000/svg'/>")), "svg");
  assert.ok(!isUnsupportedFormat("png") && !isUnsupportedFormat(null));
});

Deno.test("image_format - text and truncated headers are no image", () => {
  assert.equal(sniffImageFormat(text("hello")), null);
  assert.equal(sniffImageFormat(text("name,label\nphoto.jpg,7\n")), null);
  assert.equal(sniffImageFormat(new Uint8Array(0)), null);
  assert.equal(sniffImageFormat(new Uint8Array([0x89, 0x50])), null, "a cut PNG signature");
  assert.equal(sniffImageFormat(text("<html><body>no svg</body></html>")), null);
});
