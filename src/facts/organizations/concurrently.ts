/**
 * Runs `each` over `items`, at most `limit` at a time. Workers share one queue, so no task object per item
 * waits in memory (which matters at ten thousand organizations). When one call throws, the others take no
 * new item and the first error is thrown.
 */
export async function forEachAtMost<T>(
  limit: number,
  items: readonly T[],
  each: (item: T) => Promise<void>,
): Promise<void> {
  const queue = items[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (const item of queue) {
      if (failed) return;
      try {
        await each(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
