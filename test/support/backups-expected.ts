/**
 * "Are the backups happening?" as the simulator holds it: the samples the metric contract asks
 * for, worked out from the simulator's own data (never from the exporter's output), and the exporter's
 * samples of the same families, both as sorted lines that compare exactly and show a readable diff.
 */
import type { ApiVersion, SimulatorData } from 'vb365-simulator';
import { samples } from './harness.js';

export const JOB_FAMILIES = [
  'veeam_vb365_job_info',
  'veeam_vb365_job_last_status',
  'veeam_vb365_job_enabled',
  'veeam_vb365_job_last_run_timestamp_seconds',
  'veeam_vb365_job_next_run_timestamp_seconds',
  'veeam_vb365_job_last_backup_timestamp_seconds',
] as const;

export const PROXY_FAMILIES = [
  'veeam_vb365_proxy_info',
  'veeam_vb365_proxy_online',
  'veeam_vb365_proxy_maintenance',
  'veeam_vb365_proxy_cpu_usage_ratio',
  'veeam_vb365_proxy_memory_usage_ratio',
] as const;

export const ORGANIZATION_BACKUP_FAMILIES = [
  'veeam_vb365_organization_backed_up',
  'veeam_vb365_organization_last_backup_timestamp_seconds',
] as const;

interface Line {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One line per sample, labels in name order, so two sets compare whatever order they were written in. */
function canonical(lines: readonly Line[]): string[] {
  return lines
    .map(({ name, labels, value }) => {
      const sorted = Object.keys(labels)
        .sort()
        .map((key) => `${key}=${JSON.stringify(labels[key])}`);
      return `${name}{${sorted.join(',')}} ${value}`;
    })
    .sort();
}

/** The exporter's samples of these families, as canonical lines. */
export function exportedLines(text: string, families: readonly string[]): string[] {
  return canonical(families.flatMap((name) => samples(text, name)));
}

/** An ISO date-time of the simulator as Unix seconds. */
function unixSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** A sample only where the API gives a time. */
function timeLine(name: string, labels: Record<string, string>, iso: string | null): Line[] {
  return iso === null ? [] : [{ name, labels, value: unixSeconds(iso) }];
}

/**
 * Every backup and copy job of the simulator as the contract says: info, last status (the current one
 * only), enabled, and the times the version answers (lastBackup from v7 on). v6/v7 copy jobs do not name
 * their organization: theirs is their backup job's, empty when that job is unknown.
 */
export function expectedJobLines(data: SimulatorData, version: ApiVersion, server = 'sim'): string[] {
  const jobs = [
    ...[...data.jobs.values()].map((job) => ({ ...job, type: 'backup', organization: job.organizationId })),
    ...[...data.copyJobs.values()].map((job) => ({
      ...job,
      type: 'copy',
      organization: version === 'v8' ? job.organizationId : (data.getJob(job.backupJobId)?.organizationId ?? ''),
    })),
  ];
  return canonical(
    jobs.flatMap((job) => {
      const labels = { server, job_id: job.id };
      return [
        {
          name: 'veeam_vb365_job_info',
          labels: {
            ...labels,
            job_name: job.name,
            job_type: job.type,
            organization_id: job.organization,
            repository_id: job.repositoryId,
          },
          value: 1,
        },
        { name: 'veeam_vb365_job_last_status', labels: { ...labels, status: job.lastStatus }, value: 1 },
        { name: 'veeam_vb365_job_enabled', labels, value: job.isEnabled ? 1 : 0 },
        ...timeLine('veeam_vb365_job_last_run_timestamp_seconds', labels, job.lastRun),
        ...timeLine('veeam_vb365_job_next_run_timestamp_seconds', labels, job.nextRun),
        ...timeLine('veeam_vb365_job_last_backup_timestamp_seconds', labels, version === 'v6' ? null : job.lastBackup),
      ];
    }),
  );
}

/**
 * Every proxy of the simulator: info (version empty before v8) and online everywhere; maintenance
 * (Enabled or Enabling), CPU and memory as ratios on v8 only, none where the proxy reports no load.
 */
export function expectedProxyLines(data: SimulatorData, version: ApiVersion, server = 'sim'): string[] {
  return canonical(
    [...data.proxies.values()].flatMap((proxy) => {
      const labels = { server, proxy_id: proxy.id };
      const lines: Line[] = [
        {
          name: 'veeam_vb365_proxy_info',
          labels: { ...labels, host_name: proxy.hostName, version: version === 'v8' ? (proxy.version ?? '') : '' },
          value: 1,
        },
        { name: 'veeam_vb365_proxy_online', labels, value: proxy.status === 'Online' ? 1 : 0 },
      ];
      if (version !== 'v8') return lines;
      lines.push({
        name: 'veeam_vb365_proxy_maintenance',
        labels,
        value: ['Enabled', 'Enabling'].includes(proxy.maintenanceModeState) ? 1 : 0,
      });
      if (proxy.cpuUsagePercent !== null)
        lines.push({ name: 'veeam_vb365_proxy_cpu_usage_ratio', labels, value: proxy.cpuUsagePercent / 100 });
      if (proxy.memoryUsagePercent !== null)
        lines.push({ name: 'veeam_vb365_proxy_memory_usage_ratio', labels, value: proxy.memoryUsagePercent / 100 });
      return lines;
    }),
  );
}

/** Every organization's backup state: backed up 1/0, and its last backup where it has one. */
export function expectedOrganizationBackupLines(data: SimulatorData, server = 'sim'): string[] {
  return canonical(
    [...data.organizations.values()].flatMap((organization) => {
      const labels = { server, organization_id: organization.id };
      return [
        { name: 'veeam_vb365_organization_backed_up', labels, value: organization.isBackedup ? 1 : 0 },
        ...timeLine('veeam_vb365_organization_last_backup_timestamp_seconds', labels, organization.lastBackupTime),
      ];
    }),
  );
}
