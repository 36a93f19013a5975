/**
 * The history as CSV, for spreadsheets: one row per recognition, readings
 * kept as text (a leading zero must survive: "007" is not 7).
 */

/**
 * One recognition as a CSV row sees it. Readings are numbers as written,
 * a kept decimal mark included ("72.5").
 */
export interface CsvRecord {
  time: number;
  name?: string;
  source: string;
  /** What the model read ("" = no digit). */
  predicted: string;
  /** The reading to trust: the user's correction, else the prediction. */
  label: string;
  corrected: boolean;
  confirmed: boolean;
  confidence: number;
  modelVersion: string;
  id: string;
  /** Clockwise degrees the image was read turned by; absent = as it came. */
  turned?: number;
}

/** The header row's column names (snake_case: a file format). */
export const CSV_COLUMNS = [
  "time",
  "file_name",
  "source",
  "reading",
  "model_reading",
  "corrected",
  "confirmed",
  "confidence",
  "model_version",
  "id",
  "turned",
] as const;

/** A field quoted when it must be (RFC 4180), and guarded against spreadsheet formulas. */
export function csvField(value: string): string {
  // A cell starting with = + - @ runs as a formula in spreadsheets: make it text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The CSV text of `records` (CRLF line ends, a header row). Readings are
 * quoted digits, so readers that honour quotes keep a leading zero.
 */
export function writeHistoryCsv(records: CsvRecord[]): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const r of records) {
    rows.push([
      new Date(r.time).toISOString(),
      csvField(r.name ?? ""),
      csvField(r.source),
      `"${r.label}"`,
      `"${r.predicted}"`,
      r.corrected ? "yes" : "no",
      r.confirmed ? "yes" : "no",
      r.predicted ? r.confidence.toFixed(4) : "",
      csvField(r.modelVersion),
      csvField(r.id),
      String(r.turned ?? 0),
    ].join(","));
  }
  return rows.join("\r\n") + "\r\n";
}
