/**
 * Backup jobs (`GET /{v}/Jobs`) and backup copy jobs (`GET /{v}/CopyJobs`): one plain array in v6/v7, pages
 * in v8. v8 jobs name their organization (`organizationId`); v6/v7 backup jobs link to it
 * (`_links.organization`), and v6/v7 copy jobs are taken to back up their backup job's organization.
 */
import type { ApiVersion } from '../../config/types.js';
import { isObject, kindOf, reject, text, uuid, uuidOfLink, type ItemResult, type Json } from '../../vb365/fields.js';
import type { ItemRules } from '../../vb365/parse.js';
import { pageQueryFrom, unpagedIn, type Route } from '../../vb365/routes.js';

type JobType = 'backup' | 'copy';

export interface Job {
  readonly id: string;
  readonly type: JobType;
  readonly name: string;
  /** '' where the server does not say (v6/v7 copy jobs until their backup job is known). */
  readonly organizationId: string;
  readonly repositoryId: string;
  /** Copy jobs: the backup job they copy. */
  readonly backupJobId: string | undefined;
  /** As VB365 spells it (Success, Warning, Failed, Running...); '' where it reports none. */
  readonly lastStatus: string;
  readonly isEnabled: boolean | null;
  readonly lastRunMs: number | null;
  readonly nextRunMs: number | null;
  /** The last successful run (v7 and later). */
  readonly lastBackupMs: number | null;
}

/**
 * What the exporter asks a v8 Jobs or CopyJobs page to hold. Measured at 20,000 jobs (bench/README.md):
 * pages of 10,000 are 9.5 MB answers whose parsed trees outlive the young generation (+125 MiB peak RSS
 * against the run without jobs); pages of 1,000 die young (+54 MiB), as BackupRepositories' did.
 */
const JOBS_PAGE = 1_000;

export const backupJobsRoute = (version: ApiVersion): Route => ({
  endpoint: 'jobs',
  path: `/${version}/Jobs${pageQueryFrom(version, '?', JOBS_PAGE)}`,
  unpaged: unpagedIn(version),
});

export const copyJobsRoute = (version: ApiVersion): Route => ({
  endpoint: 'copy_jobs',
  path: `/${version}/CopyJobs${pageQueryFrom(version, '?', JOBS_PAGE)}`,
  unpaged: unpagedIn(version),
});

function parseJob(item: unknown, type: JobType): ItemResult<Job> {
  if (!isObject(item)) return reject(`expected an object, got ${kindOf(item)}`);
  const id = uuid(item['id']);
  if (id === undefined) return reject(`"id" is not a UUID (${kindOf(item['id'])})`);
  const enabled = item['isEnabled'];
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean')
    return reject(`"isEnabled" is not a boolean (${kindOf(enabled)}) for job ${id}`);
  const status = item['lastStatus'];
  if (status !== undefined && status !== null && typeof status !== 'string')
    return reject(`"lastStatus" is not a string (${kindOf(status)}) for job ${id}`);
  const times: Record<string, number | null> = {};
  for (const key of ['lastRun', 'nextRun', 'lastBackup']) {
    const time = dateTime(item, key);
    if (!time.ok) return reject(`${time.reason} for job ${id}`);
    times[key] = time.value;
  }
  return {
    ok: true,
    value: {
      id,
      type,
      name: text(item['name']),
      organizationId: uuid(item['organizationId']) ?? uuidOfLink(item['_links'], 'organization') ?? '',
      repositoryId: uuid(item['repositoryId']) ?? uuidOfLink(item['_links'], 'backupRepository') ?? '',
      backupJobId: type === 'copy' ? (uuid(item['backupJobId']) ?? uuidOfLink(item['_links'], 'backupJob')) : undefined,
      lastStatus: typeof status === 'string' ? status : '',
      isEnabled: typeof enabled === 'boolean' ? enabled : null,
      lastRunMs: times['lastRun'] ?? null,
      nextRunMs: times['nextRun'] ?? null,
      lastBackupMs: times['lastBackup'] ?? null,
    },
  };
}

/** An ISO date-time, or null where the server gives none; anything else is refused rather than guessed. */
function dateTime(item: Json, key: string): ItemResult<number | null> {
  const value = item[key];
  if (value === undefined || value === null || value === '') return { ok: true, value: null };
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) return reject(`"${key}" is not a date-time (${kindOf(value)})`);
  return { ok: true, value: ms };
}

export const backupJobItems: ItemRules<Job> = { parse: (item) => parseJob(item, 'backup'), idOf: (job) => job.id };
export const copyJobItems: ItemRules<Job> = { parse: (item) => parseJob(item, 'copy'), idOf: (job) => job.id };
