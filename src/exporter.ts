/**
 * Builds the running exporter from a validated configuration: per server an undici Agent, a client,
 * a scheduler; one store, one metrics page, one HTTP server. Used by main.ts, the demo and the tests.
 * A reload (SIGHUP, POST /-/reload) swaps in a new configuration validated whole: unchanged servers
 * keep everything, changed ones restart alone, removed ones stop and lose their series.
 */
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import type { Clock } from './clock.js';
import { ConfigError } from './config/errors.js';
import { planReload } from './config/reload-plan.js';
import type { ExporterConfig, ServerConfig } from './config/types.js';
import { createApp, type ReloadOutcome } from './http/app.js';
import { BcryptWorker } from './http/bcrypt-worker.js';
import { CertificateWatcher } from './http/certificate-watcher.js';
import { createHttpServer } from './http/http-server.js';
import { listen } from './http/listen.js';
import { loadWebConfig, type WebConfig } from './config/web-config.js';
import { MetricsPage } from './metrics/metrics-page.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { runCycle } from './poller/cycle.js';
import { Scheduler } from './poller/scheduler.js';
import { ownedBy } from './poller/shard.js';
import { Store } from './store/store.js';
import { logChanges } from './facts/registry.js';
import { answerBudgetBytes, answerBudgetFor, type ByteBudget } from './vb365/byte-budget.js';
import { Vb365Client } from './vb365/client.js';
import { concurrencyLimit } from './vb365/concurrency-limit.js';
import { FollowedCa } from './vb365/followed-ca.js';

export interface ExporterDependencies {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly version: string;
  /** The commit the build was made from, when the build says (the image sets VB365_EXPORTER_REVISION). */
  readonly revision?: string | undefined;
  /** TLS, basic auth and headers (main.ts loads `config.webConfigFile` at start-up); loaded here when not given. */
  readonly webConfig?: WebConfig | undefined;
  /**
   * Reads the configuration again, whole (both files), throwing a ConfigError when it is invalid.
   * Without it, a reload is refused with a message saying so.
   */
  readonly reloadConfiguration?: (() => ReloadedConfiguration) | undefined;
}

export interface ReloadedConfiguration {
  readonly config: ExporterConfig;
  readonly webConfig: WebConfig | undefined;
  /** Things worth a log line, as at start-up. */
  readonly warnings: readonly string[];
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
  // A configured web config file is never silently ignored, whoever calls this; loaded before anything starts.
  let web = deps.webConfig ?? (config.webConfigFile === undefined ? undefined : loadWebConfig(config.webConfigFile));
  let current = config;
  const metrics = new SelfMetrics(deps.version, config.shard, deps.revision);
  const store = new Store(config.servers);
  const metricsPage = new MetricsPage(metrics.registry, config.servers, store.servers(), (error) => {
    metrics.renderFailures.inc();
    deps.logger.error({ reason: error.message }, 'could not render the data for /metrics; serving the last rendering');
  });
  store.onChange((servers) => metricsPage.update(servers));

  const answerBudget = answerBudgetFor(config.servers);
  const pollers = new Map(
    config.servers.map((server) => [server.name, createPoller(server, config, store, metrics, answerBudget, deps)]),
  );
  for (const warning of web?.warnings ?? []) deps.logger.warn(warning);
  const httpLogger = deps.logger.child({ module: 'http' });
  const bcrypt = new BcryptWorker();
  const reloads = metrics.trackConfigReloads(deps.clock.now());
  let reloading: Promise<ReloadOutcome> = Promise.resolve({ ok: true });

  const applyReload = async (): Promise<ReloadOutcome> => {
    let next: ReloadedConfiguration;
    try {
      if (deps.reloadConfiguration === undefined)
        throw new ConfigError('reload', 'a configuration source (this exporter was started without one)');
      next = deps.reloadConfiguration();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      reloads(false, deps.clock.now());
      deps.logger.error({ reason: error.message }, 'configuration reload refused; the running configuration stays');
      return { ok: false, error: error.message };
    }
    const plan = planReload(current, next.config);
    // Stopped before their state goes, so that no cycle of theirs lands after it (or duplicates a series).
    for (const name of [...plan.removed, ...plan.changed.map((server) => server.name)]) {
      await stopPoller(pollers.get(name));
      pollers.delete(name);
    }
    for (const name of plan.removed) await metrics.forgetServer(name);
    // A changed server may have dropped its ca_file: its CA gauges start again with its new poller, or not at all.
    for (const server of plan.changed) metrics.forgetCa(server.name);
    answerBudget.setLimit(answerBudgetBytes(next.config.servers));
    if ((next.webConfig?.tls === undefined) !== (web?.tls === undefined))
      plan.needRestart.push('switching between HTTP and HTTPS (tls_server_config)');
    current = next.config;
    // Basic auth and headers apply to the next request; new TLS files reach new handshakes through the
    // CertificateWatcher, which follows the files on its own.
    web = next.webConfig;
    metricsPage.setConfigured(current.servers);
    // Changed servers keep their state: their series stay until their first new cycle replaces them.
    store.setServers(current.servers);
    for (const server of [...plan.added, ...plan.changed]) {
      const poller = createPoller(server, current, store, metrics, answerBudget, deps);
      pollers.set(server.name, poller);
      poller.ca.start();
      poller.scheduler.start();
    }
    for (const warning of [...next.warnings, ...(next.webConfig?.warnings ?? [])]) deps.logger.warn(warning);
    if (plan.needRestart.length > 0)
      deps.logger.warn({ settings: plan.needRestart }, 'these settings changed and apply only after a restart');
    reloads(true, deps.clock.now());
    deps.logger.info(
      {
        added: plan.added.map((server) => server.name),
        changed: plan.changed.map((server) => server.name),
        removed: plan.removed,
        unchanged: plan.unchanged,
      },
      'configuration reloaded',
    );
    return { ok: true };
  };
  let stopping = false;
  const reload = (): Promise<ReloadOutcome> => {
    // A reload queued behind stop() would start pollers nothing stops.
    if (stopping) return Promise.resolve({ ok: false, error: 'reload: the exporter is stopping' });
    reloading = reloading.then(applyReload, applyReload);
    return reloading;
  };

