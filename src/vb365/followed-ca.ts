/**
 * The CA a server's certificate is checked against, followed on disk: every few seconds `ca_file` is read
 * again, and a changed, valid CA is used by the next connection (connections already open keep theirs). A
 * broken replacement keeps the previous CA and is logged once per change. Without `ca_file` nothing is
 * followed. The Agent is handed `connect`, which always uses the current connector.
 */
import type { Logger } from 'pino';
import { buildConnector } from 'undici';
import type { Clock } from '../clock.js';
import { readPemFile } from '../config/files.js';
import { describeError } from './errors.js';

/** How often `ca_file` is looked at. */
export const CA_CHECK_MS = 5_000;

export interface FollowedCaOptions {
  /** The file, or undefined when the system CAs are used. */
  readonly file: string | undefined;
  /** Its content as read at start-up. */
  readonly pem: string | undefined;
  /** The setting as the user wrote it, for messages. */
  readonly setting: string;
  /** Everything else the TLS connection needs (timeout, rejectUnauthorized). */
  readonly connectOptions: buildConnector.BuildOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told of each look at a changed or broken file: whether the CA in force is the file's (for a metric). */
  readonly onReload?: ((successful: boolean, atMs: number) => void) | undefined;
}

export class FollowedCa {
  private current: buildConnector.connector;
  private pem: string | undefined;
  private lastFailure: string | undefined;
  private cancelNext: (() => void) | undefined;

  constructor(private readonly options: FollowedCaOptions) {
    this.pem = options.pem;
    this.current = this.build(options.pem);
  }

  /** For the Agent's `connect` option: the connector of the CA in force now. */
  readonly connect: buildConnector.connector = (connectOptions, callback) => this.current(connectOptions, callback);

  start(): void {
    if (this.options.file !== undefined) this.cancelNext ??= this.scheduleNext();
  }

  stop(): void {
    this.cancelNext?.();
    this.cancelNext = undefined;
  }

  /** Reads `ca_file` again; what the timer does every few seconds. */
  check(): void {
    const { file, setting, logger } = this.options;
    if (file === undefined) return;
    let pem: string;
    try {
      pem = readPemFile(file, setting);
    } catch (error) {
      const reason = describeError(error);
      if (reason !== this.lastFailure) logger.error({ reason }, 'CA file reload failed; still using the previous CA');
      this.lastFailure = reason;
      this.options.onReload?.(false, this.options.clock.now());
      return;
    }
    const recovered = this.lastFailure !== undefined;
    this.lastFailure = undefined;
    if (pem === this.pem) {
      if (recovered) this.options.onReload?.(true, this.options.clock.now());
      return;
    }
    this.current = this.build(pem);
    this.pem = pem;
    logger.info({ setting }, 'CA file changed; new connections to the server use it');
    this.options.onReload?.(true, this.options.clock.now());
  }

  private build(pem: string | undefined): buildConnector.connector {
    return buildConnector({ ...this.options.connectOptions, ...(pem === undefined ? {} : { ca: pem }) });
  }

  private scheduleNext(): () => void {
    return this.options.clock.setTimer(CA_CHECK_MS, () => {
      this.check();
      if (this.cancelNext !== undefined) this.cancelNext = this.scheduleNext();
    });
  }
}
