/**
 * Which image format some bytes are, from their magic numbers: the one
 * sniffer used by the server's decoder and the browser's file input, so the
 * API and the page give the same answer for the same file (a TIFF is
 * "not supported" in both, a text file "not an image").
 */

/** Formats the app decodes everywhere (the server's decoders; every browser). */
export type ImageFormat = "png" | "jpeg" | "webp" | "gif" | "bmp";

/** Image formats recognised but not supported (some browsers may still open HEIC or AVIF). */
export type UnsupportedFormat = "heic" | "avif" | "tiff";

/** What a sniff can find: a supported format, an unsupported one, or an SVG document. */
export type SniffedFormat = ImageFormat | UnsupportedFormat | "svg";

/** How many leading bytes `sniffImageFormat` looks at (for callers that read a file's head). */
export const SNIFF_BYTES = 1024;

/** Whether a sniffed format is one of the recognised but unsupported ones. */
export function isUnsupportedFormat(format: SniffedFormat | null): format is UnsupportedFormat {
  return format === "heic" || format === "avif" || format === "tiff";
}

/**
 * Guesses the format from the first bytes. Returns "svg" for SVG/XML text
 * (never rasterised by the app: it is a script-capable document, not a photo),
 * "heic", "avif" or "tiff" for formats recognised but not supported, and null
 * for anything else.
 */
export function sniffImageFormat(bytes: Uint8Array): SniffedFormat | null {
  const b = bytes;
  const at = (i: number, s: string) => {
    for (let k = 0; k < s.length; k++) if (b[i + k] !== s.charCodeAt(k)) return false;
    return true;
  };
  if (b.length >= 8 && b[0] === 0x89 && at(1, "PNG\r\n\x1a\n")) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (at(0, "GIF87a") || at(0, "GIF89a")) return "gif";
  if (b.length >= 12 && at(0, "RIFF") && at(8, "WEBP")) return "webp";
  if (b.length >= 26 && at(0, "BM")) return "bmp";
  if (at(0, "II*\0") || at(0, "MM\0*")) return "tiff";
  if (b.length >= 12 && at(4, "ftyp")) {
    const brand = String.fromCharCode(b[8], b[9], b[10], b[11]);
    if (brand.startsWith("avi")) return "avif";
    if (/^(hei|hev|mif|msf)/.test(brand)) return "heic";
  }
  if (looksLikeSvg(b)) return "svg";
  return null;
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder("utf-8", { fatal: false })
    .decode(bytes.subarray(0, SNIFF_BYTES))
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  return (head.startsWith("<?xml") || head.startsWith("<svg") || head.startsWith("<!doctype svg") ||
    head.startsWith("<!--")) && head.includes("<svg");
}
