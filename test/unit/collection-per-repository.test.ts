/**
 * Used space read per repository (collection per_repository), over real sockets against the simulator in
 * v6, v7 and v8: the same series as reading per organization, with far fewer requests; every organization
 * verified within `collection_verification_cycles` cycles; a disagreement sends the server back to
 * per_organization (log lines, metrics) until a reload; organizations added or removed between the listing
 * and the per-repository read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  SEED_ORGANIZATION_IDS as ORG,
  SEED_REPOSITORY_IDS as REPO,
  startSimulator,
  type ApiVersion,
  type Simulator,
  type SimulatorOptions,
} from 'vb365-simulator';
import type { ServerConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/logger.js';
import { startExporter, type RunningExporter } from '../../src/exporter.js';
import type { FakeClock } from '../support/fake-clock.js';
import { decodeHtml } from '../support/html-text.js';
import {
  LogCapture,
  fakeClockSkippingRetries,
  sampleValue,
  serverConfig,
  startExporterFor,
  testExporterConfig,
  waitFor,
} from '../support/harness.js';

const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];
const PER_ORGANIZATION = 'per-organization';
const PER_REPOSITORY = 'per-repository';
const FELL_BACK =
  'reading used space per repository disagrees with UsedRepositories; reading it per organization from now on, until a reload or a restart';
const DIFFERS = "the per-repository reading differs from the organization's own UsedRepositories";
const UNMAPPED = /^backedupOrganizations items that map to no listed organization/;

/** Families whose values differ between two servers by nature: the exporter's own requests and clocks. */
const NOT_COMPARED =
  /^veeam_vb365_(api_|exporter_|collection_|poll_cycle_duration_seconds|organization_last_success_timestamp_seconds|backup_repositories_last_success_timestamp_seconds|last_cycle_timestamp_seconds)/;

interface Setup {
  readonly simulator: Simulator;
  readonly exporter: RunningExporter;
  readonly logs: LogCapture;
  readonly clock: FakeClock;
  readonly metricsText: () => Promise<string>;
}

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.exporter.stop();
  await setup?.simulator.close();
  setup = undefined;
});

/** One simulator, and one exporter reading it as the given servers (each a name and its settings). */
async function start(
  version: ApiVersion,
  servers: Record<string, Partial<ServerConfig>>,
  simulatorOptions: SimulatorOptions = {},
): Promise<Setup> {
  const clock = fakeClockSkippingRetries();
  const simulator = await startSimulator({ clock, ...simulatorOptions });
  const logs = new LogCapture();
  const configs = Object.entries(servers).map(([name, settings]) =>
    serverConfig(simulator, { name, apiVersion: version, ...settings }),
  );
  const exporter = await startExporter(testExporterConfig(configs, { logLevel: 'debug' }), {
    logger: createLogger('debug', logs),
    clock,
    random: () => 0.5,
    version: '0.0.0-test',
    reloadConfiguration: () => ({
      config: testExporterConfig(configs, { logLevel: 'debug' }),
      webConfig: undefined,
      warnings: [],
    }),
  });
  await waitFor(() => exporter.store.ready(), 20_000);
  setup = {
    simulator,
    exporter,
    logs,
    clock,
    metricsText: async () => (await fetch(`${exporter.url}/metrics`)).text(),
  };
  return setup;
}

/** The sample lines of one server, its server label taken out, the families compared only. */
function seriesOf(text: string, server: string): string[] {
  const label = `server="${server}"`;
  return text
    .split('\n')
    .filter((line) => line.includes(label) && !NOT_COMPARED.test(line))
    .map((line) => line.replace(`{${label},`, '{').replace(`{${label}}`, ''));
}

const count = (setupNow: Setup, route: 'used_repositories' | 'backed_up_organizations'): number =>
  setupNow.simulator.stats.byRoute[route];

