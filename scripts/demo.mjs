/**
 * `npm run demo`: the bundled VB365 simulator (the vb365-simulator workspace package) over HTTPS with
 * its generated certificate, and the built exporter polling it every 15 seconds, with no configuration
 * at all. Lives outside src/ so that neither the demo nor the simulator ships in the exporter's image.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { startSimulator } from 'vb365-simulator';
import { systemClock } from '../dist/clock.js';
import { NO_FLAGS } from '../dist/config/args.js';
import { loadConfig } from '../dist/config/load.js';
import { startExporter } from '../dist/exporter.js';
import { createLogger } from '../dist/logger.js';
import { VERSION } from '../dist/version.js';

async function demo() {
  // demo: a repository out of sync, one outdated, one out of order, an object storage at 94 % of its size
  // limit and a licence expiring in 20 days, so the state, capacity and licence gauges show something.
  const simulator = await startSimulator({ organizationCount: 20, latencyMs: 20, demo: true });
  // The exporter reads its CA from a file, as it would in production; the file lives only while the demo runs.
  const dir = mkdtempSync(join(tmpdir(), 'vb365-demo-'));
  const caFile = join(dir, 'simulator-ca.pem');
  writeFileSync(caFile, simulator.ca ?? '');
  const listen = process.env['VB365_LISTEN_ADDRESS'] ?? '127.0.0.1:10365';

  const { config } = loadConfig(NO_FLAGS, {
    VB365_URL: simulator.url,
    VB365_USERNAME: simulator.username,
    VB365_PASSWORD: simulator.password,
    VB365_CA_FILE: caFile,
    VB365_SERVER_NAME: 'simulator',
    VB365_API_VERSION: 'v8',
    VB365_POLL_INTERVAL: '15',
    VB365_LISTEN_ADDRESS: listen,
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
  });
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const exporter = await startExporter(config, { logger, clock: systemClock, random: Math.random, version: VERSION });
  process.stdout.write(
    `\nvb365-exporter demo is running against the bundled VB365 simulator (${simulator.url}).\n` +
      `  status page: ${exporter.url}/\n  metrics:     ${exporter.url}/metrics\n  readiness:   ${exporter.url}/readyz\n` +
      `Press Ctrl+C to stop.\n\n`,
  );

  const stop = () => {
    void Promise.all([exporter.stop(), simulator.close()]).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

demo().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
