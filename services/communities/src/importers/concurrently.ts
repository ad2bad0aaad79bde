/**
 * Runs `work` on every item with at most `concurrency` calls in flight. Each append waits for its
 * commit's WAL flush; with several in flight PostgreSQL flushes them together, which is what makes
 * a whole-codifier import take seconds instead of minutes. On the first failure no new item starts,
 * the calls in flight finish, and that failure is thrown.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}
