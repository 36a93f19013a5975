/** The bounded queue: limits running and waiting jobs, refuses beyond, hands over in order. */
import assert from "node:assert/strict";
import { BoundedQueue, QueueFullError } from "./bounded_queue.ts";

Deno.test("bounded queue - runs at most `concurrency` jobs, in arrival order, and refuses past capacity", async () => {
  const queue = new BoundedQueue({ concurrency: 2, maxQueued: 2 });
  const tickets = [0, 1, 2, 3].map(() => queue.admit());
  assert.throws(() => queue.admit(), QueueFullError);
  const started: number[] = [];
  const turns = tickets.map((t, i) => t.turn().then(() => started.push(i)));
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(queue.stats(), { running: 2, waiting: 2, capacity: 4 });
  tickets[1].release();
  await turns[2];
  assert.deepEqual(started, [0, 1, 2]);
  // A place is free again: one more may be admitted.
  const fifth = queue.admit();
  tickets[0].release();
  tickets[0].release(); // idempotent
  await turns[3];
  assert.deepEqual(started, [0, 1, 2, 3]);
  for (const t of [tickets[2], tickets[3], fifth]) t.release();
  assert.deepEqual(queue.stats(), { running: 0, waiting: 0, capacity: 4 });
});

Deno.test("bounded queue - a ticket released before its turn frees its place without running", () => {
  const queue = new BoundedQueue({ concurrency: 1, maxQueued: 0 });
  const ticket = queue.admit();
  assert.throws(() => queue.admit(), QueueFullError);
  ticket.release();
  queue.admit().release();
  assert.deepEqual(queue.stats(), { running: 0, waiting: 0, capacity: 1 });
});

Deno.test("bounded queue - Retry-After is at least a second and grows with the work ahead", async () => {
  const queue = new BoundedQueue({ concurrency: 1, maxQueued: 3 });
  assert.equal(queue.retryAfterSeconds(), 1);
  const first = queue.admit();
  await first.turn();
  await new Promise((r) => setTimeout(r, 1100));
  first.release();
  const tickets = [0, 1, 2, 3].map(() => queue.admit());
  let refused: QueueFullError | undefined;
  try {
    queue.admit();
  } catch (e) {
    refused = e as QueueFullError;
  }
  assert.ok(refused instanceof QueueFullError);
  assert.ok(refused.retryAfterSeconds >= 4, `got ${refused.retryAfterSeconds}`);
  for (const t of tickets) t.release();
});