  const app = createApp({
    metricsPage,
    store,
    configured: () => current.servers,
    telemetryPath: config.telemetryPath,
    clock: deps.clock,
    version: deps.version,
    logger: httpLogger,
    web: () => web,
    reload,
    bcrypt,
  });
  const httpServers: Array<ReturnType<typeof createHttpServer>> = [];
  const urls: string[] = [];
  const tls = web?.tls !== undefined;
  try {
    // One server per listen address, all serving the same app.
    for (const address of config.listen) {
      const httpServer = createHttpServer(app, web?.tls, httpLogger);
      await listen(httpServer, address.host, address.port, httpLogger, config.listenSetting);
      httpServers.push(httpServer);
      const bound = httpServer.address() as AddressInfo;
      const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      urls.push(
        `${tls ? 'https' : 'http'}://${host === '[::]' ? '[::1]' : host === '0.0.0.0' ? '127.0.0.1' : host}:${bound.port}`,
      );
      deps.logger.info(
        {
          address: `${host}:${bound.port}`,
          tls,
          basicAuth: (web?.users.size ?? 0) > 0,
          telemetryPath: config.telemetryPath,
          servers: config.servers.map((server) => server.name),
          shard: config.shard,
        },
        'listening',
      );
    }
  } catch (error) {
    await Promise.all(httpServers.map((httpServer) => new Promise((resolve) => httpServer.close(resolve))));
    await Promise.all([...pollers.values()].map((poller) => poller.agent.destroy()));
    throw error;
  }

  const certificates =
    web?.tls === undefined
      ? undefined
      : new CertificateWatcher({
          webConfigFile: web.file,
          current: web.tls,
          servers: httpServers as HttpsServer[], // with tls, createHttpServer made HTTPS servers
          clock: deps.clock,
          logger: httpLogger,
          onReload: metrics.trackTlsReloads(deps.clock.now()),
        });
  certificates?.start();
  for (const poller of pollers.values()) {
    poller.ca.start();
    poller.scheduler.start();
  }

  return {
    url: urls[0] ?? '',
    urls,
    store,
    metrics,
    pollNow: async () => {
      await Promise.all([...pollers.values()].map((poller) => poller.scheduler.pollNow()));
      await metricsPage.rendered();
    },
    reload,
    stop: async () => {
      stopping = true;
      certificates?.stop();
      await reloading.catch(() => undefined);
      await Promise.all([...pollers.values()].map(stopPoller));
      await Promise.all(
        httpServers.map((httpServer) => {
          httpServer.closeAllConnections();
          return new Promise<void>((resolve) => httpServer.close(() => resolve()));
        }),
      );
      await bcrypt.close();
    },
  };
}

async function stopPoller(poller: Poller | undefined): Promise<void> {
  if (poller === undefined) return;
  poller.ca.stop();
  await poller.scheduler.stop();
  await poller.agent.destroy();
}

interface Poller {
  readonly scheduler: Scheduler;
  readonly agent: Agent;
  readonly ca: FollowedCa;
}

function createPoller(
  server: ServerConfig,
  config: ExporterConfig,
  store: Store,
  metrics: SelfMetrics,
  answerBudget: ByteBudget,
  deps: ExporterDependencies,
): Poller {
  const logger = deps.logger.child({ module: 'poller', server: server.name });
  const timeoutMs = server.requestTimeoutSeconds * 1000;
  // One keep-alive pool per server, as wide as the concurrency bound, so TLS handshakes happen once per connection.
  const ca = new FollowedCa({
    file: server.caFile,
    pem: server.ca,
    setting: server.settingNames?.caFile ?? 'ca_file',
    connectOptions: { timeout: timeoutMs, rejectUnauthorized: !server.tlsInsecure },
    clock: deps.clock,
    logger,
    onReload: server.caFile === undefined ? undefined : metrics.trackCaReloads(server.name, deps.clock.now()),
  });
  const agent = new Agent({
    connections: server.pollConcurrency,
    keepAliveTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: ca.connect,
  });
  const client = new Vb365Client({
    server,
    dispatcher: agent,
    limit: concurrencyLimit(server.pollConcurrency),
    answerBudget,
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger.child({ module: 'vb365', server: server.name }),
    events: metrics.forServer(server.name),
  });
  const scheduler = new Scheduler({
    intervalSeconds: server.pollIntervalSeconds,
    runCycle: (signal) =>
      runCycle(
        {
          server,
          client,
          owns: ownedBy(config.shard),
          previous: () => store.state(server.name),
          clock: deps.clock,
          logger,
        },
        signal,
      ),
    applyCycle: (cycle) => {
      const { state, previous } = store.applyCycle(server.name, cycle);
      logChanges(previous, state, logger);
      return state;
    },
    onLateCycle: () => metrics.lateCycles.inc({ server: server.name }),
    clock: deps.clock,
    logger,
  });
  if (server.tlsInsecure) logger.warn('TLS certificate checks are off for this server (tls_insecure)');
  return { scheduler, agent, ca };
}
