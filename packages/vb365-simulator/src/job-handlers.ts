// Answers the job routes: backup jobs, copy jobs, their sessions and restore points, and the
// organizations' sync state. Each version filters by the query parameters its document names, and only
// by those (a server ignores the others).
import { errorAnswer, notFoundAnswer, type Answer } from './answer.js';
import { latestRestorePoint, latestSession, type DerivedRestorePoint, type DerivedSession } from './job-history.js';
import type { JobStatus, SimulatedCopyJob, SimulatedJob } from './job-model.js';
import { copyJobJson, jobJson, jobSessionJson, restorePointJson, syncStateJson } from './job-representations.js';
import { listingAnswer, reply, type HandlerContext, type IncomingCall } from './listing.js';
import type { Json } from './representations.js';
import type { ApiVersion } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** When the organizations' objects were last synchronized, before the simulator started. */
const SYNC_AGE_MS = 35 * 60 * 1000;
const SYNC_DURATION_MS = 60 * 1000;

/**
 * Reads the named query parameters (names as the documents spell them; the map keeps the applied ones in
 * order, for next links too); each is checked by `valid`. A bad value gives the message of the 400 a
 * server answers for a parameter it cannot bind.
 */
function readFilters(
  call: IncomingCall,
  names: readonly string[],
  valid: (name: string, value: string) => boolean,
): Map<string, string> | string {
  const filters = new Map<string, string>();
  for (const name of names) {
    const value = call.query.get(name.toLowerCase());
    if (value === undefined || value === '') continue;
    if (!valid(name, value)) return `The value '${value}' is not valid for ${name}.`;
    filters.set(name, value);
  }
  return filters;
}

function badParameter(version: ApiVersion, message: string): Answer {
  return errorAnswer(400, version, message, 'ParameterValidationFailure');
}

/** `path` with the applied filters, the base of a page's links (offset and limit are added to it). */
function withFilters(path: string, filters: Map<string, string>): string {
  return filters.size === 0 ? path : `${path}?${new URLSearchParams([...filters]).toString()}`;
}

const sameId = (a: string, b: string | undefined): boolean => b === undefined || a === b.toLowerCase();

/** `/{v}/Jobs`, `/{v}/Jobs/{jobId}` and v6/v7 `/{v}/Organizations/{organizationId}/Jobs`. */
export function handleJobs(
  ctx: HandlerContext,
  version: ApiVersion,
  match: { jobId: string | undefined; organizationId: string | undefined },
  call: IncomingCall,
): Answer {
  const toJson = (job: SimulatedJob): Json => jobJson(job, version);
  if (match.jobId !== undefined) {
    const job = ctx.data.getJob(match.jobId);
    if (!job) return notFoundAnswer(version, `Job with ID '${match.jobId}' was not found.`);
    return reply(ctx, 'jobs', 200, toJson(job));
  }
  if (match.organizationId !== undefined) {
    const organization = ctx.data.getOrganization(match.organizationId);
    if (!organization) {
      return notFoundAnswer(version, `Organization with ID '${match.organizationId}' was not found.`);
    }
    const items = ctx.data.jobsOf(organization.id);
    const basePath = `/${version}/Organizations/${organization.id}/Jobs`;
    return listingAnswer(ctx, version, 'jobs', 'array', { items, toJson }, call, basePath);
  }
  const filters = readFilters(call, version === 'v8' ? ['organizationId', 'repositoryId'] : [], isUuid);
  if (typeof filters === 'string') return badParameter(version, filters);
  const items = [...ctx.data.jobs.values()].filter(
    (job) =>
      sameId(job.organizationId, filters.get('organizationId')) &&
      sameId(job.repositoryId, filters.get('repositoryId')),
  );
  const native = version === 'v8' ? 'page' : 'array';
  return listingAnswer(ctx, version, 'jobs', native, { items, toJson }, call, withFilters(`/${version}/Jobs`, filters));
}

