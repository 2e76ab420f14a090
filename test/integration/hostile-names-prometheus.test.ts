/**
 * Hostile servers, part 1 against a real Prometheus (Debian package `prometheus`): it scrapes the exporter
 * serving organizations and repositories named with quotes, backslashes, newlines, `<script>`, ampersands and
 * 5,000 characters (test/support/hostile-names.ts), and /api/v1/query returns every label value exactly as
 * the VB365 server sent it, also when selected by that value in PromQL. Prometheus is started as
 * grafana-dashboard.test.ts starts it (test/support/prometheus.ts), with a 1 s scrape interval and bounded waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from 'vb365-simulator';
import type { RunningExporter } from '../../src/exporter.js';
import { serverConfig, startQuietExporter } from '../support/harness.js';
import { HOSTILE_ORGANIZATIONS, LONG_NAME, addHostileOrganizations } from '../support/hostile-names.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const JOB = 'vb365-hostile';

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

let workDir: string;
let simulator: Simulator;
let exporter: RunningExporter;
let prometheus: RunningPrometheus | undefined;
let prometheusUrl: string;

/** Retries `check` every 200 ms until it returns true; fails after timeoutMs with what Prometheus said. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; Prometheus said:\n${prometheus?.logs() ?? ''}`,
      );
    await sleep(200);
  }
}

async function query(expr: string): Promise<PromSample[]> {
  // POST: the 5,000-character name makes a long query.
  const response = await fetch(`${prometheusUrl}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`query ${expr.slice(0, 100)} failed: ${body.error ?? ''}`);
  return body.data?.result ?? [];
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'vb365-hostile-prometheus-'));
  simulator = await startSimulator({ seed: false });
  addHostileOrganizations(simulator);
  exporter = await startQuietExporter([serverConfig(simulator, { name: 'vb365-hostile', pollIntervalSeconds: 3600 })]);
  await exporter.pollNow();

  prometheus = await startPrometheus({ workDir, targets: [{ job: JOB, address: new URL(exporter.url).host }] });
  prometheusUrl = prometheus.url;
  // Every hostile series scraped, and the scrape itself healthy.
  await waitFor(
    'the first scrape',
    15_000,
    async () =>
      (await query('veeam_vb365_repository_info')).length === HOSTILE_ORGANIZATIONS.length &&
      (await query(`up{job="${JOB}"} == 1`)).length === 1,
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  await simulator?.close();
  rmSync(workDir, { recursive: true, force: true });
});

it('holds every organization name, repository name and details exactly as the server sent them', async () => {
  const series = await query('veeam_vb365_repository_info');
  const byOrganization = new Map(series.map((sample) => [sample.metric['organization_id'], sample]));
  expect(byOrganization.size).toBe(HOSTILE_ORGANIZATIONS.length);
  for (const organization of HOSTILE_ORGANIZATIONS) {
    expect(byOrganization.get(organization.id)?.metric).toEqual({
      __name__: 'veeam_vb365_repository_info',
      instance: new URL(exporter.url).host,
      job: JOB,
      server: 'vb365-hostile',
      organization_id: organization.id,
      repository_id: organization.repositoryId,
      organization_name: organization.name,
      repository_name: organization.repositoryName,
      details: organization.details,
    });
    expect(byOrganization.get(organization.id)?.value[1]).toBe('1');
  }
  expect(HOSTILE_ORGANIZATIONS.map((organization) => organization.name)).toContain(LONG_NAME);
});

it('selects each organization by its exact name in PromQL', async () => {
  for (const organization of HOSTILE_ORGANIZATIONS) {
    // A JSON string is a valid PromQL string: the same escapes (\\, \", \n, \uXXXX).
    const found = await query(`veeam_vb365_repository_info{organization_name=${JSON.stringify(organization.name)}}`);
    expect(found.map((sample) => sample.metric['organization_id'])).toEqual([organization.id]);
  }
});
