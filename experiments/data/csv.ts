/**
 * A small RFC 4180 CSV writer and reader: fields with a comma, a quote or
 * a line break are quoted, quotes are doubled, records end with CRLF on
 * output and with CRLF or LF on input.
 *
 * @module
 */

import { StudyError } from "./errors.ts";

const NEEDS_QUOTES = /[",\r\n]/;

/** One field as CSV text, quoted only when it has to be. */
export function formatCsvField(value: string | number): string {
  const text = typeof value === "number" ? formatCsvNumber(value) : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A number as CSV text: integers as they are, others with at most six
 * significant decimals (enough for milliseconds and MB/s, and free of
 * binary noise such as 0.30000000000000004).
 */
export function formatCsvNumber(value: number): string {
  if (!Number.isFinite(value)) return "";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(10)));
}

/** One record as a CSV line, CRLF included. */
export function formatCsvLine(values: readonly (string | number)[]): string {
  return values.map(formatCsvField).join(",") + "\r\n";
}

/** A header and its records as CSV text. */
export function formatCsv(
  header: readonly string[],
  records: readonly (readonly (string | number)[])[],
): string {
  return formatCsvLine(header) + records.map(formatCsvLine).join("");
}

/**
 * Parses CSV text into rows of fields. A blank last line is ignored;
 * an unterminated quoted field or text after a closing quote is a
 * `CSV_SYNTAX` {@linkcode StudyError} naming the line.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let line = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (
          next !== undefined && next !== "," && next !== "\r" && next !== "\n"
        ) {
          throw new StudyError(
            "CSV_SYNTAX",
            `CSV line ${line} has text after a closing quote`,
          );
        }
        continue;
      }
      if (ch === "\n") line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      fieldStarted = true;
      i++;
    } else if (ch === "\r" || ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      fieldStarted = false;
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) {
    throw new StudyError(
      "CSV_SYNTAX",
      `CSV line ${line} has a quoted field that never ends`,
    );
  }
  if (fieldStarted || field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A CSV file read as its header and one object per record. */
export interface CsvTable {
  /** Column names, in file order. */
  header: string[];
  /** Records keyed by column name. */
  records: Record<string, string>[];
}

/**
 * Parses CSV text whose first row is the header. Every record must have
 * as many fields as the header (`CSV_SCHEMA` otherwise); an empty text
 * is a `CSV_SCHEMA` error too, since even an empty table has a header.
 */
export function parseCsvTable(text: string): CsvTable {
  const rows = parseCsv(text);
  const header = rows[0];
  if (header === undefined) {
    throw new StudyError("CSV_SCHEMA", "CSV text has no header line");
  }
  const records = rows.slice(1).map((fields, index) => {
    if (fields.length !== header.length) {
      throw new StudyError(
        "CSV_SCHEMA",
        `CSV record ${
          index + 1
        } has ${fields.length} fields but the header has ${header.length}`,
      );
    }
    const record: Record<string, string> = {};
    header.forEach((name, column) => {
      record[name] = fields[column]!;
    });
    return record;
  });
  return { header, records };
}
