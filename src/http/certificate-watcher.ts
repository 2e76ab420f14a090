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
import { secureContextOptions, type TlsServerSettings } from '../config/tls-server-config.js';
import { loadWebConfig } from '../config/web-config.js';
import { FileFollower, type Look } from '../file-follower.js';

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
  private readonly follower: FileFollower<TlsServerSettings>;

  constructor(deps: CertificateWatcherDependencies) {
    this.follower = new FileFollower({
      initial: deps.current,
      look: (current) => lookAgain(deps.webConfigFile, current),
      same: sameFiles,
      apply: (next) => {
        for (const server of deps.servers) server.setSecureContext(secureContextOptions(next));
        deps.logger.info({ file: deps.webConfigFile }, 'TLS certificate reloaded; new connections use it');
      },
      intervalMs: CERTIFICATE_CHECK_MS,
      clock: deps.clock,
      logger: deps.logger,
      failedMessage: 'TLS certificate reload failed; still serving the previous certificate',
      recoveredMessage: 'TLS certificate files are valid again; serving them',
      onReload: deps.onReload,
    });
  }

  start(): void {
    this.follower.start();
  }

  stop(): void {
    this.follower.stop();
  }
}

/** The web configuration's TLS settings as they are on disk now, when they are this watcher's to apply. */
function lookAgain(webConfigFile: string, current: TlsServerSettings): Look<TlsServerSettings> {
  let next: TlsServerSettings | undefined;
  try {
    next = loadWebConfig(webConfigFile).tls;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // A mistake elsewhere in the file (a user, a header) is not a certificate problem: say so, touch no metric.
    if (error instanceof ConfigError && !error.setting.startsWith('tls_server_config')) {
      return {
        ignored: reason,
        warning:
          'the web config has an error outside tls_server_config; certificates are looked at again once it is fixed',
      };
    }
    return { failed: reason };
  }
  if (next === undefined)
    return { failed: 'tls_server_config was removed from the web config; restart to serve plain HTTP' };
  if (!sameTlsPolicy(current, next)) {
    // client_auth_type, SANs and versions were fixed when the server was made: applying only the files
    // could refuse every client. Keep serving as started until a restart.
    return {
      ignored: 'tls_server_config changed beyond its files',
      warning: 'TLS settings other than the certificate, key and client CA changed; restart to apply them',
    };
  }
  return { found: next };
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
