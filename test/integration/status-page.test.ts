/** The status page at `/` in a real browser (headless Chromium driven by playwright-core): it renders and shows failures. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ORGANIZATION_IDS as ORG } from 'vb365-simulator';
import { ROWS_SHOWN } from '../../src/http/landing-page.js';
import { startHarness, type Harness } from '../support/harness.js';
import { requireTool } from '../support/tools.js';

const OUTPUT = join(import.meta.dirname, '..', '..', 'test-results');

describe('status page', () => {
  let harness: Harness;
  let browser: Browser;
  beforeAll(async () => {
    harness = await startHarness();
    harness.simulator.addFault({ route: 'used_repositories', organizationId: ORG.fabrikam, status: 503 });
    await harness.exporter.pollNow();
    browser = await chromium.launch({
      executablePath: requireTool('chromium', 'chromium'),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await harness.close();
  });

  it('renders each server and organization, a failing one as failing, and takes a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const response = await page.goto(`${harness.exporter.url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('VB365 exporter');
    expect(await page.locator('section[data-server="sim"] h2').innerText()).toBe('sim: up');

    const failing = page.locator(`tr[data-organization-id="${ORG.fabrikam}"]`);
    expect(await failing.getAttribute('class')).toBe('org-failed');
    expect(await failing.locator('td').nth(2).innerText()).toBe('failed');
    expect(await failing.locator('td').nth(3).innerText()).toContain('HTTP 503');
    // Failing organizations come first.
    expect(await page.locator('tbody tr').first().getAttribute('data-organization-id')).toBe(ORG.fabrikam);
    expect(await page.locator('.summary').innerText()).toBe('5 organizations · 1 failing');

    const contoso = page.locator(`tr[data-organization-id="${ORG.contoso}"]`);
    expect(await contoso.locator('td').nth(0).innerText()).toBe('Contoso');
    expect(await contoso.locator('td').nth(2).innerText()).toBe('ok');
    expect(await contoso.locator('td').nth(4).innerText()).toBe('3');
    // 0 + 2499432773 + 0 + 2348310138 + 9559506944 + 0 bytes = 14407249855 B = 13.42 GiB
    expect(await contoso.locator('td').nth(5).innerText()).toBe('13.42 GiB');

    mkdirSync(OUTPUT, { recursive: true });
    const screenshot = await page.screenshot({ path: join(OUTPUT, 'status-page.png'), fullPage: true });
    expect(screenshot.length).toBeGreaterThan(10_000);
    await page.close();
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
      expect(html.match(/<tr data-organization-id=/g)).toHaveLength(ROWS_SHOWN);
      expect(html.match(/class="org-failed"/g)).toHaveLength(2);
      expect(html).toContain(`and ${600 - ROWS_SHOWN} more organizations, all polled successfully`);
    } finally {
      await harness.close();
    }
  });
});
