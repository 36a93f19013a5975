/**
 * A bounded queue for expensive work: at most `concurrency` jobs run at once
 * and at most `maxQueued` more wait. A request is admitted on arrival, before
 * its body is read, and holds its place until it has answered, so the memory
 * held by bodies and decoded images is bounded by the queue's capacity
 * however many clients connect. Past capacity a request is refused at once
 * (the API answers 503 with Retry-After) instead of piling up.
 */

/** Sizes of a {@link BoundedQueue}. */
export interface BoundedQueueOptions {
  /** Jobs running at the same time (≥ 1). */
  concurrency: number;
  /** Admitted jobs allowed to wait beyond those running (≥ 0). */
  maxQueued: number;
}

/** Thrown by {@link BoundedQueue.admit} when the queue is full. */
export class QueueFullError extends Error {
  /** Seconds after which a retry has a fair chance (for `Retry-After`). */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("The queue is full");
    this.name = "QueueFullError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A place in the queue, from admission until `release()`. */
export interface QueueTicket {
  /** Resolves when this job may run. */
  turn(): Promise<void>;
  /** Gives the place back (idempotent); call it in `finally`. */
  release(): void;
}

/** Counts of a {@link BoundedQueue} right now. */
export interface QueueStats {
  running: number;
  /** Admitted jobs not running yet (waiting for a turn or still receiving their body). */
  waiting: number;
  capacity: number;
}

/** See the module comment. */
export class BoundedQueue {
  readonly concurrency: number;
  readonly maxQueued: number;
  #admitted = 0;
  #running = 0;
  #waiters: (() => void)[] = [];
  /** Running average of a job's run time, for Retry-After. */
  #averageRunMs = 0;

  constructor(options: BoundedQueueOptions) {
    if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw new RangeError("concurrency must be an integer ≥ 1");
    }
    if (!(Number.isInteger(options.maxQueued) && options.maxQueued >= 0)) {
      throw new RangeError("maxQueued must be an integer ≥ 0");
    }
    this.concurrency = options.concurrency;
    this.maxQueued = options.maxQueued;
  }

  /** Running plus waiting jobs allowed. */
  get capacity(): number {
    return this.concurrency + this.maxQueued;
  }

  /** Current counts. */
  stats(): QueueStats {
    return {
      running: this.#running,
      waiting: this.#admitted - this.#running,
      capacity: this.capacity,
    };
  }

  /** Seconds until the jobs ahead have likely finished: at least 1. */
  retryAfterSeconds(): number {
    const ahead = this.#admitted / this.concurrency;
    return Math.max(1, Math.ceil((ahead * this.#averageRunMs) / 1000));
  }

  /** Takes a place in the queue, or throws `QueueFullError` when there is none. */
  admit(): QueueTicket {
    if (this.#admitted >= this.capacity) throw new QueueFullError(this.retryAfterSeconds());
    this.#admitted++;
    let state: "admitted" | "waiting" | "running" | "released" = "admitted";
    let startedAt = 0;
    let wake: (() => void) | undefined;
    return {
      turn: () => {
        if (state !== "admitted") return Promise.reject(new Error("turn() called twice"));
        if (this.#running < this.concurrency) {
          this.#running++;
          state = "running";
          startedAt = performance.now();
          return Promise.resolve();
        }
        state = "waiting";
        return new Promise<void>((resolve) => {
          wake = () => {
            state = "running";
            startedAt = performance.now();
            resolve();
          };
          this.#waiters.push(wake);
        });
      },
      release: () => {
        if (state === "released") return;
        if (state === "running") {
          this.#recordRun(performance.now() - startedAt);
          this.#running--;
          this.#startNext();
        } else if (state === "waiting" && wake) {
          // Given up while waiting (cannot happen through turn(), kept for safety).
          const i = this.#waiters.indexOf(wake);
          if (i >= 0) this.#waiters.splice(i, 1);
        }
        state = "released";
        this.#admitted--;
      },
    };
  }

  #startNext() {
    const next = this.#waiters.shift();
    if (next) {
      this.#running++;
      next();
    }
  }

  #recordRun(ms: number) {
    // Exponential moving average: follows the current load, not the whole history.
    this.#averageRunMs = this.#averageRunMs === 0 ? ms : this.#averageRunMs * 0.8 + ms * 0.2;
  }
}
