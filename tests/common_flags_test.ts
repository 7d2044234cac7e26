import assert from "node:assert/strict";
import {
  parseBindFlag,
  parseDecimalFlag,
  parseFlags,
  parseIntegerFlag,
  parseSecondsFlag,
  UsageError,
} from "../lib/common/flags.ts";

/** Asserts that `run` throws a UsageError whose message is exactly `message`. */
function refuses(run: () => unknown, message: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.message, message);
    return true;
  });
}

Deno.test("UsageError is a named Error", () => {
  const err = new UsageError("Port is bad");
  assert.ok(err instanceof Error);
  assert.equal(err.name, "UsageError");
  assert.equal(err.message, "Port is bad");
});

Deno.test("parseFlags reads flags and, when allowed, positionals", () => {
  const options = {
    port: { type: "string", short: "p" },
    verbose: { type: "boolean", short: "v" },
  } as const;
  const parsed = parseFlags(["-p", "80", "-v", "x"], options, {
    allowPositionals: true,
  });
  assert.equal(parsed.values.port, "80");
  assert.equal(parsed.values.verbose, true);
  assert.deepEqual(parsed.positionals, ["x"]);
  assert.deepEqual({ ...parseFlags([], options).values }, {});
});

Deno.test("parseFlags turns node:util errors into one sentence", () => {
  const options = { port: { type: "string", short: "p" } } as const;
  refuses(() => parseFlags(["--bogus"], options), "Unknown option '--bogus'");
  refuses(
    () => parseFlags(["-p"], options),
    "Option '-p, --port <value>' argument missing",
  );
  // node:util ends this one with a period and two more lines of advice.
  refuses(
    () => parseFlags(["-p", "-1"], options),
    "Option '-p' argument is ambiguous",
  );
  refuses(
    () => parseFlags(["stray"], options),
    "Unexpected argument 'stray'. This command does not take positional arguments",
  );
});

Deno.test("parseIntegerFlag takes whole numbers within bounds", () => {
  assert.equal(parseIntegerFlag("N", "007", 0, 10), 7);
  assert.equal(parseIntegerFlag("N", "0", 0, 10), 0);
  assert.equal(parseIntegerFlag("N", "10", 0, 10), 10);
  refuses(
    () => parseIntegerFlag("Port", "1.5", 0, 10),
    'Port must be a whole number, got "1.5"',
  );
  refuses(
    () => parseIntegerFlag("Port", "-1", 0, 10),
    'Port must be a whole number, got "-1"',
  );
  refuses(
    () => parseIntegerFlag("Port", "", 0, 10),
    'Port must be a whole number, got ""',
  );
  refuses(
    () => parseIntegerFlag("Workers", "0", 1, 256),
    "Workers must be between 1 and 256",
  );
  refuses(
    () => parseIntegerFlag("N", "9".repeat(400), 0, 10),
    "N must be between 0 and 10",
  );
});

Deno.test("parseDecimalFlag takes plain decimals only", () => {
  assert.equal(parseDecimalFlag("X", "2", { max: 5 }), 2);
  assert.equal(parseDecimalFlag("X", "0.25", { max: 5 }), 0.25);
  assert.equal(parseDecimalFlag("X", "5", { max: 5 }), 5);
  assert.equal(parseDecimalFlag("X", "0", { allowZero: true, max: 5 }), 0);
  assert.equal(parseDecimalFlag("X", "1234.5"), 1234.5, "no max by default");
  for (const bad of ["", ".5", "1.", "1e3", "-1", "+1", "0x10", " 1", "1,5"]) {
    assert.throws(
      () => parseDecimalFlag("X", bad, { max: 5 }),
      UsageError,
      bad,
    );
  }
  assert.throws(() => parseDecimalFlag("X", "0", { max: 5 }), UsageError);
  assert.throws(() => parseDecimalFlag("X", "5.01", { max: 5 }), UsageError);
  assert.throws(() => parseDecimalFlag("X", "9".repeat(400)), UsageError);
});

Deno.test("every decimal wording reads as its flags always did", () => {
  // The socket modes' seconds.
  refuses(
    () => parseSecondsFlag("Timeout", "soon", { max: 3600 }),
    'Timeout must be more than 0 to 3600 seconds, got "soon"',
  );
  refuses(
    () =>
      parseSecondsFlag("Interval", "90000", { allowZero: true, max: 86_400 }),
    'Interval must be 0 to 86400 seconds, got "90000"',
  );
  // The UDP ping server's delay.
  const delay = {
    max: 60_000,
    allowZero: true,
    wording: "number range",
  } as const;
  refuses(
    () => parseDecimalFlag("Delay", "x", delay),
    "Delay must be a number from 0 to 60000",
  );
  refuses(
    () => parseDecimalFlag("Delay", "70000", delay),
    "Delay must be a number from 0 to 60000",
  );
  // spidey's timeouts.
  refuses(
    () => parseSecondsFlag("Header timeout", "0", { wording: "positive" }),
    "Header timeout must be a positive number of seconds",
  );
  refuses(
    () => parseSecondsFlag("CGI timeout", "1e3", { wording: "positive" }),
    "CGI timeout must be a positive number of seconds",
  );
  // thor's -d, --timeout and --rate.
  const thor = { max: 86_400, wording: "positive, got" } as const;
  refuses(
    () => parseDecimalFlag("Duration (-d)", "0", thor),
    'Duration (-d) must be a positive number, got "0"',
  );
  refuses(
    () => parseDecimalFlag("Duration (-d)", "86401", thor),
    "Duration (-d) must be at most 86400",
  );
});

Deno.test("parseSecondsFlag gives milliseconds, unrounded", () => {
  assert.equal(parseSecondsFlag("T", "0.25"), 250);
  assert.equal(parseSecondsFlag("T", "2.5", { max: 10 }), 2500);
  assert.equal(parseSecondsFlag("T", "0.0005"), 0.5);
  assert.equal(parseSecondsFlag("T", "0", { allowZero: true }), 0);
  assert.throws(() => parseSecondsFlag("T", "-1"), UsageError);
});

Deno.test("parseBindFlag takes an address, IPv6 bracketed or not", () => {
  assert.equal(parseBindFlag("127.0.0.1"), "127.0.0.1");
  assert.equal(parseBindFlag("[::1]"), "::1");
  assert.equal(parseBindFlag("::"), "::");
  refuses(() => parseBindFlag(""), "Bind address is empty");
  refuses(() => parseBindFlag("[]"), "Bind address is empty");
});
