/**
 * When a live camera reading is steady enough to offer: the same digits in
 * the last few frames read. One frame alone flickers (a hand moves, focus
 * hunts); several agreeing frames are what the user sees as "it reads 42".
 */

/** Frames that must agree before a reading is offered. */
export const STEADY_FRAMES = 3;

/** Keeps the last frames' digits and says which reading, if any, is steady. */
export class SteadyReading {
  #recent: string[] = [];

  constructor(readonly frames = STEADY_FRAMES) {}

  /** Adds one frame's digits ("" when it read none); returns the steady digits or null. */
  push(digits: string): string | null {
    this.#recent.push(digits);
    if (this.#recent.length > this.frames) this.#recent.shift();
    return this.steady();
  }

  /** The digits every one of the last `frames` frames read, or null (none, or not yet agreed). */
  steady(): string | null {
    const [first] = this.#recent;
    if (this.#recent.length < this.frames || !first) return null;
    return this.#recent.every((d) => d === first) ? first : null;
  }

  /** Forgets the frames (the camera stopped, or the reading was taken). */
  reset(): void {
    this.#recent = [];
  }
}
