/** The jobs' metric families: one info series per job, its last status, whether it is enabled, its times. */
import { label } from '../../metrics/label-value.js';
import type { CycleState, Emit, Family, FamilyView } from '../fact.js';
import { flag, seconds } from '../samples.js';
import { CACHED } from '../wording.js';
import type { Job } from './parse.js';
import type { JobsSlice } from './state.js';

type View = CycleState & JobsSlice;

const perJob =
  (value: (job: Job) => number | null) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    for (const job of server.jobs) emit(value(job), undefined, undefined, label('job_id', job.id));
  };

export const jobFamilies: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_job_info',
    help: `Every backup job (job_type backup) and backup copy job (copy) with its name, organization (empty where the server does not say) and target repository; always 1. ${CACHED}`,
    samples: ({ server }, emit) => {
      for (const job of server.jobs)
        emit(
          1,
          undefined,
          undefined,
          `${label('job_id', job.id)}${label('job_name', job.name)}${label('job_type', job.type)}${label('organization_id', job.organizationId)}${label('repository_id', job.repositoryId)}`,
        );
    },
  },
  {
    name: 'veeam_vb365_job_last_status',
    help: `The job's status as VB365 spells it (Success, Warning, Failed, Running, Stopped, NotConfigured, Disconnected, Queued...): 1 for the current status only. ${CACHED}`,
    samples: ({ server }, emit) => {
      for (const job of server.jobs)
        if (job.lastStatus !== '')
          emit(1, undefined, undefined, `${label('job_id', job.id)}${label('status', job.lastStatus)}`);
    },
  },
  {
    name: 'veeam_vb365_job_enabled',
    help: `Whether the job is enabled (isEnabled: 1) or disabled (0). ${CACHED}`,
    samples: perJob((job) => flag(job.isEnabled)),
  },
  {
    name: 'veeam_vb365_job_last_run_timestamp_seconds',
    help: `Unix time the job last ran (lastRun), whatever its result. ${CACHED}`,
    samples: perJob((job) => seconds(job.lastRunMs)),
  },
  {
    name: 'veeam_vb365_job_next_run_timestamp_seconds',
    help: `Unix time the job is next scheduled to run (nextRun); none when it has no schedule. ${CACHED}`,
    samples: perJob((job) => seconds(job.nextRunMs)),
  },
  {
    name: 'veeam_vb365_job_last_backup_timestamp_seconds',
    help: `Unix time of the job's last successful run (lastBackup; v7 and later). ${CACHED}`,
    samples: perJob((job) => seconds(job.lastBackupMs)),
  },
];
