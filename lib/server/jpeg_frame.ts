/**
 * Reads a JPEG's frame header (SOF) and where its entropy-coded data starts,
 * without decoding. Two uses: the size of a JPEG whose EXIF block is too
 * damaged for image-size (the picture itself may be fine), and a lower
 * bound on the data its size needs, so that a header claiming 7000×7000
 * over 5 KB of data is refused as truncated instead of decoded into
 * invented grey that the model would read with confidence.
 */

/** What the frame header says. */
export interface JpegFrame {
  width: number;
  height: number;
  /** The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 9+ arithmetic. */
  process: number;
  /** Sampling factors of each component. */
  components: { h: number; v: number }[];
  /** Offset of the first byte after the first SOS header. */
  scanStart: number;
}

/** The frame of `bytes`, or null when no SOF and SOS can be found. */
export function readJpegFrame(bytes: Uint8Array): JpegFrame | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let frame: Omit<JpegFrame, "scanStart"> | null = null;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) { // fill byte
      i++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2 || i + 2 + length > bytes.length) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
      marker !== 0xcc;
    if (isSof && !frame && length >= 8) {
      const s = i + 4;
      const count = bytes[s + 5];
      const components = [];
      for (let c = 0; c < count && s + 6 + c * 3 + 1 < i + 2 + length; c++) {
        const sampling = bytes[s + 6 + c * 3 + 1];
        components.push({ h: sampling >> 4 || 1, v: sampling & 15 || 1 });
      }
      frame = {
        height: (bytes[s + 1] << 8) | bytes[s + 2],
        width: (bytes[s + 3] << 8) | bytes[s + 4],
        process: marker & 15,
        components,
      };
    }
    if (marker === 0xda) return frame ? { ...frame, scanStart: i + 2 + length } : null;
    i += 2 + length;
  }
  return null;
}

/**
 * The fewest bytes of entropy-coded data that can describe every 8×8 block
 * of `frame` with Huffman coding: each block needs at least a 1-bit DC code,
 * plus a 1-bit end-of-block code in a sequential JPEG (a progressive one can
 * code runs of empty AC blocks in one symbol). 0 where no bound is known
 * (arithmetic coding, lossless).
 */
export function minimumScanBytes(frame: JpegFrame): number {
  const huffman = frame.process <= 2;
  if (!huffman || frame.components.length === 0) return 0;
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  let blocks = 0;
  for (const { h, v } of frame.components) {
    // Without MCU padding, the smaller of the two counts an encoder may use.
    blocks += Math.ceil(Math.ceil((frame.width * h) / hMax) / 8) *
      Math.ceil(Math.ceil((frame.height * v) / vMax) / 8);
  }
  const bitsPerBlock = frame.process === 2 ? 1 : 2;
  return Math.floor((blocks * bitsPerBlock) / 8);
}
