import assert from "node:assert/strict";
import {
  formatCsv,
  formatCsvField,
  formatCsvNumber,
  parseCsv,
  parseCsvTable,
} from "../experiments/data/csv.ts";
import { assertStudyError } from "./helpers/study_errors.ts";

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
