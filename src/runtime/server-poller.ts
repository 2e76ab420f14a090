/**
 * One VB365 server polled: its own keep-alive pool (an undici Agent) checking the server's certificate
 * against its followed CA, its client and its scheduler. Started and stopped as one, so a reload can
 * restart one server without touching another.
 */
import type { Logger } from 'pino';
import { Agent } from 'undici';
import type { Clock } from '../clock.js';
import type { ServerConfig, Shard } from '../config/types.js';
import { logChanges } from '../facts/registry.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import { runCycle } from '../poller/cycle.js';
import { Scheduler } from '../poller/scheduler.js';
import { ownedBy } from '../poller/shard.js';
import type { Store } from '../store/store.js';
import type { ByteBudget } from '../vb365/byte-budget.js';
import { Vb365Client } from '../vb365/client.js';
import { concurrencyLimit } from '../vb365/concurrency-limit.js';
import { FollowedCa } from '../vb365/followed-ca.js';

/** What every server's poller shares. */
export interface ServerPollerDependencies {
  readonly store: Store;
  readonly metrics: SelfMetrics;
  /** Bytes of VB365 answers all servers may hold at once. */
  readonly answerBudget: ByteBudget;
  readonly clock: Clock;
  readonly random: () => number;
  /** The root logger: each poller logs as `module: poller` with its server's name. */
  readonly logger: Logger;
}

export class ServerPoller {
  private readonly ca: FollowedCa;
  private readonly agent: Agent;
  private readonly client: Vb365Client;
  private readonly scheduler: Scheduler;

  /** `shard`: which organizations this process polls. Nothing runs before start(). */
  constructor(
    private readonly server: ServerConfig,
    shard: Shard | undefined,
    private readonly deps: ServerPollerDependencies,
  ) {
    const logger = deps.logger.child({ module: 'poller', server: server.name });
    this.ca = this.followedCa(logger);
    const timeoutMs = server.requestTimeoutSeconds * 1000;
    // One keep-alive pool per server, as wide as the concurrency bound, so TLS handshakes happen once per connection.
    this.agent = new Agent({
      connections: server.pollConcurrency,
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: this.ca.connect,
    });
    this.client = this.clientOf();
    this.scheduler = this.schedulerOf(ownedBy(shard), logger);
    if (server.tlsInsecure) logger.warn('TLS certificate checks are off for this server (tls_insecure)');
  }

  start(): void {
    this.ca.start();
    this.scheduler.start();
  }

  /** Aborts the cycle in flight and closes the server's connections; also for a poller never started. */
  async stop(): Promise<void> {
    this.ca.stop();
    await this.scheduler.stop();
    await this.agent.destroy();
  }

  /** Resolves once the cycle this starts (or the one in flight) has finished. */
  async pollNow(): Promise<void> {
    await this.scheduler.pollNow();
  }

  private followedCa(logger: Logger): FollowedCa {
    const { server, deps } = this;
    return new FollowedCa({
      file: server.caFile,
      pem: server.ca,
      setting: server.settingNames?.caFile ?? 'ca_file',
      connectOptions: { timeout: server.requestTimeoutSeconds * 1000, rejectUnauthorized: !server.tlsInsecure },
      clock: deps.clock,
      logger,
      onReload: server.caFile === undefined ? undefined : deps.metrics.trackCaReloads(server.name, deps.clock.now()),
    });
  }

  private clientOf(): Vb365Client {
    const { server, deps } = this;
    return new Vb365Client({
      server,
      dispatcher: this.agent,
      limit: concurrencyLimit(server.pollConcurrency),
      answerBudget: deps.answerBudget,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger.child({ module: 'vb365', server: server.name }),
      events: deps.metrics.forServer(server.name),
    });
  }

  private schedulerOf(owns: (organizationId: string) => boolean, logger: Logger): Scheduler {
    const { server, client, deps } = this;
    const { store, clock } = deps;
    return new Scheduler({
      intervalSeconds: server.pollIntervalSeconds,
      runCycle: (signal) =>
        runCycle({ server, client, owns, previous: () => store.state(server.name), clock, logger }, signal),
      applyCycle: (cycle) => {
        const { state, previous } = store.applyCycle(server.name, cycle);
        logChanges(previous, state, logger);
        return state;
      },
      onLateCycle: () => deps.metrics.lateCycles.inc({ server: server.name }),
      clock,
      logger,
    });
  }
}
