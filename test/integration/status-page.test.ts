/**
 * The status page at `/` in a real browser (headless Chromium driven by playwright-core), as the person
 * on call sees it: every kind of problem with its text and in order, the overview, the organizations
 * with the filter, the 30 s refresh and its pause, the page without JavaScript, and screenshots in light
 * and dark mode and on a phone written to test-results/ for review.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEED_HOSTILE_JOB_NAME,
  SEED_JOB_IDS as JOB,
  SEED_ORGANIZATION_IDS as ORG,
  SEED_REPOSITORY_IDS as REPO,
  startSimulator,
  type Simulator,
} from 'vb365-simulator';
import { relativeTime } from '../../src/http/status/format.js';
import { MAX_FAILING_ROWS, ROWS_SHOWN } from '../../src/http/status/page.js';
import type { FakeClock } from '../support/fake-clock.js';
import { freePort } from '../support/fault-checks.js';
import {
  fakeClockSkippingRetries,
  serverConfig,
  startExporterFor,
  startHarness,
  testServerConfig,
  type ExporterHarness,
  type Harness,
} from '../support/harness.js';
import { requireTool } from '../support/tools.js';
import { clearBackupProblems } from '../support/backup-problems.js';

const OUTPUT = join(import.meta.dirname, '..', '..', 'test-results');
const MINUTE = 60_000;

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: requireTool('chromium', 'chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser.close();
});

/** What the functions below use of a table row in the browser (this project's type-check has no DOM types). */
interface BrowserRow {
  readonly dataset: Readonly<Record<string, string | undefined>>;
  readonly hidden: boolean;
  querySelectorAll(selector: string): ArrayLike<{ readonly innerText: string }>;
}

const cellTexts = (page: Page, selector: string): Promise<string[][]> =>
  page
    .locator(selector)
    .evaluateAll((rows: unknown) =>
      (rows as BrowserRow[]).map((row) => Array.from(row.querySelectorAll('td, th'), (cell) => cell.innerText)),
    );
const visibleRows = (page: Page, selector: string): Promise<number> =>
  page.locator(selector).evaluateAll((rows: unknown) => (rows as BrowserRow[]).filter((row) => !row.hidden).length);

