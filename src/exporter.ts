/**
 * Builds the running exporter from a validated configuration: a poller per server (runtime/pollers.ts),
 * one store, one metrics page, one HTTP server per listen address, the reloader (runtime/reloader.ts)
 * and, with TLS, the CertificateWatcher. Used by main.ts, the demo and the tests.
 */
import type { RequestListener } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { checkWebConfigGiven, type Configuration } from './config/configuration.js';
import type { ExporterConfig } from './config/types.js';
import type { WebConfig } from './config/web-config.js';
import { createApp } from './http/app.js';
import { BcryptWorker } from './http/bcrypt-worker.js';
import { CertificateWatcher } from './http/certificate-watcher.js';
import { Listeners } from './http/listeners.js';
import { MetricsPage } from './metrics/metrics-page.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { Pollers } from './runtime/pollers.js';
import { Reloader, type ReloadOutcome } from './runtime/reloader.js';
import { Store } from './store/store.js';
import { answerBudgetFor } from './vb365/byte-budget.js';

export interface ExporterDependencies {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly version: string;
  /** The commit the build was made from, when the build says (the image sets VB365_EXPORTER_REVISION). */
  readonly revision?: string | undefined;
  /** TLS, basic auth and headers: what `config.webConfigFile` holds, as loadConfiguration loaded it. */
  readonly webConfig?: WebConfig | undefined;
  /**
   * Reads the configuration again, whole (both files, loadConfiguration), throwing a ConfigError when it
   * is invalid. Without it, a reload is refused with a message saying so.
   */
  readonly reloadConfiguration?: (() => Configuration) | undefined;
}

export interface RunningExporter {
  /** `http://host:port` (`https://` with TLS) of the first listen address. */
  readonly url: string;
  /** One for each listen address, in the configured order. */
  readonly urls: readonly string[];
  readonly store: Store;
  readonly metrics: SelfMetrics;
  /** Polls every server now and resolves once each has finished that cycle and /metrics has its data. */
  pollNow(): Promise<void>;
  /** Re-reads and applies the configuration, as SIGHUP and POST /-/reload do; one at a time. */
  reload(): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

export async function startExporter(config: ExporterConfig, deps: ExporterDependencies): Promise<RunningExporter> {
  const web = deps.webConfig;
  checkWebConfigGiven(config, web);
  const data = dataPath(config, deps);
  const { metrics, store, metricsPage } = data;
  const answerBudget = answerBudgetFor(config.servers);
  const { clock, random, logger } = deps;
  const pollers = new Pollers({ ...data, answerBudget, clock, random, logger });
  pollers.add(config.servers, config.shard);
  for (const warning of web?.warnings ?? []) logger.warn(warning);
  const reloader = new Reloader({
    running: { config, webConfig: web },
    source: deps.reloadConfiguration,
    pollers,
    ...data,
    answerBudget,
    clock,
    logger,
  });
  const httpLogger = logger.child({ module: 'http' });
  const bcrypt = new BcryptWorker();
  const app = createApp({
    metricsPage,
    store,
    configured: () => reloader.config.servers,
    telemetryPath: config.telemetryPath,
    clock,
    version: deps.version,
    logger: httpLogger,
    web: () => reloader.webConfig,
    reload: () => reloader.reload(),
    bcrypt,
  });
  const listeners = await listenOn(app, config, web, { logger, httpLogger }).catch(async (error: unknown) => {
    await pollers.stopAll();
    throw error;
  });
  const certificates = followCertificates(web, listeners, metrics, { clock, logger: httpLogger });
  pollers.start();
  return running({ ...data, pollers, reloader, listeners, certificates, bcrypt });
}

/** What the caller holds of the exporter: its addresses and data, polling on demand, reload and stop. */
function running(parts: {
  readonly metrics: SelfMetrics;
  readonly store: Store;
  readonly metricsPage: MetricsPage;
  readonly pollers: Pollers;
  readonly reloader: Reloader;
  readonly listeners: Listeners;
  readonly certificates: CertificateWatcher | undefined;
  readonly bcrypt: BcryptWorker;
}): RunningExporter {
  const { pollers, reloader, listeners, certificates } = parts;
  return {
    url: listeners.urls[0] ?? '',
    urls: listeners.urls,
    store: parts.store,
    metrics: parts.metrics,
    pollNow: async () => {
      await pollers.pollNow();
      await parts.metricsPage.rendered();
    },
    reload: () => reloader.reload(),
    stop: async () => {
      certificates?.stop();
      await reloader.stop();
      await pollers.stopAll();
      await listeners.close();
      await parts.bcrypt.close();
    },
  };
}

/** The exporter's own metrics, the VB365 data the pollers keep, and the /metrics page made of both. */
function dataPath(
  config: ExporterConfig,
  deps: ExporterDependencies,
): { metrics: SelfMetrics; store: Store; metricsPage: MetricsPage } {
  const metrics = new SelfMetrics(deps.version, config.shard, deps.revision);
  const store = new Store(config.servers);
  const metricsPage = new MetricsPage(metrics.registry, config.servers, store.servers(), (error) => {
    metrics.renderFailures.inc();
    deps.logger.error({ reason: error.message }, 'could not render the data for /metrics; serving the last rendering');
  });
  store.onChange((servers) => metricsPage.update(servers));
  return { metrics, store, metricsPage };
}

function listenOn(
  app: RequestListener,
  config: ExporterConfig,
  web: WebConfig | undefined,
  loggers: { readonly logger: Logger; readonly httpLogger: Logger },
): Promise<Listeners> {
  return Listeners.start(app, {
    addresses: config.listen,
    setting: config.listenSetting,
    tls: web?.tls,
    ...loggers,
    describe: {
      basicAuth: (web?.users.size ?? 0) > 0,
      telemetryPath: config.telemetryPath,
      servers: config.servers.map((server) => server.name),
      shard: config.shard,
    },
  });
}

/** With TLS, the certificate, key and client CA files followed on disk; nothing to follow without. */
function followCertificates(
  web: WebConfig | undefined,
  listeners: Listeners,
  metrics: SelfMetrics,
  deps: { readonly clock: Clock; readonly logger: Logger },
): CertificateWatcher | undefined {
  if (web?.tls === undefined) return undefined;
  const certificates = new CertificateWatcher({
    webConfigFile: web.file,
    current: web.tls,
    servers: listeners.servers as HttpsServer[], // with tls, the listeners are HTTPS servers
    clock: deps.clock,
    logger: deps.logger,
    onReload: metrics.trackTlsReloads(deps.clock.now()),
  });
  certificates.start();
  return certificates;
}
