/** How the jobs carry over cycles: each listing read replaces its jobs, a failed one keeps them. */
import type { Job } from './parse.js';

export interface JobsSlice {
  /** Backup jobs, then copy jobs, each in ID order; only this shard's (see index.ts). */
  readonly jobs: readonly Job[];
}

/** What a cycle read, this shard's jobs only; undefined where that listing failed. */
export interface JobsRead {
  readonly backupJobs: readonly Job[] | undefined;
  readonly copyJobs: readonly Job[] | undefined;
}

export function nextJobs(previous: JobsSlice, read: JobsRead | undefined): JobsSlice {
  if (read === undefined) return { jobs: previous.jobs };
  const backupJobs = read.backupJobs ?? previous.jobs.filter((job) => job.type === 'backup');
  const copyJobs = read.copyJobs ?? previous.jobs.filter((job) => job.type === 'copy');
  return { jobs: [...backupJobs, ...copyJobs] };
}
