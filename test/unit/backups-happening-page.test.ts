/**
 * "Are the backups happening?" as the person on call reads it, in v6, v7 and v8 against the simulator:
 * the hostile job name exactly in /metrics and as text (never markup) on the status page, the problem
 * rows for failed jobs, organizations not backed up and offline proxies ahead of the organization tables,
 * and the jobs section listing failing jobs first, capped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  SEED_HOSTILE_JOB_NAME,
  SEED_JOB_IDS as JOB,
  SEED_ORGANIZATION_IDS as ORG,
  SEED_PROXY_IDS as PROXY,
  SEED_REPOSITORY_IDS as REPO,
  type ApiVersion,
  type JobStatus,
} from 'vb365-simulator';
import { JOB_ROWS_SHOWN } from '../../src/facts/jobs/problems.js';
import { SCRIPT } from '../../src/http/status/assets.js';
import { parseExposition } from '../support/exposition-parser.js';
import { fakeClockSkippingRetries, startHarness, type Harness } from '../support/harness.js';
import { cellTexts, decodeHtml, elementHtml } from '../support/html-text.js';

const VERSIONS: readonly ApiVersion[] = ['v6', 'v7', 'v8'];
const HOUR_MS = 3_600_000;
const NEW_KINDS = ['jobs-failed', 'organizations-not-backed-up', 'proxy-offline'];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(version: ApiVersion): Promise<Harness> {
  const clock = fakeClockSkippingRetries();
  harness = await startHarness({ clock, simulator: { clock }, server: { apiVersion: version } });
  return harness;
}

/** The status page without the page's own script (exactly as shipped), so any other <script> came from data. */
async function statusPage(h: Harness): Promise<string> {
  const response = await fetch(`${h.exporter.url}/`);
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain(`<script>${SCRIPT}</script>`);
  return html.replace(`<script>${SCRIPT}</script>`, '');
}

/** The problem rows' kinds in page order, and each row's cells as text. */
function problemRows(html: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const match of html.matchAll(/<tr class="problem" data-kind="([^"]+)">([\s\S]*?)<\/tr>/g))
    rows.set(match[1] ?? '', cellTexts(match[2] ?? ''));
  return rows;
}

/** The job IDs of the jobs section's rows, in page order. */
function jobRowIds(html: string): string[] {
  const section = elementHtml(html, '<section id="jobs"', '</section>');
  return [...section.matchAll(/<tr data-job-id="([^"]+)">/g)].map((match) => match[1] ?? '');
}

