import assert from "node:assert/strict";
import type { ListingEntry } from "../lib/server/listing/entries.ts";
import {
  compareNames,
  compareNatural,
  DEFAULT_SORT,
  type ListingSort,
  nameKeyOf,
  sortEntries,
} from "../lib/server/listing/sort.ts";

function file(
  name: string,
  size: number,
  mtimeMs: number | null,
  mime: string,
): ListingEntry {
  return { name, isDirectory: false, size, mtimeMs, mime };
}
function dir(name: string, mtimeMs: number): ListingEntry {
  return { name, isDirectory: true, size: 4096, mtimeMs, mime: null };
}

const ENTRIES: ListingEntry[] = [
  file("b.txt", 300, 3000, "text/plain"),
  dir("zeta", 1000),
  file("a.png", 100, 1000, "image/png"),
  dir("Alpha", 5000),
  file("c.css", 200, 2000, "text/css"),
  file("d.bin", 200, null, "application/octet-stream"),
];

function names(sort: ListingSort): string[] {
  return sortEntries(ENTRIES, sort).map((e) => e.name);
}

Deno.test("sortEntries by name puts directories first, then files", () => {
  assert.deepEqual(names(DEFAULT_SORT), [
    "Alpha",
    "zeta",
    "a.png",
    "b.txt",
    "c.css",
    "d.bin",
  ]);
});

Deno.test("sortEntries descending reverses within each group, directories still first", () => {
  assert.deepEqual(names({ column: "name", descending: true }), [
    "zeta",
    "Alpha",
    "d.bin",
    "c.css",
    "b.txt",
    "a.png",
  ]);
});

Deno.test("sortEntries by size orders files by bytes, ties by name, directories by name", () => {
  assert.deepEqual(names({ column: "size", descending: false }), [
    "Alpha",
    "zeta",
    "a.png",
    "c.css",
    "d.bin",
    "b.txt",
  ]);
  assert.deepEqual(names({ column: "size", descending: true }), [
    "zeta",
    "Alpha",
    "b.txt",
    "d.bin",
    "c.css",
    "a.png",
  ]);
});

Deno.test("sortEntries by modified time sorts unknown times as oldest", () => {
  assert.deepEqual(names({ column: "modified", descending: false }), [
    "zeta",
    "Alpha",
    "d.bin",
    "a.png",
    "c.css",
    "b.txt",
  ]);
  assert.deepEqual(names({ column: "modified", descending: true }), [
    "Alpha",
    "zeta",
    "b.txt",
    "c.css",
    "a.png",
    "d.bin",
  ]);
});

Deno.test("sortEntries by type orders files by media type", () => {
  assert.deepEqual(names({ column: "type", descending: false }), [
    "Alpha",
    "zeta",
    "d.bin",
    "a.png",
    "c.css",
    "b.txt",
  ]);
});

Deno.test("sortEntries does not modify its input", () => {
  const before = ENTRIES.map((e) => e.name);
  sortEntries(ENTRIES, { column: "size", descending: true });
  assert.deepEqual(ENTRIES.map((e) => e.name), before);
});

Deno.test("compareNames sorts numbers naturally and is a total order", () => {
  const list = ["file10", "file2", "File1", "file1", "é", "e", "z"];
  list.sort(compareNames);
  assert.deepEqual(list, ["e", "é", "File1", "file1", "file2", "file10", "z"]);
  assert.ok(compareNames("file1", "File1") !== 0);
  assert.equal(compareNames("same", "same"), 0);
});

Deno.test("sortEntries handles 10,000 entries", () => {
  const many: ListingEntry[] = [];
  for (let i = 10_000; i > 0; i--) {
    many.push(file(`f${i}.txt`, i % 97, i, "text/plain"));
  }
  const sorted = sortEntries(many, DEFAULT_SORT);
  assert.equal(sorted.length, 10_000);
  assert.equal(sorted[0]!.name, "f1.txt");
  assert.equal(sorted[9_999]!.name, "f10000.txt");
});

Deno.test("compareNatural compares digit runs by value", () => {
  assert.ok(compareNatural("a2", "a10") < 0);
  assert.ok(compareNatural("a10", "a9") > 0);
  assert.ok(compareNatural("v1.10", "v1.9") > 0);
  assert.equal(compareNatural("x007", "x7"), 0);
  assert.ok(compareNatural("x", "x1") < 0);
  assert.ok(compareNatural("2", "b") < 0);
  assert.ok(compareNatural("123456789012345678901", "99") > 0);
});

Deno.test("nameKeyOf folds case and accents", () => {
  assert.equal(nameKeyOf("README.md"), "readme.md");
  assert.equal(nameKeyOf("Café.TXT"), "cafe.txt");
  assert.equal(nameKeyOf("Ångström"), "angstrom");
});
