/** The request concurrency bound: never more tasks running than allowed, the rest started in order, failures free their slot. */
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/vb365/concurrency-limit.js';

function deferred(): { promise: Promise<string>; resolve: (value: string) => void; reject: (error: Error) => void } {
  let resolve: (value: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('concurrencyLimit', () => {
  it('runs at most `concurrency` tasks at once and starts the waiting ones in order as slots free', async () => {
    const limit = concurrencyLimit(2);
    const tasks = [0, 1, 2, 3, 4].map(() => deferred());
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const results = tasks.map((task, index) =>
      limit(async () => {
        started.push(index);
        running++;
        most = Math.max(most, running);
        try {
          return await task.promise;
        } finally {
          running--;
        }
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    tasks[1]?.resolve('b');
    await expect(results[1]).resolves.toBe('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    tasks[0]?.reject(new Error('refused'));
    await expect(results[0]).rejects.toThrow('refused'); // a failure frees its slot too
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3]);
    for (const task of tasks) task.resolve('x');
    await Promise.all(results.slice(2));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('turns a task that throws at once into a rejection and keeps its slot free', async () => {
    const limit = concurrencyLimit(1);
    await expect(
      limit(() => {
        throw new Error('at once');
      }),
    ).rejects.toThrow('at once');
    await expect(limit(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses a concurrency below 1', () => {
    expect(() => concurrencyLimit(0)).toThrow(RangeError);
  });
});
