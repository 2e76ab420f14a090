/** Coalesced: one run at a time, on the newest input; a waiter gets the first run that covers it. */
import { describe, expect, it } from 'vitest';
import { Coalesced } from '../../src/metrics/coalesced.js';

/** Runs that end when the test says, recording what they were given. */
function controlledWork() {
  const runs: Array<{ readonly input: number; readonly finish: (ok?: boolean) => void }> = [];
  let running = 0;
  let mostAtOnce = 0;
  const work = (input: number): Promise<string> =>
    new Promise((resolve, reject) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      runs.push({
        input,
        finish: (ok = true) => {
          running--;
          if (ok) resolve(`result of ${input}`);
          else reject(new Error(`run of ${input} failed`));
        },
      });
    });
  return { work, runs, mostAtOnce: () => mostAtOnce };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Coalesced', () => {
  it('runs one at a time and coalesces the inputs given meanwhile into one run on the newest', async () => {
    const { work, runs, mostAtOnce } = controlledWork();
    const coalesced = new Coalesced<number, string>(work, 1);
    coalesced.give(2);
    coalesced.give(3);
    coalesced.give(4);
    expect(runs.map((run) => run.input)).toEqual([1]);
    const first = coalesced.current();
    runs[0]!.finish();
    await turn();
    expect(runs.map((run) => run.input)).toEqual([1, 4]);
    runs[1]!.finish();
    expect(await first).toBe('result of 4');
    expect(await coalesced.current()).toBe('result of 4');
    expect(mostAtOnce()).toBe(1);
  });

  it('gives a waiter the first run that covers what was given before it asked, not a later one', async () => {
    const { work, runs } = controlledWork();
    const coalesced = new Coalesced<number, string>(work, 1);
    const early = coalesced.current();
    coalesced.give(2);
    const late = coalesced.current();
    runs[0]!.finish();
    expect(await early).toBe('result of 1');
    await turn();
    coalesced.give(3);
    runs[1]!.finish();
    expect(await late).toBe('result of 2');
    await turn();
    runs[2]!.finish();
    expect(await coalesced.current()).toBe('result of 3');
  });

  it('keeps serving the last good result when a later run fails, and reports each failure', async () => {
    const { work, runs } = controlledWork();
    const errors: string[] = [];
    const coalesced = new Coalesced<number, string>(work, 1, (error) => errors.push(error.message));
    runs[0]!.finish();
    expect(await coalesced.current()).toBe('result of 1');
    coalesced.give(2);
    const during = coalesced.current();
    runs[1]!.finish(false);
    expect(await during).toBe('result of 1');
    expect(await coalesced.current()).toBe('result of 1');
    expect(errors).toEqual(['run of 2 failed']);
    coalesced.give(3);
    const next = coalesced.current();
    runs[2]!.finish();
    expect(await next).toBe('result of 3');
  });

  it('passes the error on while no run has succeeded yet, and goes on with the next input', async () => {
    const { work, runs } = controlledWork();
    const errors: string[] = [];
    const coalesced = new Coalesced<number, string>(work, 1, (error) => errors.push(error.message));
    const failing = coalesced.current();
    runs[0]!.finish(false);
    await expect(failing).rejects.toThrow('run of 1 failed');
    await expect(coalesced.current()).rejects.toThrow('run of 1 failed');
    coalesced.give(2);
    const next = coalesced.current();
    runs[1]!.finish();
    expect(await next).toBe('result of 2');
    expect(errors).toEqual(['run of 1 failed']);
  });
});
