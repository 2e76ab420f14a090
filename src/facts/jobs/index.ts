/**
 * Backup jobs and backup copy jobs: one read of each listing per cycle (its pages), beside the
 * organization polls, never one request per organization. Each listing that fails keeps its last jobs.
 * With shards, a job is exported by the shard that owns its organization; a job whose organization is
 * unknown by the one shard that owns the empty ID, so that every job is exported exactly once.
 */
import type { Listing } from '../../vb365/types.js';
import type { CycleContext, CycleState, Fact } from '../fact.js';
import { keptIfEqual } from '../../store/unchanged.js';
import { sortedById } from '../by-id.js';
import type { OrganizationsSlice } from '../organizations/index.js';
import { keptOnFailure, logRejected } from '../reading.js';
import { jobFamilies } from './families.js';
import { backupJobItems, backupJobsRoute, copyJobItems, copyJobsRoute, type Job } from './parse.js';
import { jobProblemKinds, jobProblems, jobsSection } from './problems.js';
import { nextJobs, type JobsRead, type JobsSlice } from './state.js';

type View = CycleState & JobsSlice & Pick<OrganizationsSlice, 'organizations'>;

async function readJobs(context: CycleContext, previous: View): Promise<JobsRead> {
  const listed = (what: string, read: () => Promise<Listing<Job>>): Promise<readonly Job[] | undefined> =>
    keptOnFailure(context, what, async () => {
      const listing = await read();
      logRejected(context.logger, what, listing);
      return listing.items;
    });
  const [backupJobs, copyJobs] = await Promise.all([
    listed('backup jobs', () => context.client.listing(backupJobsRoute, backupJobItems, context.signal)),
    listed('backup copy jobs', () => context.client.listing(copyJobsRoute, copyJobItems, context.signal)),
  ]);
  // v6/v7 copy jobs do not name their organization: it is their backup job's (this cycle's, or the last known).
  const organizationOf = new Map(
    (backupJobs ?? previous.jobs.filter((job) => job.type === 'backup')).map((job) => [job.id, job.organizationId]),
  );
  const resolved = copyJobs?.map((job) =>
    job.organizationId !== '' || job.backupJobId === undefined
      ? job
      : { ...job, organizationId: organizationOf.get(job.backupJobId) ?? '' },
  );
  // Jobs read again unchanged keep their old objects, so the fresh copies die young (store/unchanged.ts).
  const before = new Map(previous.jobs.map((job) => [`${job.type} ${job.id}`, job]));
  const ours = (jobs: readonly Job[] | undefined): Job[] | undefined =>
    jobs === undefined
      ? undefined
      : sortedById(
          jobs
            .filter((job) => context.owns(job.organizationId))
            .map((job) => keptIfEqual(before.get(`${job.type} ${job.id}`), job)),
        );
  return { backupJobs: ours(backupJobs), copyJobs: ours(resolved) };
}

export const jobsFact: Fact<View, JobsSlice, JobsRead> = {
  name: 'jobs',
  initial: { jobs: [] },
  read: readJobs,
  next: nextJobs,
  families: jobFamilies,
  problemKinds: jobProblemKinds,
  problems: jobProblems,
  columns: [],
  section: jobsSection,
};

export type { JobsSlice } from './state.js';