/** `/{v}/CopyJobs` (v6/v7 filter by repositoryId, v8 also by organizationId) and `/{v}/CopyJobs/{id}`. */
export function handleCopyJobs(
  ctx: HandlerContext,
  version: ApiVersion,
  copyJobId: string | undefined,
  call: IncomingCall,
): Answer {
  const toJson = (job: SimulatedCopyJob): Json => copyJobJson(job, version);
  if (copyJobId !== undefined) {
    const job = ctx.data.getCopyJob(copyJobId);
    if (!job) return notFoundAnswer(version, `Backup copy job with ID '${copyJobId}' was not found.`);
    return reply(ctx, 'copy_jobs', 200, toJson(job));
  }
  const names = version === 'v8' ? ['organizationId', 'repositoryId'] : ['repositoryId'];
  const filters = readFilters(call, names, isUuid);
  if (typeof filters === 'string') return badParameter(version, filters);
  const items = [...ctx.data.copyJobs.values()].filter(
    (job) =>
      sameId(job.organizationId, filters.get('organizationId')) &&
      sameId(job.repositoryId, filters.get('repositoryId')),
  );
  const native = version === 'v8' ? 'page' : 'array';
  const basePath = withFilters(`/${version}/CopyJobs`, filters);
  return listingAnswer(ctx, version, 'copy_jobs', native, { items, toJson }, call, basePath);
}

/** The parameters of `/{v}/JobSessions` per version. */
const SESSION_FILTERS: Record<ApiVersion, readonly string[]> = {
  v6: ['jobType', 'endTimeLowerBound'],
  v7: ['jobId', 'jobType', 'endTimeLowerBound', 'endTimeUpperBound'],
  v8: ['jobId', 'jobType', 'endTimeLowerBound', 'endTimeUpperBound', 'status'],
};
/** The v8 `status` filter says Succeeded where the sessions say Success. */
const STATUS_FILTER: Record<string, JobStatus> = {
  Stopped: 'Stopped',
  Running: 'Running',
  Succeeded: 'Success',
  Failed: 'Failed',
  Warning: 'Warning',
};

function validSessionFilter(name: string, value: string): boolean {
  if (name === 'jobId') return isUuid(name, value);
  if (name === 'jobType') return value === 'Backup' || value === 'Copy';
  if (name === 'status') return value in STATUS_FILTER;
  return !Number.isNaN(Date.parse(value));
}

/** The latest session of every job that has run: backup jobs first, then copy jobs. */
function allSessions(ctx: HandlerContext): DerivedSession[] {
  const sessions: DerivedSession[] = [];
  for (const job of ctx.data.jobs.values()) {
    const session = latestSession(job, 'Backup');
    if (session) sessions.push(session);
  }
  for (const job of ctx.data.copyJobs.values()) {
    const session = latestSession(job, 'Copy');
    if (session) sessions.push(session);
  }
  return sessions;
}

