/**
 * The VB365 server's CA file followed while running: the server changes to a certificate of a new CA,
 * polls fail until ca_file holds the new CA, and the next connection after the exporter looks uses it,
 * without a restart. A broken ca_file keeps the previous CA and is logged once. Real TLS, real sockets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate, startSimulator, type Simulator } from 'vb365-simulator';
import { NO_FLAGS } from '../../src/config/args.js';
import { loadConfig } from '../../src/config/load.js';
import { CA_CHECK_MS } from '../../src/vb365/followed-ca.js';
import { up } from '../support/fault-checks.js';
import { fakeClockSkippingRetries, sampleValue, startExporterFor, type ExporterHarness } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'vb365-followed-ca-'));
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('ca_file followed while running', () => {
  it('uses a renewed CA for the next connection, and keeps the previous one while the file is broken', async () => {
    const first = await createSelfSignedCertificate('127.0.0.1');
    const second = await createSelfSignedCertificate('127.0.0.1');
    let simulator: Simulator = await startSimulator({ certificate: first });
    const port = Number(new URL(simulator.url).port);
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, first.cert);
    const { servers } = loadConfig(NO_FLAGS, {
      VB365_URL: simulator.url,
      VB365_USERNAME: simulator.username,
      VB365_PASSWORD: simulator.password,
      VB365_CA_FILE: caFile,
      VB365_POLL_INTERVAL: '1d',
      VB365_SERVER_NAME: 'sim',
    }).config;
    const clock = fakeClockSkippingRetries();
    const harness: ExporterHarness = await startExporterFor(servers, { clock });
    cleanups.push(() => harness.close());
    expect(up(await harness.metricsText())).toBe(1);
    const caGauge = async (): Promise<number | undefined> =>
      sampleValue(await harness.metricsText(), 'veeam_vb365_ca_reload_successful', { server: 'sim' });
    expect(await caGauge()).toBe(1);

    // The server comes back with a certificate of another CA: new connections fail until ca_file follows.
    await simulator.close();
    simulator = await startSimulator({ port, certificate: second });
    cleanups.push(() => simulator.close());
    await harness.exporter.pollNow();
    expect(up(await harness.metricsText())).toBe(0);

    writeFileSync(caFile, 'not a certificate');
    await clock.advance(CA_CHECK_MS);
    await clock.advance(CA_CHECK_MS); // the same broken file again: no second log line
    // Half written: Node would take it without a word and then trust nothing.
    const lines = second.cert.trim().split('\n');
    writeFileSync(caFile, [...lines.slice(0, 4), ...lines.slice(-1)].join('\n'));
    await clock.advance(CA_CHECK_MS);
    expect(await caGauge()).toBe(0);
    const failures = harness.logs.lines.filter(
      (line) => line['msg'] === 'CA file reload failed; still using the previous CA',
    );
    expect(failures.map((line) => line['reason'])).toEqual([
      `VB365_CA_FILE: expected a PEM file with at least one certificate, got ${JSON.stringify(caFile)}`,
      `VB365_CA_FILE: expected PEM certificates, got ${JSON.stringify(caFile)} (a certificate that does not parse)`,
    ]);

    writeFileSync(caFile, second.cert);
    await clock.advance(CA_CHECK_MS);
    expect(harness.logs.messages()).toContain('CA file changed; new connections to the server use it');
    expect(await caGauge()).toBe(1);
    expect(
      sampleValue(await harness.metricsText(), 'veeam_vb365_ca_last_reload_success_timestamp_seconds', {
        server: 'sim',
      }),
    ).toBe(clock.now() / 1000);
    await harness.exporter.pollNow();
    expect(up(await harness.metricsText())).toBe(1);
  });
});