describe.each(VERSIONS)('%s', (version) => {
  it('carries the hostile job name exactly in /metrics, and shows it as text on the status page', async () => {
    const h = await start(version);
    // Failed, so that the name is also in the problem row's sample.
    h.simulator.data.updateJob(JOB.northwindHostile, { lastStatus: 'Failed' });
    await h.exporter.pollNow();

    const families = parseExposition(await h.metricsText());
    const info = families
      .find((family) => family.name === 'veeam_vb365_job_info')
      ?.samples.filter((sample) => sample.labels['job_id'] === JOB.northwindHostile);
    expect(info).toHaveLength(1);
    expect(info?.[0]?.labels['job_name']).toBe(SEED_HOSTILE_JOB_NAME);

    const html = await statusPage(h);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html.toLowerCase()).not.toMatch(/<\/?script/);
    // In the job's row, its first cell.
    const row = elementHtml(html, `<tr data-job-id="${JOB.northwindHostile}">`, '</tr>');
    expect(cellTexts(row)[0]).toBe(SEED_HOSTILE_JOB_NAME);
    // In the problem row, among the failed jobs' names.
    const failed = problemRows(html).get('jobs-failed');
    expect(failed?.[2]).toBe(`2 jobs\nFabrikam Daily, ${SEED_HOSTILE_JOB_NAME}`);
    // Every piece of text that holds the name holds it escaped: no < or > of it reaches the HTML raw.
    const pieces = html.split(/<[^>]*>/).filter((piece) => decodeHtml(piece).includes('alert(1)'));
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    for (const piece of pieces) expect(piece).not.toMatch(/[<>"]/);
  });

  it('reports failed jobs, organizations not backed up and offline proxies before the organization tables, until they are fixed', async () => {
    const h = await start(version);
    let html = await statusPage(h);
    const rows = problemRows(html);
    const kinds = [...rows.keys()];
    // In the on-call order, each once.
    expect(kinds.filter((kind) => NEW_KINDS.includes(kind))).toEqual(NEW_KINDS);
    expect(rows.get('jobs-failed')?.slice(0, 3)).toEqual(['Jobs failed', 'sim', '1 job\nFabrikam Daily']);
    expect(rows.get('jobs-failed')?.[4]).toBe('the last run failed (lastStatus Failed)');
    // As the alert: the organization last backed up 27 h ago is critical, the one never backed up a warning.
    const notBackedUp = html.split('\n').filter((line) => line.includes('data-kind="organizations-not-backed-up"'));
    expect(notBackedUp).toHaveLength(2);
    expect(notBackedUp[0]).toContain('badge critical');
    expect(decodeHtml(notBackedUp[0] ?? '')).toContain('1 organization<br><span class="note">Fabrikam</span>');
    expect(notBackedUp[1]).toContain('badge warning');
    expect(rows.get('organizations-not-backed-up')?.slice(0, 3)).toEqual([
      'Not backed up',
      'sim',
      '1 organization\nLitware',
    ]);
    expect(rows.get('proxy-offline')?.slice(0, 3)).toEqual(['Proxy offline', 'sim', 'proxy-branch']);
    // The maintenance mode is only known on v8.
    expect(rows.has('proxy-maintenance')).toBe(version === 'v8');
    // The problems, then the jobs, then the organizations.
    const organizations = html.indexOf('<section id="organizations"');
    expect(organizations).toBeGreaterThan(0);
    for (const kind of NEW_KINDS) expect(html.indexOf(`data-kind="${kind}"`)).toBeLessThan(organizations);
    expect(html.indexOf('<section id="problems"')).toBeLessThan(html.indexOf('<section id="jobs"'));
    expect(html.indexOf('<section id="jobs"')).toBeLessThan(organizations);

    const { data } = h.simulator;
    const nowIso = new Date(h.simulator.data.startedAtMs).toISOString();
    data.updateJob(JOB.fabrikamFailed, { lastStatus: 'Success', lastBackup: nowIso });
    data.updateOrganization(ORG.fabrikam, { lastBackupTime: nowIso });
    data.updateOrganization(ORG.litware, { isBackedup: true, lastBackupTime: nowIso });
    data.updateProxy(PROXY.branchOffice, { status: 'Online' });
    await h.exporter.pollNow();
    html = await statusPage(h);
    expect([...problemRows(html).keys()].filter((kind) => NEW_KINDS.includes(kind))).toEqual([]);
  });

  it('lists failing jobs first in the jobs section, capped, saying how many are left out', async () => {
    const h = await start(version);
    const { data } = h.simulator;
    // Named to sort last, so only their status brings the failing ones to the top.
    const added = (index: number, lastStatus: JobStatus, name: string): void => {
      data.addJob({
        id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
        organizationId: ORG.contoso,
        repositoryId: REPO.contosoAzure,
        name,
        lastStatus,
        lastRun: new Date(data.startedAtMs - HOUR_MS).toISOString(),
      });
    };
    for (let index = 0; index < JOB_ROWS_SHOWN + 10; index++) added(index, 'Success', `Mailbox job ${index}`);
    for (let index = 0; index < 6; index++) added(10_000 + index, 'Failed', `zz failed ${index}`);
    for (let index = 0; index < 3; index++) added(20_000 + index, 'Warning', `zz warning ${index}`);
    await h.exporter.pollNow();

    const total = data.jobs.size + data.copyJobs.size;
    const html = await statusPage(h);
    const shown = jobRowIds(html);
    expect(shown).toHaveLength(JOB_ROWS_SHOWN);
    const failed = [...data.jobs.values()].filter((job) => job.lastStatus === 'Failed').map((job) => job.id);
    const warning = [...data.jobs.values()].filter((job) => job.lastStatus === 'Warning').map((job) => job.id);
    expect(failed).toHaveLength(7);
    expect(warning).toHaveLength(4);
    expect(new Set(shown.slice(0, failed.length))).toEqual(new Set(failed));
    expect(new Set(shown.slice(failed.length, failed.length + warning.length))).toEqual(new Set(warning));
    expect(decodeHtml(elementHtml(html, '<p class="more note">', '</p>').replace(/<[^>]*>/g, ''))).toBe(
      `${total - JOB_ROWS_SHOWN} more jobs are not listed (every one is in /metrics).`,
    );
  });

  it('names a few failed jobs in the problem row and says how many more failed, however many organizations they belong to', async () => {
    const h = await start(version);
    // Six more failed jobs, all Contoso's: seven failed jobs in two organizations.
    for (let index = 0; index < 6; index++)
      h.simulator.data.addJob({
        id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
        organizationId: ORG.contoso,
        repositoryId: REPO.contosoAzure,
        name: `Contoso failed ${index}`,
        lastStatus: 'Failed',
      });
    await h.exporter.pollNow();
    const failed = problemRows(await statusPage(h)).get('jobs-failed');
    const [what, names] = (failed?.[2] ?? '').split('\n');
    expect(what).toBe('7 jobs');
    // Five names, then the two left out.
    expect(names).toMatch(/^([^,]+, ){4}[^,]+ and 2 more$/);
  });
});
