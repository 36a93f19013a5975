import assert from "node:assert/strict";
import { SteadyReading } from "./steady_reading.ts";

Deno.test("steady reading - offered once the last frames agree, withdrawn when one differs", () => {
  const s = new SteadyReading(3);
  assert.equal(s.push("42"), null);
  assert.equal(s.push("42"), null);
  assert.equal(s.push("42"), "42");
  assert.equal(s.push("47"), null);
  assert.equal(s.push("47"), null);
  assert.equal(s.push("47"), "47");
});

Deno.test("steady reading - frames that read nothing are never steady", () => {
  const s = new SteadyReading(2);
  assert.equal(s.push(""), null);
  assert.equal(s.push(""), null);
  s.push("7");
  assert.equal(s.push("7"), "7");
  s.reset();
  assert.equal(s.push("7"), null);
});
