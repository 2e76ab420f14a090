/**
 * Runs one server's cycles: the first at start-up, then one every poll interval counted from the
 * start of the previous cycle. Cycles never overlap: a cycle that overruns the interval makes the
 * next one start as soon as it ends, and says so in a log line and a counter.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CycleResult, ServerState } from '../store/types.js';

export interface SchedulerDependencies {
  readonly intervalSeconds: number;
  readonly runCycle: (signal: AbortSignal) => Promise<CycleResult>;
  readonly applyCycle: (cycle: CycleResult) => ServerState;
  readonly onLateCycle: () => void;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class Scheduler {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Aborted to cut the wait between cycles short (by pollNow and stop); replaced after each wait. */
  private wake = new AbortController();
  /** Callers of pollNow(), answered when the next cycle to start has finished. */
  private waiting: Array<(state: ServerState | undefined) => void> = [];

  constructor(private readonly deps: SchedulerDependencies) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Aborts the cycle in flight (its requests too) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('the exporter is stopping'));
    this.wake.abort();
    await this.loop;
    for (const answer of this.waiting.splice(0)) answer(undefined);
  }

  /**
   * Starts a cycle now (or as soon as the one in flight ends) and resolves with the state it produced;
   * undefined when the scheduler stops first.
   */
  pollNow(): Promise<ServerState | undefined> {
    if (this.abort.signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.wake.abort();
    });
  }

  private async run(): Promise<void> {
    const { clock, logger } = this.deps;
    const intervalMs = this.deps.intervalSeconds * 1000;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const startedMs = clock.now();
      const waiting = this.waiting.splice(0);
      let state: ServerState | undefined;
      try {
        const cycle = await this.deps.runCycle(signal);
        if (signal.aborted) break; // a cut-short cycle would mark everything failed
        state = this.deps.applyCycle(cycle);
        logger.info(
          {
            up: state.up,
            organizations: state.organizations.length,
            failed: state.organizations.filter((organization) => !organization.pollSuccess).length,
            durationSeconds: state.lastCycleDurationSeconds,
          },
          'poll cycle finished',
        );
      } catch (error) {
        // runCycle records failures itself; reaching this is a bug, which must not stop polling.
        logger.error({ err: error }, 'poll cycle crashed');
      } finally {
        for (const answer of waiting) answer(state);
      }
      const waitMs = startedMs + intervalMs - clock.now();
      if (waitMs < 0) {
        this.deps.onLateCycle();
        logger.warn(
          { overrunSeconds: -waitMs / 1000, intervalSeconds: this.deps.intervalSeconds },
          'poll cycle took longer than the poll interval; starting the next one now',
        );
      } else if (!this.wake.signal.aborted) {
        // Not AbortSignal.any(): on Node 20 it leaves an entry on the long-lived signal for every wait.
        await clock.sleep(waitMs, this.wake.signal).catch(() => undefined);
      }
      if (this.wake.signal.aborted) this.wake = new AbortController();
    }
  }
}
