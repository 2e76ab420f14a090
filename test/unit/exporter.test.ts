/**
 * The exporter end to end: the bundled simulator over real TLS, the exporter's real HTTP server,
 * /metrics read over a socket. Expected values come from the VB365 documentation's example.
 */
import { FRESH_TOKEN_MS } from '../../src/vb365/auth.js';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG, SEED_REPOSITORY_IDS as REPO } from 'vb365-simulator';
import { cutAtDeadline } from '../support/fault-checks.js';
import {
  fakeClockSkippingRetries,
  sampleValue,
  samples,
  startHarness,
  waitFor,
  type Harness,
} from '../support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const contoso = { server: 'sim', organization_id: ORG.contoso };

describe.each(['v6', 'v7', 'v8'] as const)('API %s', (apiVersion) => {
  it("exports the documentation example's byte values exactly", async () => {
    harness = await startHarness({ server: { apiVersion } });
    const text = await harness.metricsText();
    const value = (name: string, repository: string): number | undefined =>
      sampleValue(text, `veeam_vb365_repository_${name}`, { ...contoso, repository_id: repository });

    expect(value('used_space_bytes', REPO.contosoAzure)).toBe(0);
    expect(value('local_cache_used_space_bytes', REPO.contosoAzure)).toBe(3473408);
    expect(value('object_storage_used_space_bytes', REPO.contosoAzure)).toBe(2499432773);
    expect(value('used_space_bytes', REPO.contosoS3)).toBe(0);
    expect(value('local_cache_used_space_bytes', REPO.contosoS3)).toBe(0);
    expect(value('object_storage_used_space_bytes', REPO.contosoS3)).toBe(2348310138);
    expect(value('used_space_bytes', REPO.nordLocal)).toBe(9559506944);
    expect(value('local_cache_used_space_bytes', REPO.nordLocal)).toBe(0);
    expect(value('object_storage_used_space_bytes', REPO.nordLocal)).toBe(0);
    expect(value('available', REPO.nordLocal)).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_organization_poll_success', contoso)).toBe(1);
    // Exactly the three documented repositories for this organization, no more.
    const contosoRepositories = samples(text, 'veeam_vb365_repository_available').filter(
      (sample) => sample.labels['organization_id'] === ORG.contoso,
    );
    expect(contosoRepositories).toHaveLength(3);
  });
});

describe('exposition', () => {
  it('gives no sample for a null byte count, but keeps availability and info', async () => {
    harness = await startHarness();
    const text = await harness.metricsText();
    const labels = { server: 'sim', organization_id: ORG.northwind, repository_id: REPO.northwindUnknownSize };
    expect(sampleValue(text, 'veeam_vb365_repository_used_space_bytes', labels)).toBeUndefined();
    expect(sampleValue(text, 'veeam_vb365_repository_object_storage_used_space_bytes', labels)).toBeUndefined();
    expect(sampleValue(text, 'veeam_vb365_repository_available', labels)).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_repository_info', labels)).toBe(1);
    // Object-storage-only repositories report no capacity: no capacity sample either.
    expect(
      sampleValue(text, 'veeam_vb365_backup_repository_capacity_bytes', {
        server: 'sim',
        repository_id: REPO.contosoS3,
      }),
    ).toBeUndefined();
    expect(
      sampleValue(text, 'veeam_vb365_backup_repository_capacity_bytes', {
        server: 'sim',
        repository_id: REPO.nordLocal,
      }),
    ).toBe(20 * 1024 ** 4);
    expect(
      sampleValue(text, 'veeam_vb365_backup_repository_free_space_bytes', {
        server: 'sim',
        repository_id: REPO.nordLocal,
      }),
    ).toBe(12 * 1024 ** 4);
  });

  it('shows an unavailable repository as 0 with its details, and escapes names', async () => {
    harness = await startHarness();
    const text = await harness.metricsText();
    expect(
      sampleValue(text, 'veeam_vb365_repository_available', {
        server: 'sim',
        organization_id: ORG.tailwind,
        repository_id: REPO.tailwindOffline,
      }),
    ).toBe(0);
    expect(text).toContain(
      `veeam_vb365_repository_info{server="sim",organization_id="${ORG.tailwind}",repository_id="${REPO.tailwindOffline}",organization_name="Tailwind Toys",repository_name="Tailwind Branch Office",details="Proxy is offline"} 1`,
    );
    expect(text).toContain(`organization_name="Contoso",repository_name="Repo \\"Nord\\" \\\\ München",details=""} 1`);
  });

  it('serves the same data gzip-compressed when asked', async () => {
    harness = await startHarness();
    const response = await fetch(`${harness.exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    // fetch decodes gzip itself; read the raw body through the header check and a manual request instead.
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get }) => {
        get(`${harness?.exporter.url ?? ''}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        }).on('error', reject);
      }, reject);
    });
    const unzipped = gunzipSync(raw).toString('utf8');
    const plain = await harness.metricsText();
    const dataLines = (text: string): string[] =>
      text.split('\n').filter((line) => line.startsWith('veeam_vb365_repository_'));
    expect(dataLines(unzipped).length).toBeGreaterThan(10);
    expect(dataLines(unzipped)).toEqual(dataLines(plain));
    expect(unzipped).toContain('veeam_vb365_exporter_build_info{version="0.0.0-test"');
  });
});

