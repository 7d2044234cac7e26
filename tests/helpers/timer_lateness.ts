/**
 * How late timers run on this machine right now, so that timing tests can
 * bound what they measure relative to it on a busy CI machine.
 *
 * @module
 */

/** How late a 2 ms setTimeout fires here and now, at p50, in ms. */
export async function timerLatenessP50(): Promise<number> {
  const late: number[] = [];
  for (let i = 0; i < 40; i++) {
    const asked = performance.now() + 2;
    await new Promise((resolve) => setTimeout(resolve, 2));
    late.push(performance.now() - asked);
  }
  late.sort((a, b) => a - b);
  return late[20]!;
}
