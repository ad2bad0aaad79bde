/**
 * Retries an assertion until it passes: read models follow the event store asynchronously, so a
 * query right after a command may not see it yet (DESIGN.md: well under a second).
 */
export async function eventually<T>(assertion: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
