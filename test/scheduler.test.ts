/** The scheduler's timing rules with a scripted cycle: first cycle at start, no overlap, late cycles counted. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { Scheduler } from '../src/poller/scheduler.js';
import { initialState, nextState } from '../src/store/next-state.js';
import type { CycleResult } from '../src/store/types.js';

function scriptedCycle(durationMs: number): {
  run: (signal: AbortSignal) => Promise<CycleResult>;
  starts: number[];
  maxRunning: () => number;
} {
  const starts: number[] = [];
  let running = 0;
  let maxRunning = 0;
  return {
    starts,
    maxRunning: () => maxRunning,
    run: async (signal) => {
      starts.push(Date.now());
      running++;
      maxRunning = Math.max(maxRunning, running);
      await systemClock.sleep(durationMs, signal).catch(() => undefined);
      running--;
      const now = Date.now();
      return {
        startedMs: now - durationMs,
        finishedMs: now,
        listing: { ok: true, organizations: [] },
        backupRepositories: [],
        polls: new Map(),
      };
    },
  };
}

function scheduler(
  intervalSeconds: number,
  cycle: ReturnType<typeof scriptedCycle>,
  late: { count: number },
): Scheduler {
  let state = initialState('s', intervalSeconds);
  return new Scheduler({
    intervalSeconds,
    runCycle: cycle.run,
    applyCycle: (result) => (state = nextState(state, result)),
    onLateCycle: () => late.count++,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
  });
}

describe('scheduler', () => {
  it('starts the first cycle at once, then one per interval counted from the previous start', async () => {
    const cycle = scriptedCycle(100);
    const late = { count: 0 };
    const started = Date.now();
    const s = scheduler(1, cycle, late);
    s.start();
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    await s.stop();
    expect(cycle.starts).toHaveLength(3);
    expect(cycle.starts[0]! - started).toBeLessThan(100);
    expect(cycle.starts[1]! - cycle.starts[0]!).toBeGreaterThanOrEqual(990);
    expect(cycle.starts[1]! - cycle.starts[0]!).toBeLessThan(1_300);
    expect(late.count).toBe(0);
  });

  it('never overlaps cycles: an overrunning cycle delays the next one and is counted as late', async () => {
    const cycle = scriptedCycle(1_300);
    const late = { count: 0 };
    const s = scheduler(1, cycle, late);
    s.start();
    await new Promise((resolve) => setTimeout(resolve, 2_800));
    await s.stop();
    expect(cycle.maxRunning()).toBe(1);
    expect(late.count).toBeGreaterThanOrEqual(1);
    expect(cycle.starts[1]! - cycle.starts[0]!).toBeGreaterThanOrEqual(1_290);
  });

  it('polls now on demand and stops promptly, aborting the cycle in flight', async () => {
    const cycle = scriptedCycle(50);
    const s = scheduler(3600, cycle, { count: 0 });
    s.start();
    const state = await s.pollNow();
    expect(state?.cycles).toBeGreaterThanOrEqual(1);
    expect(cycle.starts.length).toBeGreaterThanOrEqual(2);
    const slow = scriptedCycle(60_000);
    const stopping = scheduler(3600, slow, { count: 0 });
    stopping.start();
    const at = Date.now();
    await stopping.stop();
    expect(Date.now() - at).toBeLessThan(500);
  });
});
