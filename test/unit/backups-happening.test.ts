/**
 * "Are the backups happening?" over real sockets against the simulator in v6, v7 and v8: every backup and
 * copy job, every proxy and every organization's backup state exported exactly as the simulator holds
 * them (the expected samples are worked out from the simulator's data, test/support/backups-expected.ts),
 * status changes replacing their series, the last values kept when a listing fails while the rest keeps
 * working, one request per listing per cycle, and the organization listing's fallback when the server
 * cannot build its extended view.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  SEED_COPY_JOB_IDS as COPY_JOB,
  SEED_HOSTILE_JOB_NAME,
  SEED_JOB_IDS as JOB,
  SEED_ORGANIZATION_IDS as ORG,
  SEED_PROXY_IDS as PROXY,
  SEED_REPOSITORY_IDS as REPO,
  type ApiVersion,
  type SimulatorOptions,
} from 'vb365-simulator';
import {
  JOB_FAMILIES,
  ORGANIZATION_BACKUP_FAMILIES,
  PROXY_FAMILIES,
  expectedJobLines,
  expectedOrganizationBackupLines,
  expectedProxyLines,
  exportedLines,
} from '../support/backups-expected.js';
import { FAKE_CLOCK_START_MS, type FakeClock } from '../support/fake-clock.js';
import { SEED_ORGS, expectExported, logLines, up } from '../support/fault-checks.js';
import { fakeClockSkippingRetries, sampleValue, samples, startHarness, type Harness } from '../support/harness.js';

const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];
const HOUR_MS = 3_600_000;
const JOBS_KEPT = 'could not read the backup jobs; keeping the last known values';
const PROXIES_KEPT = 'could not read the backup proxies; keeping the last known values';
const EXTENDED_VIEW_FAILED = /^could not list organizations with their backup state/;
/** A copy job whose backup job the server does not know (a v6/v7 server cannot say its organization). */
const ORPHAN_COPY_JOB = '2e7c3d5e-9f1b-4c2d-8e3f-4a5b6c7d8e99';

let harness: Harness | undefined;
let clock: FakeClock;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The exporter and the simulator on one fake clock, so the seed's "27 hours ago" is the same instant every run. */
async function start(version: ApiVersion, simulator: SimulatorOptions = {}): Promise<Harness> {
  clock = fakeClockSkippingRetries();
  harness = await startHarness({ clock, simulator: { clock, ...simulator }, server: { apiVersion: version } });
  return harness;
}

const at = (ms: number): string => new Date(ms).toISOString();
const jobSamples = (text: string, name: string, jobId: string) =>
  samples(text, name).filter((sample) => sample.labels['job_id'] === jobId);

