/**
 * The bundled simulator in a process of its own, so its CPU is not charged to the exporter and the
 * two never share an event loop. Commands: stats, reset, truth, mutate, close.
 */
import { setMaxListeners } from 'node:events';
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { startSimulator } from 'vb365-simulator';
import { mutate, truth } from './lib/mutations.mjs';
import { ready, serve } from './lib/ipc.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
// The simulator's latency sleeps each listen to one shutdown signal: more than 10 at once is expected here.
setMaxListeners(0);
const simulator = await startSimulator({ tls: true, seed: false, ...options });

serve({
  stats: () => ({
    ...JSON.parse(JSON.stringify(simulator.stats)),
    cpu: process.cpuUsage(),
    maxRssKb: process.resourceUsage().maxRSS,
  }),
  reset: () => simulator.resetStats(),
  truth: () => truth(simulator.data),
  mutate: (args) => mutate(simulator.data, args),
  close: async () => {
    await simulator.close();
    setImmediate(() => process.exit(0));
  },
});
process.once('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
ready({ url: simulator.url, ca: simulator.ca, username: simulator.username, password: simulator.password });
