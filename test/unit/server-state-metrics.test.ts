/**
 * The whole state of each backup repository, the server's health and its licence, exact against what
 * the simulator answers, in every version; a field the server does not report gives no sample; a failing
 * licence or health request never fails the organization polls. Real sockets, real TLS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'vb365-simulator';
import type { ApiVersion } from '../../src/config/types.js';
import { BYTES_PER_SIZE_LIMIT_GB } from '../../src/facts/backup-repositories/parse.js';
import { sampleValue, samples, serverConfig, startExporterFor, type ExporterHarness } from '../support/harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(version: ApiVersion, demo = true): Promise<{ simulator: Simulator; harness: ExporterHarness }> {
  const simulator = await startSimulator({ demo });
  cleanups.push(() => simulator.close());
  const harness = await startExporterFor([serverConfig(simulator, { apiVersion: version })]);
  cleanups.push(() => harness.close());
  return { simulator, harness };
}

const flag = (value: boolean): number => (value ? 1 : 0);

describe.each(['v6', 'v7', 'v8'] as const)('repository state, object storage and licence (%s)', (version) => {
  it('are exported exactly as the server reports them', async () => {
    const { simulator, harness } = await start(version);
    const text = await harness.metricsText();
    const { license } = simulator.data;
    let limited = 0;
    for (const repository of simulator.data.backupRepositories.values()) {
      const labels = { server: 'sim', repository_id: repository.id };
      expect(sampleValue(text, 'veeam_vb365_backup_repository_info', labels)).toBe(1);
      expect(
        samples(text, 'veeam_vb365_backup_repository_info').find((s) => s.labels['repository_id'] === repository.id)
          ?.labels,
      ).toMatchObject({
        repository_name: repository.name,
        out_of_order_reason: version === 'v8' ? (repository.outOfOrderReason ?? '') : '',
      });
      // v6/v7 report isOutOfSync only: the other flags give no sample there.
      expect(sampleValue(text, 'veeam_vb365_backup_repository_out_of_sync', labels)).toBe(flag(repository.isOutOfSync));
      expect(sampleValue(text, 'veeam_vb365_backup_repository_outdated', labels)).toBe(
        version === 'v8' ? flag(repository.isOutdated) : undefined,
      );
      expect(sampleValue(text, 'veeam_vb365_backup_repository_out_of_order', labels)).toBe(
        version === 'v8' ? flag(repository.isOutOfOrder) : undefined,
      );
      const storage = repository.objectStorage;
      expect(sampleValue(text, 'veeam_vb365_backup_repository_object_storage_used_bytes', labels)).toBe(
        storage?.usedSpaceBytes ?? undefined,
      );
      expect(sampleValue(text, 'veeam_vb365_backup_repository_object_storage_free_bytes', labels)).toBe(
        storage?.freeSpaceBytes ?? undefined,
      );
      const limit =
        storage?.sizeLimitEnabled === true ? (storage.sizeLimitGB ?? 0) * BYTES_PER_SIZE_LIMIT_GB : undefined;
      if (limit !== undefined) limited++;
      expect(sampleValue(text, 'veeam_vb365_backup_repository_object_storage_size_limit_bytes', labels)).toBe(limit);
    }
    expect(limited).toBe(1); // the demo's object storage near its limit

    const server = { server: 'sim' };
    expect(sampleValue(text, 'veeam_vb365_license_used_users', server)).toBe(license.usedNumber);
    expect(sampleValue(text, 'veeam_vb365_license_total_users', server)).toBe(license.totalNumber);
    expect(sampleValue(text, 'veeam_vb365_license_new_users', server)).toBe(license.newNumber);
    expect(sampleValue(text, 'veeam_vb365_license_expiry_timestamp_seconds', server)).toBe(
      Date.parse(license.licenseExpires ?? '') / 1000,
    );
    expect(sampleValue(text, 'veeam_vb365_license_grace_period_expiry_timestamp_seconds', server)).toBe(
      version === 'v6' ? undefined : Date.parse(license.gracePeriodExpires ?? '') / 1000,
    );
    expect(samples(text, 'veeam_vb365_license_info').map((s) => s.labels)).toEqual([
      { server: 'sim', status: license.status, type: license.type, package: version === 'v6' ? '' : license.package },
    ]);

    // Protected objects: v8 only.
    const [organization] = simulator.data.organizations.values();
    const [used] = organization?.usedRepositories ?? [];
    expect(
      sampleValue(text, 'veeam_vb365_repository_protected_objects', {
        organization_id: organization?.id ?? '',
        repository_id: used?.repositoryId ?? '',
      }),
    ).toBe(version === 'v8' ? (used?.protectedObjectsCount ?? undefined) : undefined);

    // Health: v8 only.
    expect(sampleValue(text, 'veeam_vb365_server_healthy', server)).toBe(version === 'v8' ? 1 : undefined);
    expect(samples(text, 'veeam_vb365_server_component_healthy').length).toBe(
      version === 'v8' ? Object.keys(simulator.data.health.entries).length : 0,
    );
    const [info, ...more] = samples(text, 'veeam_vb365_server_info');
    expect(more).toEqual([]);
    expect(info?.labels['api_version']).toBe(version);
    expect(info?.labels['version']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('costs at most the new listings per cycle', async () => {
    const { simulator, harness } = await start(version);
    simulator.resetStats();
    await harness.exporter.pollNow();
    const { byRoute } = simulator.stats;
    const organizations = simulator.data.organizations.size;
    expect(byRoute.organizations + byRoute.backup_repositories).toBe(2);
    expect(byRoute.used_repositories).toBe(organizations);
    // The new ones: ServiceInstance and License, and Health (v8) or the object storage listing (v6/v7).
    expect([byRoute.service_instance, byRoute.license]).toEqual([1, 1]);
    expect([byRoute.health, byRoute.object_storage_repositories]).toEqual(version === 'v8' ? [1, 0] : [0, 1]);
    expect(simulator.stats.requests).toBe(2 + organizations + 3 + byRoute.token);
  });
});

describe('what the server does not report, and what fails', () => {
  it('gives no sample for a field the server leaves out (never a made-up 0)', async () => {
    const { simulator, harness } = await start('v8');
    simulator.setAbsentFields('license', ['usedNumber', 'licenseExpires', 'package']);
    simulator.setAbsentFields('backup_repositories', ['isOutOfSync', 'objectStorage.usedSpaceBytes']);
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(samples(text, 'veeam_vb365_license_used_users')).toEqual([]);
    expect(samples(text, 'veeam_vb365_license_expiry_timestamp_seconds')).toEqual([]);
    expect(sampleValue(text, 'veeam_vb365_license_total_users', { server: 'sim' })).toBe(
      simulator.data.license.totalNumber,
    );
    expect(samples(text, 'veeam_vb365_backup_repository_out_of_sync')).toEqual([]);
    expect(samples(text, 'veeam_vb365_backup_repository_object_storage_used_bytes')).toEqual([]);
    expect(samples(text, 'veeam_vb365_backup_repository_outdated').length).toBe(simulator.data.backupRepositories.size);
    expect(samples(text, 'veeam_vb365_rejected_items_total')).toEqual([]);
  });

  it('reads an unhealthy server from its 503 without retrying it', async () => {
    const { simulator, harness } = await start('v8');
    simulator.data.setHealthEntry('ConfigurationDatabase', 'Unhealthy', 'Connection refused');
    simulator.resetStats();
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(simulator.stats.byRoute.health).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_server_healthy', { server: 'sim' })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_server_component_healthy', { component: 'ConfigurationDatabase' })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_api_requests_total', { endpoint: 'health', code: '503' })).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
  });

  it('keeps the last licence when License fails, and the organization polls are untouched', async () => {
    const { simulator, harness } = await start('v8');
    const before = await harness.metricsText();
    simulator.addFault({ route: 'license', status: 500 });
    await harness.exporter.pollNow();
    const text = await harness.metricsText();
    expect(sampleValue(text, 'veeam_vb365_up', { server: 'sim' })).toBe(1);
    expect(samples(text, 'veeam_vb365_organization_poll_success').every((s) => s.value === 1)).toBe(true);
    expect(sampleValue(text, 'veeam_vb365_api_requests_total', { endpoint: 'license', code: '500' })).toBe(1);
    for (const name of ['veeam_vb365_license_used_users', 'veeam_vb365_license_total_users'])
      expect(sampleValue(text, name, { server: 'sim' })).toBe(sampleValue(before, name, { server: 'sim' }));
    expect(harness.logs.messages()).toContain('could not read the licence; keeping the last known values');
  });
});
