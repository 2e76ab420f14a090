/**
 * Every VB365 release: `api_version: auto` finds the best version a server serves and follows an upgrade
 * and a downgrade while running, with every series kept; both listing shapes are read on every endpoint
 * in every version. Real sockets, real TLS, the bundled simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'vb365-simulator';
import type { ApiVersion } from '../../src/config/types.js';
import { REPROBE_EVERY_MS } from '../../src/vb365/api-version.js';
import {
  fakeClockSkippingRetries,
  sampleValue,
  samples,
  serverConfig,
  startExporterFor,
  type ExporterHarness,
} from '../support/harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  versions: ApiVersion[],
  options: { readonly clock?: ReturnType<typeof fakeClockSkippingRetries> } = {},
): Promise<{ simulator: Simulator; harness: ExporterHarness }> {
  const simulator = await startSimulator({ versions });
  cleanups.push(() => simulator.close());
  const harness = await startExporterFor([serverConfig(simulator, { apiVersion: 'auto' })], options);
  cleanups.push(() => harness.close());
  return { simulator, harness };
}

function apiVersionOf(text: string): string | undefined {
  return samples(text, 'veeam_vb365_server_info')[0]?.labels['api_version'];
}

/** Every VB365 data line, without the ones that say how it was read (server_info, request counters). */
function dataLines(text: string): string[] {
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('veeam_vb365_') &&
        !/^veeam_vb365_(server_info|api_requests_total|exporter_|poll_cycle_duration|organization_last_success|backup_repositories_last_success|license_expiry|license_grace|ca_)/.test(
          line,
        ),
    );
}

describe('api_version auto', () => {
  it.each([
    [['v6', 'v7', 'v8'], 'v8'],
    [['v6', 'v7'], 'v7'],
    [['v6'], 'v6'],
  ] as const)('on a server serving %j, reads with %s', async (versions, expected) => {
    const { simulator, harness } = await start([...versions]);
    const text = await harness.metricsText();
    expect(apiVersionOf(text)).toBe(expected);
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
    expect(samples(text, 'veeam_vb365_repository_used_space_bytes').length).toBeGreaterThan(0);
    // The probes went without credentials, the higher versions first, each once.
    const probes = samples(text, 'veeam_vb365_api_requests_total').filter(
      (s) => s.labels['endpoint'] === 'version_probe',
    );
    expect(probes.reduce((sum, sample) => sum + sample.value, 0)).toBe(3 - versions.length + 1);
    expect(harness.logs.lines.find((line) => line['msg'] === 'API version found')).toMatchObject({
      apiVersion: expected,
    });
    expect(simulator.stats.tokenGrants.password).toBe(1);
  });

  it('says in one line when the server serves none of them, and counts each probe', async () => {
    const { harness } = await start([]);
    const text = await harness.metricsText();
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_api_requests_total', { endpoint: 'version_probe', code: '404' })).toBe(3);
    const failed = harness.logs.lines.find(
      (line) => line['msg'] === 'could not list organizations; keeping the last known values',
    );
    expect(String(failed?.['reason'])).toBe(
      "the server serves none of the API versions v8, v7, v6 (each /{version}/ServiceInstance answered 404): check the URL's path, or a proxy in front of the server",
    );
  });

  it('follows an upgrade within the hour and a downgrade at once, every series kept, none twice', async () => {
    const clock = fakeClockSkippingRetries();
    const { simulator, harness } = await start(['v6', 'v7'], { clock });
    const before = await harness.metricsText();
    expect(apiVersionOf(before)).toBe('v7');

    // The upgrade: not looked for before the hour is up, then found.
    simulator.setVersions(['v6', 'v7', 'v8']);
    await harness.exporter.pollNow();
    expect(apiVersionOf(await harness.metricsText())).toBe('v7');
    await clock.advance(REPROBE_EVERY_MS);
    await harness.exporter.pollNow();
    const upgraded = await harness.metricsText();
    expect(apiVersionOf(upgraded)).toBe('v8');
    expect(harness.logs.lines.filter((line) => line['msg'] === 'API version changed')).toMatchObject([
      { from: 'v7', to: 'v8' },
    ]);

    // The downgrade: the listing's 404 makes the same cycle look again; the cycle succeeds.
    simulator.setVersions(['v6']);
    await harness.exporter.pollNow();
    const downgraded = await harness.metricsText();
    expect(apiVersionOf(downgraded)).toBe('v6');
    expect(sampleValue(downgraded, 'veeam_vb365_up', { server: 'sim' })).toBe(1);

    // The series every version reports are the same series with the same values (v8 adds some of its own,
    // and names the proxies' version, empty before).
    const common = (lines: string[]): string[] => lines.filter((line) => dataLines(before).includes(line));
    expect(common(dataLines(upgraded))).toEqual(
      dataLines(before).filter(
        (line) => !/^veeam_vb365_server_healthy|component_healthy|^veeam_vb365_proxy_info/.test(line),
      ),
    );
    // v6 jobs have no lastBackup: that series goes with the downgrade.
    expect(common(dataLines(downgraded)).sort()).toEqual(
      [...dataLines(before)].filter((line) => !line.startsWith('veeam_vb365_job_last_backup_timestamp_seconds')).sort(),
    );
    for (const text of [before, upgraded, downgraded]) {
      const lines = text.split('\n').filter((line) => line.startsWith('veeam_vb365_'));
      const series = lines.map((line) => line.slice(0, line.lastIndexOf(' ')));
      expect(new Set(series).size).toBe(series.length);
    }
  });
});

describe('api_version auto when the token is due as well', () => {
  it('follows a downgrade in the same cycle even when the login has to be renewed under the new version', async () => {
    const clock = fakeClockSkippingRetries();
    const simulator = await startSimulator({ versions: ['v6', 'v7'], tokenLifetimeSeconds: 600 });
    cleanups.push(() => simulator.close());
    const harness = await startExporterFor([serverConfig(simulator, { apiVersion: 'auto' })], { clock });
    cleanups.push(() => harness.close());
    expect(apiVersionOf(await harness.metricsText())).toBe('v7');
    simulator.setVersions(['v6']);
    await clock.advance(600_000); // the token is due: the login goes to /v7/token first, which is gone
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(apiVersionOf(text)).toBe('v6');
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
  });

  it('keeps the version in use when the hourly look cannot tell', async () => {
    const clock = fakeClockSkippingRetries();
    const { simulator, harness } = await start(['v6', 'v7', 'v8'], { clock });
    simulator.addFault({ route: 'service_instance', status: 500, times: 1 });
    await clock.advance(REPROBE_EVERY_MS);
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(sampleValue(text, 'veeam_vb365_api_requests_total', { endpoint: 'version_probe', code: '500' })).toBe(1);
    expect(apiVersionOf(text)).toBe('v8');
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
  });
});

describe('either listing shape', () => {
  it.each(['v6', 'v7', 'v8'] as const)(
    "on every listing in %s: the same values as the version's own shape",
    async (version) => {
      const simulator = await startSimulator();
      cleanups.push(() => simulator.close());
      const harness = await startExporterFor([serverConfig(simulator, { apiVersion: version })]);
      cleanups.push(() => harness.close());
      const own = dataLines(await harness.metricsText());
      for (const shape of ['array', 'page'] as const) {
        simulator.setListingShape('*', shape);
        await harness.exporter.pollNow();
        const text = await harness.metricsText();
        expect(dataLines(text), shape).toEqual(own);
        expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
      }
      expect(samples(await harness.metricsText(), 'veeam_vb365_invalid_answers_total')).toEqual([]);
    },
  );
});