describe('status page with something of every kind wrong', () => {
  let simulator: Simulator;
  let harness: ExporterHarness;
  let clock: FakeClock;
  let url: string;
  beforeAll(async () => {
    simulator = await startSimulator();
    // The jobs', backups' and proxies' problems have a describe of their own (below); without jobs there is
    // no jobs table either, whose rows the organization-row selectors (table[data-server]) would count too.
    clearBackupProblems(simulator.data, Date.now());
    for (const id of [...simulator.data.jobs.keys()]) simulator.data.removeJob(id);
    for (const id of [...simulator.data.copyJobs.keys()]) simulator.data.removeCopyJob(id);
    const tailwindLocal = simulator.data.getBackupRepository(REPO.tailwindLocal);
    if (tailwindLocal !== undefined) tailwindLocal.freeSpaceBytes = Math.floor((tailwindLocal.capacityBytes ?? 0) / 20); // 5 %
    clock = fakeClockSkippingRetries();
    harness = await startExporterFor(
      [
        serverConfig(simulator, { name: 'main', pollIntervalSeconds: 60 }),
        testServerConfig({ name: 'branch', url: `https://127.0.0.1:${await freePort()}`, pollIntervalSeconds: 60 }),
      ],
      { clock },
    );
    // Fabrikam fails from the second cycle on; four minutes later its data is also stale (3 x 60 s).
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.fabrikam, status: 503 });
    await clock.advance(MINUTE);
    await harness.exporter.pollNow();
    await clock.advance(3 * MINUTE);
    await harness.exporter.pollNow();
    url = `${harness.exporter.url}/`;
  }, 60_000);
  afterAll(async () => {
    await harness.close();
    await simulator.close();
  });

  it('leads with the problems, most urgent first, each saying what, where, since when and in VB365 words', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    expect((await page.goto(url))?.status()).toBe(200);
    expect(await page.title()).toBe('VB365 exporter');
    expect(await page.locator('#problems-heading').innerText()).toBe('Problems (5)');
    expect(
      await page
        .locator('tr.problem')
        .evaluateAll((rows: unknown) => (rows as BrowserRow[]).map((row) => row.dataset['kind'])),
    ).toEqual([
      'server-down',
      'repository-unavailable',
      'organizations-failing',
      'organizations-stale',
      'repository-low-space',
    ]);
    const [down, unavailable, failing, stale, lowSpace] = await cellTexts(page, 'tr.problem');
    expect(down?.slice(0, 4)).toEqual([
      'Server down',
      'branch',
      'the server (0 organizations keep their last values)',
      'never reached',
    ]);
    expect(down?.[4]).toMatch(
      /^login failed \d+ time\(s\) in a row, last: the connection failed \(ECONNREFUSED\); next attempt in \d+ s$/,
    );
    expect(unavailable).toEqual([
      'Repository unavailable',
      'main',
      'Tailwind Branch Office\nused by 1: Tailwind Toys',
      '4 min ago', // unavailable since the first cycle
      'Proxy is offline',
    ]);
    // Fabrikam's last success: the first cycle, or (when the scheduler's own cycle at 1 min raced the fault
    // rule) that one; either way older than three poll intervals, and the page says exactly the store's.
    const fabrikam = harness.exporter.store
      .servers()
      .flatMap((server) => server.organizations)
      .find((organization) => organization.id === ORG.fabrikam);
    const lastSuccessMs = fabrikam?.lastSuccessMs ?? Number.NaN;
    expect(clock.now() - lastSuccessMs).toBeGreaterThan(3 * MINUTE);
    const fabrikamSince = relativeTime(lastSuccessMs, clock.now());
    expect(failing).toEqual([
      'Organizations failing',
      'main',
      '1 organization\nFabrikam',
      fabrikamSince,
      'used_repositories answered HTTP 503: Service Unavailable',
    ]);
    expect(stale).toEqual([
      'Data stale',
      'main',
      '1 organization\nFabrikam',
      fabrikamSince,
      'last success older than 3 poll intervals: their values are old',
    ]);
    expect(lowSpace?.slice(0, 4)).toEqual(['Repository nearly full', 'main', 'Tailwind Local', 'as last listed']);
    expect(lowSpace?.[4]).toBe('5.0 % free: 204.80 GiB of 4.00 TiB (freeSpaceBytes of capacityBytes)');
    // The exact time is on hover.
    const since = page.locator('tr.problem[data-kind="organizations-failing"] time');
    expect(await since.getAttribute('title')).toBe(
      new Date(lastSuccessMs)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC'),
    );
    // Then the overview, then the organizations, failing first.
    const overview = await cellTexts(page, '#overview tbody tr');
    expect(overview.map((row) => row.slice(0, 2))).toEqual([
      ['main', 'up'],
      ['branch', 'down'],
    ]);
    expect(overview[0]?.[3]).toBe('5 1 failing');
    // What each server says about itself; nothing made up for the one never reached.
    const facts = await cellTexts(page, '#server-facts tbody tr');
    const license = simulator.data.license;
    const daysLeft = Math.floor((Date.parse(license.licenseExpires ?? '') - clock.now()) / 86_400_000);
    expect(facts[0]?.[1]).toMatch(/^\d+\.\d+\.\d+/); // the simulator's build for v8
    expect([facts[0]?.[0], ...(facts[0]?.slice(2) ?? [])]).toEqual([
      'main',
      'v8',
      'healthy',
      `valid ${license.type}, ${license.package}, ${license.usedNumber} of ${license.totalNumber} users, expires in ${daysLeft} d`,
      'all online 4 proxies',
      'per organization',
    ]);
    expect(facts[1]).toEqual([
      'branch',
      'not known',
      'not known',
      'not known',
      'not known',
      'none known',
      'not read yet',
    ]);
    expect(await page.locator('table[data-server="main"] tbody tr').first().getAttribute('data-organization-id')).toBe(
      ORG.fabrikam,
    );
    // Status in words, not colour alone; headers a screen reader can follow; nothing fetched from elsewhere.
    expect(await page.locator('th[scope="col"]').count()).toBeGreaterThan(15);
    expect(requested).toEqual([url]);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'status-page-light.png'), fullPage: true });
    await page.close();
  });

  it('is readable in dark mode and on a phone (screenshots for review)', async () => {
    const dark = await browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' });
    await dark.goto(url);
    const background = await dark.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(21, 23, 26)');
    await dark.screenshot({ path: join(OUTPUT, 'status-page-dark.png'), fullPage: true });
    await dark.close();
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(url);
    // The page itself does not scroll sideways: wide tables scroll inside their own box.
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(OUTPUT, 'status-page-phone.png'), fullPage: true });
    await phone.close();
  });

  it('filters the organizations without a round trip, and pauses the refresh while filtering', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const rows = page.locator('table[data-server="main"] tbody tr');
    expect(await rows.count()).toBe(5);
    let requests = 0;
    page.on('request', () => requests++);
    await page.locator('#filter').fill('fabrik');
    expect(await visibleRows(page, 'table[data-server="main"] tbody tr')).toBe(1);
    expect(await page.locator('#filter-count').innerText()).toBe('1 of 5 rows match');
    expect(await page.locator('#refresh-state').innerText()).toBe('Refresh paused while filtering.');
    await page.locator('#filter').fill('');
    expect(await visibleRows(page, 'table[data-server="main"] tbody tr')).toBe(5);
    expect(requests).toBe(0);
    await page.close();
  });

  it('refreshes itself every 30 s, says so, and can be paused', async () => {
    const page = await browser.newPage();
    await page.clock.install();
    await page.goto(url);
    expect(await page.locator('#refresh-state').innerText()).toBe('This page refreshes itself every 30 s.');
    let loads = 0;
    page.on('load', () => loads++);
    await page.clock.runFor(29_000);
    expect(loads).toBe(0);
    const reloaded = page.waitForEvent('load');
    await page.clock.runFor(1_000);
    await reloaded;
    expect(loads).toBe(1);
    await page.locator('#pause').click();
    expect(await page.locator('#refresh-state').innerText()).toBe('Refresh paused.');
    expect(await page.locator('#pause').innerText()).toBe('Resume');
    await page.clock.runFor(120_000);
    expect(loads).toBe(1);
    await page.close();
  });

  it('works with JavaScript off: everything shown, no refresh and no filter offered', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url);
    expect(await page.locator('tr.problem').count()).toBe(5);
    expect(await page.locator('#refresh').isVisible()).toBe(false);
    expect(await page.locator('#filter-box').isVisible()).toBe(false);
    expect(await page.locator('table[data-server="main"] tbody tr').count()).toBe(5);
    await context.close();
  });
});

