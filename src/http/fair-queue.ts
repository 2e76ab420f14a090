/**
 * Runs slow checks (bcrypt) one at a time, taking turns between sources: a client that sends many
 * checks waits behind its own, not in front of everybody else's. One flooding address therefore delays
 * a legitimate scraper by at most one check per other waiting source, not by the whole flood. When the
 * queue is full, a newcomer from a source with fewer waiting takes the place of the newest check of the
 * source with the most, so floods from many addresses cannot lock a scraper out either.
 */

/** A waiting task pushed out of the queue to make room for a source with fewer waiting. */
export class PushedOutError extends Error {
  override readonly name = 'PushedOutError';
}

interface Entry {
  readonly start: () => void;
  readonly pushOut: () => void;
}
export interface FairQueueLimits {
  /** Most checks one source may have waiting; more are refused at once. */
  readonly perSource: number;
  /** Most checks waiting in all. */
  readonly total: number;
}

export class FairQueue {
  /** Waiting tasks per source; the Map's order is the order of turns. */
  private readonly waiting = new Map<string, Entry[]>();
  private waitingCount = 0;
  private running = false;

  constructor(private readonly limits: FairQueueLimits) {}

  /** How many tasks wait (the running one not included). */
  get size(): number {
    return this.waitingCount;
  }

  /**
   * Runs `task` in its turn; undefined (and `task` never runs) when the source is full, or the queue is and
   * no source has more waiting than this one. A task pushed out later rejects with PushedOutError.
   */
  run<T>(source: string, task: () => Promise<T>): Promise<T> | undefined {
    const queue = this.waiting.get(source) ?? [];
    if (queue.length >= this.limits.perSource) return undefined;
    if (this.waitingCount >= this.limits.total && !this.pushOutForSourceWith(queue.length)) return undefined;
    return new Promise<T>((resolve, reject) => {
      queue.push({
        start: () => {
          task()
            .then(resolve, reject)
            .finally(() => this.next());
        },
        pushOut: () => reject(new PushedOutError('pushed out of the queue by a source with fewer checks waiting')),
      });
      this.waiting.set(source, queue);
      this.waitingCount++;
      if (!this.running) this.next();
    });
  }

  /** Makes room by pushing out the newest task of the source with the most waiting, if it has more than `count`. */
  private pushOutForSourceWith(count: number): boolean {
    let largest: Entry[] | undefined;
    for (const queue of this.waiting.values()) if (queue.length > (largest?.length ?? 0)) largest = queue;
    if (largest === undefined || largest.length <= count + 1) return false;
    largest.pop()?.pushOut();
    this.waitingCount--;
    return true;
  }

  private next(): void {
    const turn = this.waiting.entries().next();
    if (turn.done === true) {
      this.running = false;
      return;
    }
    const [source, queue] = turn.value;
    const entry = queue.shift();
    // The source goes to the back of the line, with whatever it still has waiting.
    this.waiting.delete(source);
    if (queue.length > 0) this.waiting.set(source, queue);
    this.waitingCount--;
    this.running = true;
    entry?.start();
  }
}
