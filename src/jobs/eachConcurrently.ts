/**
 * Runs `work` over the items, at most `limit` at a time, in order of start; resolves when all are done.
 * `work` is expected to isolate its own failures (a job's rows fail alone): one that throws rejects the whole.
 */
export async function eachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
