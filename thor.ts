/**
 * thor: hammer an HTTP server and measure it. (Placeholder entry point.)
 *
 * @module
 */

if (import.meta.main) {
  console.error("thor: not implemented yet");
  Deno.exit(2);
}
