/**
 * Working arrays reused from one preprocessing call to the next.
 *
 * Preprocessing a 640×480 camera frame needs a dozen image-sized arrays that
 * live only for that call. Fresh large arrays are dear in a browser:
 * Chromium maps every ArrayBuffer over about 1 MB from the system on its own
 * and hands it back when it is collected, so each frame pays the page faults
 * of touching new memory again (measured on this project's machine: a
 * 640×480 `toGrey` took 7 ms with a fresh array, 0.8 ms with a reused one).
 *
 * `withScratch(fn)` lends such arrays for the duration of `fn`: inside it,
 * `scratchFloat32(n)` and its siblings return arrays carved from buffers
 * kept from earlier calls; outside it they are plain `new` arrays. They are
 * zeroed, as new arrays are, unless the caller passes `zeroed = false`
 * because it writes every value before reading any (clearing a megabyte
 * costs about as much as a simple pass over it).
 * An array from here must not outlive the `withScratch` call that lent it
 * (never return one from preprocessing), since the next call reuses it.
 */

/** Arrays under this many bytes come from the allocator as usual: cheap, and not worth a list. */
const MIN_BYTES = 64 * 1024;
/** The buffers kept between calls, at most (a 640×480 frame needs about 8 MB). */
const MAX_KEPT_BYTES = 32 * 1024 * 1024;

/** Free buffers by their size class (bytes). */
const free = new Map<number, ArrayBuffer[]>();
let keptBytes = 0;
/** Buffers lent in the current outermost `withScratch` call; null when none is running. */
let lent: ArrayBuffer[] | null = null;

/**
 * The size class a request of `bytes` is served from: the next of 4 steps
 * per doubling (at most 25 % unused), so a digit a few pixels larger than in
 * the last frame still finds its buffer.
 */
export function sizeClass(bytes: number): number {
  const top = 2 ** Math.ceil(Math.log2(bytes));
  for (const f of [0.625, 0.75, 0.875]) if (bytes <= top * f) return top * f;
  return top;
}

function borrow(bytes: number, zeroed: boolean): ArrayBuffer | null {
  if (!lent || bytes < MIN_BYTES) return null;
  const size = sizeClass(bytes);
  const list = free.get(size);
  let buffer = list?.pop();
  if (buffer) {
    keptBytes -= size;
    if (zeroed) new Uint8Array(buffer, 0, bytes).fill(0);
  } else buffer = new ArrayBuffer(size);
  lent.push(buffer);
  return buffer;
}

/** A Float32Array of `n` values, zeroed unless `zeroed` is false (reused inside `withScratch`). */
export function scratchFloat32(n: number, zeroed = true): Float32Array {
  const buffer = borrow(n * 4, zeroed);
  return buffer ? new Float32Array(buffer, 0, n) : new Float32Array(n);
}

/** A Int32Array of `n` values, zeroed unless `zeroed` is false (reused inside `withScratch`). */
export function scratchInt32(n: number, zeroed = true): Int32Array {
  const buffer = borrow(n * 4, zeroed);
  return buffer ? new Int32Array(buffer, 0, n) : new Int32Array(n);
}

/** A Uint8Array of `n` values, zeroed unless `zeroed` is false (reused inside `withScratch`). */
export function scratchUint8(n: number, zeroed = true): Uint8Array {
  const buffer = borrow(n, zeroed);
  return buffer ? new Uint8Array(buffer, 0, n) : new Uint8Array(n);
}

/**
 * Runs `fn` with the scratch arrays lent from the kept buffers; when it
 * returns (or throws), they go back for the next call. Nested calls share
 * the outermost one's loan.
 */
export function withScratch<T>(fn: () => T): T {
  if (lent) return fn();
  lent = [];
  try {
    return fn();
  } finally {
    for (const buffer of lent) {
      if (keptBytes + buffer.byteLength > MAX_KEPT_BYTES) continue;
      const list = free.get(buffer.byteLength);
      if (list) list.push(buffer);
      else free.set(buffer.byteLength, [buffer]);
      keptBytes += buffer.byteLength;
    }
    lent = null;
  }
}