describe('status page when nothing is wrong', () => {
  it('says so in one clear line', async () => {
    const harness = await startHarness();
    try {
      // The seed's unavailable repository comes back.
      const tailwind = harness.simulator.data.getUsedRepository(ORG.tailwind, REPO.tailwindOffline);
      if (tailwind !== undefined) tailwind.isAvailable = true;
      clearBackupProblems(harness.simulator.data, Date.now());
      await harness.exporter.pollNow();
      const page = await browser.newPage();
      await page.goto(`${harness.exporter.url}/`);
      // Says what it checked for, every kind of problem, the jobs', backups' and proxies' too, in the on-call order.
      const allClear = await page.locator('#problems .all-clear').innerText();
      expect(allClear).toMatch(/^No problems\. Checked for: Server down, Server unhealthy, Repository unavailable, /);
      for (const kind of ['Jobs failed', 'Not backed up', 'Proxy offline', 'Reading per organization again'])
        expect(allClear).toContain(kind);
      expect(await page.locator('tr.problem').count()).toBe(0);
      await page.close();
    } finally {
      await harness.close();
    }
  });
});

describe('status page at scale', () => {
  it('shows every failing organization but caps healthy rows, saying how many are left out', async () => {
    const harness = await startHarness({ simulator: { organizationCount: 600, seed: false } });
    try {
      const [first, second] = [...harness.simulator.data.organizations.keys()];
      for (const id of [first, second])
        harness.simulator.addFault({ route: 'used_repositories', organizationId: id ?? '', status: 500 });
      await harness.exporter.pollNow();
      const html = await (await fetch(`${harness.exporter.url}/`)).text();
      expect(html.match(/<tr data-organization-id=/g)).toHaveLength(2 + ROWS_SHOWN);
      expect(html.match(/class="org-failed"/g)).toHaveLength(2);
      expect(html).toContain(`and ${600 - 2 - ROWS_SHOWN} more organizations, all polled successfully, are not listed`);
      expect(MAX_FAILING_ROWS).toBeGreaterThanOrEqual(ROWS_SHOWN);
    } finally {
      await harness.close();
    }
  });
});

