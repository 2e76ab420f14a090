// Job sessions and restore points, derived from the jobs' last run and last backup rather than stored:
// one session per job that has run (its latest), one restore point per job that has backed up. Enough
// for a client that reads the latest state; the IDs follow the times, so a new run is a new session.
import type { JobStatus, SimulatedCopyJob, SimulatedJob } from './job-model.js';
import { nameBasedUuid } from './random.js';

export type JobType = 'Backup' | 'Copy';

export interface DerivedSession {
  id: string;
  jobId: string;
  jobType: JobType;
  organizationId: string;
  repositoryId: string;
  creationTime: string;
  /** Null while the session runs. */
  endTime: string | null;
  status: JobStatus;
  details: string | null;
  /** Objects processed. */
  progress: number;
}

export interface DerivedRestorePoint {
  id: string;
  jobId: string;
  jobType: JobType;
  organizationId: string;
  repositoryId: string;
  backupTime: string;
}

/** How long a finished session took: a fixed 17 minutes, so its end follows from its start. */
const SESSION_MS = 17 * 60 * 1000;

const DETAILS: Partial<Record<JobStatus, string>> = {
  Failed: 'Failed to process 3 of 120 objects: the proxy server could not reach the organization.',
  Warning: 'Processed 118 of 120 objects; 2 mailboxes were skipped.',
};

/** The latest session of a job, or undefined when it has never run. */
export function latestSession(job: SimulatedJob | SimulatedCopyJob, jobType: JobType): DerivedSession | undefined {
  if (job.lastRun === null) return undefined;
  const running = job.lastStatus === 'Running';
  return {
    id: nameBasedUuid(`session ${job.id} ${job.lastRun}`),
    jobId: job.id,
    jobType,
    organizationId: job.organizationId,
    repositoryId: job.repositoryId,
    creationTime: job.lastRun,
    endTime: running ? null : new Date(Date.parse(job.lastRun) + SESSION_MS).toISOString(),
    status: job.lastStatus,
    details: DETAILS[job.lastStatus] ?? null,
    progress: running ? 42 : 120,
  };
}

/** The restore point of a job's last backup, or undefined when it has none. */
export function latestRestorePoint(
  job: SimulatedJob | SimulatedCopyJob,
  jobType: JobType,
): DerivedRestorePoint | undefined {
  if (job.lastBackup === null) return undefined;
  return {
    id: nameBasedUuid(`restore point ${job.id} ${job.lastBackup}`),
    jobId: job.id,
    jobType,
    organizationId: job.organizationId,
    repositoryId: job.repositoryId,
    backupTime: job.lastBackup,
  };
}
