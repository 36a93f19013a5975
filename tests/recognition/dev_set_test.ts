/**
 * Accuracy on the real labelled photos (../shared/photos, for measuring only):
 * runs when the folder is there (CI has it), ignored with the reason otherwise.
 * Every behaviour is also tested on the project's own fixtures; this guards
 * against a change that passes them but reads real photos worse.
 */
import assert from "node:assert/strict";
import { devSetTest, evalPhotosJson } from "./helpers.ts";

/** The shipped model reads 97.6 % of the set (BENCHMARKS.md); a drop below this fails. */
const MIN_ACCURACY = 0.95;

devSetTest(
  "photos",
  "dev set - the shipped model reads at least 95 % of the real photos",
  async (dir) => {
    const { code, report, stderr } = await evalPhotosJson(dir);
    assert.equal(code, 0, stderr);
    assert.ok(report.summary.total >= 200, `only ${report.summary.total} photos in ${dir}`);
    assert.ok(
      report.summary.accuracy >= MIN_ACCURACY,
      `accuracy ${report.summary.accuracy} on ${report.summary.total} photos`,
    );
  },
);
