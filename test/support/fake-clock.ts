/** A Clock the test drives: time stands still until advance() moves it, firing what falls due in order. */
import type { Clock } from '../../src/clock.js';

export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`: every timer and sleep that falls due fires at its own due time, earliest
   * first, and what it wakes up runs (and may set new timers) before the next one fires.
   */
  advance(ms: number): Promise<void>;
  /** Due times (ms since the epoch) of the timers and sleeps still waiting, earliest first. */
  pending(): number[];
  /** The sleeps skipped under `skipSleepsUpToMs`, in milliseconds, in order. */
  readonly skippedSleeps: readonly number[];
}

export interface FakeClockOptions {
  /** Where time starts (default: a fixed whole second, so HTTP dates and logs are the same every run). */
  readonly startMs?: number;
  /**
   * Sleeps up to this long end at once, take no time and are recorded in `skippedSleeps`: the retry waits
   * of tests over real sockets, which cannot step the clock between two requests. Longer sleeps (the wait
   * for the next cycle) wait for advance() like timers. Without it, every sleep waits for advance().
   */
  readonly skipSleepsUpToMs?: number;
}

export const FAKE_CLOCK_START_MS = Date.UTC(2025, 0, 1);

interface Timer {
  readonly dueMs: number;
  /** Ties fire in the order they were set. */
  readonly order: number;
  readonly fire: () => void;
}

/** Lets everything a fired timer woke up run to its next wait (promise continuations and all). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function fakeClock(options: FakeClockOptions = {}): FakeClock {
  let nowMs = options.startMs ?? FAKE_CLOCK_START_MS;
  const skipUpToMs = options.skipSleepsUpToMs ?? -Infinity;
  const timers = new Set<Timer>();
  const skippedSleeps: number[] = [];
  let order = 0;

  const setTimer = (ms: number, fire: () => void): (() => void) => {
    const timer: Timer = { dueMs: nowMs + Math.max(0, ms), order: order++, fire };
    timers.add(timer);
    return () => void timers.delete(timer);
  };

  const sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
    signal.throwIfAborted();
    if (ms <= skipUpToMs) {
      skippedSleeps.push(ms);
      await settle(); // a retry loop still yields to the sockets, as a real wait would
      signal.throwIfAborted();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(signal.reason as Error);
      };
      const cancel = setTimer(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };

  const earliest = (): Timer | undefined => {
    let first: Timer | undefined;
    for (const timer of timers) {
      if (
        first === undefined ||
        timer.dueMs < first.dueMs ||
        (timer.dueMs === first.dueMs && timer.order < first.order)
      )
        first = timer;
    }
    return first;
  };

  return {
    now: () => nowMs,
    sleep,
    setTimer,
    skippedSleeps,
    pending: () => [...timers].map((timer) => timer.dueMs).sort((a, b) => a - b),
    advance: async (ms) => {
      if (!(ms >= 0)) throw new RangeError(`advance() takes a duration of 0 or more, got ${ms}`);
      const targetMs = nowMs + ms;
      for (let next = earliest(); next !== undefined && next.dueMs <= targetMs; next = earliest()) {
        timers.delete(next);
        nowMs = next.dueMs;
        next.fire();
        await settle();
      }
      nowMs = targetMs;
      await settle();
    },
  };
}
