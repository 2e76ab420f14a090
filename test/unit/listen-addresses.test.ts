/** --web.listen-address given twice serves on both; --web.telemetry-path moves the metrics. Over real sockets. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'vb365-simulator';
import { serverConfig, startExporterFor, type ExporterHarness } from '../support/harness.js';

let simulator: Simulator | undefined;
let harness: ExporterHarness | undefined;
afterEach(async () => {
  await harness?.close();
  await simulator?.close();
  harness = undefined;
  simulator = undefined;
});

describe('listen addresses and telemetry path', () => {
  it('serves the same exporter on every address, the metrics at the configured path only', async () => {
    simulator = await startSimulator();
    harness = await startExporterFor([serverConfig(simulator)], {
      config: {
        listen: [
          { host: '127.0.0.1', port: 0 },
          { host: '127.0.0.2', port: 0 },
        ],
        telemetryPath: '/probe/metrics',
      },
    });
    const { urls } = harness.exporter;
    expect(urls).toHaveLength(2);
    expect(urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(urls[1]).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const bodies: string[] = [];
    for (const url of urls) {
      const metrics = await fetch(`${url}/probe/metrics`);
      expect(metrics.status).toBe(200);
      bodies.push(await metrics.text());
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      expect(await (await fetch(`${url}/`)).text()).toContain('<a href="/probe/metrics">Metrics</a>');
    }
    expect(bodies[0]).toContain('veeam_vb365_up{server="sim"} 1');
    expect(harness.logs.lines.filter((line) => line['msg'] === 'listening').map((line) => line['address'])).toEqual(
      urls.map((url) => url.replace('http://', '')),
    );
  });
});