describe.each(VERSIONS)('%s', (version) => {
  describe('backup and copy jobs', () => {
    it('exports every job with the labels and values the server holds, and times only where it gives them', async () => {
      const h = await start(version, { organizationCount: 3, jobsPerOrganization: 2, copyJobsPerOrganization: 1 });
      h.simulator.data.addCopyJob({
        id: ORPHAN_COPY_JOB,
        organizationId: ORG.contoso,
        repositoryId: REPO.contosoS3,
        backupJobId: '00000000-0000-4000-8000-000000000001',
        name: 'Copy of a job gone',
        lastStatus: 'Warning',
        lastRun: at(clock.now() - HOUR_MS),
      });
      await h.exporter.pollNow();
      const text = await h.metricsText();

      const expected = expectedJobLines(h.simulator.data, version);
      expect(expected.filter((line) => line.startsWith('veeam_vb365_job_info{'))).toHaveLength(7 + 6 + 3 + 2);
      expect(exportedLines(text, JOB_FAMILIES)).toEqual(expected);

      // The contract's points one by one, so a failure says which.
      const info = (jobId: string) => jobSamples(text, 'veeam_vb365_job_info', jobId)[0]?.labels;
      expect(info(JOB.northwindHostile)?.['job_name']).toBe(SEED_HOSTILE_JOB_NAME);
      expect(info(COPY_JOB.contosoArchive)).toMatchObject({ job_type: 'copy', organization_id: ORG.contoso });
      expect(info(ORPHAN_COPY_JOB)?.['organization_id']).toBe(version === 'v8' ? ORG.contoso : '');
      expect(info(JOB.contosoDaily)).toMatchObject({ job_type: 'backup', repository_id: REPO.contosoAzure });
      expect(sampleValue(text, 'veeam_vb365_job_enabled', { job_id: JOB.tailwindDisabled })).toBe(0);
      expect(sampleValue(text, 'veeam_vb365_job_enabled', { job_id: JOB.tailwindOverdue })).toBe(1);
      for (const noSchedule of [JOB.tailwindDisabled, COPY_JOB.contosoArchive, ORPHAN_COPY_JOB])
        expect(jobSamples(text, 'veeam_vb365_job_next_run_timestamp_seconds', noSchedule)).toEqual([]);
      expect(sampleValue(text, 'veeam_vb365_job_next_run_timestamp_seconds', { job_id: JOB.tailwindOverdue })).toBe(
        (FAKE_CLOCK_START_MS - 2 * HOUR_MS) / 1000,
      );
      expect(sampleValue(text, 'veeam_vb365_job_last_run_timestamp_seconds', { job_id: JOB.fabrikamFailed })).toBe(
        (FAKE_CLOCK_START_MS - 3 * HOUR_MS) / 1000,
      );
      const lastBackups = samples(text, 'veeam_vb365_job_last_backup_timestamp_seconds');
      if (version === 'v6') expect(lastBackups).toEqual([]);
      else {
        expect(lastBackups).toHaveLength(7 + 6 + 3 + 2 - 1); // every job but the orphan, which never backed up
        expect(sampleValue(text, 'veeam_vb365_job_last_backup_timestamp_seconds', { job_id: JOB.fabrikamFailed })).toBe(
          (FAKE_CLOCK_START_MS - 27 * HOUR_MS) / 1000,
        );
      }
    });

    it("replaces a job's status series when its status changes, and follows jobs added and removed", async () => {
      const h = await start(version);
      const statuses = async (jobId: string): Promise<string[]> =>
        jobSamples(await h.metricsText(), 'veeam_vb365_job_last_status', jobId).map(
          (sample) => `${sample.labels['status']} ${sample.value}`,
        );
      expect(await statuses(JOB.fabrikamFailed)).toEqual(['Failed 1']);

      const { data } = h.simulator;
      data.updateJob(JOB.fabrikamFailed, { lastStatus: 'Running', lastRun: at(clock.now()) });
      data.updateCopyJob(COPY_JOB.contosoArchive, { lastStatus: 'Failed' });
      data.removeJob(JOB.contosoRunning);
      data.addJob({
        id: '1f6b2c4d-8e0a-4b1c-9d2e-3f4a5b6c7d99',
        organizationId: ORG.litware,
        repositoryId: REPO.tailwindLocal,
        name: 'Litware First',
        lastStatus: 'Queued',
        nextRun: at(clock.now() + HOUR_MS),
      });
      await h.exporter.pollNow();
      expect(await statuses(JOB.fabrikamFailed)).toEqual(['Running 1']);
      expect(await statuses(COPY_JOB.contosoArchive)).toEqual(['Failed 1']);

      data.updateJob(JOB.fabrikamFailed, { lastStatus: 'Success', lastBackup: at(clock.now()) });
      await h.exporter.pollNow();
      expect(await statuses(JOB.fabrikamFailed)).toEqual(['Success 1']);
      const text = await h.metricsText();
      expect(exportedLines(text, JOB_FAMILIES)).toEqual(expectedJobLines(data, version));
      for (const family of JOB_FAMILIES) expect(jobSamples(text, family, JOB.contosoRunning)).toEqual([]);
    });

    it('keeps the jobs with their last values when /Jobs fails, says so, and the rest keeps working', async () => {
      const h = await start(version);
      const before = expectedJobLines(h.simulator.data, version);
      const { data } = h.simulator;
      data.updateJob(JOB.contosoDaily, { lastStatus: 'Failed' });
      data.updateCopyJob(COPY_JOB.contosoArchive, { lastStatus: 'Warning' });
      data.updateProxy(PROXY.branchOffice, { status: 'Online' });
      h.simulator.addFault({ route: 'jobs', status: 500 });
      await h.exporter.pollNow();

      const text = await h.metricsText();
      // The backup jobs as last read; the copy jobs and the proxies as read now.
      const backupJobLines = (lines: string[]): string[] =>
        lines.filter((line) => !line.includes(COPY_JOB.contosoArchive));
      expect(backupJobLines(exportedLines(text, JOB_FAMILIES))).toEqual(backupJobLines(before));
      const statuses = (jobId: string): Array<string | undefined> =>
        jobSamples(text, 'veeam_vb365_job_last_status', jobId).map((sample) => sample.labels['status']);
      expect(statuses(JOB.contosoDaily)).toEqual(['Success']);
      expect(statuses(COPY_JOB.contosoArchive)).toEqual(['Warning']);
      // Its organization still comes from the backup job last known (v6/v7 copy jobs do not name it).
      expect(jobSamples(text, 'veeam_vb365_job_info', COPY_JOB.contosoArchive)[0]?.labels['organization_id']).toBe(
        ORG.contoso,
      );
      expect(sampleValue(text, 'veeam_vb365_proxy_online', { proxy_id: PROXY.branchOffice })).toBe(1);
      expect(up(text)).toBe(1);
      for (const organizationId of SEED_ORGS) expectExported(text, h.simulator, organizationId);
      const kept = logLines(h.logs.lines, JOBS_KEPT);
      expect(kept).toHaveLength(1);
      expect(String(kept[0]?.['reason'])).toContain('500');
      expect(h.logs.messages().filter((message) => message.startsWith('could not read the backup copy jobs'))).toEqual(
        [],
      );

      h.simulator.clearFaults();
      await h.exporter.pollNow();
      expect(exportedLines(await h.metricsText(), JOB_FAMILIES)).toEqual(expectedJobLines(data, version));
      expect(logLines(h.logs.lines, JOBS_KEPT)).toHaveLength(1);
    });

    it('reads each listing once a cycle, whatever the number of organizations', async () => {
      const organizationCount = 40;
      const h = await start(version, { organizationCount, jobsPerOrganization: 2, copyJobsPerOrganization: 1 });
      h.simulator.resetStats();
      await h.exporter.pollNow();
      const { byRoute } = h.simulator.stats;
      // Per organization: its used repositories; per cycle: everything else.
      expect(byRoute.used_repositories).toBe(SEED_ORGS.length + organizationCount);
      expect([byRoute.organizations, byRoute.jobs, byRoute.copy_jobs, byRoute.proxies]).toEqual([1, 1, 1, 1]);
      expect(samples(await h.metricsText(), 'veeam_vb365_job_info')).toHaveLength(7 + 1 + 3 * organizationCount);
    });
  });

  describe("organizations' backup state", () => {
    it('exports backed up 1/0 and the exact last backup time, none for the organization never backed up', async () => {
      const h = await start(version);
      const text = await h.metricsText();
      expect(exportedLines(text, ORGANIZATION_BACKUP_FAMILIES)).toEqual(
        expectedOrganizationBackupLines(h.simulator.data),
      );
      const fabrikam = { organization_id: ORG.fabrikam };
      expect(sampleValue(text, 'veeam_vb365_organization_backed_up', fabrikam)).toBe(1);
      expect(sampleValue(text, 'veeam_vb365_organization_last_backup_timestamp_seconds', fabrikam)).toBe(
        (FAKE_CLOCK_START_MS - 27 * HOUR_MS) / 1000,
      );
      const litware = { organization_id: ORG.litware };
      expect(sampleValue(text, 'veeam_vb365_organization_backed_up', litware)).toBe(0);
      expect(sampleValue(text, 'veeam_vb365_organization_last_backup_timestamp_seconds', litware)).toBeUndefined();
      expect(sampleValue(text, 'veeam_vb365_organizations_extended_view_success', { server: 'sim' })).toBe(1);
    });

    it('lists every organization without the extended view when the server cannot build it, keeping the last backup state', async () => {
      const h = await start(version);
      const before = exportedLines(await h.metricsText(), ORGANIZATION_BACKUP_FAMILIES);
      const { data } = h.simulator;
      const backedUpNow = at(clock.now());
      data.updateOrganization(ORG.litware, { isBackedup: true, lastBackupTime: backedUpNow });
      data.updateOrganization(ORG.fabrikam, { lastBackupTime: backedUpNow });
      h.simulator.setExtendedViewFailure(500);
      await h.exporter.pollNow();

      const text = await h.metricsText();
      expect(up(text)).toBe(1);
      for (const organizationId of SEED_ORGS) expectExported(text, h.simulator, organizationId);
      expect(sampleValue(text, 'veeam_vb365_organizations_extended_view_success', { server: 'sim' })).toBe(0);
      expect(exportedLines(text, ORGANIZATION_BACKUP_FAMILIES)).toEqual(before);
      const fallback = h.logs.lines.filter((line) => EXTENDED_VIEW_FAILED.test(String(line['msg'])));
      expect(fallback).toHaveLength(1);
      expect(fallback[0]?.['level']).toBe('warn');
      expect(String(fallback[0]?.['reason'])).toContain('500');

      h.simulator.setExtendedViewFailure(undefined);
      await h.exporter.pollNow();
      const cleared = await h.metricsText();
      expect(sampleValue(cleared, 'veeam_vb365_organizations_extended_view_success', { server: 'sim' })).toBe(1);
      expect(exportedLines(cleared, ORGANIZATION_BACKUP_FAMILIES)).toEqual(expectedOrganizationBackupLines(data));
      expect(sampleValue(cleared, 'veeam_vb365_organization_backed_up', { organization_id: ORG.litware })).toBe(1);
      expect(h.logs.lines.filter((line) => EXTENDED_VIEW_FAILED.test(String(line['msg'])))).toHaveLength(1);
    });
  });

  describe('backup proxies', () => {
    it(`exports info and online${version === 'v8' ? ', maintenance and the load as exact ratios' : ', and nothing only v8 reports'}`, async () => {
      const h = await start(version);
      let text = await h.metricsText();
      expect(exportedLines(text, PROXY_FAMILIES)).toEqual(expectedProxyLines(h.simulator.data, version));
      const local = { proxy_id: PROXY.local };
      expect(samples(text, 'veeam_vb365_proxy_info').map((sample) => sample.labels['version'])).toEqual(
        Array(4).fill(version === 'v8' ? '8.1.0.305' : ''),
      );
      expect(sampleValue(text, 'veeam_vb365_proxy_online', { proxy_id: PROXY.branchOffice })).toBe(0);
      expect(sampleValue(text, 'veeam_vb365_proxy_online', local)).toBe(1);
      if (version === 'v8') {
        expect(sampleValue(text, 'veeam_vb365_proxy_cpu_usage_ratio', local)).toBe(0.235);
        expect(sampleValue(text, 'veeam_vb365_proxy_memory_usage_ratio', local)).toBe(0.612);
        expect(sampleValue(text, 'veeam_vb365_proxy_maintenance', { proxy_id: PROXY.maintenance })).toBe(1);
        expect(sampleValue(text, 'veeam_vb365_proxy_maintenance', local)).toBe(0);
        // An offline proxy reports no load: no sample, never a made-up 0.
        expect(
          sampleValue(text, 'veeam_vb365_proxy_cpu_usage_ratio', { proxy_id: PROXY.branchOffice }),
        ).toBeUndefined();
      } else {
        for (const family of PROXY_FAMILIES.slice(2)) expect(samples(text, family)).toEqual([]);
      }

      h.simulator.data.updateProxy(PROXY.linux, { maintenanceModeState: 'Enabling', cpuUsagePercent: 99.5 });
      h.simulator.data.updateProxy(PROXY.maintenance, { maintenanceModeState: 'Disabled', status: 'Offline' });
      await h.exporter.pollNow();
      text = await h.metricsText();
      expect(exportedLines(text, PROXY_FAMILIES)).toEqual(expectedProxyLines(h.simulator.data, version));
      expect(sampleValue(text, 'veeam_vb365_proxy_online', { proxy_id: PROXY.maintenance })).toBe(0);
      if (version === 'v8') {
        expect(sampleValue(text, 'veeam_vb365_proxy_maintenance', { proxy_id: PROXY.linux })).toBe(1);
        expect(sampleValue(text, 'veeam_vb365_proxy_cpu_usage_ratio', { proxy_id: PROXY.linux })).toBe(0.995);
      }
    });

    it('keeps the proxies with their last values when /Proxies fails, and says so', async () => {
      const h = await start(version);
      const before = exportedLines(await h.metricsText(), PROXY_FAMILIES);
      h.simulator.data.updateProxy(PROXY.branchOffice, { status: 'Online' });
      h.simulator.addFault({ route: 'proxies', status: 500 });
      await h.exporter.pollNow();
      const text = await h.metricsText();
      expect(exportedLines(text, PROXY_FAMILIES)).toEqual(before);
      expect(up(text)).toBe(1);
      expect(exportedLines(text, JOB_FAMILIES)).toEqual(expectedJobLines(h.simulator.data, version));
      expect(logLines(h.logs.lines, PROXIES_KEPT)).toHaveLength(1);
      h.simulator.clearFaults();
      await h.exporter.pollNow();
      expect(sampleValue(await h.metricsText(), 'veeam_vb365_proxy_online', { proxy_id: PROXY.branchOffice })).toBe(1);
    });
  });
});
