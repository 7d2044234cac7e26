import assert from "node:assert/strict";
import {
  cpuBusyPercent,
  cpuModelFrom,
  cpuTimesFrom,
  machineFacts,
  memGibFrom,
} from "../experiments/measure/machine.ts";

Deno.test("machine facts come from /proc text", () => {
  assert.equal(
    cpuModelFrom("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\n"),
    "Intel(R) Xeon(R) Processor",
  );
  assert.equal(cpuModelFrom(""), "unknown");
  assert.equal(
    memGibFrom("MemTotal:       24634432 kB\nMemFree: 1 kB\n"),
    23.5,
  );
  assert.equal(memGibFrom("nothing"), 0);
  // user nice system idle iowait irq softirq steal
  assert.deepEqual(
    cpuTimesFrom("cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 1 2 3 4\n"),
    { busy: 160, total: 980 },
  );
  assert.equal(cpuTimesFrom("no cpu line"), null);
  const facts = machineFacts();
  assert.ok(facts.cores >= 1);
  assert.equal(facts.denoVersion, Deno.version.deno);
});

Deno.test("cpuBusyPercent measures a share between 0 and 100", async () => {
  const busy = await cpuBusyPercent(50);
  assert.ok(busy >= 0 && busy <= 100, `busy ${busy}`);
});
