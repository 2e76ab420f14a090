/**
 * Hostile servers, part 1 against a real Prometheus (Debian package `prometheus`): it scrapes the exporter
 * serving organizations and repositories named with quotes, backslashes, newlines, `<script>`, ampersands and
 * 5,000 characters (test/support/hostile-names.ts), and /api/v1/query returns every label value exactly as
 * the VB365 server sent it, also when selected by that value in PromQL. Prometheus is started the way
 * grafana-dashboard.test.ts starts it, with a 1 s scrape interval and bounded waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startSimulator, type Simulator } from 'vb365-simulator';
import { systemClock } from '../../src/clock.js';
import { startExporter, type RunningExporter } from '../../src/exporter.js';
import { freePort } from '../support/fault-checks.js';
import { serverConfig } from '../support/harness.js';
import { HOSTILE_ORGANIZATIONS, LONG_NAME, addHostileOrganizations } from '../support/hostile-names.js';

const JOB = 'vb365-hostile';

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

let workDir: string;
let simulator: Simulator;
let exporter: RunningExporter;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
let prometheusOutput = '';

/** Retries `check` every 200 ms until it returns true; fails after timeoutMs with what Prometheus said. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (prometheus?.exitCode !== null && prometheus?.exitCode !== undefined)
      throw new Error(`prometheus exited with ${prometheus.exitCode}:\n${prometheusOutput}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; Prometheus said:\n${prometheusOutput}`);
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
  exporter = await startExporter(
    {
      servers: [serverConfig(simulator, { name: 'vb365-hostile', pollIntervalSeconds: 3600 })],
      listen: [{ host: '127.0.0.1', port: 0 }],
      telemetryPath: '/metrics',
      logLevel: 'silent',
      logFormat: 'json',
      shard: undefined,
      webConfigFile: undefined,
    },
    { logger: pino({ level: 'silent' }), clock: systemClock, random: Math.random, version: '0.0.0-test' },
  );
  await exporter.pollNow();

  const configFile = path.join(workDir, 'prometheus.yml');
  writeFileSync(
    configFile,
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      scrape_configs: [{ job_name: JOB, static_configs: [{ targets: [new URL(exporter.url).host] }] }],
    }),
  );
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  const command = process.env['PROMETHEUS'] ?? 'prometheus';
  const child = spawn(
    command,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus = child;
  const collect = (chunk: Buffer): void => {
    prometheusOutput = (prometheusOutput + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await Promise.race([
    once(child, 'spawn'),
    once(child, 'error').then(([error]: unknown[]) => {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? new Error(`prometheus not found (tried "${command}"): apt-get install prometheus, or set PROMETHEUS`)
        : error;
    }),
  ]);
  await waitFor('Prometheus to be ready', 15_000, async () => (await fetch(`${prometheusUrl}/-/ready`)).ok);
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
  if (prometheus !== undefined && prometheus.exitCode === null && prometheus.signalCode === null) {
    const exited = once(prometheus, 'exit');
    prometheus.kill('SIGTERM');
    const killer = setTimeout(() => prometheus?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
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
