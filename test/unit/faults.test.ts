/**
 * Fault matrix, part 1: the network and HTTP failures of a VB365 server, each against the bundled
 * simulator over real sockets and real TLS. Every case checks that the exporter keeps serving, that a
 * log line and a metric say what happened, that the other organizations are untouched, and that the
 * next good cycle restores everything. Back-off waits go through a fake clock: they cost no time and
 * are recorded, so the tests assert the waits themselves.
 */
import { FRESH_TOKEN_MS } from '../../src/vb365/auth.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/types.js';
import { DEFAULTS } from '../../src/config/load.js';
import {
  SEED_ORGANIZATION_IDS as ORG,
  createSelfSignedCertificate,
  startSimulator,
  type Simulator,
} from 'vb365-simulator';
import {
  LISTING_FAILED,
  ORG_POLL_FAILED,
  SEED_ORGS,
  cutAtDeadline,
  expectExported,
  expectHealthy,
  expectOthersIntact,
  freePort,
  logLines,
  requests,
  up,
} from '../support/fault-checks.js';
import {
  fakeClockSkippingRetries,
  sampleValue,
  startExporterFor,
  startHarness,
  type ExporterHarness,
  type Harness,
} from '../support/harness.js';
import type { FakeClock } from '../support/fake-clock.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Back-off of attempt 1 and 2 with the harness' random() = 0.5: 0.75 of 0.5 s and of 1 s. */
const RETRY_WAITS = [375, 750];
const DAY = 86_400;

const cycleSeconds = (text: string): number | undefined =>
  sampleValue(text, 'veeam_vb365_poll_cycle_duration_seconds', { server: 'sim' });

async function harnessWith(options: Parameters<typeof startHarness>[0] & { clock: FakeClock }): Promise<Harness> {
  const harness = await startHarness({ ...options, server: { pollIntervalSeconds: DAY, ...options.server } });
  cleanups.push(() => harness.close());
  return harness;
}

async function exporterFor(server: ServerConfig, clock: FakeClock): Promise<ExporterHarness> {
  const harness = await startExporterFor([server], { clock });
  cleanups.push(() => harness.close());
  return harness;
}

async function simulatorOn(port: number, certificate: { cert: string; key: string }): Promise<Simulator> {
  const simulator = await startSimulator({ port, certificate });
  cleanups.push(() => simulator.close());
  return simulator;
}

function offlineServer(url: string, ca: string | undefined): ServerConfig {
  return {
    name: 'sim',
    url,
    apiVersion: 'v8',
    username: 'admin',
    password: 'vb365-simulator',
    organizations: [],
    ca,
    tlsInsecure: false,
    pollIntervalSeconds: DAY,
    pollConcurrency: 4,
    requestTimeoutSeconds: 5,
    maxResponseBytes: DEFAULTS.maxResponseBytes,
    collection: DEFAULTS.collection,
    verificationCycles: DEFAULTS.verificationCycles,
  };
}

