import assert from "node:assert/strict";
import {
  formatExactSize,
  formatHumanSize,
} from "../lib/server/listing/human_size.ts";

Deno.test("formatHumanSize shows bytes below 1 KiB as whole bytes", () => {
  assert.equal(formatHumanSize(0), "0 B");
  assert.equal(formatHumanSize(1), "1 B");
  assert.equal(formatHumanSize(1023), "1023 B");
});

Deno.test("formatHumanSize uses binary units with one decimal below 100", () => {
  assert.equal(formatHumanSize(1024), "1 KiB");
  assert.equal(formatHumanSize(1229), "1.2 KiB");
  assert.equal(formatHumanSize(12_595), "12.3 KiB");
  assert.equal(formatHumanSize(126_000), "123 KiB");
  assert.equal(formatHumanSize(5 * 1024 * 1024), "5 MiB");
  assert.equal(formatHumanSize(1.5 * 1024 ** 3), "1.5 GiB");
  assert.equal(formatHumanSize(2 * 1024 ** 4), "2 TiB");
});

Deno.test("formatHumanSize moves to the next unit when rounding reaches 1024", () => {
  assert.equal(formatHumanSize(1024 * 1024 - 1), "1 MiB");
  assert.equal(formatHumanSize(1023.6 * 1024), "1 MiB");
});

Deno.test("formatHumanSize never throws on absurd input", () => {
  assert.equal(formatHumanSize(-5), "0 B");
  assert.equal(formatHumanSize(Number.NaN), "0 B");
  assert.equal(formatHumanSize(Number.POSITIVE_INFINITY), "0 B");
  assert.equal(formatHumanSize(2 ** 70), "1024 EiB");
});

Deno.test("formatExactSize groups digits and pluralises", () => {
  assert.equal(formatExactSize(0), "0 bytes");
  assert.equal(formatExactSize(1), "1 byte");
  assert.equal(formatExactSize(999), "999 bytes");
  assert.equal(formatExactSize(1000), "1,000 bytes");
  assert.equal(formatExactSize(1_234_567), "1,234,567 bytes");
  assert.equal(formatExactSize(-1), "0 bytes");
});