describe('poll rules', () => {
  it("keeps a failing organization's last values, marks it failed, and leaves the others intact", async () => {
    harness = await startHarness();
    const { simulator, exporter } = harness;
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, status: 500 });
    simulator.data.getUsedRepository(ORG.fabrikam, REPO.fabrikamLocal)!.usedSpaceBytes = 987654321999;
    simulator.data.getUsedRepository(ORG.contoso, REPO.nordLocal)!.usedSpaceBytes = 1;
    await exporter.pollNow();
    const text = await harness.metricsText();

    expect(sampleValue(text, 'veeam_vb365_organization_poll_success', contoso)).toBe(0);
    // The failed organization keeps the values of its last good poll, not the new (unseen) ones.
    expect(
      sampleValue(text, 'veeam_vb365_repository_used_space_bytes', { ...contoso, repository_id: REPO.nordLocal }),
    ).toBe(9559506944);
    // Another organization is polled and updated as usual.
    expect(
      sampleValue(text, 'veeam_vb365_organization_poll_success', { server: 'sim', organization_id: ORG.fabrikam }),
    ).toBe(1);
    expect(
      sampleValue(text, 'veeam_vb365_repository_used_space_bytes', {
        server: 'sim',
        organization_id: ORG.fabrikam,
        repository_id: REPO.fabrikamLocal,
      }),
    ).toBe(987654321999);
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
    expect(
      sampleValue(text, 'veeam_vb365_api_requests_total', {
        server: 'sim',
        endpoint: 'used_repositories',
        code: '500',
      }),
    ).toBeGreaterThanOrEqual(1);
    const warning = harness.logs.lines.find(
      (line) => line['msg'] === 'organization poll failed; keeping its last known values',
    );
    expect(warning?.['organizationId']).toBe(ORG.contoso);
    expect(String(warning?.['reason'])).toContain('HTTP 500');

    simulator.clearFaults();
    await exporter.pollNow();
    const recovered = await harness.metricsText();
    expect(sampleValue(recovered, 'veeam_vb365_organization_poll_success', contoso)).toBe(1);
    expect(
      sampleValue(recovered, 'veeam_vb365_repository_used_space_bytes', { ...contoso, repository_id: REPO.nordLocal }),
    ).toBe(1);
  });

  it('drops a repository gone from the answer, and an organization gone from discovery, and brings them back', async () => {
    harness = await startHarness();
    const { simulator, exporter } = harness;
    const removedOrganization = simulator.data.getOrganization(ORG.fabrikam)!;
    simulator.data.removeOrganization(ORG.fabrikam);
    simulator.data.removeUsedRepository(ORG.contoso, REPO.contosoS3);
    await exporter.pollNow();
    let text = await harness.metricsText();
    expect(text).not.toContain(ORG.fabrikam);
    expect(
      sampleValue(text, 'veeam_vb365_repository_available', { ...contoso, repository_id: REPO.contosoS3 }),
    ).toBeUndefined();
    expect(
      sampleValue(text, 'veeam_vb365_repository_available', { ...contoso, repository_id: REPO.contosoAzure }),
    ).toBe(1);

    simulator.data.addOrganization(removedOrganization);
    await exporter.pollNow();
    text = await harness.metricsText();
    expect(
      sampleValue(text, 'veeam_vb365_organization_poll_success', { server: 'sim', organization_id: ORG.fabrikam }),
    ).toBe(1);
    expect(
      sampleValue(text, 'veeam_vb365_repository_used_space_bytes', {
        server: 'sim',
        organization_id: ORG.fabrikam,
        repository_id: REPO.fabrikamLocal,
      }),
    ).toBe(987654321012);
  });

  it('follows next links across pages', async () => {
    harness = await startHarness({ simulator: { pageSize: 2 }, server: { apiVersion: 'v8' } });
    const text = await harness.metricsText();
    // Contoso has three repositories: two pages of two and one.
    expect(
      samples(text, 'veeam_vb365_repository_available').filter(
        (sample) => sample.labels['organization_id'] === ORG.contoso,
      ),
    ).toHaveLength(3);
    // Five seed organizations, listed (v8) over three pages.
    expect(samples(text, 'veeam_vb365_organization_poll_success')).toHaveLength(5);
    expect(harness.simulator.stats.byRoute.organizations).toBeGreaterThanOrEqual(3);
  });

  it('polls only the configured organizations, named from the listing', async () => {
    harness = await startHarness({ server: { organizations: [ORG.tailwind, ORG.contoso] } });
    const text = await harness.metricsText();
    const polled = samples(text, 'veeam_vb365_organization_poll_success').map((sample) => sample.labels);
    expect(polled).toHaveLength(2);
    expect(polled).toEqual(
      expect.arrayContaining([
        { server: 'sim', organization_id: ORG.contoso },
        { server: 'sim', organization_id: ORG.tailwind },
      ]),
    );
    expect(text).toContain('organization_name="Tailwind Toys"');
  });

  it('keeps capacity when the backup repository listing fails, and says since when', async () => {
    harness = await startHarness();
    const { simulator, exporter } = harness;
    const labels = { server: 'sim' };
    const listedAt = sampleValue(
      await harness.metricsText(),
      'veeam_vb365_backup_repositories_last_success_timestamp_seconds',
      labels,
    );
    expect(listedAt).toBeGreaterThan(Date.now() / 1000 - 60);
    simulator.addFault({ route: 'backup_repositories', status: 500 });
    await exporter.pollNow();
    const text = await harness.metricsText();
    expect(sampleValue(text, 'veeam_vb365_backup_repositories_last_success_timestamp_seconds', labels)).toBe(listedAt);
    expect(
      sampleValue(text, 'veeam_vb365_backup_repository_capacity_bytes', {
        server: 'sim',
        repository_id: REPO.nordLocal,
      }),
    ).toBe(20 * 1024 ** 4);
    expect(sampleValue(text, 'veeam_vb365_up', labels)).toBe(1);
  });

  it('counts the backup repository listing in the cycle duration', async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({ clock, server: { pollIntervalSeconds: 86_400, requestTimeoutSeconds: 30 } });
    const { exporter, simulator } = harness;
    // The organizations answer at once (the fake clock stands still); the listing's first answer never
    // comes: it is cut at the 30 s deadline, and the retry succeeds.
    simulator.addFault({ route: 'backup_repositories', hang: true, times: 1 });
    const cycle = exporter.pollNow();
    await cutAtDeadline(clock, simulator, 30_000, 1);
    await cycle;
    const text = await harness.metricsText();
    expect(sampleValue(text, 'veeam_vb365_poll_cycle_duration_seconds', { server: 'sim' })).toBe(30);
    expect(sampleValue(text, 'veeam_vb365_backup_repositories_last_success_timestamp_seconds', { server: 'sim' })).toBe(
      clock.now() / 1000,
    );
  });

  it('holds and reaches the concurrency bound, measured at the simulator', async () => {
    harness = await startHarness({
      simulator: { organizationCount: 40, latencyMs: 15 },
      server: { pollConcurrency: 4 },
    });
    harness.simulator.resetStats();
    await harness.exporter.pollNow();
    expect(harness.simulator.stats.maxInFlight).toBe(4);
    expect(harness.simulator.stats.byRoute.used_repositories).toBe(45);
  });
});

