/** Polls `condition` until it holds, failing past a safety deadline far above normal. */
export async function eventually<T>(
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  deadlineMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
