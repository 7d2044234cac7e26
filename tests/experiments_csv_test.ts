import assert from "node:assert/strict";
import {
  formatCsv,
  formatCsvField,
  formatCsvNumber,
  parseCsv,
  parseCsvTable,
} from "../experiments/csv.ts";
import { StudyError } from "../experiments/errors.ts";
import {
  formatStudyCsv,
  parseStudyCsv,
  readStudyCsv,
  STUDY_COLUMNS,
  writeStudyCsv,
} from "../experiments/study_row.ts";
import { formatTimingCsv, parseTimingCsv } from "../experiments/timing.ts";

const FIXTURE = new URL(
  "../experiments/testdata/study_fixture.csv",
  import.meta.url,
);

function assertStudyError(
  fn: () => unknown,
  code: string,
  message: RegExp,
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StudyError, `expected a StudyError, got ${err}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

Deno.test("formatCsvField quotes only fields with a comma, quote or line break", () => {
  assert.equal(formatCsvField("plain"), "plain");
  assert.equal(formatCsvField("a,b"), '"a,b"');
  assert.equal(formatCsvField('say "hi"'), '"say ""hi"""');
  assert.equal(formatCsvField("two\nlines"), '"two\nlines"');
  assert.equal(formatCsvField("cr\rhere"), '"cr\rhere"');
  assert.equal(formatCsvField(""), "");
});

Deno.test("formatCsvNumber drops binary noise and keeps integers whole", () => {
  assert.equal(formatCsvNumber(0.1 + 0.2), "0.3");
  assert.equal(formatCsvNumber(1073741824), "1073741824");
  assert.equal(formatCsvNumber(12.5), "12.5");
  assert.equal(formatCsvNumber(Number.NaN), "");
});

Deno.test("parseCsv reads back what formatCsv wrote, tricky fields included", () => {
  const records = [
    ["Intel(R) Xeon(R), 2 cores", 'a "quoted" word', "two\r\nlines", ""],
    ["x", "1.5", ",", '"'],
  ];
  const text = formatCsv(["a", "b", "c", "d"], records);
  assert.ok(text.endsWith("\r\n"));
  assert.deepEqual(parseCsv(text), [["a", "b", "c", "d"], ...records]);
});

Deno.test("parseCsv accepts LF line ends, a missing last line end and empty fields", () => {
  assert.deepEqual(parseCsv("a,b\n1,\n,2"), [["a", "b"], ["1", ""], ["", "2"]]);
  assert.deepEqual(parseCsv(""), []);
});

Deno.test("parseCsv rejects an unterminated quote and text after a closing quote", () => {
  assertStudyError(
    () => parseCsv('a,b\n"open,1\n'),
    "CSV_SYNTAX",
    /never ends/,
  );
  assertStudyError(
    () => parseCsv('a,b\n"x"y,1\n'),
    "CSV_SYNTAX",
    /line 2 .*after a closing quote/,
  );
});

Deno.test("parseCsvTable keys records by header and rejects a short record", () => {
  const table = parseCsvTable("name,value\r\nrps,12\r\n");
  assert.deepEqual(table.header, ["name", "value"]);
  assert.deepEqual(table.records, [{ name: "rps", value: "12" }]);
  assertStudyError(
    () => parseCsvTable("a,b\n1\n"),
    "CSV_SCHEMA",
    /record 1 has 1 fields but the header has 2/,
  );
  assertStudyError(() => parseCsvTable(""), "CSV_SCHEMA", /no header/);
});

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

Deno.test("timing rows round-trip and a bad number is a schema error", () => {
  const rows = [{
    profile: "full",
    part: "latency",
    runs: 54,
    seconds: 201.25,
    started_at: "2026-01-02T03:04:05.000Z",
  }];
  assert.deepEqual(parseTimingCsv(formatTimingCsv(rows)), rows);
  assertStudyError(
    () =>
      parseTimingCsv(
        "profile,part,runs,seconds,started_at\nfull,latency,x,1,now\n",
      ),
    "CSV_SCHEMA",
    /bad number/,
  );
});
