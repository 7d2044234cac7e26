import assert from "node:assert/strict";
import {
  listingJsonOf,
  renderListingJson,
} from "../lib/server/listing/json.ts";

Deno.test("listingJsonOf describes files and directories", () => {
  const json = listingJsonOf("/sub/", [
    { name: "d", isDirectory: true, size: 4096, mtimeMs: 0, mime: null },
    {
      name: "<a>.txt",
      isDirectory: false,
      size: 5,
      mtimeMs: Date.UTC(2024, 0, 2),
      mime: "text/plain",
    },
    {
      name: "odd",
      isDirectory: false,
      size: 1,
      mtimeMs: null,
      mime: "application/octet-stream",
    },
  ]);
  assert.deepEqual(json, {
    path: "/sub/",
    entries: [
      {
        name: "d",
        type: "directory",
        size: null,
        mtime: "1970-01-01T00:00:00.000Z",
        mime: null,
      },
      {
        name: "<a>.txt",
        type: "file",
        size: 5,
        mtime: "2024-01-02T00:00:00.000Z",
        mime: "text/plain",
      },
      {
        name: "odd",
        type: "file",
        size: 1,
        mtime: null,
        mime: "application/octet-stream",
      },
    ],
  });
});

Deno.test("renderListingJson parses back and keeps the order", () => {
  const text = renderListingJson("/", [
    { name: "b", isDirectory: false, size: 1, mtimeMs: 0, mime: "x/y" },
    { name: "a", isDirectory: false, size: 1, mtimeMs: 0, mime: "x/y" },
  ]);
  assert.ok(text.endsWith("\n"));
  assert.deepEqual(
    JSON.parse(text).entries.map((e: { name: string }) => e.name),
    ["b", "a"],
  );
});
