import assert from "node:assert/strict";
import { replaceBlock } from "../training/benchmarks_md.ts";

const md =
  "# Benchmarks\n\n## Training\n\n_Written by `deno task train` (see x); pending._\n\n## Other\n\nkeep me\n";

Deno.test("benchmarks_md - fills the Training section and leaves other sections alone", () => {
  const once = replaceBlock(md, "Training", "training:run", "run table");
  assert.ok(once.includes("<!-- training:run -->\nrun table\n<!-- /training:run -->"));
  assert.ok(!once.includes("pending"));
  assert.ok(once.endsWith("## Other\n\nkeep me\n"));
  const twice = replaceBlock(once, "Training", "training:run", "new table");
  assert.ok(twice.includes("new table") && !twice.includes("run table"));
  const both = replaceBlock(twice, "Training", "training:backends", "backends");
  assert.ok(
    both.indexOf("new table") < both.indexOf("backends") &&
      both.indexOf("backends") < both.indexOf("## Other"),
  );
});

Deno.test("benchmarks_md - adds the section when the file lacks it", () => {
  const out = replaceBlock("# Benchmarks\n", "Training", "training:run", "t");
  assert.ok(out.includes("## Training\n\n<!-- training:run -->\nt\n<!-- /training:run -->"));
});
