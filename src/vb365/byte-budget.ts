/**
 * The budget for a set of servers: room for four of the largest listings a server may send, which real
 * answers never come near (10,000 organizations list in about 16 MB, their polls in under 100 KB).
 */
export function answerBudgetFor(servers: ReadonlyArray<{ readonly maxResponseBytes: number }>): ByteBudget {
  return new ByteBudget(answerBudgetBytes(servers));
}

export function answerBudgetBytes(servers: ReadonlyArray<{ readonly maxResponseBytes: number }>): number {
  return 4 * Math.max(0, ...servers.map((server) => server.maxResponseBytes));
}

/**
 * The bytes that answers being received may hold, shared by every request of every server: each answer
 * is capped on its own (max_response_bytes, or less for small answers), and this caps their sum, so a
 * server answering every request with a big body cannot multiply a cap by the concurrency.
 */
export class ByteBudget {
  private usedBytes = 0;

  constructor(private limit: number) {}

  get limitBytes(): number {
    return this.limit;
  }

  /** A reload may change the servers' caps; what is taken now stays taken and is given back as usual. */
  setLimit(bytes: number): void {
    this.limit = bytes;
  }

  /** Takes `bytes` from the budget; false (and nothing taken) when that would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.usedBytes + bytes > this.limit) return false;
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
