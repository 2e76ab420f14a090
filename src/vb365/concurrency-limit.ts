/**
 * At most `concurrency` tasks running at once; the rest wait in order. The same contract as p-limit's
 * `limit(fn)`, written here because it is on the path of every request: p-limit makes about ten objects and
 * several promise hops per call (measured; see bench/README.md), this one promise while a slot is free.
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function concurrencyLimit(concurrency: number): Limit {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency ${concurrency} is not >= 1`);
  let active = 0;
  // Few ever wait (the poll workers are no more than the concurrency): a plain array is queue enough.
  const waiting: Array<() => void> = [];
  const done = (): void => {
    active--;
    const next = waiting.shift();
    if (next !== undefined) {
      active++;
      next();
    }
  };
  const run = <T>(task: () => Promise<T>): Promise<T> => {
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    promise.then(done, done);
    return promise;
  };
  return <T>(task: () => Promise<T>): Promise<T> => {
    if (active < concurrency) {
      active++;
      return run(task);
    }
    return new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        run(task).then(resolve, reject);
      });
    });
  };
}
