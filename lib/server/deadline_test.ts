import assert from "node:assert/strict";
import { LATE_MS, startDeadline } from "./deadline.ts";

/** Blocks the thread, as a paused process looks to its timers. */
function blockFor(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

Deno.test("deadline - expires once its time has passed while running", async () => {
  let fired = 0;
  const deadline = startDeadline(30, () => fired++);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(fired, 1);
  assert.equal(deadline.expired, true);
});

Deno.test("deadline - a deadline slept through is re-armed, so work that is ready wins", async () => {
  let fired = 0;
  const deadline = startDeadline(20, () => fired++);
  // The thread stalls past the deadline (as in a SIGSTOP); work that became
  // ready meanwhile then completes before the deadline can fire.
  blockFor(LATE_MS + 200);
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(fired, 0, "not expired right after the stall");
  deadline.clear();
  await new Promise((r) => setTimeout(r, LATE_MS + 300));
  assert.equal(fired, 0, "cleared: never fires");
});