describe('tokens', () => {
  it('logs in once and reuses the token across cycles', async () => {
    harness = await startHarness();
    await harness.exporter.pollNow();
    await harness.exporter.pollNow();
    expect(harness.simulator.stats.tokenGrants).toEqual({ password: 1, refresh_token: 0, failed: 0 });
  });

  it('renews an expiring token with the refresh token, a minute before it expires', async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({ clock, server: { pollIntervalSeconds: 86_400 } });
    const { exporter, simulator } = harness;
    // The simulator's tokens last 3600 s; the exporter renews 60 s early (a tenth of the lifetime at most).
    await clock.advance(3_540_000 - 1);
    await exporter.pollNow();
    expect(simulator.stats.tokenGrants).toEqual({ password: 1, refresh_token: 0, failed: 0 });
    await clock.advance(1);
    await exporter.pollNow();
    expect(simulator.stats.tokenGrants).toEqual({ password: 1, refresh_token: 1, failed: 0 });
    expect(sampleValue(await harness.metricsText(), 'veeam_vb365_up', { server: 'sim' })).toBe(1);
  });

  it('logs in again once after a 401 and retries, falling back to the password when the refresh token is refused', async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({ clock, simulator: { organizationCount: 30 }, server: { pollConcurrency: 16 } });
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    harness.simulator.revokeAllTokens();
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(harness.simulator.stats.tokenGrants.password).toBe(2);
    expect(harness.simulator.stats.tokenGrants.refresh_token).toBe(0);
    expect(harness.simulator.stats.tokenGrants.failed).toBe(1); // the revoked refresh token
    expect(samples(text, 'veeam_vb365_organization_poll_success').every((sample) => sample.value === 1)).toBe(true);
    expect(samples(text, 'veeam_vb365_organization_poll_success')).toHaveLength(35);
  });

  it('reports the server down on a wrong password, without ever logging it', async () => {
    harness = await startHarness({ server: { password: 'Wr0ng-P4ssw0rd-xyzzy' } });
    const text = await harness.metricsText();
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_api_requests_total', { server: 'sim', endpoint: 'token', code: '400' })).toBe(
      1,
    );
    expect(harness.logs.raw.join('\n')).not.toContain('xyzzy');
    expect(text).not.toContain('xyzzy');
    // The next cycle does not hammer the token endpoint: the login is backed off.
    await harness.exporter.pollNow();
    expect(harness.simulator.stats.tokenGrants.failed).toBe(1);
  });
});

