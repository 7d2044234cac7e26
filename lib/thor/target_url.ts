/**
 * The URL thor hammers, in every form the classic tool took: `host`,
 * `host/`, `host:port/path`, `host/path?query`, `http://host`,
 * `https://host`, and bracketed IPv6 literals like `http://[::1]:8080/`.
 *
 * @module
 */

import { bracketHost, formatHostPort } from "../common/net.ts";

/** A URL thor can send requests to. */
export interface TargetUrl {
  /** The text the user gave. */
  input: string;
  /** `http` or `https`. */
  scheme: "http" | "https";
  /** Host name or IP address, without IPv6 brackets, lower-cased. */
  host: string;
  /** True when `host` is an IPv4 or IPv6 literal. */
  isIpLiteral: boolean;
  /** Port, explicit or the scheme's default. */
  port: number;
  /** The request-target: path and query, starting with `/`. */
  target: string;
  /** The `Host` header value: host, bracketed if IPv6, port if not default. */
  authority: string;
}

/** Why a URL was refused; its message is one sentence for the user. */
export class InvalidUrlError extends Error {
  /** A stable identifier: `BAD_SCHEME`, `BAD_HOST`, `BAD_PORT`, `BAD_PATH`. */
  readonly code: string;

  /** Creates the error with a stable `code`. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "InvalidUrlError";
    this.code = code;
  }
}

const DEFAULT_PORTS = { http: 80, https: 443 } as const;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// Registered names: letters, digits, hyphens, underscores, dots.
const REG_NAME =
  /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/;
// deno-lint-ignore no-control-regex
const BAD_CHAR = /[\x00-\x20\x7f]/;

/**
 * Parses a URL as thor accepts it; a missing scheme means `http`, a
 * missing path means `/`, and any fragment is dropped.
 *
 * @throws {InvalidUrlError} for another scheme, user info, an empty or
 * malformed host, a bad port, or spaces and control characters.
 */
export function parseTargetUrl(input: string): TargetUrl {
  if (input === "") throw new InvalidUrlError("BAD_HOST", "URL is empty");
  if (BAD_CHAR.test(input)) {
    throw new InvalidUrlError(
      "BAD_PATH",
      "URL holds a space or a control character",
    );
  }
  let rest = input;
  let scheme: "http" | "https" = "http";
  const schemeMatch = SCHEME.exec(rest);
  if (schemeMatch !== null) {
    const name = schemeMatch[1]!.toLowerCase();
    if (name !== "http" && name !== "https") {
      throw new InvalidUrlError(
        "BAD_SCHEME",
        `Scheme "${schemeMatch[1]}" is not supported (use http or https)`,
      );
    }
    scheme = name;
    rest = rest.slice(schemeMatch[0].length);
  } else if (/^https?:(?!\d)/i.test(rest)) {
    throw new InvalidUrlError(
      "BAD_SCHEME",
      "URL scheme must be followed by //",
    );
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  let pathStart = rest.search(/[/?]/);
  if (pathStart < 0) pathStart = rest.length;
  const authorityText = rest.slice(0, pathStart);
  let target = rest.slice(pathStart);
  if (target === "") target = "/";
  else if (target.startsWith("?")) target = `/${target}`;
  target = encodeNonAscii(target);

  if (authorityText.includes("@")) {
    throw new InvalidUrlError("BAD_HOST", "URL must not hold user info");
  }
  const { host, isIpLiteral, portText } = splitAuthority(authorityText);
  let port: number = DEFAULT_PORTS[scheme];
  if (portText !== null) {
    if (!/^\d{1,5}$/.test(portText)) {
      throw new InvalidUrlError(
        "BAD_PORT",
        portText === ""
          ? "Port is empty"
          : `Port "${portText}" is not a number`,
      );
    }
    port = Number(portText);
    if (port < 1 || port > 65535) {
      throw new InvalidUrlError(
        "BAD_PORT",
        `Port ${port} is not between 1 and 65535`,
      );
    }
  }
  const authority = port === DEFAULT_PORTS[scheme]
    ? bracketHost(host)
    : formatHostPort(host, port);
  return { input, scheme, host, isIpLiteral, port, target, authority };
}

function splitAuthority(
  text: string,
): { host: string; isIpLiteral: boolean; portText: string | null } {
  if (text === "") throw new InvalidUrlError("BAD_HOST", "Host is empty");
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) {
      throw new InvalidUrlError("BAD_HOST", "IPv6 address lacks its ]");
    }
    const host = text.slice(1, close).toLowerCase();
    if (!isIpv6(host)) {
      throw new InvalidUrlError(
        "BAD_HOST",
        `"${host}" is not an IPv6 address`,
      );
    }
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) {
      throw new InvalidUrlError("BAD_HOST", "Unexpected text after ]");
    }
    return {
      host,
      isIpLiteral: true,
      portText: after === "" ? null : after.slice(1),
    };
  }
  const colon = text.indexOf(":");
  const hostText = colon < 0 ? text : text.slice(0, colon);
  const portText = colon < 0 ? null : text.slice(colon + 1);
  if (hostText === "") throw new InvalidUrlError("BAD_HOST", "Host is empty");
  const v4 = IPV4.exec(hostText);
  if (v4 !== null) {
    if (v4.slice(1).some((octet) => Number(octet) > 255)) {
      throw new InvalidUrlError(
        "BAD_HOST",
        `"${hostText}" is not an IPv4 address`,
      );
    }
    return { host: hostText, isIpLiteral: true, portText };
  }
  return { host: toAsciiHost(hostText), isIpLiteral: false, portText };
}

/** Lower-cases a host name and turns an international one into punycode. */
function toAsciiHost(text: string): string {
  let host = text.toLowerCase();
  if (/[\u0080-\uffff]/.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      throw new InvalidUrlError("BAD_HOST", `"${text}" is not a valid host`);
    }
  }
  if (host.length > 253 || !REG_NAME.test(host)) {
    throw new InvalidUrlError("BAD_HOST", `"${text}" is not a valid host`);
  }
  return host;
}

function isIpv6(host: string): boolean {
  if (!/^[0-9a-f:.]+$/.test(host) || !host.includes(":")) return false;
  try {
    return new URL(`http://[${host}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/** Percent-encodes non-ASCII characters in a path as UTF-8. */
function encodeNonAscii(target: string): string {
  return target.replace(/[\u0080-\uffff]+/g, (s) => encodeURIComponent(s));
}
