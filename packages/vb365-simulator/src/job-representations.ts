// The JSON each API version answers for jobs, copy jobs, their sessions and restore points, and the
// organizations' sync state. v8 names the organization of a job (`organizationId`), v6/v7 only link to
// it; `lastBackup` exists from v7 on; v8 adds `eTag`.
import type { DerivedRestorePoint, DerivedSession } from './job-history.js';
import type { SimulatedCopyJob, SimulatedJob } from './job-model.js';
import type { Json } from './representations.js';
import type { ApiVersion } from './types.js';

type JsonObject = { [key: string]: Json };

const link = (href: string): JsonObject => ({ href });

/** Where a version lists the sessions of one job: v6 under the job, v7/v8 with a query. */
function jobSessionsHref(version: ApiVersion, jobId: string): string {
  return version === 'v6' ? `/v6/Jobs/${jobId}/JobSessions` : `/${version}/JobSessions?jobId=${jobId}`;
}

function backupSchedulePolicy(job: SimulatedJob, version: ApiVersion): JsonObject {
  const { schedule } = job;
  const body: JsonObject = { scheduleEnabled: schedule.type !== 'ManualOnly', backupWindowEnabled: false };
  if (version !== 'v6') body['periodicallyWindowEnabled'] = false;
  body['type'] = schedule.type;
  if (schedule.type === 'Periodically') {
    body['periodicallyEvery'] = schedule.every ?? 'Hours1';
    body['periodicallyOffsetMinutes'] = 0;
  }
  if (schedule.type === 'Daily') {
    body['dailyType'] = 'Everyday';
    body['dailyTime'] = schedule.dailyTime;
  }
  body['retryEnabled'] = true;
  body['retryNumber'] = 3;
  body['retryWaitInterval'] = 10;
  return body;
}

/** An item of `/{v}/Jobs` (and of v6/v7 `/{v}/Organizations/{id}/Jobs`), and `/{v}/Jobs/{jobId}`. */
export function jobJson(job: SimulatedJob, version: ApiVersion): JsonObject {
  const body: JsonObject = {
    description: job.description,
    backupType: job.backupType,
    schedulePolicy: backupSchedulePolicy(job, version),
    id: job.id,
  };
  if (version === 'v8') body['organizationId'] = job.organizationId;
  body['repositoryId'] = job.repositoryId;
  body['name'] = job.name;
  body['lastRun'] = job.lastRun;
  body['nextRun'] = job.nextRun;
  if (version !== 'v6') body['lastBackup'] = job.lastBackup;
  body['isEnabled'] = job.isEnabled;
  body['lastStatus'] = job.lastStatus;
  if (version === 'v8') body['eTag'] = 1;
  body['_links'] = {
    self: link(`/${version}/Jobs/${job.id}`),
    organization: link(`/${version}/Organizations/${job.organizationId}`),
    backupRepository: link(`/${version}/BackupRepositories/${job.repositoryId}`),
    jobsessions: link(jobSessionsHref(version, job.id)),
  };
  return body;
}

/** An item of `/{v}/CopyJobs`, and `/{v}/CopyJobs/{id}`. */
export function copyJobJson(job: SimulatedCopyJob, version: ApiVersion): JsonObject {
  const policy: JsonObject = { type: job.schedule.type };
  if (job.schedule.type === 'DailyAtTime') {
    policy['dailyType'] = 'Everyday';
    policy['dailyTime'] = job.schedule.dailyTime;
  }
  if (job.schedule.type === 'Periodically') policy['periodicallyEvery'] = 'Hours1';
  policy['backupCopyWindowEnabled'] = false;
  const body: JsonObject = { backupJobId: job.backupJobId, schedulePolicy: policy, id: job.id };
  if (version === 'v8') body['organizationId'] = job.organizationId;
  body['repositoryId'] = job.repositoryId;
  body['name'] = job.name;
  body['lastRun'] = job.lastRun;
  body['nextRun'] = job.nextRun;
  if (version !== 'v6') body['lastBackup'] = job.lastBackup;
  body['isEnabled'] = job.isEnabled;
  body['lastStatus'] = job.lastStatus;
  if (version === 'v8') body['eTag'] = 1;
  body['_links'] = {
    self: link(`/${version}/CopyJobs/${job.id}`),
    backupJob: link(`/${version}/Jobs/${job.backupJobId}`),
    backupRepository: link(`/${version}/BackupRepositories/${job.repositoryId}`),
  };
  return body;
}

