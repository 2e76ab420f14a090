/**
 * Runs `work` on the newest input, one run at a time. An input given while a run is going waits for it
 * to end; inputs given meanwhile are coalesced into one run on the newest of them. current() waits for a
 * run that took every input given before it was called, and no longer: inputs that keep coming while it
 * waits never push its wait back (a server that fails its cycles in a tight loop cannot starve scrapes).
 * A run that fails is reported to `onError` and leaves the last good result in place: waiters get that
 * one (only before any run has succeeded do they get the error).
 */
export class Coalesced<Input, Result> {
  private given = 0;
  /** How many inputs the last finished run covered. */
  private covered = 0;
  private latest: Input;
  private running = false;
  private last:
    { readonly ok: true; readonly value: Result } | { readonly ok: false; readonly error: Error } | undefined;
  private readonly waiters: Array<{
    readonly upTo: number;
    readonly resolve: (value: Result) => void;
    readonly reject: (error: Error) => void;
  }> = [];

  constructor(
    private readonly work: (input: Input) => Promise<Result>,
    first: Input,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.latest = first;
    this.give(first);
  }

  give(input: Input): void {
    this.latest = input;
    this.given++;
    if (!this.running) void this.runWhileBehind();
  }

  /** The result of the first run to finish that took every input given so far (the last good one if it failed). */
  current(): Promise<Result> {
    const { last } = this;
    if (this.covered === this.given && last !== undefined)
      return last.ok ? Promise.resolve(last.value) : Promise.reject(last.error);
    return new Promise((resolve, reject) => this.waiters.push({ upTo: this.given, resolve, reject }));
  }

  private async runWhileBehind(): Promise<void> {
    this.running = true;
    while (this.covered < this.given) {
      const upTo = this.given;
      try {
        this.last = { ok: true, value: await this.work(this.latest) };
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.onError(failure);
        if (this.last?.ok !== true) this.last = { ok: false, error: failure };
      }
      this.covered = upTo;
      this.settleWaiters();
    }
    this.running = false;
  }

  private settleWaiters(): void {
    const { last } = this;
    if (last === undefined) return;
    for (let index = this.waiters.length - 1; index >= 0; index--) {
      const waiter = this.waiters[index]!;
      if (waiter.upTo > this.covered) continue;
      this.waiters.splice(index, 1);
      if (last.ok) waiter.resolve(last.value);
      else waiter.reject(last.error);
    }
  }
}
