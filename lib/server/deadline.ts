/**
 * Deadlines that a paused or stalled process does not misfire. A plain
 * `setTimeout` that comes due while the process is stopped (SIGSTOP, a VM
 * pause, a long GC) fires as soon as it resumes, ahead of the I/O that
 * arrived meanwhile: a body received in full during the pause would get a
 * 408. Here, a timer that fires late by more than {@link LATE_MS} was not
 * observed in time, so the time it lost is added back and it is re-armed;
 * only a deadline that passes while the process runs expires.
 */

/** Lateness past which a timer is taken to have slept through its deadline. */
export const LATE_MS = 250;

/** A running deadline; `clear()` stops it (idempotent). */
export interface Deadline {
  clear(): void;
  /** Whether it has expired. */
  readonly expired: boolean;
}

/** Calls `onExpire` once `ms` milliseconds of running time have passed (monotonic clock). */
export function startDeadline(ms: number, onExpire: () => void): Deadline {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  let cleared = false;
  const arm = (delay: number) => {
    const due = performance.now() + delay;
    timer = setTimeout(() => {
      if (cleared) return;
      const late = performance.now() - due;
      if (late > LATE_MS) {
        // Slept through it: give back the lost time, so pending I/O is read first.
        arm(late);
        return;
      }
      expired = true;
      onExpire();
    }, delay);
  };
  arm(ms);
  return {
    clear() {
      cleared = true;
      clearTimeout(timer);
    },
    get expired() {
      return expired;
    },
  };
}
