/** The HTTP endpoints: the metrics (/metrics by default), /healthz, /readyz and the status page. */
import express, { type Express, type Request } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/types.js';
import type { MetricsPage } from '../metrics/metrics-page.js';
import type { Store } from '../store/store.js';
import { basicAuth } from './basic-auth.js';
import type { BcryptWorker } from './bcrypt-worker.js';
import { CONTENT_SECURITY_POLICY } from './status/assets.js';
import { renderStatusPage } from './status/page.js';
import type { WebConfig } from '../config/web-config.js';

export interface AppDependencies {
  readonly metricsPage: MetricsPage;
  readonly store: Store;
  /** The configured servers: the status page reads their poll intervals. */
  readonly configured: ReadonlyArray<Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>>;
  /** Where the metrics are served (`--web.telemetry-path`). */
  readonly telemetryPath: string;
  /** The status page's "now". */
  readonly clock: Pick<Clock, 'now'>;
  readonly version: string;
  readonly logger: Logger;
  /** Extra headers and basic auth from the web config file, if any. */
  readonly web?: WebConfig | undefined;
  /** Checks basic auth passwords (bcrypt) off the main thread. */
  readonly bcrypt: BcryptWorker;
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const headers = deps.web?.headers ?? {};
  if (Object.keys(headers).length > 0) {
    // On every response, 401 and 404 included, as exporter-toolkit does.
    app.use((_request, response, next) => {
      response.set(headers);
      next();
    });
  }
  if (deps.web !== undefined && deps.web.users.size > 0) {
    app.use(
      basicAuth({
        users: deps.web.users,
        unauthenticatedPaths: deps.web.unauthenticatedPaths,
        compare: (password, hash) => deps.bcrypt.compare(password, hash),
        logger: deps.logger,
      }),
    );
  }

  app.get(deps.telemetryPath, async (request, response) => {
    const compressed = acceptsGzip(request);
    const parts = await deps.metricsPage.body(compressed);
    response.status(200).set({
      'Content-Type': deps.metricsPage.contentType,
      'Content-Length': String(parts.reduce((sum, part) => sum + part.length, 0)),
      'Cache-Control': 'no-store',
      Vary: 'Accept-Encoding',
      ...(compressed ? { 'Content-Encoding': 'gzip' } : {}),
    });
    for (const part of parts) response.write(part);
    response.end();
  });

  app.get('/healthz', (_request, response) => {
    response.type('text/plain').send('ok\n');
  });

  app.get('/readyz', (_request, response) => {
    const ready = deps.store.ready();
    response
      .status(ready ? 200 : 503)
      .type('text/plain')
      .send(ready ? 'ready\n' : 'waiting for the first poll cycle\n');
  });

  app.get('/', (_request, response) => {
    const security = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    // A header set in the web config's http_server_config.headers wins over the default.
    for (const [name, value] of Object.entries(security)) if (!response.hasHeader(name)) response.set(name, value);
    const page = renderStatusPage({
      servers: deps.store.servers(),
      configured: deps.configured,
      nowMs: deps.clock.now(),
      version: deps.version,
      metricsPath: deps.telemetryPath,
    });
    response.type('html').send(page);
  });

  app.use((_request, response) => {
    response.status(404).type('text/plain').send('not found\n');
  });

  // Express 5 passes rejected handlers here; answer without leaking internals.
  app.use((error: unknown, _request: Request, response: express.Response, _next: express.NextFunction) => {
    deps.logger.error({ err: error }, 'HTTP handler failed');
    if (!response.headersSent) response.status(500).type('text/plain').send('internal error\n');
    else response.destroy();
  });
  return app;
}

/** `Accept-Encoding` lists gzip (or `*`) with a quality above 0. */
function acceptsGzip(request: Request): boolean {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}