describe('server unreachable', () => {
  it('is down at start-up: up 0 and ready after the failed first cycle, then up 1 once the server comes up', async () => {
    const port = await freePort();
    const certificate = await createSelfSignedCertificate('127.0.0.1');
    const clock = fakeClockSkippingRetries();
    const offline = await exporterFor(offlineServer(`https://127.0.0.1:${port}`, certificate.cert), clock);
    const { exporter, logs } = offline;
    const metricsText = (): Promise<string> => offline.metricsText();

    await expectHealthy(exporter.url);
    // README: ready once every server has finished its first cycle, failed or not.
    expect((await fetch(`${exporter.url}/readyz`)).status).toBe(200);
    let text = await metricsText();
    expect(up(text)).toBe(0);
    expect(requests(text, 'token', 'network')).toBe(3); // tried three times
    expect(clock.skippedSleeps).toEqual(RETRY_WAITS);
    expect(text).not.toContain('veeam_vb365_organization_poll_success{');
    const [failure] = logLines(logs.lines, LISTING_FAILED);
    expect(String(failure?.['reason'])).toContain('ECONNREFUSED');
    expect(logLines(logs.lines, 'login failed')).toHaveLength(1);

    const simulator = await simulatorOn(port, certificate);
    await clock.advance(10 * 60_000); // past the login back-off of the failed login
    await exporter.pollNow();
    text = await metricsText();
    expect(up(text)).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
    expect(simulator.stats.tokenGrants.password).toBe(1);
  });

  it('refuses connections after a good cycle: up 0 with every value kept, all back once it restarts', async () => {
    const certificate = await createSelfSignedCertificate('127.0.0.1');
    const clock = fakeClockSkippingRetries();
    const harness = await harnessWith({ simulator: { certificate }, clock });
    const { exporter, logs, simulator } = harness;
    const port = Number(new URL(simulator.url).port);
    await simulator.close();

    await exporter.pollNow();
    let text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(up(text)).toBe(0);
    expect(requests(text, 'organizations', 'network')).toBe(3);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId, 0);
    expect(String(logLines(logs.lines, LISTING_FAILED)[0]?.['reason'])).toMatch(/ECONNREFUSED|ECONNRESET|closed/);

    // The restarted server knows none of the old tokens: one 401, then a new login.
    await clock.advance(FRESH_TOKEN_MS); // no longer a fresh token: a 401 now means it expired or was revoked
    const restarted = await simulatorOn(port, certificate);
    await exporter.pollNow();
    text = await harness.metricsText();
    expect(up(text)).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, restarted, organizationId);
    expect(restarted.stats.tokenGrants.password).toBe(1);
  });

  it('survives a connection reset in the middle of a body, for that organization only', async () => {
    const harness = await harnessWith({ clock: fakeClockSkippingRetries() });
    const { exporter, logs, simulator } = harness;
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, resetMidBody: true });
    await exporter.pollNow();
    let text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(requests(text, 'used_repositories', 'network')).toBe(3);
    expectExported(text, simulator, ORG.contoso, 0);
    expectOthersIntact(text, simulator, [ORG.contoso]);
    expect(logLines(logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso })).toHaveLength(1);
    expect(simulator.stats.unfinishedResponses).toBeGreaterThanOrEqual(3);

    simulator.clearFaults();
    await exporter.pollNow();
    text = await harness.metricsText();
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
  });

  it('reports a name that does not resolve as code dns, without retrying it', async () => {
    const clock = fakeClockSkippingRetries();
    const startedAt = performance.now();
    const offline = await exporterFor(offlineServer('https://vb365-exporter-test.invalid:4443', undefined), clock);
    const { exporter, logs } = offline;
    const metricsText = (): Promise<string> => offline.metricsText();
    // Here getaddrinfo fails at once (ENOTFOUND); a resolver that hangs instead would end at the request timeout (5 s).
    expect(performance.now() - startedAt).toBeLessThan(15_000);
    await expectHealthy(exporter.url);
    expect((await fetch(`${exporter.url}/readyz`)).status).toBe(200);
    const text = await metricsText();
    expect(up(text)).toBe(0);
    expect(requests(text, 'token', 'dns')).toBe(1);
    expect(String(logLines(logs.lines, LISTING_FAILED)[0]?.['reason'])).toContain('does not resolve');
  });
});

describe('slow answers', () => {
  // Far beyond what these tests take: only the fake clock's deadline can cut an answer, never undici's own timers.
  const TIMEOUT_SECONDS = 30;

  it('gives up on an answer that never comes at the request timeout', async () => {
    const clock = fakeClockSkippingRetries();
    const harness = await harnessWith({ clock, server: { requestTimeoutSeconds: TIMEOUT_SECONDS } });
    const { exporter, logs, simulator } = harness;
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, hang: true });
    simulator.resetStats();
    const cycle = exporter.pollNow();
    await cutAtDeadline(clock, simulator, TIMEOUT_SECONDS * 1000, 3);
    await cycle;
    let text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(requests(text, 'used_repositories', 'timeout')).toBe(3);
    expect(simulator.stats.byRoute.used_repositories).toBe(SEED_ORGS.length - 1 + 3);
    expect(clock.skippedSleeps).toEqual(RETRY_WAITS);
    // Three attempts cut at their deadline; everything else (and the skipped waits) took no time.
    expect(cycleSeconds(text)).toBe(3 * TIMEOUT_SECONDS);
    expectExported(text, simulator, ORG.contoso, 0);
    expectOthersIntact(text, simulator, [ORG.contoso]);
    const [failure] = logLines(logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso });
    expect(String(failure?.['reason'])).toContain(`no complete answer within ${TIMEOUT_SECONDS} s`);

    simulator.clearFaults();
    await exporter.pollNow();
    text = await harness.metricsText();
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
  });

  it('cuts a trickling answer at the request timeout, although bytes keep coming', async () => {
    const clock = fakeClockSkippingRetries();
    const harness = await harnessWith({ clock, server: { requestTimeoutSeconds: TIMEOUT_SECONDS } });
    const { exporter, logs, simulator } = harness;
    // About 1.2 kB at 40 bytes/s: 30 s for the whole answer, a chunk every 100 ms (so no idle timeout fires).
    simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, trickleBytesPerSecond: 40 });
    simulator.resetStats();
    const cycle = exporter.pollNow();
    await cutAtDeadline(clock, simulator, TIMEOUT_SECONDS * 1000, 3);
    await cycle;
    let text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(requests(text, 'used_repositories', 'timeout')).toBe(3);
    expect(simulator.stats.byRoute.used_repositories).toBe(SEED_ORGS.length - 1 + 3);
    expect(clock.skippedSleeps).toEqual(RETRY_WAITS);
    expect(cycleSeconds(text)).toBe(3 * TIMEOUT_SECONDS);
    expectExported(text, simulator, ORG.contoso, 0);
    expectOthersIntact(text, simulator, [ORG.contoso]);
    expect(logLines(logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso })).toHaveLength(1);

    simulator.clearFaults();
    await exporter.pollNow();
    text = await harness.metricsText();
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
  });
});

