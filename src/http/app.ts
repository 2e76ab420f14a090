/**
 * The HTTP endpoints: the metrics (/metrics by default), /healthz, /readyz, the status page and
 * POST /-/reload. The web configuration (basic auth, headers) is read per request, so a reload applies
 * to the next request.
 */
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/types.js';
import type { MetricsPage } from '../metrics/metrics-page.js';
import type { ReloadOutcome } from '../runtime/reloader.js';
import type { Store } from '../store/store.js';
import { basicAuth } from './basic-auth.js';
import type { BcryptWorker } from './bcrypt-worker.js';
import { CONTENT_SECURITY_POLICY } from './status/assets.js';
import { renderStatusPage } from './status/page.js';
import type { WebConfig } from '../config/web-config.js';

export interface AppDependencies {
  readonly metricsPage: MetricsPage;
  readonly store: Store;
  /** The configured servers now: the status page reads their poll intervals. */
  readonly configured: () => ReadonlyArray<Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>>;
  /** Where the metrics are served (`--web.telemetry-path`). */
  readonly telemetryPath: string;
  /** The status page's "now". */
  readonly clock: Pick<Clock, 'now'>;
  readonly version: string;
  readonly logger: Logger;
  /** Extra headers and basic auth from the web config file now, if any. */
  readonly web: () => WebConfig | undefined;
  /** Re-reads the configuration (POST /-/reload); resolves with the one-line reason when it was refused. */
  readonly reload: () => Promise<ReloadOutcome>;
  /** Checks basic auth passwords (bcrypt) off the main thread. */
  readonly bcrypt: BcryptWorker;
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // On every response, 401 and 404 included, as exporter-toolkit does.
  app.use((_request, response, next) => {
    const headers = deps.web()?.headers;
    if (headers !== undefined && Object.keys(headers).length > 0) response.set(headers);
    next();
  });
  app.use(currentBasicAuth(deps));
  routeReload(app, deps);
  app.get(deps.telemetryPath, metricsHandler(deps));
  routeHealth(app, deps);
  app.get('/', statusPageHandler(deps));

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

/** POST /-/reload, answered as Prometheus answers it: 500 with the reason when the new configuration is refused. */
function routeReload(app: Express, deps: AppDependencies): void {
  app.post('/-/reload', async (_request, response) => {
    const outcome = await deps.reload();
    if (outcome.ok) response.type('text/plain').send('configuration reloaded\n');
    else response.status(500).type('text/plain').send(`failed to reload the configuration: ${outcome.error}\n`);
  });
  app.all('/-/reload', (_request, response) => {
    response.status(405).set('Allow', 'POST').type('text/plain').send('use POST to reload the configuration\n');
  });
}

function metricsHandler(deps: AppDependencies): RequestHandler {
  return async (request, response) => {
    const compressed = acceptsGzip(request);
    const parts = await deps.metricsPage.body(compressed);
    response.status(200).set({
      'Content-Type': deps.metricsPage.contentType,
      'Content-Length': String(parts.reduce((sum, part) => sum + part.length, 0)),
      'Cache-Control': 'no-store',
      Vary: 'Accept-Encoding',
      ...(compressed ? { 'Content-Encoding': 'gzip' } : {}),
    });
    // The data is some forty pieces: corked, they leave in one write instead of one each.
    response.cork();
    for (const part of parts) response.write(part);
    response.uncork();
    response.end();
  };
}

/** /healthz (the process answers) and /readyz (the first poll cycle is done). */
function routeHealth(app: Express, deps: AppDependencies): void {
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
}

function statusPageHandler(deps: AppDependencies): RequestHandler {
  return (_request, response) => {
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
      configured: deps.configured(),
      nowMs: deps.clock.now(),
      version: deps.version,
      metricsPath: deps.telemetryPath,
    });
    response.type('html').send(page);
  };
}

/**
 * Basic auth as the web configuration says now: one checker per web configuration (it remembers
 * successful checks and queues the slow ones), replaced when a reload brings another.
 */
function currentBasicAuth(deps: AppDependencies): RequestHandler {
  const checkerOf = (web: WebConfig | undefined): RequestHandler | undefined =>
    web === undefined || web.users.size === 0
      ? undefined
      : basicAuth({
          users: web.users,
          unauthenticatedPaths: web.unauthenticatedPaths,
          compare: (password, hash) => deps.bcrypt.compare(password, hash),
          logger: deps.logger,
        });
  // The start-up checker is made now (it hashes a dummy password), not at the first request.
  let checkedBy = deps.web();
  let check = checkerOf(checkedBy);
  return (request, response, next) => {
    const web = deps.web();
    // Exempt paths (/healthz for the kubelet) never wait for a new checker to be made.
    if (web?.unauthenticatedPaths.includes(request.path) === true) return next();
    if (web !== checkedBy) {
      checkedBy = web;
      check = checkerOf(web);
    }
    if (check === undefined) return next();
    return check(request, response, next);
  };
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
