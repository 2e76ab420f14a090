/**
 * The API version a server is read with. Pinned (`v6`, `v7`, `v8`) it never changes. With `auto` it is
 * the best of v8, v7, v6 the server serves, found by one cheap unauthenticated probe per version
 * (`/{v}/ServiceInstance` answers 401/403 where the version is served, 404 where it is not), and found
 * again at the next cycle after a versioned path answered 404 (a downgrade, a proxy change) and at most
 * every hour otherwise (an upgrade).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ApiVersion, ApiVersionSetting } from '../config/types.js';
import { Vb365Error } from './errors.js';
import { PROBED_VERSIONS } from './routes.js';

export const REPROBE_EVERY_MS = 3_600_000;

/** Whether the server serves `version`; throws when it cannot tell (the server is down, say). */
type VersionProbe = (version: ApiVersion, signal: AbortSignal) => Promise<boolean>;

export interface ApiVersionOptions {
  readonly setting: ApiVersionSetting;
  readonly probe: VersionProbe;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told when `auto` moves from one version to another. */
  readonly onChange?: () => void;
}

export class ApiVersionChooser {
  private version: ApiVersion | undefined;
  private chosenAtMs = Number.NEGATIVE_INFINITY;
  private notFoundSeen = false;

  constructor(private readonly options: ApiVersionOptions) {
    if (options.setting !== 'auto') this.version = options.setting;
  }

  /** The version in use now; undefined until `auto` has found one. */
  get current(): ApiVersion | undefined {
    return this.version;
  }

  /** At the start of a cycle: the version to read this cycle with, probed again when due. */
  async choose(signal: AbortSignal): Promise<ApiVersion> {
    const { setting, clock, logger } = this.options;
    if (setting !== 'auto') return setting;
    const due = clock.now() - this.chosenAtMs >= REPROBE_EVERY_MS;
    if (this.version !== undefined && !this.notFoundSeen && !due) return this.version;
    let found: ApiVersion | undefined;
    try {
      for (const version of PROBED_VERSIONS) {
        if (await this.options.probe(version, signal)) {
          found = version;
          break;
        }
      }
    } catch (error) {
      // The probe could not tell (a timeout, a 5xx): the hourly look keeps a version that works, and tries
      // again next cycle; after a 404 (or with none known) there is nothing to keep.
      if (this.version === undefined || this.notFoundSeen) throw error;
      logger.debug({ reason: (error as Error).message }, 'API version probe failed; keeping the version in use');
      return this.version;
    }
    if (found === undefined) throw Vb365Error.noApiVersion(PROBED_VERSIONS);
    if (found !== this.version) {
      if (this.version === undefined) logger.info({ apiVersion: found }, 'API version found');
      else {
        logger.warn({ from: this.version, to: found }, 'API version changed');
        this.options.onChange?.();
      }
    }
    this.version = found;
    this.chosenAtMs = clock.now();
    this.notFoundSeen = false;
    return found;
  }

  /** A versioned path answered 404: look again at the next cycle. */
  notFound(): void {
    if (this.options.setting === 'auto') this.notFoundSeen = true;
  }
}
