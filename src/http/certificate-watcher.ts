/**
 * Certificates rotated in place, as exporter-toolkit does it: every few seconds the web configuration is
 * read again, and when its TLS material (certificate, key, client CA) differs, the HTTPS servers get a new
 * secure context. New handshakes use the new files; established connections and scrapes in progress keep
 * theirs. A broken replacement (unreadable, a key that does not match) keeps the old pair, is logged once
 * per change, and sets veeam_vb365_exporter_tls_reload_successful to 0 until a good pair arrives.
 */
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { loadWebConfig, secureContextOptions, type TlsServerSettings } from './web-config.js';

/** How often the files are looked at: "within a few seconds" of a renewal. */
export const CERTIFICATE_CHECK_MS = 5_000;

export interface CertificateWatcherDependencies {
  readonly webConfigFile: string;
  /** The TLS settings the servers were started with. */
  readonly current: TlsServerSettings;
  readonly servers: readonly HttpsServer[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told the outcome of every look that found a change (true: applied), and when it last succeeded. */
  readonly onReload: (successful: boolean, atMs: number) => void;
}

export class CertificateWatcher {
  /** Cancels the next look; undefined when stopped. A timer, not a sleep: it never holds the process. */
  private cancelNext: (() => void) | undefined;
  private current: TlsServerSettings;
  /** The last failure logged, so a broken file is reported once, not every few seconds. */
  private lastFailure: string | undefined;

  constructor(private readonly deps: CertificateWatcherDependencies) {
    this.current = deps.current;
  }

  start(): void {
    this.cancelNext ??= this.scheduleNext();
  }

  stop(): void {
    this.cancelNext?.();
    this.cancelNext = undefined;
  }

  /** Reads the web configuration again and applies new TLS material; what the loop does every few seconds. */
  check(): void {
    let next: TlsServerSettings | undefined;
    try {
      next = loadWebConfig(this.deps.webConfigFile).tls;
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return;
    }
    if (next === undefined) {
      this.fail('tls_server_config was removed from the web config; restart to serve plain HTTP');
      return;
    }
    if (!changed(this.current, next)) {
      if (this.lastFailure !== undefined) this.recovered();
      return;
    }
    for (const server of this.deps.servers) server.setSecureContext(secureContextOptions(next));
    this.current = next;
    this.lastFailure = undefined;
    this.deps.logger.info({ file: this.deps.webConfigFile }, 'TLS certificate reloaded; new connections use it');
    this.deps.onReload(true, this.deps.clock.now());
  }

  private fail(reason: string): void {
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    this.deps.logger.error({ reason }, 'TLS certificate reload failed; still serving the previous certificate');
    this.deps.onReload(false, this.deps.clock.now());
  }

  /** The files are back to what is being served: nothing to apply, but nothing is broken any more. */
  private recovered(): void {
    this.lastFailure = undefined;
    this.deps.logger.info('TLS certificate files are valid again; serving them');
    this.deps.onReload(true, this.deps.clock.now());
  }

  private scheduleNext(): () => void {
    return this.deps.clock.setTimer(CERTIFICATE_CHECK_MS, () => {
      this.check();
      if (this.cancelNext !== undefined) this.cancelNext = this.scheduleNext();
    });
  }
}

function changed(a: TlsServerSettings, b: TlsServerSettings): boolean {
  return a.cert !== b.cert || a.key !== b.key || a.clientCa !== b.clientCa;
}