describe('status page: are the backups happening', () => {
  let harness: Harness;
  let url: string;
  beforeAll(async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({ clock, simulator: { clock } });
    // Failed too, so that its name is also among the failed jobs' names in the problem row.
    harness.simulator.data.updateJob(JOB.northwindHostile, { lastStatus: 'Failed' });
    await harness.exporter.pollNow();
    url = `${harness.exporter.url}/`;
  }, 60_000);
  afterAll(async () => {
    await harness.close();
  });

  it('leads with the failed jobs, the organizations not backed up and the offline proxy, before the jobs and the organizations', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(url);
    const kinds = await page
      .locator('tr.problem')
      .evaluateAll((rows: unknown) => (rows as BrowserRow[]).map((row) => row.dataset['kind']));
    expect(kinds).toEqual([
      'repository-unavailable',
      'jobs-failed',
      'organizations-not-backed-up', // last backed up 27 h ago: critical
      'organizations-not-backed-up', // never backed up: a warning, as the alert
      'proxy-offline',
      'proxy-maintenance',
    ]);
    const cells = (kind: string): Promise<string[]> =>
      page.locator(`tr.problem[data-kind="${kind}"] td`).allTextContents();
    expect(await cells('jobs-failed')).toEqual([
      'Jobs failed',
      'sim',
      `2 jobsFabrikam Daily, ${SEED_HOSTILE_JOB_NAME}`, // the <br> between them has no text
      '6 h ago', // the older failed run
      'the last run failed (lastStatus Failed)',
    ]);
    expect(await cells('organizations-not-backed-up')).toEqual([
      'Not backed up',
      'sim',
      '1 organizationFabrikam',
      '1 d ago', // its last backup, 27 h ago
      'no backup within 24 h (lastBackuptime)',
      'Not backed up',
      'sim',
      '1 organizationLitware',
      'never backed up',
      'never backed up (isBackedup false)',
    ]);
    expect(await cells('proxy-offline')).toEqual([
      'Proxy offline',
      'sim',
      'proxy-branch',
      'as last read',
      'Offline (status): its jobs cannot run',
    ]);
    // Problems, then the jobs, then the organizations, down the page.
    const top = async (selector: string): Promise<number> => (await page.locator(selector).boundingBox())?.y ?? NaN;
    expect(await top('#problems')).toBeLessThan(await top('#jobs'));
    expect(await top('#jobs')).toBeLessThan(await top('#organizations'));
    await page.close();
  });

  it('shows the hostile job name as text, exactly as the server names it, and runs nothing of it', async () => {
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.goto(url);
    const nameCell = page.locator(`#jobs tr[data-job-id="${JOB.northwindHostile}"] td`).first();
    expect(await nameCell.textContent()).toBe(SEED_HOSTILE_JOB_NAME);
    expect(await page.locator(`tr.problem[data-kind="jobs-failed"] .note`).textContent()).toBe(
      `Fabrikam Daily, ${SEED_HOSTILE_JOB_NAME}`,
    );
    // The page's own script is the only one; no element came from the name.
    expect(await page.evaluate<number>('document.scripts.length')).toBe(1);
    expect(dialogs).toBe(0);
    await page.close();
  });

  it('lists the jobs failing first, then the warnings, each status in words', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const rows = await cellTexts(page, '#jobs tbody tr');
    const { data } = harness.simulator;
    expect(rows).toHaveLength(data.jobs.size + data.copyJobs.size);
    expect(rows.map((row) => row[3])).toEqual([
      'Failed',
      'Failed',
      'Warning',
      // The rest by name: Contoso Archive Copy (the copy job), Contoso Daily, Contoso Nord, Tailwind...
      'Success',
      'Success',
      'Running',
      'Success disabled',
      'Success',
    ]);
    expect(rows.slice(0, 3).map((row) => row[0])).toEqual([
      'Fabrikam Daily',
      SEED_HOSTILE_JOB_NAME.replace('\n', ' '), // innerText: the newline is white space in a cell
      'Northwind Exchange',
    ]);
    await page.close();
  });
});
