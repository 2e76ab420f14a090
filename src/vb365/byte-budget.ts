/**
 * The budget for a set of servers: room for four of the largest listings a server may send, which real
 * answers never come near (10,000 organizations list in about 16 MB, their polls in under 100 KB).
 */
export function answerBudgetFor(servers: ReadonlyArray<{ readonly maxResponseBytes: number }>): ByteBudget {
  return new ByteBudget(4 * Math.max(0, ...servers.map((server) => server.maxResponseBytes)));
}

/**
 * The bytes that answers being received may hold, shared by every request of every server: each answer
 * is capped on its own (max_response_bytes, or less for small answers), and this caps their sum, so a
 * server answering every request with a big body cannot multiply a cap by the concurrency.
 */
export class ByteBudget {
  private usedBytes = 0;

  constructor(readonly limitBytes: number) {}

  /** Takes `bytes` from the budget; false (and nothing taken) when that would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.usedBytes + bytes > this.limitBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Gives back what tryTake took; more than was taken is a bug, not something to hide. */
  giveBack(bytes: number): void {
    if (bytes > this.usedBytes) throw new Error(`gave back ${bytes} bytes of the ${this.usedBytes} taken`);
    this.usedBytes -= bytes;
  }

  get used(): number {
    return this.usedBytes;
  }
}
