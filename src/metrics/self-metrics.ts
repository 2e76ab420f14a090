/**
 * The exporter's own metrics, kept in a prom-client registry of its own (never the global one):
 * request counts, rejected answers, late cycles, build info and the default process metrics.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Shard } from '../config/types.js';
import type { ClientEvents } from '../vb365/client.js';
import { ReloadGauges, type ReloadGaugeNames, type ReloadReport } from './reload-gauges.js';

const CONFIG_RELOADS: ReloadGaugeNames = {
  successful: 'veeam_vb365_exporter_config_last_reload_successful',
  successfulHelp:
    'Whether the last configuration reload (SIGHUP or POST /-/reload) was applied (1), or refused with the running configuration kept (0).',
  lastSuccess: 'veeam_vb365_exporter_config_last_reload_success_timestamp_seconds',
  lastSuccessHelp: 'Unix time the configuration was last loaded successfully (at start-up or by a reload).',
};
const TLS_RELOADS: ReloadGaugeNames = {
  successful: 'veeam_vb365_exporter_tls_reload_successful',
  successfulHelp:
    'Whether the last change of the web configuration TLS files (certificate, key, client CA) was applied (1), or refused with the previous ones still served (0).',
  lastSuccess: 'veeam_vb365_exporter_tls_last_reload_success_timestamp_seconds',
  lastSuccessHelp: 'Unix time the TLS files of the web configuration were last loaded successfully.',
};
const CA_RELOADS: ReloadGaugeNames = {
  successful: 'veeam_vb365_ca_reload_successful',
  successfulHelp:
    "Whether the server's ca_file as it is now on disk is the CA in use (1), or could not be read or parsed, with the previous CA still in use (0). Only for servers with a ca_file.",
  lastSuccess: 'veeam_vb365_ca_last_reload_success_timestamp_seconds',
  lastSuccessHelp: "Unix time the server's ca_file was last loaded successfully (at start-up or when it changed).",
};

export class SelfMetrics {
  readonly registry = new Registry();

  readonly apiRequests = new Counter({
    name: 'veeam_vb365_api_requests_total',
    help: 'Requests sent to the VB365 REST API, by route and HTTP status code (or an error class such as timeout, network, tls, invalid_json).',
    labelNames: ['server', 'endpoint', 'code'] as const,
    registers: [this.registry],
  });

  readonly rejectedItems = new Counter({
    name: 'veeam_vb365_rejected_items_total',
    help: 'Items of VB365 answers skipped because a field the exporter uses was missing or invalid.',
    labelNames: ['server', 'endpoint'] as const,
    registers: [this.registry],
  });

  readonly invalidAnswers = new Counter({
    name: 'veeam_vb365_invalid_answers_total',
    help: 'VB365 answers refused as a whole: wrong shape, a next link that loops, too many pages.',
    labelNames: ['server', 'endpoint'] as const,
    registers: [this.registry],
  });

  readonly lateCycles = new Counter({
    name: 'veeam_vb365_late_cycles_total',
    help: 'Poll cycles that started late because the previous cycle took longer than the poll interval.',
    labelNames: ['server'] as const,
    registers: [this.registry],
  });

  readonly renderFailures = new Counter({
    name: 'veeam_vb365_exporter_render_failures_total',
    help: 'Renderings of the VB365 data for /metrics that failed; /metrics goes on serving the last one that succeeded.',
    registers: [this.registry],
  });

  // Registered here, before build_info, where the output has always had them.
  private readonly caReloads = new ReloadGauges(this.registry, CA_RELOADS, ['server']);

  /** `revision`: the commit the build was made from, where the build says (VB365_EXPORTER_REVISION), else unknown. */
  constructor(version: string, shard: Shard | undefined, revision = 'unknown') {
    // The shard is a label of the exporter's own metrics only, so VB365 data series look the same however they are sharded.
    if (shard !== undefined) this.registry.setDefaultLabels({ shard: `${shard.index}/${shard.count}` });
    new Gauge({
      name: 'veeam_vb365_exporter_build_info',
      help: 'Version and revision of the exporter and the version of Node.js; always 1.',
      labelNames: ['version', 'revision', 'node_version'] as const,
      registers: [this.registry],
    }).set({ version, revision, node_version: process.version }, 1);
    collectDefaultMetrics({ register: this.registry });
    // These gauges end in _total, which promtool (rightly) flags; the per-type gauges beside them carry the same data.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(name);
    }
  }

  /**
   * The TLS reload gauges, registered only when the exporter serves HTTPS (without TLS there is nothing to
   * reload, and a 0 would read as a failure). Start at 1, at `loadedAtMs`.
   */
  trackTlsReloads(loadedAtMs: number): ReloadReport {
    return new ReloadGauges(this.registry, TLS_RELOADS, []).track({}, loadedAtMs);
  }

  /** The configuration reload gauges; start at 1, at `loadedAtMs` (the start-up load counts as the first). */
  trackConfigReloads(loadedAtMs: number): ReloadReport {
    return new ReloadGauges(this.registry, CONFIG_RELOADS, []).track({}, loadedAtMs);
  }

  /** The ca_file gauges of one server, starting at 1 at `loadedAtMs`. */
  trackCaReloads(server: string, loadedAtMs: number): ReloadReport {
    return this.caReloads.track({ server }, loadedAtMs);
  }

  /** A server removed by a reload: its request and answer counters go with its other series. */
  async forgetServer(server: string): Promise<void> {
    for (const counter of [
      this.apiRequests,
      this.rejectedItems,
      this.invalidAnswers,
      this.lateCycles,
    ] as Counter<string>[]) {
      const { values } = await counter.get();
      for (const { labels } of values)
        if (labels['server'] === server) counter.remove(labels as Record<string, string>);
    }
    this.forgetCa(server);
  }

  /** The ca_file gauges of one server (removed, or restarted by a reload, maybe without a ca_file now). */
  forgetCa(server: string): void {
    this.caReloads.forget({ server });
  }

  /** Hooks for one server's client. */
  forServer(server: string): ClientEvents {
    // The counter child of each (endpoint, code) is looked up once: inc() with labels hashes them at every request.
    const requestCounters = new Map<string, { inc(): void }>();
    return {
      request: (endpoint, code) => {
        const key = `${endpoint} ${code}`;
        let counter = requestCounters.get(key);
        if (counter === undefined) {
          counter = this.apiRequests.labels({ server, endpoint, code });
          requestCounters.set(key, counter);
        }
        counter.inc();
      },
      rejected: (endpoint, count) => this.rejectedItems.inc({ server, endpoint }, count),
      invalidAnswer: (endpoint) => this.invalidAnswers.inc({ server, endpoint }),
    };
  }
}
