/**
 * The scheduler's timing rules on the fake clock, with a scripted cycle that takes a set time: first cycle
 * at start, then one per interval counted from the previous start, never two at once, late cycles counted,
 * pollNow, stop. Every time is exact.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/poller/scheduler.js';
import { initialState, nextState } from '../../src/store/next-state.js';
import type { CycleResult, ServerState } from '../../src/store/types.js';
import { FAKE_CLOCK_START_MS as T0, fakeClock, type FakeClock } from '../support/fake-clock.js';

interface Run {
  readonly startedMs: number;
  /** Undefined while it runs (or when it was aborted). */
  finishedMs: number | undefined;
}

interface Script {
  readonly scheduler: Scheduler;
  readonly runs: Run[];
  readonly counts: {
    /** onLateCycle calls. */
    late: number;
    /** Cycle results handed to the store. */
    applied: number;
    /** Most cycles ever running at once. */
    maxRunning: number;
  };
}

const started: Scheduler[] = [];
afterEach(async () => {
  for (const scheduler of started.splice(0)) await scheduler.stop();
});

/** A scheduler whose cycles each take `cycleMs` of the fake clock. */
function schedule(clock: FakeClock, intervalSeconds: number, cycleMs: number): Script {
  let state = initialState('s');
  let running = 0;
  const runs: Run[] = [];
  const counts = { late: 0, applied: 0, maxRunning: 0 };
  const runCycle = async (signal: AbortSignal): Promise<CycleResult> => {
    const run: Run = { startedMs: clock.now(), finishedMs: undefined };
    runs.push(run);
    running++;
    counts.maxRunning = Math.max(counts.maxRunning, running);
    try {
      await clock.sleep(cycleMs, signal);
      run.finishedMs = clock.now();
    } catch {
      // aborted by stop(): the scheduler drops the result
    } finally {
      running--;
    }
    const listing = { ok: true as const, version: 'v8' as const, organizations: [] };
    return { startedMs: run.startedMs, finishedMs: clock.now(), listing, reads: new Map() };
  };
  const scheduler = new Scheduler({
    intervalSeconds,
    runCycle,
    applyCycle: (result) => {
      counts.applied++;
      return (state = nextState(state, result));
    },
    onLateCycle: () => counts.late++,
    clock,
    logger: pino({ level: 'silent' }),
  });
  started.push(scheduler);
  return { scheduler, runs, counts };
}

const starts = (script: Script): number[] => script.runs.map((run) => run.startedMs - T0);

describe('scheduler', () => {
  it('starts the first cycle at once, then one per interval counted from the previous start', async () => {
    const clock = fakeClock();
    const script = schedule(clock, 1, 100);
    script.scheduler.start();
    await clock.advance(0); // lets the scheduler run up to its first wait, without moving the clock
    expect(starts(script)).toEqual([0]);

    await clock.advance(100); // the cycle ends; the next starts 1 s after this one started, not after it ended
    expect(script.runs[0]?.finishedMs).toBe(T0 + 100);
    expect(clock.pending()).toEqual([T0 + 1_000]);
    await clock.advance(899);
    expect(starts(script)).toEqual([0]);
    await clock.advance(1);
    expect(starts(script)).toEqual([0, 1_000]);

    await clock.advance(2_000);
    expect(starts(script)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(script.counts.applied).toBe(3);
    expect(script.counts.late).toBe(0);
    expect(script.counts.maxRunning).toBe(1);
  });

  it('never overlaps cycles: an overrunning cycle is counted as late and the next one starts as it ends', async () => {
    const clock = fakeClock();
    const script = schedule(clock, 1, 1_300);
    script.scheduler.start();
    await clock.advance(1_000); // the interval is over, but the first cycle still runs
    expect(starts(script)).toEqual([0]);
    expect(script.counts.late).toBe(0);

    await clock.advance(300);
    expect(script.runs[0]?.finishedMs).toBe(T0 + 1_300);
    expect(starts(script)).toEqual([0, 1_300]);
    expect(script.counts.late).toBe(1);

    await clock.advance(1_300);
    expect(starts(script)).toEqual([0, 1_300, 2_600]);
    expect(script.counts.late).toBe(2);
    expect(script.counts.maxRunning).toBe(1);
  });

  it('does not count a cycle that ends exactly at the interval as late', async () => {
    const clock = fakeClock();
    const script = schedule(clock, 1, 1_000);
    script.scheduler.start();
    await clock.advance(1_000);
    expect(starts(script)).toEqual([0, 1_000]);
    expect(script.counts.late).toBe(0);
  });

  it('polls now on demand: a cycle at once, answered with its state, the interval counted from it', async () => {
    const clock = fakeClock();
    const script = schedule(clock, 3_600, 50);
    script.scheduler.start();
    await clock.advance(50);
    expect(clock.pending()).toEqual([T0 + 3_600_000]);

    let answer: ServerState | undefined;
    const polled = script.scheduler.pollNow().then((state) => (answer = state));
    await clock.advance(0);
    expect(starts(script)).toEqual([0, 50]);
    expect(answer).toBeUndefined(); // not before that cycle has finished
    await clock.advance(50);
    await polled;
    expect(answer?.cycles).toBe(2);
    expect(answer?.lastCycleEndMs).toBe(T0 + 100);
    expect(clock.pending()).toEqual([T0 + 50 + 3_600_000]);
  });

  it('answers a pollNow during a cycle with the next cycle, which starts as soon as that one ends', async () => {
    const clock = fakeClock();
    const script = schedule(clock, 3_600, 50);
    script.scheduler.start();
    await clock.advance(0);
    let answer: ServerState | undefined;
    const polled = script.scheduler.pollNow().then((state) => (answer = state));
    await clock.advance(50);
    expect(starts(script)).toEqual([0, 50]);
    expect(answer).toBeUndefined();
    await clock.advance(50);
    await polled;
    expect(answer?.cycles).toBe(2);
    expect(script.counts.late).toBe(0);
  });

  it('stops at once, aborting the cycle in flight and answering waiting pollNow calls with undefined', async () => {
    const clock = fakeClock();
    const script = schedule(clock, 3_600, 60_000);
    script.scheduler.start();
    await clock.advance(0);
    const polled = script.scheduler.pollNow();
    await script.scheduler.stop();
    expect(await polled).toBeUndefined();
    expect(clock.now()).toBe(T0); // no time had to pass
    expect(clock.pending()).toEqual([]); // the cycle's wait and the scheduler's are gone
    expect(script.runs).toEqual([{ startedMs: T0, finishedMs: undefined }]);
    expect(script.counts.applied).toBe(0); // a cut-short cycle would mark everything failed
    expect(await script.scheduler.pollNow()).toBeUndefined();
    await clock.advance(3_600_000);
    expect(script.runs).toHaveLength(1);
  });
});
