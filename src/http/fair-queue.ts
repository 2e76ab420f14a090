/**
 * Runs slow checks (bcrypt) one at a time, taking turns between sources: a client that sends many
 * checks waits behind its own, not in front of everybody else's. One flooding address therefore delays
 * a legitimate scraper by at most one check per other waiting source, not by the whole flood.
 */
export interface FairQueueLimits {
  /** Most checks one source may have waiting; more are refused at once. */
  readonly perSource: number;
  /** Most checks waiting in all. */
  readonly total: number;
}

export class FairQueue {
  /** Waiting tasks per source; the Map's order is the order of turns. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private waitingCount = 0;
  private running = false;

  constructor(private readonly limits: FairQueueLimits) {}

  /** How many tasks wait (the running one not included). */
  get size(): number {
    return this.waitingCount;
  }

  /** Runs `task` in its turn; undefined (and `task` never runs) when the source or the queue is full. */
  run<T>(source: string, task: () => Promise<T>): Promise<T> | undefined {
    const queue = this.waiting.get(source) ?? [];
    if (queue.length >= this.limits.perSource || this.waitingCount >= this.limits.total) return undefined;
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => this.next());
      });
      this.waiting.set(source, queue);
      this.waitingCount++;
      if (!this.running) this.next();
    });
  }

  private next(): void {
    const turn = this.waiting.entries().next();
    if (turn.done === true) {
      this.running = false;
      return;
    }
    const [source, queue] = turn.value;
    const start = queue.shift();
    // The source goes to the back of the line, with whatever it still has waiting.
    this.waiting.delete(source);
    if (queue.length > 0) this.waiting.set(source, queue);
    this.waitingCount--;
    this.running = true;
    start?.();
  }
}
