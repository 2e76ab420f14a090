// Deterministic backup and copy jobs for generated organizations (load tests of the job routes).
import type { CopyJobInput, JobInput, JobStatus } from './job-model.js';
import type { SimulatedOrganization } from './model.js';
import { randomInt, randomUuid, seededRandom } from './random.js';

const HOUR_MS = 3600 * 1000;

export interface GeneratedJobs {
  jobs: JobInput[];
  copyJobs: CopyJobInput[];
}

/**
 * The jobs of the `index`-th generated organization: `jobsEach` daily backup jobs on its repositories in
 * turn (a few failed or with warnings), and `copyJobsEach` copy jobs of them to its next repository.
 * Times are whole minutes before `nowMs`, so the same clock gives the same jobs.
 */
export function generateJobs(
  index: number,
  organization: SimulatedOrganization,
  options: { jobsEach: number; copyJobsEach: number; nowMs: number },
): GeneratedJobs {
  const repositories = organization.usedRepositories;
  if (repositories.length === 0) return { jobs: [], copyJobs: [] };
  // A stream of its own, so the organizations themselves stay as they were without jobs.
  const random = seededRandom(0x10b50000 + index);
  const number = String(index + 1).padStart(4, '0');
  const at = (ms: number): string => new Date(ms).toISOString();
  const jobs: JobInput[] = [];
  /** When each job last backed up (ms), what its copy job copies an hour later. */
  const backedUpAtMs: number[] = [];
  for (let k = 0; k < options.jobsEach; k++) {
    const draw = random();
    const lastStatus: JobStatus = draw < 0.03 ? 'Failed' : draw < 0.08 ? 'Warning' : 'Success';
    const lastRunMs = options.nowMs - (60 + randomInt(random, 22 * 60)) * 60_000;
    const lastBackupMs = lastStatus === 'Failed' ? lastRunMs - 24 * HOUR_MS : lastRunMs;
    backedUpAtMs.push(lastBackupMs);
    jobs.push({
      id: randomUuid(random),
      organizationId: organization.id,
      repositoryId: repositories[k % repositories.length]?.repositoryId ?? '',
      name: `Generated Job ${number}-${k + 1}`,
      lastStatus,
      lastRun: at(lastRunMs),
      nextRun: at(lastRunMs + 24 * HOUR_MS),
      lastBackup: at(lastBackupMs),
    });
  }
  const copyJobs: CopyJobInput[] = [];
  for (let k = 0; k < options.copyJobsEach && jobs.length > 0; k++) {
    const source = jobs[k % jobs.length];
    const copiedAtMs = (backedUpAtMs[k % jobs.length] ?? options.nowMs) + HOUR_MS;
    if (source === undefined) continue;
    copyJobs.push({
      id: randomUuid(random),
      organizationId: organization.id,
      repositoryId: repositories[(k + 1) % repositories.length]?.repositoryId ?? '',
      backupJobId: source.id,
      name: `Generated Copy Job ${number}-${k + 1}`,
      lastStatus: 'Success',
      lastRun: at(copiedAtMs),
      lastBackup: at(copiedAtMs),
    });
  }
  return { jobs, copyJobs };
}
