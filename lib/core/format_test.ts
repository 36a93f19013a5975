import assert from "node:assert/strict";
import { formatBytes, percent } from "./format.ts";

Deno.test("format - percentages round to whole percent", () => {
  assert.equal(percent(0.9731), "97%");
  assert.equal(percent(1), "100%");
  assert.equal(percent(0.004), "0%");
});

Deno.test("format - byte counts in bytes, KB and MB (binary units)", () => {
  assert.equal(formatBytes(512), "512 bytes");
  assert.equal(formatBytes(1536), "1.5 KB");
  assert.equal(formatBytes(10 * 1024 * 1024), "10 MB");
});
