/**
 * `work`'s outcome, or what `late()` returns (or throws) when `work` has not settled within `ms` of real time.
 * The timer never outlives the race; `work` itself goes on (a promise cannot be cancelled).
 */
export async function withTimeLimit<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
