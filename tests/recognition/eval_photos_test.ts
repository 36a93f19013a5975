import assert from "node:assert/strict";
import {
  type EvalRow,
  formatMarkdown,
  formatNondigitsMarkdown,
  formatNumbersMarkdown,
  parseLabelsCsv,
  setKindOf,
  summarise,
  summariseNondigits,
  summariseNumbers,
} from "../../cli/eval_photos.ts";
import { fixturePath } from "../fixtures/photos.ts";
import { evalPhotosJson } from "./helpers.ts";

const row = (file: string, label: string, kind: string, predicted: string): EvalRow => ({
  file,
  label,
  kind,
  predicted,
  correct: predicted === label,
  confidence: predicted ? 0.9 : null,
  crops: [],
});

Deno.test("eval-photos - parses labels.csv with or without a kind column", () => {
  assert.deepEqual(
    parseLabelsCsv("file,label,kind,source\na.png,3,scan,x\n\nb.jpg,7,phone-photo,y\n"),
    [
      { file: "a.png", label: "3", kind: "scan" },
      { file: "b.jpg", label: "7", kind: "phone-photo" },
    ],
  );
  assert.deepEqual(parseLabelsCsv("label,file\r\n2026,n.png\r\n"), [{
    file: "n.png",
    label: "2026",
    kind: "-",
  }]);
  assert.throws(() => parseLabelsCsv("name,digit\na,1\n"), /file.*label/);
});

Deno.test("eval-photos - tells digit, number and no-digit sets apart by their labels", () => {
  const nondigits = parseLabelsCsv("file,kind,source\na.png,smiley/drawn,x\n", true);
  assert.deepEqual(nondigits, [{ file: "a.png", label: "", kind: "smiley/drawn" }]);
  assert.throws(() => parseLabelsCsv("file,kind\na.png,x\n"), /label/);
  assert.equal(setKindOf(nondigits), "nondigits");
  assert.equal(setKindOf(parseLabelsCsv("file,label\na,3\nb,7\n")), "digits");
  assert.equal(setKindOf(parseLabelsCsv("file,label\na,3\nb,0042\n")), "numbers");
});

Deno.test("eval-photos - scores numbers as text: exact, digits right by edit distance", () => {
  const rows = [
    row("a", "0042", "photo", "0042"),
    row("b", "0042", "photo", "42"),
    row("c", "725", "scan", "7125"),
    { ...row("d", "31", "scan", ""), noDigit: true },
  ];
  const s = summariseNumbers(rows);
  assert.equal(s.total, 4);
  assert.equal(s.exact, 1);
  assert.equal(s.digits, 13);
  assert.equal(s.digitsRight, 4 + 2 + 2 + 0);
  assert.equal(s.rejected, 1);
  assert.deepEqual(s.perKind.scan, { total: 2, exact: 0, digits: 5, digitsRight: 2 });
  assert.match(formatNumbersMarkdown(s, rows), /- d \(scan\): 31 read as no digit/);
});

Deno.test("eval-photos - counts the no-digit images answered no digit, per kind", () => {
  const rows: EvalRow[] = [
    { ...row("a", "", "word", ""), noDigit: true, noDigitKind: "writing" },
    { ...row("b", "", "word", "60110"), noDigit: false },
    { ...row("c", "", "smiley", ""), noDigit: true, noDigitKind: "drawing" },
  ];
  const s = summariseNondigits(rows);
  assert.equal(s.rejected, 2);
  assert.deepEqual(s.perKind.word, { total: 2, rejected: 1 });
  assert.deepEqual(s.seenAs, { writing: 1, drawing: 1 });
  assert.match(formatNondigitsMarkdown(s, rows), /- b \(word\): "60110"/);
});

Deno.test("eval-photos - counts accuracy per kind and fills the confusion matrix", () => {
  const rows = [
    row("a", "1", "scan", "1"),
    row("b", "1", "scan", "7"),
    row("c", "2", "drawn", "2"),
    row("d", "3", "drawn", ""),
    row("e", "4", "drawn", "44"),
  ];
  const s = summarise(rows);
  assert.equal(s.total, 5);
  assert.equal(s.correct, 2);
  assert.equal(s.accuracy, 0.4);
  assert.deepEqual(s.perKind.scan, { total: 2, correct: 1, accuracy: 0.5 });
  assert.equal(s.confusion[1][7], 1);
  assert.equal(s.confusion[3][10], 1, "no digit counts in the ∅ column");
  assert.equal(s.confusion[4][10], 1, "several digits count in the ∅ column");
  assert.equal(s.rejected, 0);
  const md = formatMarkdown(s, rows);
  assert.match(md, /\| \*\*all\*\* \| 5 \| 2 \| \*\*40\.0 %\*\* \|/);
  assert.match(md, /- b \(scan\): 1 read as "7"/);
});

Deno.test("eval-photos - runs end to end on a small labelled folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/p`);
    await Deno.copyFile(await fixturePath("drawn_3.png"), `${dir}/p/a.png`);
    await Deno.copyFile(await fixturePath("scan_1.png"), `${dir}/p/b.png`);
    await Deno.writeTextFile(
      `${dir}/labels.csv`,
      "file,label,kind\np/a.png,3,other\np/b.png,1,scan\np/missing.png,5,scan\n",
    );
    const { code, report, stderr } = await evalPhotosJson(dir);
    assert.equal(code, 0, stderr);
    assert.equal(report.summary.total, 3);
    assert.equal(report.summary.correct, 2, "the drawn 3 and the scanned 1 are read");
    assert.equal(report.rows[2].correct, false);
    assert.match(report.rows[2].error, /No such file/i);
    assert.deepEqual(Object.keys(report.summary.per_kind).sort(), ["other", "scan"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
