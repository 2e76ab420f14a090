/**
 * Configuration reloads (SIGHUP, POST /-/reload), as blackbox_exporter's SafeConfig does them: the new
 * configuration is read and checked whole, then swapped in; a refused one leaves the running one as it
 * is. Unchanged servers keep everything, changed ones restart alone, removed ones stop and lose their
 * series. One reload at a time; none once the exporter is stopping.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { checkWebConfigGiven, type Configuration } from '../config/configuration.js';
import { ConfigError } from '../config/errors.js';
import { planReload, type ReloadPlan } from '../config/reload-plan.js';
import type { ExporterConfig } from '../config/types.js';
import type { WebConfig } from '../config/web-config.js';
import type { MetricsPage } from '../metrics/metrics-page.js';
import type { ReloadReport } from '../metrics/reload-gauges.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Store } from '../store/store.js';
import { answerBudgetBytes, type ByteBudget } from '../vb365/byte-budget.js';
import type { Pollers } from './pollers.js';

export type ReloadOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface ReloaderDependencies {
  /** The configuration the exporter started with. */
  readonly running: Pick<Configuration, 'config' | 'webConfig'>;
  /**
   * Reads the configuration again, whole (both files), throwing a ConfigError when it is invalid.
   * Without it, a reload is refused with a message saying so.
   */
  readonly source: (() => Configuration) | undefined;
  readonly pollers: Pollers;
  readonly store: Store;
  readonly metricsPage: MetricsPage;
  readonly metrics: SelfMetrics;
  readonly answerBudget: ByteBudget;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class Reloader {
  private running: Pick<Configuration, 'config' | 'webConfig'>;
  /** The reload in progress, or the last one; the next waits for it. */
  private last: Promise<ReloadOutcome> = Promise.resolve({ ok: true });
  private stopping = false;
  private readonly report: ReloadReport;

  constructor(private readonly deps: ReloaderDependencies) {
    this.running = deps.running;
    this.report = deps.metrics.trackConfigReloads(deps.clock.now());
  }

  /** The configuration running now. */
  get config(): ExporterConfig {
    return this.running.config;
  }

  /** The web configuration in force now: basic auth and headers apply to the next request. */
  get webConfig(): WebConfig | undefined {
    return this.running.webConfig;
  }

  /** Re-reads and applies the configuration; resolves with the one-line reason when it was refused. */
  reload(): Promise<ReloadOutcome> {
    // A reload queued behind stop() would start pollers nothing stops.
    if (this.stopping) return Promise.resolve({ ok: false, error: 'reload: the exporter is stopping' });
    const apply = (): Promise<ReloadOutcome> => this.apply();
    this.last = this.last.then(apply, apply);
    return this.last;
  }

  /** Refuses reloads from now on and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.last.catch(() => undefined);
  }

  private async apply(): Promise<ReloadOutcome> {
    let next: Configuration;
    try {
      if (this.deps.source === undefined)
        throw new ConfigError('reload', 'a configuration source (this exporter was started without one)');
      next = this.deps.source();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.report(false, this.deps.clock.now());
      this.deps.logger.error(
        { reason: error.message },
        'configuration reload refused; the running configuration stays',
      );
      return { ok: false, error: error.message };
    }
    checkWebConfigGiven(next.config, next.webConfig);
    const plan = planReload(this.running.config, next.config);
    await this.swap(plan, next);
    this.logApplied(plan, next);
    this.report(true, this.deps.clock.now());
    return { ok: true };
  }

  private async swap(plan: ReloadPlan, next: Configuration): Promise<void> {
    const { pollers, metrics, store, metricsPage } = this.deps;
    // Stopped before their state goes, so that no cycle of theirs lands after it (or duplicates a series).
    await pollers.stop([...plan.removed, ...plan.changed.map((server) => server.name)]);
    for (const name of plan.removed) await metrics.forgetServer(name);
    // A changed server may have dropped its ca_file: its CA gauges start again with its new poller, or not at all.
    for (const server of plan.changed) metrics.forgetCa(server.name);
    this.deps.answerBudget.setLimit(answerBudgetBytes(next.config.servers));
    if ((next.webConfig?.tls === undefined) !== (this.running.webConfig?.tls === undefined))
      plan.needRestart.push('switching between HTTP and HTTPS (tls_server_config)');
    // New TLS files reach new handshakes through the CertificateWatcher, which follows the files on its own.
    this.running = { config: next.config, webConfig: next.webConfig };
    metricsPage.setConfigured(next.config.servers);
    // Changed servers keep their state: their series stay until their first new cycle replaces them.
    store.setServers(next.config.servers);
    pollers.add([...plan.added, ...plan.changed], next.config.shard);
    pollers.start();
  }

  private logApplied(plan: ReloadPlan, next: Configuration): void {
    const { logger } = this.deps;
    for (const warning of [...next.warnings, ...(next.webConfig?.warnings ?? [])]) logger.warn(warning);
    if (plan.needRestart.length > 0)
      logger.warn({ settings: plan.needRestart }, 'these settings changed and apply only after a restart');
    logger.info(
      {
        added: plan.added.map((server) => server.name),
        changed: plan.changed.map((server) => server.name),
        removed: plan.removed,
        unchanged: plan.unchanged,
      },
      'configuration reloaded',
    );
  }
}
