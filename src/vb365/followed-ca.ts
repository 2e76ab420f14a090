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
import { FileFollower, type Look } from '../file-follower.js';
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
  /** Undefined without `ca_file`. */
  private readonly follower: FileFollower<string | undefined> | undefined;

  constructor(private readonly options: FollowedCaOptions) {
    this.current = this.build(options.pem);
    const { file, setting, logger } = options;
    if (file === undefined) return;
    this.follower = new FileFollower({
      initial: options.pem,
      look: (): Look<string> => {
        try {
          return { found: readPemFile(file, setting) };
        } catch (error) {
          return { failed: describeError(error) };
        }
      },
      same: (a, b) => a === b,
      apply: (pem) => {
        this.current = this.build(pem);
        logger.info({ setting }, 'CA file changed; new connections to the server use it');
      },
      intervalMs: CA_CHECK_MS,
      clock: options.clock,
      logger,
      failedMessage: 'CA file reload failed; still using the previous CA',
      onReload: options.onReload,
    });
  }

  /** For the Agent's `connect` option: the connector of the CA in force now. */
  readonly connect: buildConnector.connector = (connectOptions, callback) => this.current(connectOptions, callback);

  start(): void {
    this.follower?.start();
  }

  stop(): void {
    this.follower?.stop();
  }

  private build(pem: string | undefined): buildConnector.connector {
    return buildConnector({ ...this.options.connectOptions, ...(pem === undefined ? {} : { ca: pem }) });
  }
}
