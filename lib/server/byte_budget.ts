/**
 * A process-wide budget of bytes held by request bodies still arriving or
 * waiting for their turn. Bodies are read before a request takes a queue
 * place (so a slow sender holds no place), and this budget is what bounds
 * their memory instead: past it, a request is refused with 503 `busy`.
 */

/** See the module comment. */
export class ByteBudget {
  readonly totalBytes: number;
  #used = 0;

  constructor(totalBytes: number) {
    this.totalBytes = totalBytes;
  }

  /** Bytes reserved right now. */
  get usedBytes(): number {
    return this.#used;
  }

  /** Reserves `n` bytes; false (and nothing reserved) when they do not fit. */
  tryReserve(n: number): boolean {
    if (this.#used + n > this.totalBytes) return false;
    this.#used += n;
    return true;
  }

  /** Gives back `n` bytes reserved earlier. */
  release(n: number): void {
    this.#used = Math.max(0, this.#used - n);
  }
}