/** `/{v}/JobSessions` and v6 `/v6/Jobs/{jobId}/JobSessions`: pages in every version (v6/v7 with totalCount). */
export function handleJobSessions(
  ctx: HandlerContext,
  version: ApiVersion,
  pathJobId: string | undefined,
  call: IncomingCall,
): Answer {
  let basePath = `/${version}/JobSessions`;
  if (pathJobId !== undefined) {
    const job = ctx.data.getJob(pathJobId);
    if (!job) return notFoundAnswer(version, `Job with ID '${pathJobId}' was not found.`);
    basePath = `/v6/Jobs/${job.id}/JobSessions`;
  }
  // v6 lists one job's sessions under the job, without filters.
  const filters = readFilters(call, pathJobId === undefined ? SESSION_FILTERS[version] : [], validSessionFilter);
  if (typeof filters === 'string') return badParameter(version, filters);
  const jobId = pathJobId ?? filters.get('jobId');
  const jobType = filters.get('jobType');
  const lower = filters.get('endTimeLowerBound');
  const upper = filters.get('endTimeUpperBound');
  const status = filters.get('status');
  const items = allSessions(ctx).filter(
    (session) =>
      sameId(session.jobId, jobId) &&
      (jobType === undefined || session.jobType === jobType) &&
      (status === undefined || session.status === STATUS_FILTER[status]) &&
      // A running session (no end yet) ends after any past lower bound and before no upper bound.
      (lower === undefined || session.endTime === null || Date.parse(session.endTime) >= Date.parse(lower)) &&
      (upper === undefined || (session.endTime !== null && Date.parse(session.endTime) <= Date.parse(upper))),
  );
  const toJson = (session: DerivedSession): Json =>
    jobSessionJson(session, version, ctx.data.getBackupRepository(session.repositoryId)?.proxyId ?? null);
  const listed = { items, toJson };
  return listingAnswer(
    ctx,
    version,
    'job_sessions',
    'page',
    listed,
    call,
    withFilters(basePath, filters),
    version !== 'v8',
  );
}

/** `/{v}/RestorePoints`: v6 a plain array, v7/v8 pages (v7 with totalCount); filtered by organization, job, repository. */
export function handleRestorePoints(ctx: HandlerContext, version: ApiVersion, call: IncomingCall): Answer {
  const filters = readFilters(call, ['organizationId', 'jobId', 'repositoryId'], isUuid);
  if (typeof filters === 'string') return badParameter(version, filters);
  const points: DerivedRestorePoint[] = [];
  for (const job of ctx.data.jobs.values()) {
    const point = latestRestorePoint(job, 'Backup');
    if (point) points.push(point);
  }
  for (const job of ctx.data.copyJobs.values()) {
    const point = latestRestorePoint(job, 'Copy');
    if (point) points.push(point);
  }
  const items = points.filter(
    (point) =>
      sameId(point.organizationId, filters.get('organizationId')) &&
      sameId(point.jobId, filters.get('jobId')) &&
      sameId(point.repositoryId, filters.get('repositoryId')),
  );
  const toJson = (point: DerivedRestorePoint): Json => {
    const organization = ctx.data.getOrganization(point.organizationId);
    const organizationId = organization ? ctx.data.backedUpIdOf(organization, version) : point.organizationId;
    const isLongTermCopy =
      point.jobType === 'Copy' && ctx.data.getBackupRepository(point.repositoryId)?.isLongTerm === true;
    return restorePointJson(point, version, organizationId, isLongTermCopy);
  };
  const native = version === 'v6' ? 'array' : 'page';
  const basePath = withFilters(`/${version}/RestorePoints`, filters);
  return listingAnswer(ctx, version, 'restore_points', native, { items, toJson }, call, basePath, version === 'v7');
}

/** v7/v8 `/{v}/Organizations/{id}/SyncState`, and v8 `/v8/Organizations/SyncState` for every organization. */
export function handleSyncState(ctx: HandlerContext, version: ApiVersion, organizationId: string | undefined): Answer {
  const endMs = ctx.data.startedAtMs - SYNC_AGE_MS;
  const lastSync = {
    start: new Date(endMs - SYNC_DURATION_MS).toISOString(),
    end: new Date(endMs).toISOString(),
  };
  if (organizationId === undefined) {
    const all = [...ctx.data.organizations.values()].map((o) => syncStateJson(o.id, version, lastSync));
    return reply(ctx, 'organization_sync_state', 200, all);
  }
  const organization = ctx.data.getOrganization(organizationId);
  if (!organization) return notFoundAnswer(version, `Organization with ID '${organizationId}' was not found.`);
  return reply(ctx, 'organization_sync_state', 200, syncStateJson(organization.id, version, lastSync));
}

function isUuid(_name: string, value: string): boolean {
  return UUID.test(value);
}
