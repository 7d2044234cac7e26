/**
 * Strict parsing of HTTP-dates (RFC 9110 section 5.6.7): the IMF-fixdate
 * every sender must use, and the two obsolete forms every recipient must
 * still read. `Date.parse` is no substitute: it takes "-1", "2024" or
 * local-time strings, and a condition built on such a "date" answers a
 * question the client never asked.
 *
 * @module
 */

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`,
);
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC850_DATE = new RegExp(
  "^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), " +
    `(\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994` */
const ASCTIME_DATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`,
);

/**
 * Milliseconds since the epoch for a calendar time, or null when a field
 * is out of range (31 Feb, 24:00:00, …). A leap second reads as :59.
 */
function utcOrNull(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | null {
  if (hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return null;
  // Date.UTC maps years 0-99 to 1900-1999; four digits were given.
  if (check.getUTCFullYear() !== year) return null;
  return ms;
}

/**
 * Parses an HTTP-date in any of its three forms; returns milliseconds since
 * the epoch, or null for anything else (other formats, bad fields, extra
 * text). Field names and the zone are case-sensitive, as the grammar says.
 * A two-digit rfc850 year more than 50 years ahead of `nowMs` is read as
 * the most recent such year in the past (RFC 9110 section 5.6.7).
 */
export function parseStrictHttpDate(
  value: string,
  nowMs: number = Date.now(),
): number | null {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) {
    return utcOrNull(
      Number(m[3]),
      MONTHS[m[2]!]!,
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
  }
  m = RFC850_DATE.exec(text);
  if (m !== null) {
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return utcOrNull(
      year,
      MONTHS[m[2]!]!,
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
  }
  m = ASCTIME_DATE.exec(text);
  if (m !== null) {
    return utcOrNull(
      Number(m[6]),
      MONTHS[m[1]!]!,
      Number(m[2]!.trim()),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
    );
  }
  return null;
}
