/** The servers being polled, by name: what start-up makes, what a reload adds to, restarts and stops. */
import type { ServerConfig, Shard } from '../config/types.js';
import { ServerPoller, type ServerPollerDependencies } from './server-poller.js';

export class Pollers {
  private readonly byName = new Map<string, ServerPoller>();

  constructor(private readonly deps: ServerPollerDependencies) {}

  /** Makes a poller for each of `servers` (replacing none: stop a server's first); start() starts them. */
  add(servers: readonly ServerConfig[], shard: Shard | undefined): void {
    for (const server of servers) {
      if (this.byName.has(server.name)) throw new Error(`a poller for ${server.name} is running already`);
      this.byName.set(server.name, new ServerPoller(server, shard, this.deps));
    }
  }

  /** Starts the pollers not started yet (one already polling carries on as it is). */
  start(): void {
    for (const poller of this.byName.values()) poller.start();
  }

  /** Stops these servers' pollers, all at once, and forgets them. */
  async stop(names: readonly string[]): Promise<void> {
    const stopping = names.flatMap((name) => {
      const poller = this.byName.get(name);
      this.byName.delete(name);
      return poller === undefined ? [] : [poller.stop()];
    });
    await Promise.all(stopping);
  }

  stopAll(): Promise<void> {
    return this.stop([...this.byName.keys()]);
  }

  /** Polls every server now; resolves once each has finished that cycle. */
  async pollNow(): Promise<void> {
    await Promise.all([...this.byName.values()].map((poller) => poller.pollNow()));
  }
}