describe('HTTP endpoints', () => {
  it('answers /readyz 503 until the first cycle has finished, /healthz at once', async () => {
    harness = await startHarness({ simulator: { latencyMs: 100 }, waitForFirstCycle: false });
    const { url } = harness.exporter;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    await waitFor(() => harness?.exporter.store.ready() === true, 10_000);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('serves a landing page linking to the endpoints, without X-Powered-By', async () => {
    harness = await startHarness();
    const response = await fetch(`${harness.exporter.url}/`);
    const html = await response.text();
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const link of ['/metrics', '/healthz', '/readyz']) expect(html).toContain(`href="${link}"`);
    expect((await fetch(`${harness.exporter.url}/nope`)).status).toBe(404);
  });

  it('compresses for any gzip quality above 0, and not for q=0', async () => {
    harness = await startHarness();
    const { get } = await import('node:http');
    const encodingFor = (acceptEncoding: string): Promise<string | undefined> =>
      new Promise((resolve, reject) => {
        get(`${harness?.exporter.url ?? ''}/metrics`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
          res.resume();
          resolve(res.headers['content-encoding']);
        }).on('error', reject);
      });
    expect(await encodingFor('gzip;q=0.8, identity;q=0.5')).toBe('gzip');
    expect(await encodingFor('deflate, *;q=0.1')).toBe('gzip');
    expect(await encodingFor('gzip;q=0')).toBeUndefined();
    expect(await encodingFor('identity')).toBeUndefined();
  });

  it('uses the Prometheus text content type', async () => {
    harness = await startHarness();
    const response = await fetch(`${harness.exporter.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
