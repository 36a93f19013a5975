import assert from "node:assert/strict";
import { negativeScene, renderScene } from "./shapes.ts";
import { makeRng } from "../../lib/core/random.ts";
import { preprocessImage } from "../../lib/core/preprocess.ts";

Deno.test("no-digit shapes - about a fifth of the symbols are as small as a checkbox on a scan", () => {
  const rng = makeRng(5);
  const scenes = Array.from({ length: 300 }, () => negativeScene("symbol", rng));
  // Each scene's strokes are fitted to its chosen height.
  const extent = (ys: number[]) => Math.max(...ys) - Math.min(...ys);
  const small = scenes.filter((s) => extent(s.strokes.flat().map(([, y]) => y)) <= 30.01);
  const share = small.length / scenes.length;
  assert.ok(share > 0.12 && share < 0.3, `share ${share}`);
  // Small as they are, preprocessing still finds a shape in most of them.
  let found = 0;
  for (const s of small.slice(0, 30)) {
    found += preprocessImage(renderScene(s, rng)).digits.length ? 1 : 0;
  }
  assert.ok(found >= 24, `${found} of 30 small symbols found`);
});

Deno.test("no-digit shapes - some drawings are outlines with something inside them, as a fish's eye", () => {
  const rng = makeRng(9);
  let enclosing = 0;
  for (let k = 0; k < 200; k++) {
    const pre = preprocessImage(renderScene(negativeScene("drawing", rng), rng));
    if (pre.digits.some((d) => (d.enclosedMarks ?? 0) >= 1)) enclosing++;
  }
  // Smileys (eyes, mouth) and fish (an eye) enclose marks; stars, spirals and zigzags do not.
  assert.ok(enclosing >= 10 && enclosing <= 60, `${enclosing} of 200`);
});