describe.each(VERSIONS)('%s', (version) => {
  it('exports exactly the series per_organization exports, once every organization was verified', async () => {
    // The seed (each organization alone on some repository, so verified every cycle) and 40 generated
    // organizations sharing 4 repositories, most of them read per repository only.
    const { simulator, exporter, metricsText } = await start(
      version,
      {
        [PER_ORGANIZATION]: {},
        [PER_REPOSITORY]: { collection: 'per_repository', verificationCycles: 2 },
      },
      { organizationCount: 40, sharedRepositoryCount: 4 },
    );
    simulator.resetStats();
    await exporter.pollNow(); // the second cycle: every organization's slot has come
    const organizations = simulator.data.organizations.size;
    // One server read each organization, the other about half of them.
    expect(simulator.stats.byRoute.used_repositories).toBeLessThan(organizations * 1.75);
    expect(simulator.stats.byRoute.backed_up_organizations).toBe(simulator.data.backupRepositories.size);
    const text = await metricsText();
    const perOrganization = seriesOf(text, PER_ORGANIZATION);
    expect(perOrganization.some((line) => line.startsWith('veeam_vb365_repository_used_space_bytes{'))).toBe(true);
    expect(seriesOf(text, PER_REPOSITORY)).toEqual(perOrganization);
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_collection_mismatches_total', { server: PER_REPOSITORY })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_collection_unmapped_items', { server: PER_REPOSITORY })).toBe(0);
    // A server read per organization says nothing of the collection.
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_ORGANIZATION })).toBeUndefined();
    expect(
      sampleValue(text, 'veeam_vb365_collection_read_per_repository', { server: PER_ORGANIZATION }),
    ).toBeUndefined();
  });

  it('reads a configured organization the listing does not name on its own every cycle: failed, as per_organization has it', async () => {
    const missing = 'a1b2c3d4-0000-4000-8000-00000000dead';
    const organizations = [ORG.contoso, ORG.fabrikam, missing];
    const { exporter, metricsText } = await start(version, {
      [PER_ORGANIZATION]: { organizations },
      [PER_REPOSITORY]: { organizations, collection: 'per_repository', verificationCycles: 3 },
    });
    // Every cycle of a rotation, not only the one whose turn it would be.
    for (let cycle = 0; cycle < 3; cycle++) {
      const text = await metricsText();
      for (const server of [PER_ORGANIZATION, PER_REPOSITORY])
        expect(
          sampleValue(text, 'veeam_vb365_organization_poll_success', { server, organization_id: missing }),
          `${server}, cycle ${cycle}`,
        ).toBe(0);
      expect(seriesOf(text, PER_REPOSITORY)).toEqual(seriesOf(text, PER_ORGANIZATION));
      expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(0);
      await exporter.pollNow();
    }
  });

  it('reads each repository once a cycle, and only a sample of organizations, each within the verification cycles', async () => {
    const options: SimulatorOptions = { organizationCount: 60, sharedRepositoryCount: 4 };
    const current = await start(
      version,
      { [PER_REPOSITORY]: { collection: 'per_repository', verificationCycles: 5 } },
      options,
    );
    const { simulator, exporter } = current;
    const organizations = simulator.data.organizations.size;
    const repositories = simulator.data.backupRepositories.size;
    const verified = new Set<string>();
    simulator.addFault({
      route: 'used_repositories',
      transformBody: (body, request) => {
        const id = /organizations\/([0-9a-f-]{36})\//i.exec(request.path)?.[1];
        if (id !== undefined) verified.add(id.toLowerCase());
        return body;
      },
    });
    for (let cycle = 0; cycle < 5; cycle++) {
      simulator.resetStats();
      await exporter.pollNow();
      expect(count(current, 'backed_up_organizations')).toBe(repositories);
      // The repositories come from the listing the cycle reads anyway: once.
      expect(simulator.stats.byRoute.backup_repositories).toBe(1);
      // One slot of five, and at most one more organization per repository.
      expect(count(current, 'used_repositories')).toBeLessThanOrEqual(Math.ceil(organizations / 5) * 2 + repositories);
      expect(count(current, 'used_repositories')).toBeLessThan(organizations / 2);
    }
    expect(verified.size).toBe(organizations);
  });

  it('falls back to per_organization at the first disagreement, says so, and reads per repository again after a reload', async () => {
    const current = await start(version, {
      [PER_REPOSITORY]: { collection: 'per_repository', verificationCycles: 1 },
    });
    const { simulator, exporter, logs, metricsText } = current;
    const truth = sampleValue(await metricsText(), 'veeam_vb365_repository_used_space_bytes', {
      organization_id: ORG.contoso,
      repository_id: REPO.nordLocal,
    });
    expect(truth).toBeGreaterThan(0);
    simulator.data.setBackedUpOrganizationSkew(REPO.nordLocal, ORG.contoso, { usedSpaceBytes: 12345 });
    await exporter.pollNow();
    let text = await metricsText();
    const differs = logs.lines.filter((line) => line['msg'] === DIFFERS);
    expect(differs).toEqual([
      expect.objectContaining({
        organizationId: ORG.contoso,
        organizationName: 'Contoso',
        repositoryId: REPO.nordLocal,
        field: 'usedSpaceBytes',
        perRepository: 12345,
        perOrganization: truth,
      }),
    ]);
    expect(logs.messages().filter((message) => message === FELL_BACK)).toHaveLength(1);
    expect(sampleValue(text, 'veeam_vb365_collection_mismatches_total', { server: PER_REPOSITORY })).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_collection_read_per_repository', { server: PER_REPOSITORY })).toBe(0);
    // What is exported is what the organization's own UsedRepositories says.
    expect(
      sampleValue(text, 'veeam_vb365_repository_used_space_bytes', {
        organization_id: ORG.contoso,
        repository_id: REPO.nordLocal,
      }),
    ).toBe(truth);

    // The status page says so, as a warning with the count.
    const page = decodeHtml(await (await fetch(`${exporter.url}/`)).text());
    expect(page).toContain('Reading per organization again');
    expect(page).toContain('backedupOrganizations disagreed with UsedRepositories (1 difference since the start');
    // The server's "Used space read" cell says so too.
    expect(page.replace(/<[^>]+>/g, '')).toContain('per organization again a verification found a difference');

    // From then on: per organization, no repository read, no new difference, no new log line.
    simulator.resetStats();
    await exporter.pollNow();
    text = await metricsText();
    expect(count(current, 'backed_up_organizations')).toBe(0);
    expect(count(current, 'used_repositories')).toBe(simulator.data.organizations.size);
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_collection_mismatches_total', { server: PER_REPOSITORY })).toBe(1);
    expect(logs.messages().filter((message) => message === FELL_BACK)).toHaveLength(1);

    // A reload (the same configuration) reads per repository again; the counter goes on.
    simulator.data.setBackedUpOrganizationSkew(REPO.nordLocal, ORG.contoso, null);
    expect(await exporter.reload()).toEqual({ ok: true });
    // Until the next cycle has read, nothing is said of how it read.
    text = await metricsText();
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_collection_read_per_repository', { server: PER_REPOSITORY })).toBeUndefined();
    expect(decodeHtml(await (await fetch(`${exporter.url}/`)).text())).toContain('per repository, not read yet');
    simulator.resetStats();
    await exporter.pollNow();
    text = await metricsText();
    expect(count(current, 'backed_up_organizations')).toBe(simulator.data.backupRepositories.size);
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_collection_read_per_repository', { server: PER_REPOSITORY })).toBe(1);
    expect(sampleValue(text, 'veeam_vb365_collection_mismatches_total', { server: PER_REPOSITORY })).toBe(1);
    expect(await (await fetch(`${exporter.url}/`)).text()).not.toContain('Reading per organization again');
  });

  it('splits the series between two shards read per repository exactly as one exporter reads them per organization', async () => {
    const current = await start(
      version,
      { [PER_ORGANIZATION]: {}, [PER_REPOSITORY]: { collection: 'per_repository', verificationCycles: 1 } },
      { organizationCount: 30, sharedRepositoryCount: 3 },
    );
    const shardServer = serverConfig(current.simulator, {
      name: PER_ORGANIZATION, // the same label as the whole, so the lines compare as they are
      apiVersion: version,
      collection: 'per_repository',
      verificationCycles: 1,
    });
    const shards = await Promise.all(
      [0, 1].map((index) =>
        startExporterFor([shardServer], {
          clock: fakeClockSkippingRetries(),
          config: { shard: { index, count: 2 } },
        }),
      ),
    );
    try {
      const whole = seriesOf(await current.metricsText(), PER_ORGANIZATION).filter((line) =>
        line.startsWith('veeam_vb365_repository_'),
      );
      const parts = (await Promise.all(shards.map((shard) => shard.metricsText()))).map((text) =>
        seriesOf(text, PER_ORGANIZATION).filter((line) => line.startsWith('veeam_vb365_repository_')),
      );
      expect(parts.every((part) => part.length > 0)).toBe(true);
      expect([...(parts[0] ?? []), ...(parts[1] ?? [])].sort()).toEqual([...whole].sort());
    } finally {
      await Promise.all(shards.map((shard) => shard.close()));
    }
  });

  it('reads per organization for a cycle whose repository read fails, and per repository again the next', async () => {
    const current = await start(version, { [PER_REPOSITORY]: { collection: 'per_repository' } });
    const { simulator, exporter, logs, metricsText } = current;
    const first = await metricsText();
    const before = seriesOf(first, PER_REPOSITORY);
    const readPerRepository = (text: string): number | undefined =>
      sampleValue(text, 'veeam_vb365_collection_read_per_repository', { server: PER_REPOSITORY });
    expect(readPerRepository(first)).toBe(1);
    // The status page's "Used space read" cell, as text.
    const cell = async (): Promise<string> => {
      const page = decodeHtml(await (await fetch(`${exporter.url}/`)).text()).replace(/<[^>]+>/g, '');
      return /per (?:repository|organization)[^\n]*?(?:sample|failed|difference)/.exec(page)?.[0] ?? '';
    };
    expect(await cell()).toBe('per repository verified against a sample');
    simulator.addFault({ route: 'backed_up_organizations', status: 500, times: 1 });
    simulator.resetStats();
    await exporter.pollNow();
    expect(logs.messages()).toContain(
      'could not read used space per repository; reading it per organization this cycle',
    );
    expect(count(current, 'used_repositories')).toBe(simulator.data.organizations.size);
    const text = await metricsText();
    expect(seriesOf(text, PER_REPOSITORY)).toEqual(before);
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(0);
    // Not fallen back, but this cycle did not read per repository: the metric says so.
    expect(readPerRepository(text)).toBe(0);
    expect(await cell()).toBe('per organization this cycle a repository read failed');
    simulator.resetStats();
    await exporter.pollNow();
    expect(count(current, 'backed_up_organizations')).toBe(simulator.data.backupRepositories.size);
    expect(readPerRepository(await metricsText())).toBe(1);
    expect(await cell()).toBe('per repository verified against a sample');
  });

  it('counts and logs an organization added after the listing, exports nothing under its ID, and keeps the others', async () => {
    const current = await start(version, {
      [PER_REPOSITORY]: { collection: 'per_repository', verificationCycles: 1 },
    });
    const { simulator, exporter, logs, metricsText } = current;
    const added = 'a1b2c3d4-0000-4000-8000-00000000beef';
    const removed = ORG.fabrikam;
    // Between the listing and the repositories' reads: the listing's answer is already made.
    simulator.addFault({
      route: 'organizations',
      times: 1,
      transformBody: (body) => {
        if (simulator.data.getOrganization(added) === undefined) {
          simulator.data.addOrganization({
            id: added,
            name: 'Added Later',
            usedRepositories: [
              {
                repositoryId: REPO.nordLocal,
                usedSpaceBytes: 1,
                localCacheUsedSpaceBytes: null,
                objectStorageUsedSpaceBytes: null,
                isAvailable: true,
              },
            ],
          });
          simulator.data.removeOrganization(removed);
        }
        return body;
      },
    });
    await exporter.pollNow();
    const text = await metricsText();
    expect(text).not.toContain(added);
    expect(sampleValue(text, 'veeam_vb365_collection_unmapped_items', { server: PER_REPOSITORY })).toBe(1);
    expect(logs.lines.filter((line) => UNMAPPED.test(String(line['msg'])))).toHaveLength(1);
    expect(sampleValue(text, 'veeam_vb365_collection_fallback', { server: PER_REPOSITORY })).toBe(0);
    // The one deleted since the listing: its own UsedRepositories answers 404, so it failed this cycle and keeps
    // its last values, as per_organization has it.
    expect(
      sampleValue(text, 'veeam_vb365_organization_poll_success', { server: PER_REPOSITORY, organization_id: removed }),
    ).toBe(0);
    expect(
      sampleValue(text, 'veeam_vb365_repository_used_space_bytes', {
        server: PER_REPOSITORY,
        organization_id: removed,
        repository_id: REPO.nordLocal,
      }),
    ).toBeGreaterThan(0);
    // The others are read as before.
    expect(
      sampleValue(text, 'veeam_vb365_organization_poll_success', {
        server: PER_REPOSITORY,
        organization_id: ORG.contoso,
      }),
    ).toBe(1);
  });
});
