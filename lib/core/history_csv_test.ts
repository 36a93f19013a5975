import assert from "node:assert/strict";
import { csvField, writeHistoryCsv } from "./history_csv.ts";

Deno.test("history csv - writes a header and one quoted-reading row per recognition", () => {
  const text = writeHistoryCsv([{
    time: Date.UTC(2026, 10, 29, 12, 0, 0),
    name: "meter, kitchen.jpg",
    source: "upload",
    predicted: "0471",
    label: "0472",
    corrected: true,
    confirmed: false,
    confidence: 0.91234,
    modelVersion: "2602a250ead7",
    id: "abc",
  }, {
    time: 0,
    source: "draw",
    predicted: "",
    label: "",
    corrected: false,
    confirmed: true,
    confidence: 0,
    modelVersion: "v",
    id: "d",
  }]);
  const lines = text.split("\r\n");
  assert.equal(
    lines[0],
    "time,file_name,source,reading,model_reading,corrected,confirmed,confidence,model_version,id,turned",
  );
  assert.equal(
    lines[1],
    '2026-11-29T12:00:00.000Z,"meter, kitchen.jpg",upload,"0472","0471",yes,no,0.9123,2602a250ead7,abc,0',
  );
  assert.equal(lines[2], '1970-01-01T00:00:00.000Z,,draw,"","",no,yes,,v,d,0');
  assert.equal(lines[3], "");
});

Deno.test("history csv - keeps a decimal point in the reading and says the photo was turned", () => {
  const text = writeHistoryCsv([{
    time: 0,
    source: "camera",
    predicted: "72.5",
    label: "72.5",
    corrected: false,
    confirmed: false,
    confidence: 0.9,
    modelVersion: "v",
    id: "t",
    turned: 180,
  }]);
  assert.equal(
    text.split("\r\n")[1],
    '1970-01-01T00:00:00.000Z,,camera,"72.5","72.5",no,no,0.9000,v,t,180',
  );
});

Deno.test("history csv - quotes embedded quotes and defuses spreadsheet formulas", () => {
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("=HYPERLINK(1)"), "'=HYPERLINK(1)");
  assert.equal(csvField("line\nbreak"), '"line\nbreak"');
});