/** An item of `/{v}/JobSessions` (v6 also `/v6/Jobs/{jobId}/JobSessions`); v6 has no null end time. */
export function jobSessionJson(session: DerivedSession, version: ApiVersion, proxyId: string | null): JsonObject {
  const body: JsonObject = { id: session.id };
  if (version === 'v8') body['jobId'] = session.jobId;
  if (version !== 'v6') {
    body['repositoryId'] = session.repositoryId;
    body['mainSessionId'] = session.id;
  }
  body['details'] = session.details;
  body['creationTime'] = session.creationTime;
  if (version !== 'v6' || session.endTime !== null) body['endTime'] = session.endTime;
  body['retryCount'] = 0;
  if (version !== 'v6') body['jobWillBeRetried'] = false;
  body['progress'] = session.progress;
  if (version !== 'v6') body['jobType'] = session.jobType;
  if (version === 'v8') body['jobSessionConfigType'] = 'Incremental';
  body['status'] = session.status;
  body['statistics'] = {
    processingRateBytesPS: 10_485_760,
    processingRateItemsPS: 25,
    readRateBytesPS: 12_582_912,
    writeRateBytesPS: 8_388_608,
    transferredDataBytes: 1_073_741_824,
    processedObjects: session.progress,
    bottleneck: 'Source',
  };
  if (version === 'v8') body['eTag'] = 1;
  const jobPath = session.jobType === 'Backup' ? 'Jobs' : 'CopyJobs';
  body['_links'] = {
    self: link(`/${version}/JobSessions/${session.id}`),
    job: link(`/${version}/${jobPath}/${session.jobId}`),
  };
  if (version === 'v8') {
    body['proxyId'] = proxyId;
    body['proxyPoolId'] = null;
  }
  return body;
}

/**
 * An item of `/{v}/RestorePoints`. `organizationId`: the backed-up organization ID (the documents' words),
 * which v8 keys differently from the organization's own ID (see backedUpIdOf).
 */
export function restorePointJson(
  point: DerivedRestorePoint,
  version: ApiVersion,
  organizationId: string,
  isLongTermCopy: boolean,
): JsonObject {
  const body: JsonObject = { id: point.id };
  if (version !== 'v6') body['isDeleted'] = false;
  body['repositoryId'] = point.repositoryId;
  body['backupTime'] = point.backupTime;
  body['jobId'] = point.jobId;
  body['organizationId'] = organizationId;
  body['isExchange'] = true;
  body['isSharePoint'] = true;
  body['isOneDrive'] = true;
  body['isTeams'] = false;
  body['isLongTermCopy'] = isLongTermCopy;
  if (version !== 'v6') body['isCopy'] = point.jobType === 'Copy';
  body['isRetrieved'] = false;
  if (version === 'v8') {
    body['eTag'] = 1;
    body['objectsEtag'] = 1;
    body['immutabilityExpiresOn'] = null;
  }
  body['_links'] = {
    self: link(`/${version}/RestorePoints/${point.id}`),
    backupRepository: link(`/${version}/BackupRepositories/${point.repositoryId}`),
  };
  return body;
}

/** The sync state of an organization's objects: v7 flat, v8 with the last sync as an object. */
export function syncStateJson(
  organizationId: string,
  version: ApiVersion,
  lastSync: { start: string; end: string } | null,
): JsonObject {
  const links = { organization: link(`/${version}/Organizations/${organizationId}`) };
  if (version === 'v8') {
    return {
      organizationId,
      lastSyncState:
        lastSync === null
          ? null
          : { type: 'Incremental', result: 'Success', startTime: lastSync.start, endTime: lastSync.end, error: null },
      _links: links,
    };
  }
  return {
    type: lastSync === null ? null : 'Incremental',
    status: lastSync === null ? 'None' : 'Success',
    lastSyncTime: lastSync?.end ?? null,
    error: null,
    _links: links,
  };
}