describe('HTTP errors', () => {
  it.each([
    [500, 1, []],
    [502, 3, RETRY_WAITS],
    [503, 3, RETRY_WAITS],
    [504, 3, RETRY_WAITS],
  ] as const)(
    'HTTP %i: %i attempt(s), the organization failed, the others intact, then restored',
    async (status, attempts, waits) => {
      const clock = fakeClockSkippingRetries();
      const harness = await harnessWith({ clock });
      const { exporter, logs, simulator } = harness;
      simulator.addFault({ route: 'used_repositories', organizationId: ORG.contoso, status });
      await exporter.pollNow();
      let text = await harness.metricsText();
      await expectHealthy(exporter.url);
      expect(requests(text, 'used_repositories', String(status))).toBe(attempts);
      expect(clock.skippedSleeps).toEqual(waits);
      expect(up(text)).toBe(1);
      expectExported(text, simulator, ORG.contoso, 0);
      expectOthersIntact(text, simulator, [ORG.contoso]);
      const [failure] = logLines(logs.lines, ORG_POLL_FAILED, { organizationId: ORG.contoso });
      expect(String(failure?.['reason'])).toContain(`HTTP ${status}`);

      simulator.clearFaults();
      await exporter.pollNow();
      text = await harness.metricsText();
      for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
    },
  );

  it('waits as long as Retry-After says in seconds, then succeeds', async () => {
    const clock = fakeClockSkippingRetries();
    const harness = await harnessWith({ clock });
    const { exporter, logs, simulator } = harness;
    simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      status: 429,
      retryAfter: '7',
      times: 1,
    });
    await exporter.pollNow();
    const text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(clock.skippedSleeps).toEqual([7_000]);
    expect(requests(text, 'used_repositories', '429')).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
    expect(logLines(logs.lines, 'retrying request', { endpoint: 'used_repositories', waitMs: 7_000 })).toHaveLength(1);
  });

  it('waits until the HTTP date of Retry-After, then succeeds', async () => {
    const clock = fakeClockSkippingRetries(); // it starts on a whole second, as HTTP dates have
    const harness = await harnessWith({ clock });
    const { exporter, logs, simulator } = harness;
    const retryAt = new Date(clock.now() + 8_000).toUTCString();
    simulator.addFault({
      route: 'used_repositories',
      organizationId: ORG.contoso,
      status: 429,
      retryAfter: retryAt,
      times: 1,
    });
    await exporter.pollNow();
    const text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(clock.skippedSleeps).toEqual([8_000]);
    expect(requests(text, 'used_repositories', '429')).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
    expect(logLines(logs.lines, 'retrying request', { endpoint: 'used_repositories', waitMs: 8_000 })).toHaveLength(1);
  });

  it('caps a 429 storm: at most 3 attempts per request, waits of at most 10 s, values kept', async () => {
    const clock = fakeClockSkippingRetries();
    const harness = await harnessWith({ clock });
    const { exporter, logs, simulator } = harness;
    simulator.addFault({ route: 'used_repositories', status: 429 });
    simulator.resetStats();
    await exporter.pollNow();
    let text = await harness.metricsText();
    await expectHealthy(exporter.url);
    expect(simulator.stats.byRoute.used_repositories).toBe(3 * SEED_ORGS.length);
    expect(requests(text, 'used_repositories', '429')).toBe(3 * SEED_ORGS.length);
    // Two waits per organization, far below the 10 s cap (the organizations wait side by side, in any order).
    expect([...clock.skippedSleeps].sort((a, b) => a - b)).toEqual(
      RETRY_WAITS.flatMap((wait) => SEED_ORGS.map(() => wait)),
    );
    expect(up(text)).toBe(1);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId, 0);
    expect(logLines(logs.lines, ORG_POLL_FAILED)).toHaveLength(SEED_ORGS.length);

    simulator.clearFaults();
    await exporter.pollNow();
    text = await harness.metricsText();
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId);
  });

  it('leaves a server asking for more than 60 s alone until the next cycle', async () => {
    const clock = fakeClockSkippingRetries();
    const harness = await harnessWith({ clock });
    const { exporter, logs, simulator } = harness;
    simulator.addFault({ route: 'used_repositories', status: 429, retryAfter: '3600' });
    simulator.resetStats();
    await exporter.pollNow();
    const text = await harness.metricsText();
    expect(simulator.stats.byRoute.used_repositories).toBe(SEED_ORGS.length);
    await expectHealthy(exporter.url);
    expect(clock.skippedSleeps).toEqual([]);
    expect(requests(text, 'used_repositories', '429')).toBe(SEED_ORGS.length);
    for (const organizationId of SEED_ORGS) expectExported(text, simulator, organizationId, 0);
    expect(
      logLines(logs.lines, ORG_POLL_FAILED).filter((line) => String(line['reason']).includes('HTTP 429')),
    ).toHaveLength(SEED_ORGS.length);

    simulator.clearFaults();
    await exporter.pollNow();
    const restored = await harness.metricsText();
    for (const organizationId of SEED_ORGS) expectExported(restored, simulator, organizationId);
  });
});
