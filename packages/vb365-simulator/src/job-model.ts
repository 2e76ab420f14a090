// Backup jobs and backup copy jobs as the simulator keeps them. Field names follow the REST API; values are
// version-neutral (job-representations.ts turns them into each version's JSON).

/** `lastStatus` of a job (and `status` of its sessions), as the documents list them. */
export type JobStatus =
  'Stopped' | 'Running' | 'Success' | 'Failed' | 'Warning' | 'NotConfigured' | 'Disconnected' | 'Queued';

/** The schedule a backup job runs on; `every` only for Periodically (Hours12 exists from v8 on). */
export interface JobSchedule {
  type: 'Daily' | 'Periodically' | 'ManualOnly';
  every: 'Minutes5' | 'Minutes10' | 'Minutes15' | 'Minutes30' | 'Hours1' | 'Hours2' | 'Hours4' | 'Hours8' | null;
  /** Daily: the time of day, e.g. '22:00:00'. */
  dailyTime: string;
}

interface JobCommon {
  id: string;
  /** The organization the job backs up (v8 answers it; v6/v7 link to it). */
  organizationId: string;
  repositoryId: string;
  name: string;
  isEnabled: boolean;
  lastStatus: JobStatus;
  /** ISO date-times, null when never (or not scheduled). */
  lastRun: string | null;
  nextRun: string | null;
  /** The last successful run (v7 and later answer it). */
  lastBackup: string | null;
}

export interface SimulatedJob extends JobCommon {
  description: string;
  backupType: 'EntireOrganization' | 'SelectedItems';
  schedule: JobSchedule;
}

export interface SimulatedCopyJob extends JobCommon {
  /** The backup job whose restore points it copies. */
  backupJobId: string;
  schedule: { type: 'Immediate' | 'Periodically' | 'DailyAtTime'; dailyTime: string };
}

type WithDefaults<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

export type JobInput = WithDefaults<
  Omit<SimulatedJob, 'schedule'>,
  'id' | 'organizationId' | 'repositoryId' | 'name'
> & {
  schedule?: Partial<JobSchedule>;
};
export type CopyJobInput = WithDefaults<
  SimulatedCopyJob,
  'id' | 'organizationId' | 'repositoryId' | 'name' | 'backupJobId'
>;

/** Changes to a job's state; the IDs stay. */
export type JobChanges = Partial<Omit<SimulatedJob, 'id'>>;
export type CopyJobChanges = Partial<Omit<SimulatedCopyJob, 'id'>>;

export function toJob(input: JobInput): SimulatedJob {
  return {
    id: input.id.toLowerCase(),
    organizationId: input.organizationId.toLowerCase(),
    repositoryId: input.repositoryId.toLowerCase(),
    name: input.name,
    description: input.description ?? '',
    backupType: input.backupType ?? 'EntireOrganization',
    isEnabled: input.isEnabled ?? true,
    lastStatus: input.lastStatus ?? 'Success',
    lastRun: input.lastRun ?? null,
    nextRun: input.nextRun ?? null,
    lastBackup: input.lastBackup ?? null,
    schedule: {
      type: input.schedule?.type ?? 'Daily',
      every: input.schedule?.every ?? null,
      dailyTime: input.schedule?.dailyTime ?? '22:00:00',
    },
  };
}

export function toCopyJob(input: CopyJobInput): SimulatedCopyJob {
  return {
    id: input.id.toLowerCase(),
    organizationId: input.organizationId.toLowerCase(),
    repositoryId: input.repositoryId.toLowerCase(),
    backupJobId: input.backupJobId.toLowerCase(),
    name: input.name,
    isEnabled: input.isEnabled ?? true,
    lastStatus: input.lastStatus ?? 'Success',
    lastRun: input.lastRun ?? null,
    nextRun: input.nextRun ?? null,
    lastBackup: input.lastBackup ?? null,
    schedule: input.schedule ?? { type: 'Immediate', dailyTime: '00:00:00' },
  };
}
