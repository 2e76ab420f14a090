/**
 * Sharded exporters and "are the backups happening?", in v6, v7 and v8: two shards polling one simulator
 * export every backup job, copy job, proxy and organization backup state exactly once between them, each
 * job with the shard that polls its organization (a job whose organization is unknown, and the proxies,
 * with the shard that owns the empty organization ID).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  SEED_ORGANIZATION_IDS as ORG,
  SEED_REPOSITORY_IDS as REPO,
  startSimulator,
  type ApiVersion,
  type Simulator,
} from 'vb365-simulator';
import {
  fakeClockSkippingRetries,
  samples,
  serverConfig,
  startExporterFor,
  type ExporterHarness,
} from '../support/harness.js';

const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];
const SHARDS = 2;
/** A copy job whose backup job the server does not know: v6/v7 cannot say its organization. */
const ORPHAN_COPY_JOB = '2e7c3d5e-9f1b-4c2d-8e3f-4a5b6c7d8e99';

let simulator: Simulator | undefined;
let shards: ExporterHarness[] = [];
afterEach(async () => {
  await Promise.all(shards.map((shard) => shard.close()));
  await simulator?.close();
  shards = [];
  simulator = undefined;
});

/** The value of `label` of every sample of `family`, per shard. */
const labelValues = (texts: readonly string[], family: string, label: string): string[][] =>
  texts.map((text) => samples(text, family).map((sample) => sample.labels[label] ?? ''));

describe.each(VERSIONS)('%s', (version) => {
  it('exports every job, proxy and organization backup state from exactly one of two shards', async () => {
    simulator = await startSimulator({
      organizationCount: 12,
      jobsPerOrganization: 2,
      copyJobsPerOrganization: 1,
      proxyCount: 3,
    });
    simulator.data.addCopyJob({
      id: ORPHAN_COPY_JOB,
      organizationId: ORG.contoso,
      repositoryId: REPO.contosoS3,
      backupJobId: '00000000-0000-4000-8000-000000000001',
      name: 'Copy of a job gone',
    });
    const server = serverConfig(simulator, { apiVersion: version });
    shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, index) =>
        startExporterFor([server], {
          clock: fakeClockSkippingRetries(),
          config: { shard: { index, count: SHARDS } },
        }),
      ),
    );
    const texts = await Promise.all(shards.map((shard) => shard.metricsText()));
    const { data } = simulator;

    const jobs = labelValues(texts, 'veeam_vb365_job_info', 'job_id');
    expect(jobs.flat().sort()).toEqual([...data.jobs.keys(), ...data.copyJobs.keys()].sort());
    for (const shardJobs of jobs) expect(shardJobs.length).toBeGreaterThan(0); // the work is split

    const proxies = labelValues(texts, 'veeam_vb365_proxy_info', 'proxy_id');
    expect(proxies.flat().sort()).toEqual([...data.proxies.keys()].sort());
    // The proxies serve the whole server: one shard has them all.
    expect(proxies.filter((shardProxies) => shardProxies.length > 0)).toHaveLength(1);

    const backups = labelValues(texts, 'veeam_vb365_organization_backed_up', 'organization_id');
    expect(backups.flat().sort()).toEqual([...data.organizations.keys()].sort());

    // Each job with the shard that polls its organization; the one of no known organization with the proxies.
    const polled = labelValues(texts, 'veeam_vb365_organization_poll_success', 'organization_id');
    const proxyShard = proxies.findIndex((shardProxies) => shardProxies.length > 0);
    texts.forEach((text, index) => {
      for (const sample of samples(text, 'veeam_vb365_job_info')) {
        const organizationId = sample.labels['organization_id'] ?? '';
        if (organizationId === '') expect(index, `shard of ${sample.labels['job_id']}`).toBe(proxyShard);
        else expect(polled[index], `shard of ${sample.labels['job_id']}`).toContain(organizationId);
      }
    });
    const orphanShard = jobs.findIndex((shardJobs) => shardJobs.includes(ORPHAN_COPY_JOB));
    if (version !== 'v8') expect(orphanShard).toBe(proxyShard);
  });
});
