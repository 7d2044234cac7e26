import assert from "node:assert/strict";
import {
  BODY_MEMORY_BUDGET,
  bodyMemory,
  ByteBudget,
} from "../lib/server/core/body_budget.ts";

Deno.test("ByteBudget hands out bytes up to its limit and takes them back", () => {
  const b = new ByteBudget(100);
  assert.equal(b.tryTake(60), true);
  assert.equal(b.tryTake(50), false, "over the limit: nothing taken");
  assert.equal(b.used, 60);
  assert.equal(b.tryTake(40), true);
  b.give(100);
  assert.equal(b.used, 0);
  b.give(5);
  assert.equal(b.used, 0, "never below zero");
});

Deno.test("the shared body budget is small", () => {
  assert.equal(bodyMemory.limit, BODY_MEMORY_BUDGET);
  assert.ok(BODY_MEMORY_BUDGET <= 16 * 1024 * 1024);
});
