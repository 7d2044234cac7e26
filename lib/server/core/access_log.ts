/**
 * Access-log lines in the Combined Log Format that Apache and nginx write:
 * `host - user [time] "request line" status bytes "referer" "user-agent"`.
 *
 * @module
 */

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

let cachedSecond = -1;
let cachedStamp = "";

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Formats a time as `10/Oct/2000:13:55:36 -0700` (local time). */
export function formatClfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cachedSecond) return cachedStamp;
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  cachedStamp =
    `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  cachedSecond = second;
  return cachedStamp;
}

/**
 * Escapes a logged field so a client cannot forge log lines: quotes,
 * backslashes and control bytes become `\"`, `\\` and `\xHH`.
 */
export function escapeLogField(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\xff"\\]/g, (c) => {
    if (c === '"') return '\\"';
    if (c === "\\") return "\\\\";
    return "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");
  });
}

/** The fields of one access-log line. */
export interface AccessRecord {
  /** Client address. */
  remoteAddr: string;
  /** The request line as received (or what could be read of it). */
  requestLine: string;
  /** Status sent. */
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** The authenticated user (`%u`), if any; never a password. */
  user?: string;
  /** `Referer` header, if any. */
  referer?: string;
  /** `User-Agent` header, if any. */
  userAgent?: string;
}

/** Formats one Combined Log Format line (without newline). */
export function formatAccessLine(r: AccessRecord, nowMs = Date.now()): string {
  // Spaces escaped too: the user field is the one CLF field not quoted.
  const user = r.user === undefined || r.user === ""
    ? "-"
    : escapeLogField(r.user).replaceAll(" ", "\\x20");
  return `${r.remoteAddr} - ${user} [${formatClfTime(nowMs)}] "${
    escapeLogField(r.requestLine)
  }" ${r.status} ${r.bytes === 0 ? "-" : r.bytes} "${
    escapeLogField(r.referer ?? "-")
  }" "${escapeLogField(r.userAgent ?? "-")}"`;
}
