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
import { ConfigError } from '../config/errors.js';
import { loadWebConfig, secureContextOptions, type TlsServerSettings } from '../config/web-config.js';

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
  private lastWarning: string | undefined;

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

  /** Reads the web configuration again and applies new TLS material; what the timer does every few seconds. */
  check(): void {
    let next: TlsServerSettings | undefined;
    try {
      next = loadWebConfig(this.deps.webConfigFile).tls;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A mistake elsewhere in the file (a user, a header) is not a certificate problem: say so, touch no metric.
      if (error instanceof ConfigError && !error.setting.startsWith('tls_server_config')) {
        this.warnOnce(
          reason,
          'the web config has an error outside tls_server_config; certificates are looked at again once it is fixed',
        );
      } else {
        this.fail(reason);
      }
      return;
    }
    if (next === undefined) {
      this.fail('tls_server_config was removed from the web config; restart to serve plain HTTP');
      return;
    }
    if (!sameTlsPolicy(this.current, next)) {
      // client_auth_type, SANs and versions were fixed when the server was made: applying only the files
      // could refuse every client. Keep serving as started until a restart.
      this.warnOnce(
        'tls_server_config changed beyond its files',
        'TLS settings other than the certificate, key and client CA changed; restart to apply them',
      );
      return;
    }
    if (!sameFiles(this.current, next)) {
      for (const server of this.deps.servers) server.setSecureContext(secureContextOptions(next));
      this.current = next;
      this.lastFailure = undefined;
      this.deps.logger.info({ file: this.deps.webConfigFile }, 'TLS certificate reloaded; new connections use it');
      this.deps.onReload(true, this.deps.clock.now());
    } else if (this.lastFailure !== undefined) {
      this.recovered();
    }
  }

  /** One warning per distinct problem that is not a failed certificate. */
  private warnOnce(reason: string, message: string): void {
    if (reason === this.lastWarning) return;
    this.lastWarning = reason;
    this.deps.logger.warn({ reason }, message);
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

function sameFiles(a: TlsServerSettings, b: TlsServerSettings): boolean {
  return a.cert === b.cert && a.key === b.key && a.clientCa === b.clientCa;
}

/** Everything of tls_server_config but the files: what rotation leaves as it was. */
function sameTlsPolicy(a: TlsServerSettings, b: TlsServerSettings): boolean {
  const policy = ({ cert: _cert, key: _key, clientCa: _clientCa, ...rest }: TlsServerSettings): string =>
    JSON.stringify(rest);
  return policy(a) === policy(b);
}
