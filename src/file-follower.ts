/**
 * Files the configuration names, followed on disk while the exporter runs (a server's ca_file, the web
 * configuration's certificate, key and client CA): every few seconds they are read again, a changed and
 * valid content is put in force, and a broken one keeps what is in force, logged once per distinct reason.
 * One follower for both, so they renew, fail and recover alike.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/** What one look at the files found. */
export type Look<T> =
  /** Content that can be used (maybe the same as in force). */
  | { readonly found: T }
  /** Unusable: what is in force stays; logged once per distinct reason, reported as a failed reload. */
  | { readonly failed: string }
  /** Nothing this follower may apply, and no failure of its files either: a warning once per reason. */
  | { readonly ignored: string; readonly warning: string };

export interface FileFollowerOptions<T> {
  /** The content in force at the start. */
  readonly initial: T;
  /** Reads the files again; `current` is the content in force. */
  readonly look: (current: T) => Look<T>;
  readonly same: (a: T, b: T) => boolean;
  /** Puts a changed content in force (and says so in the log). */
  readonly apply: (next: T) => void;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The error line of a failed look, logged with its `reason`. */
  readonly failedMessage: string;
  /** An info line for files that were broken and are back to the content in force. */
  readonly recoveredMessage?: string | undefined;
  /** Told of each look that changed the state: whether the files' content is in force, and when. */
  readonly onReload?: ((successful: boolean, atMs: number) => void) | undefined;
}

export class FileFollower<T> {
  private current: T;
  /** The last failure logged, so a broken file is reported once, not every few seconds. */
  private lastFailure: string | undefined;
  private lastIgnored: string | undefined;
  /** Cancels the next look; undefined when stopped. A timer, not a sleep: it never holds the process. */
  private cancelNext: (() => void) | undefined;

  constructor(private readonly options: FileFollowerOptions<T>) {
    this.current = options.initial;
  }

  start(): void {
    this.cancelNext ??= this.scheduleNext();
  }

  stop(): void {
    this.cancelNext?.();
    this.cancelNext = undefined;
  }

  /** Reads the files again and applies what changed; what the timer does every few seconds. */
  check(): void {
    const look = this.options.look(this.current);
    if ('ignored' in look) return this.ignore(look.ignored, look.warning);
    if ('failed' in look) return this.fail(look.failed);
    const recovered = this.lastFailure !== undefined;
    this.lastFailure = undefined;
    if (!this.options.same(this.current, look.found)) {
      this.options.apply(look.found);
      this.current = look.found;
      this.report(true);
    } else if (recovered) {
      // Nothing to apply, but nothing is broken any more.
      if (this.options.recoveredMessage !== undefined) this.options.logger.info(this.options.recoveredMessage);
      this.report(true);
    }
  }

  private ignore(reason: string, warning: string): void {
    if (reason === this.lastIgnored) return;
    this.lastIgnored = reason;
    this.options.logger.warn({ reason }, warning);
  }

  private fail(reason: string): void {
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    this.options.logger.error({ reason }, this.options.failedMessage);
    this.report(false);
  }

  private report(successful: boolean): void {
    this.options.onReload?.(successful, this.options.clock.now());
  }

  private scheduleNext(): () => void {
    return this.options.clock.setTimer(this.options.intervalMs, () => {
      this.check();
      if (this.cancelNext !== undefined) this.cancelNext = this.scheduleNext();
    });
  }
}
