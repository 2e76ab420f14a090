/**
 * Reload over real sockets: the real configuration file read by the real loader, POST /-/reload on the
 * real HTTP server, four simulators standing for servers kept, changed, removed and added.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import bcrypt from 'bcryptjs';
import { startSimulator, type Simulator } from 'vb365-simulator';
import { systemClock } from '../../src/clock.js';
import { parseCommandLine } from '../../src/config/args.js';
import { loadConfiguration, type Configuration } from '../../src/config/configuration.js';
import { startExporter, type RunningExporter } from '../../src/exporter.js';
import { createLogger } from '../../src/logger.js';
import { LogCapture, sampleValue, samples, waitFor } from '../support/harness.js';
import { ALICE, BOB, basic } from '../support/web-fixtures.js';

interface Setup {
  readonly simulators: Record<'kept' | 'changed' | 'removed' | 'added', Simulator>;
  readonly dir: string;
  readonly configFile: string;
  readonly exporter: RunningExporter;
  readonly logs: LogCapture;
}

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.exporter.stop();
  await Promise.all(Object.values(setup?.simulators ?? {}).map((simulator) => simulator.close()));
  setup = undefined;
});

function serverEntry(name: string, simulator: Simulator, dir: string, extra: Record<string, unknown> = {}) {
  const caFile = join(dir, `${name}-ca.pem`);
  writeFileSync(caFile, simulator.ca ?? '');
  return {
    name,
    url: simulator.url,
    api_version: 'v8',
    username: simulator.username,
    password: simulator.password,
    ca_file: caFile,
    poll_interval: '1h', // only the start, pollNow() and reloads make cycles
    ...extra,
  };
}

function writeConfig(file: string, servers: readonly object[]): void {
  writeFileSync(file, stringify({ log_level: 'debug', servers }));
}

async function start(options: { latencyMs?: number; webConfigFile?: string } = {}): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'vb365-reload-'));
  const [kept, changed, removed, added] = await Promise.all(
    [0, 1, 2, 3].map(() => startSimulator({ latencyMs: options.latencyMs ?? 0 })),
  );
  const simulators = { kept, changed, removed, added } as Setup['simulators'];
  const configFile = join(dir, 'config.yml');
  writeConfig(configFile, [
    serverEntry('kept', simulators.kept, dir),
    serverEntry('changed', simulators.changed, dir),
    serverEntry('removed', simulators.removed, dir),
  ]);
  const commandLine = parseCommandLine([
    '--config.file',
    configFile,
    ...(options.webConfigFile === undefined ? [] : ['--web.config.file', options.webConfigFile]),
  ]);
  // Both files read by the real loader, listening on a free loopback port.
  const load = (): Configuration => {
    const loaded = loadConfiguration(commandLine, {});
    return { ...loaded, config: { ...loaded.config, listen: [{ host: '127.0.0.1', port: 0 }] } };
  };
  const { config, webConfig } = load();
  const logs = new LogCapture();
  const exporter = await startExporter(config, {
    logger: createLogger('debug', logs),
    clock: systemClock,
    random: () => 0.5,
    version: '0.0.0-test',
    webConfig,
    reloadConfiguration: load,
  });
  await waitFor(() => exporter.store.ready(), 20_000);
  setup = { simulators, dir, configFile, exporter, logs };
  return setup;
}

async function metricsText(exporter: RunningExporter): Promise<string> {
  const response = await fetch(`${exporter.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

function upOf(text: string, server: string): number | undefined {
  return sampleValue(text, 'veeam_vb365_up', { server });
}

describe('reload', () => {
  it('keeps an unchanged server as it is, restarts a changed one, stops a removed one, starts an added one', async () => {
    const { simulators, dir, configFile, exporter, logs } = await start();
    const before = await metricsText(exporter);
    expect([upOf(before, 'kept'), upOf(before, 'changed'), upOf(before, 'removed')]).toEqual([1, 1, 1]);
    expect(samples(before, 'veeam_vb365_api_requests_total').some((s) => s.labels['server'] === 'removed')).toBe(true);
    const keptGrants = simulators.kept.stats.tokenGrants.password;
    const keptConnections = simulators.kept.stats.connections;
    const keptRequests = simulators.kept.stats.requests;
    const changedGrants = simulators.changed.stats.tokenGrants.password;

    writeConfig(configFile, [
      serverEntry('kept', simulators.kept, dir),
      serverEntry('changed', simulators.changed, dir, { poll_concurrency: 2 }),
      serverEntry('added', simulators.added, dir),
    ]);
    const response = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    expect([response.status, await response.text()]).toEqual([200, 'configuration reloaded\n']);
    // Still ready while the added server has its first cycle: a reload must not take the pod out of its Service.
    expect((await fetch(`${exporter.url}/readyz`)).status).toBe(200);
    await waitFor(() => exporter.store.servers().every((server) => server.cycles > 0), 20_000);

    const after = await metricsText(exporter);
    expect([upOf(after, 'kept'), upOf(after, 'changed'), upOf(after, 'added'), upOf(after, 'removed')]).toEqual([
      1,
      1,
      1,
      undefined,
    ]);
    // Every series of the removed server went, the exporter's own counters included.
    expect(after).not.toContain('server="removed"');
    // The unchanged server: no new login, no new connection, not polled early.
    expect(simulators.kept.stats.tokenGrants.password).toBe(keptGrants);
    expect(simulators.kept.stats.connections).toBe(keptConnections);
    expect(simulators.kept.stats.requests).toBe(keptRequests);
    // The changed one restarted alone: a new login and a cycle at once.
    expect(simulators.changed.stats.tokenGrants.password).toBe(changedGrants + 1);
    expect(simulators.added.stats.tokenGrants.password).toBe(1);
    expect(sampleValue(after, 'veeam_vb365_exporter_config_last_reload_successful', {})).toBe(1);
    const reloaded = logs.lines.find((line) => line['msg'] === 'configuration reloaded');
    expect(reloaded).toMatchObject({
      added: ['added'],
      changed: ['changed'],
      removed: ['removed'],
      unchanged: ['kept'],
    });
  });

  it('keeps the running configuration when the new one is invalid, and says why in one line and a metric', async () => {
    const { simulators, dir, configFile, exporter, logs } = await start();
    const startedAt = sampleValue(
      await metricsText(exporter),
      'veeam_vb365_exporter_config_last_reload_success_timestamp_seconds',
      {},
    );
    writeConfig(configFile, [
      serverEntry('kept', simulators.kept, dir),
      serverEntry('changed', simulators.changed, dir, { poll_concurrency: 1000 }),
    ]);
    const grants = simulators.changed.stats.tokenGrants.password;
    const response = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    const expected = `servers[1].poll_concurrency (${configFile}): expected a whole number of requests from 1 to 256, got 1000`;
    expect([response.status, await response.text()]).toEqual([
      500,
      `failed to reload the configuration: ${expected}\n`,
    ]);
    const refused = logs.lines.filter(
      (line) => line['msg'] === 'configuration reload refused; the running configuration stays',
    );
    expect(refused.map((line) => line['reason'])).toEqual([expected]);

    const text = await metricsText(exporter);
    expect(sampleValue(text, 'veeam_vb365_exporter_config_last_reload_successful', {})).toBe(0);
    expect(sampleValue(text, 'veeam_vb365_exporter_config_last_reload_success_timestamp_seconds', {})).toBe(startedAt);
    // Nothing changed: all three servers still there, none restarted.
    expect([upOf(text, 'kept'), upOf(text, 'changed'), upOf(text, 'removed')]).toEqual([1, 1, 1]);
    expect(simulators.changed.stats.tokenGrants.password).toBe(grants);

    // A valid file afterwards is applied, and the gauge says so again.
    writeConfig(configFile, [serverEntry('kept', simulators.kept, dir)]);
    expect((await exporter.reload()).ok).toBe(true);
    const fixed = await metricsText(exporter);
    expect(sampleValue(fixed, 'veeam_vb365_exporter_config_last_reload_successful', {})).toBe(1);
    expect(upOf(fixed, 'removed')).toBeUndefined();
  });

  it('loses and duplicates no series when it happens during a cycle', async () => {
    const { simulators, dir, configFile, exporter } = await start({ latencyMs: 30 });
    const before = await metricsText(exporter);
    const series = (text: string, server: string): string[] =>
      samples(text, 'veeam_vb365_repository_used_space_bytes')
        .filter((sample) => sample.labels['server'] === server)
        .map((sample) => `${sample.labels['organization_id']}/${sample.labels['repository_id']}=${sample.value}`)
        .sort();
    const keptSeries = series(before, 'kept');
    const changedSeries = series(before, 'changed');
    expect(keptSeries.length).toBeGreaterThan(0);

    // Cycles of every server in flight (each request waits 30 ms), then the reload.
    const cycles = exporter.pollNow();
    await waitFor(() => simulators.changed.stats.inFlight > 0 && simulators.kept.stats.inFlight > 0, 5_000);
    writeConfig(configFile, [
      serverEntry('kept', simulators.kept, dir),
      serverEntry('changed', simulators.changed, dir, { request_timeout: '20s' }),
      serverEntry('removed', simulators.removed, dir),
    ]);
    const during = await Promise.all([exporter.reload(), metricsText(exporter)]);
    expect(during[0].ok).toBe(true);
    // Mid-reload, the changed server's series are still served (its old state stays until replaced).
    expect(series(during[1], 'changed')).toEqual(changedSeries);
    await cycles;
    await waitFor(() => exporter.store.servers().every((server) => server.cycles >= 2), 20_000);
    const after = await metricsText(exporter);
    // samples() parses strictly: a duplicated series would fail here; each server has each of its series once.
    expect(series(after, 'kept')).toEqual(keptSeries);
    expect(series(after, 'changed')).toEqual(changedSeries);
    expect(new Set(series(after, 'removed')).size).toBe(series(after, 'removed').length);
  });

  it('answers 405 to a GET of /-/reload, and reloads nothing', async () => {
    const { exporter, logs } = await start();
    const response = await fetch(`${exporter.url}/-/reload`);
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
    expect(logs.messages()).not.toContain('configuration reloaded');
  });

  it('is protected by basic auth like /metrics, and applies a new web configuration to the next request', async () => {
    const webDir = mkdtempSync(join(tmpdir(), 'vb365-reload-web-'));
    const webConfigFile = join(webDir, 'web.yml');
    const users = (...people: { user: string; password: string }[]): void =>
      writeFileSync(
        webConfigFile,
        stringify({
          basic_auth_users: Object.fromEntries(people.map((p) => [p.user, bcrypt.hashSync(p.password, 4)])),
        }),
      );
    users(ALICE);
    const { exporter } = await start({ webConfigFile });
    const as = (person: { user: string; password: string } | undefined, path: string, method = 'GET') =>
      fetch(`${exporter.url}${path}`, {
        method,
        headers: person === undefined ? {} : { authorization: basic(person.user, person.password) },
      }).then((response) => response.status);

    expect(await as(undefined, '/-/reload', 'POST')).toBe(401);
    users(BOB);
    expect(await as(ALICE, '/-/reload', 'POST')).toBe(200);
    expect([await as(ALICE, '/metrics'), await as(BOB, '/metrics')]).toEqual([401, 200]);
  });

  it('refuses a reload once the exporter is stopping, so no poller outlives stop()', async () => {
    const { simulators, dir, configFile, exporter } = await start();
    writeConfig(configFile, [serverEntry('kept', simulators.kept, dir), serverEntry('added', simulators.added, dir)]);
    const stopped = exporter.stop();
    expect(await exporter.reload()).toEqual({ ok: false, error: 'reload: the exporter is stopping' });
    await stopped;
    const requests = simulators.added.stats.requests;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(simulators.added.stats.requests).toBe(requests);
    expect(requests).toBe(0);
  });
});
