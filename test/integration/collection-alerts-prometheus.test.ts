/**
 * The collection alerts of alerts/vb365-exporter.rules.yml against a real Prometheus (Debian package
 * `prometheus`) scraping the real exporter, which polls two bundled simulators: one server set to
 * per_repository whose simulator answers another used space per repository than per organization (so the
 * exporter falls back), one server of that simulator read per organization (no collection series), and one
 * set to per_repository whose repository lists a row of no listed organization. VB365CollectionFellBack
 * fires for the first only, with its description rendered from the exporter's own series, and resolves
 * after a reload; VB365CollectionUnmappedItems is pending for the third only. The promtool cases
 * (alerts/vb365-exporter.rules.test.yml) cover the timing; this shows the rules meet the names and labels
 * the exporter really gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEED_ORGANIZATION_IDS as ORG,
  SEED_REPOSITORY_IDS as REPO,
  startSimulator,
  type Simulator,
} from 'vb365-simulator';
import { systemClock } from '../../src/clock.js';
import { startExporter, type RunningExporter } from '../../src/exporter.js';
import { createLogger } from '../../src/logger.js';
import { serverConfig, testExporterConfig } from '../support/harness.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULES_FILE = path.join(ROOT, 'alerts', 'vb365-exporter.rules.yml');
const JOB = 'vb365-exporter';
const FELL_BACK = 'vb365-fell-back';
const PER_ORGANIZATION = 'vb365-per-organization';
const UNMAPPED = 'vb365-unmapped';
/** A row the repository lists for an organization the server does not list. */
const UNLISTED_ID = '0d5e1f3a-7b2c-4e8d-9a61-00000000dead';

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}
interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

let workDir: string;
let skewed: Simulator;
let unlisted: Simulator;
let exporter: RunningExporter;
let prometheus: RunningPrometheus | undefined;

async function api<T>(pathAndQuery: string): Promise<T> {
  const response = await fetch(`${prometheus?.url ?? ''}${pathAndQuery}`);
  const body = (await response.json()) as { status: string; error?: string; data?: T };
  if (body.status !== 'success' || body.data === undefined)
    throw new Error(`${pathAndQuery} failed: ${body.error ?? ''}`);
  return body.data;
}

const query = async (expr: string): Promise<PromSample[]> =>
  (await api<{ result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;

/** The alerts Prometheus holds now (pending or firing) of that name. */
const alerts = async (name: string): Promise<Alert[]> =>
  (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.filter((alert) => alert.labels['alertname'] === name);

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

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'vb365-collection-alerts-'));
  skewed = await startSimulator();
  // Contoso's used space in nordLocal, as the repository reports it, is not what Contoso's own UsedRepositories says.
  skewed.data.setBackedUpOrganizationSkew(REPO.nordLocal, ORG.contoso, { usedSpaceBytes: 1 });
  unlisted = await startSimulator();
  unlisted.addFault({
    route: 'backed_up_organizations',
    transformBody: (body, request) => {
      if (!request.path.includes(REPO.nordLocal) || request.status !== 200) return body;
      const page = JSON.parse(body) as { results: unknown[] };
      page.results.push({
        id: UNLISTED_ID,
        name: 'Removed Tenant',
        usedSpaceBytes: 1024,
        localCacheUsedSpaceBytes: null,
        objectStorageUsedSpaceBytes: null,
      });
      return JSON.stringify(page);
    },
  });
  const servers = [
    serverConfig(skewed, { name: FELL_BACK, collection: 'per_repository', verificationCycles: 1 }),
    serverConfig(skewed, { name: PER_ORGANIZATION }),
    serverConfig(unlisted, { name: UNMAPPED, collection: 'per_repository', verificationCycles: 1 }),
  ];
  const config = testExporterConfig(servers);
  exporter = await startExporter(config, {
    logger: createLogger('silent'),
    clock: systemClock,
    random: Math.random,
    version: '0.0.0-test',
    reloadConfiguration: () => ({ config, webConfig: undefined, warnings: [] }),
  });
  await exporter.pollNow();

  prometheus = await startPrometheus({
    workDir,
    targets: [{ job: JOB, address: new URL(exporter.url).host }],
    ruleFiles: [RULES_FILE],
  });
  await waitFor(
    'the first scrape',
    15_000,
    async () => (await query(`veeam_vb365_collection_fallback{job="${JOB}"}`)).length === 2,
  );
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  await skewed?.close();
  await unlisted?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the collection alerts on what the exporter exports', () => {
  it('fires VB365CollectionFellBack for the server that fell back only, its description read from its own series', async () => {
    await waitFor('VB365CollectionFellBack to fire', 15_000, async () =>
      (await alerts('VB365CollectionFellBack')).some((alert) => alert.state === 'firing'),
    );
    const fired = await alerts('VB365CollectionFellBack');
    expect(fired.map((alert) => alert.labels['server'])).toEqual([FELL_BACK]);
    const [alert] = fired;
    const instance = new URL(exporter.url).host;
    expect(alert?.labels).toEqual({
      alertname: 'VB365CollectionFellBack',
      severity: 'warning',
      server: FELL_BACK,
      job: JOB,
      instance,
    });
    expect(alert?.annotations['summary']).toBe(
      `vb365-exporter ${instance} reads the used space of ${FELL_BACK} per organization again.`,
    );
    // One difference (Contoso in nordLocal); every organization the server lists is now read on its own.
    const description = alert?.annotations['description'] ?? '';
    expect(description).toContain('(1 difference since the exporter started)');
    expect(description).toContain(
      `one UsedRepositories request per organization a cycle (${skewed.data.organizations.size} organizations)`,
    );
    // The server read per organization has no collection series to fire on.
    expect(await query(`veeam_vb365_collection_fallback{server="${PER_ORGANIZATION}"}`)).toEqual([]);
    expect((await query('veeam_vb365_collection_fallback == 0')).map((s) => s.metric['server'])).toEqual([UNMAPPED]);
  });

  it('holds VB365CollectionUnmappedItems pending for the server whose repository lists an unlisted organization', async () => {
    await waitFor(
      'VB365CollectionUnmappedItems to be pending',
      15_000,
      async () => (await alerts('VB365CollectionUnmappedItems')).length > 0,
    );
    const pending = await alerts('VB365CollectionUnmappedItems');
    expect(pending.map(({ labels, state, value }) => ({ labels, state, value: Number(value) }))).toEqual([
      {
        labels: { alertname: 'VB365CollectionUnmappedItems', severity: 'warning', server: UNMAPPED },
        state: 'pending', // for an hour, before it fires
        value: 1,
      },
    ]);
    // The row is read and counted, not exported under its ID.
    expect(await query(`{organization_id="${UNLISTED_ID}"}`)).toEqual([]);
  });

  it('resolves VB365CollectionFellBack after a reload, which reads per repository again; the count of differences stays', async () => {
    skewed.data.setBackedUpOrganizationSkew(REPO.nordLocal, ORG.contoso, null);
    expect(await exporter.reload()).toEqual({ ok: true });
    await exporter.pollNow();
    await waitFor(
      'VB365CollectionFellBack to resolve',
      15_000,
      async () => (await alerts('VB365CollectionFellBack')).length === 0,
    );
    const fallback = await query(`veeam_vb365_collection_fallback{server="${FELL_BACK}"}`);
    expect(fallback.map((s) => s.value[1])).toEqual(['0']);
    const mismatches = await query(`veeam_vb365_collection_mismatches_total{server="${FELL_BACK}"}`);
    expect(mismatches.map((s) => s.value[1])).toEqual(['1']);
  });
});
