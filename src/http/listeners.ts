/**
 * The exporter's node servers, one per listen address, all serving the same app: started in the
 * configured order (a failure closes those already listening), and closed together.
 */
import type { Server as HttpServer, RequestListener } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress } from '../config/types.js';
import type { TlsServerSettings } from '../config/tls-server-config.js';
import { createHttpServer } from './http-server.js';
import { listen } from './listen.js';

export interface ListenOptions {
  readonly addresses: readonly ListenAddress[];
  /** Where the addresses came from, as the user wrote it, for the message when one is refused. */
  readonly setting: string | undefined;
  /** HTTPS with it. */
  readonly tls: TlsServerSettings | undefined;
  /** For server errors (module: http). */
  readonly httpLogger: Logger;
  /** For the `listening` line of each address. */
  readonly logger: Logger;
  /** Said in each `listening` line besides the address and whether it is TLS. */
  readonly describe: Readonly<Record<string, unknown>>;
}

export class Listeners {
  private constructor(
    /** HTTPS servers when TLS is configured. */
    readonly servers: ReadonlyArray<HttpServer | HttpsServer>,
    /** `http://host:port` (`https://` with TLS) of each, in the configured order. */
    readonly urls: readonly string[],
  ) {}

  static async start(app: RequestListener, options: ListenOptions): Promise<Listeners> {
    const servers: Array<HttpServer | HttpsServer> = [];
    const urls: string[] = [];
    try {
      for (const address of options.addresses) {
        const server = createHttpServer(app, options.tls, options.httpLogger);
        await listen(server, address.host, address.port, options.httpLogger, options.setting);
        servers.push(server);
        urls.push(listening(server, options));
      }
    } catch (error) {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      throw error;
    }
    return new Listeners(servers, urls);
  }

  /** Closes every connection, scrapes in flight included, and the servers. */
  async close(): Promise<void> {
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }
}

/** Logs that `server` listens, and returns the URL it is reached at (loopback for a wildcard address). */
function listening(server: HttpServer | HttpsServer, options: ListenOptions): string {
  const tls = options.tls !== undefined;
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  options.logger.info({ address: `${host}:${bound.port}`, tls, ...options.describe }, 'listening');
  const reachable = host === '[::]' ? '[::1]' : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `${tls ? 'https' : 'http'}://${reachable}:${bound.port}`;
}
