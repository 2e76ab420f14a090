/**
 * The jobs as the person on call reads them: one problem row per server for the jobs whose last run
 * failed, and a section listing every job, failing first, capped like the organizations.
 */
import { escapeHtml, timeElement } from '../../http/status/format.js';
import type { CycleState, Problem, ProblemKind } from '../fact.js';
import type { OrganizationsSlice } from '../organizations/index.js';
import type { Job } from './parse.js';
import type { JobsSlice } from './state.js';

type View = CycleState & JobsSlice & Pick<OrganizationsSlice, 'organizations'>;

/** Job rows shown per server: failing and warning ones first. */
export const JOB_ROWS_SHOWN = 500;
/** Job names shown in the problem row. */
const SAMPLE_SIZE = 5;

export const jobProblemKinds: readonly ProblemKind[] = [{ kind: 'jobs-failed', label: 'Jobs failed', rank: 32 }];

export function jobProblems(server: View): Problem[] {
  const failed = server.jobs.filter((job) => job.lastStatus === 'Failed');
  if (failed.length === 0) return [];
  const lastRuns = failed.map((job) => job.lastRunMs);
  return [
    {
      kind: 'jobs-failed',
      severity: 'critical',
      server: server.name,
      what: failed.length === 1 ? '1 job' : `${failed.length} jobs`,
      sinceMs: lastRuns.includes(null) ? undefined : Math.min(...(lastRuns as number[])),
      sinceText: 'unknown',
      words: 'the last run failed (lastStatus Failed)',
      sample: failed.slice(0, SAMPLE_SIZE).map((job) => job.name || job.id),
      sampleOf: failed.length,
      organizations: new Set(failed.map((job) => job.organizationId)).size,
    },
  ];
}

/** Failed first, then warnings, then the rest, each by name. */
const URGENCY: Readonly<Record<string, number>> = { Failed: 0, Warning: 1 };
const urgency = (job: Job): number => URGENCY[job.lastStatus] ?? 2;

export function jobsSection(servers: readonly View[], nowMs: number): string {
  const tables = servers.map((server) => jobsTable(server, nowMs));
  return `<section id="jobs" aria-labelledby="jobs-heading"><h2 id="jobs-heading">Jobs</h2>
${tables.join('\n')}</section>`;
}

function jobsTable(server: View, nowMs: number): string {
  if (server.jobs.length === 0)
    return `<h3>${escapeHtml(server.name)}</h3>\n<p class="note">No jobs known for ${escapeHtml(server.name)} yet.</p>`;
  const names = new Map(server.organizations.map((organization) => [organization.id, organization.name]));
  const shown = [...server.jobs]
    .sort((a, b) => urgency(a) - urgency(b) || a.name.localeCompare(b.name))
    .slice(0, JOB_ROWS_SHOWN);
  const hidden = server.jobs.length - shown.length;
  const more =
    hidden === 0 ? '' : `<p class="more note">${hidden} more jobs are not listed (every one is in /metrics).</p>`;
  const time = (ms: number | null): string => (ms === null ? '' : timeElement(ms, nowMs));
  const rows = shown.map(
    (job) =>
      `<tr data-job-id="${job.id}"><td>${escapeHtml(job.name)}</td><td>${job.type}</td><td>${escapeHtml(names.get(job.organizationId) ?? job.organizationId)}</td><td>${statusBadge(job)}</td><td>${time(job.lastRunMs)}</td><td>${time(job.nextRunMs)}</td><td>${time(job.lastBackupMs)}</td></tr>`,
  );
  return `<h3>${escapeHtml(server.name)}</h3>
<div class="scroll"><table data-server="${escapeHtml(server.name)}"><caption>${server.jobs.length} jobs on ${escapeHtml(server.name)}, failing first</caption>
<thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">Organization</th><th scope="col">Last status</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col">Last backup</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>${more}`;
}

function statusBadge(job: Job): string {
  const status = job.lastStatus === '' ? 'none' : job.lastStatus;
  const kind = job.lastStatus === 'Failed' ? 'critical' : job.lastStatus === 'Warning' ? 'warning' : 'ok';
  const disabled = job.isEnabled === false ? ' <span class="badge warning">disabled</span>' : '';
  return `<span class="badge ${kind}">${escapeHtml(status)}</span>${disabled}`;
}
