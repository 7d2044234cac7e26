import assert from "node:assert/strict";
import { assertStudyError } from "./helpers/study_errors.ts";
import {
  formatStudyCsv,
  parseStudyCsv,
  readStudyCsv,
  STUDY_COLUMNS,
  writeStudyCsv,
} from "../experiments/data/study_row.ts";

const FIXTURE = new URL(
  "../experiments/testdata/study_fixture.csv",
  import.meta.url,
);

Deno.test("study rows survive a write and a read unchanged", () => {
  const rows = parseStudyCsv(Deno.readTextFileSync(FIXTURE));
  assert.equal(rows.length, 100);
  const again = parseStudyCsv(formatStudyCsv(rows));
  assert.deepEqual(again, rows);
  const first = rows[0]!;
  assert.equal(first.cpu_model, "Test CPU, 2 cores");
  assert.equal(typeof first.rps, "number");
  assert.equal(first.server_args, "");
});

Deno.test("parseStudyCsv names missing columns and non-numeric values", () => {
  assertStudyError(
    () => parseStudyCsv("profile,part\r\nfull,latency\r\n"),
    "CSV_SCHEMA",
    /lacks the columns .*config/,
  );
  const rows = parseStudyCsv(Deno.readTextFileSync(FIXTURE)).slice(0, 1);
  const text = formatStudyCsv(rows).replace(",333.3,", ",fast,");
  assertStudyError(
    () => parseStudyCsv(text),
    "CSV_SCHEMA",
    /"fast" in the numeric column rps/,
  );
});

Deno.test("parseStudyCsv ignores extra columns so newer files stay readable", () => {
  const rows = parseStudyCsv(Deno.readTextFileSync(FIXTURE)).slice(0, 2);
  const lines = formatStudyCsv(rows).trimEnd().split("\r\n");
  const widened = lines.map((line, i) => `${line},${i === 0 ? "extra" : "x"}`)
    .join("\r\n");
  assert.deepEqual(parseStudyCsv(widened), rows);
  assert.equal(STUDY_COLUMNS.length, new Set(STUDY_COLUMNS).size);
});

Deno.test("writeStudyCsv replaces the file whole and leaves no temporary file", () => {
  const dir = Deno.makeTempDirSync({ prefix: "experiments-csv-" });
  try {
    const path = `${dir}/study.csv`;
    assert.deepEqual(readStudyCsv(path), []);
    const rows = parseStudyCsv(Deno.readTextFileSync(FIXTURE));
    writeStudyCsv(path, rows);
    writeStudyCsv(path, rows.slice(0, 3));
    assert.deepEqual(readStudyCsv(path), rows.slice(0, 3));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "study.csv",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
