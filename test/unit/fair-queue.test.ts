/** The bcrypt queue's fairness: sources take turns, each source's waiting checks and the total are bounded. */
import { describe, expect, it } from 'vitest';
import { FairQueue, PushedOutError } from '../../src/http/fair-queue.js';

/** A task that records when it starts and ends only when the test releases it. */
function gatedTasks(): {
  task: (name: string) => () => Promise<string>;
  started: string[];
  releaseNext: () => Promise<void>;
} {
  const started: string[] = [];
  const gates: Array<() => void> = [];
  return {
    started,
    task: (name) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        gates.push(() => resolve(name));
      }),
    releaseNext: async () => {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function accepted<T>(run: Promise<T> | undefined): Promise<T> {
  if (run === undefined) throw new Error('the queue refused a task it should have taken');
  return run;
}

describe('FairQueue', () => {
  it('runs one task at a time, taking turns between sources in order of arrival', async () => {
    const queue = new FairQueue({ perSource: 10, total: 100 });
    const { task, started, releaseNext } = gatedTasks();
    const results = [
      queue.run('flood', task('f1')),
      queue.run('flood', task('f2')),
      queue.run('flood', task('f3')),
      queue.run('flood', task('f4')),
      queue.run('scraper', task('s1')),
      queue.run('other', task('o1')),
      queue.run('flood', task('f5')),
    ].map(accepted);
    expect(started).toEqual(['f1']);
    expect(queue.size).toBe(6);
    for (let turn = 0; turn < 7; turn++) await releaseNext();
    // f1 ran first; then the scraper and the other source each waited for one flood check, not four.
    expect(started).toEqual(['f1', 'f2', 's1', 'o1', 'f3', 'f4', 'f5']);
    expect(await Promise.all(results)).toEqual(['f1', 'f2', 'f3', 'f4', 's1', 'o1', 'f5']);
    expect(queue.size).toBe(0);
  });

  it('refuses a task when its source already has perSource waiting, and others still get in', async () => {
    const queue = new FairQueue({ perSource: 2, total: 100 });
    const { task, started, releaseNext } = gatedTasks();
    expect(queue.run('flood', task('running'))).toBeDefined();
    expect(queue.run('flood', task('w1'))).toBeDefined();
    expect(queue.run('flood', task('w2'))).toBeDefined();
    expect(queue.run('flood', task('refused'))).toBeUndefined();
    expect(queue.run('scraper', task('s1'))).toBeDefined();
    for (let turn = 0; turn < 4; turn++) await releaseNext();
    expect(started).toEqual(['running', 'w1', 's1', 'w2']);
  });

  it('refuses a task when total tasks wait, whatever the source', () => {
    const queue = new FairQueue({ perSource: 5, total: 3 });
    const { task } = gatedTasks();
    const accepted = ['a', 'b', 'c', 'd', 'e'].map((source) => queue.run(source, task(source)) !== undefined);
    // 'a' runs at once and does not wait; b, c and d wait; e finds the queue full.
    expect(accepted).toEqual([true, true, true, true, false]);
  });

  it('goes on after a task fails', async () => {
    const queue = new FairQueue({ perSource: 5, total: 5 });
    const failed = queue.run('a', () => Promise.reject(new Error('boom')));
    const next = queue.run('b', () => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });

  it('when full, lets a source with fewer waiting push out the newest task of the source with the most', async () => {
    const queue = new FairQueue({ perSource: 5, total: 3 });
    const { task, started, releaseNext } = gatedTasks();
    const flood = ['f0', 'f1', 'f2', 'f3'].map((name) => queue.run('flood', task(name)));
    expect(flood.every((run) => run !== undefined)).toBe(true); // f0 runs, f1-f3 wait: full
    const scraper = queue.run('scraper', task('s1'));
    expect(scraper).toBeDefined();
    await expect(flood[3]).rejects.toBeInstanceOf(PushedOutError);
    // Two sources with one waiting less than the flood's two: the next newcomer pushes out f2.
    const other = queue.run('other', task('o1'));
    expect(other).toBeDefined();
    await expect(flood[2]).rejects.toBeInstanceOf(PushedOutError);
    // Now flood, scraper and other have one waiting each: nobody has more, so a fourth source is refused.
    expect(queue.run('late', task('l1'))).toBeUndefined();
    for (let turn = 0; turn < 4; turn++) await releaseNext();
    expect(started).toEqual(['f0', 'f1', 's1', 'o1']);
  });
});
