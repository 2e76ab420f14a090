/**
 * Servers that would make the exporter hammer their token endpoint: a token that lives 1 ms, and an
 * account whose fresh token is refused (401) for every organization. Whatever such a server says, token
 * requests stay at a handful a minute. Over real TLS against the simulator, on the fake clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FRESH_TOKEN_MS } from '../../src/vb365/auth.js';
import { SHORTEST_TOKEN_LIFETIME_SECONDS } from '../../src/vb365/parse.js';
import { count, expectHealthy, logLines, up } from '../support/fault-checks.js';
import type { FakeClock } from '../support/fake-clock.js';
import { fakeClockSkippingRetries, startHarness, waitFor, type Harness } from '../support/harness.js';

/** 5 seed organizations and 17 generated ones, as in the report. */
const ORGANIZATIONS = 22;
const CYCLE_MS = 10_000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function tokenRequests(h: Harness): number {
  const grants = h.simulator.stats.tokenGrants;
  return grants.password + grants.refresh_token + grants.failed;
}

/** One cycle every CYCLE_MS of fake time for a minute; the token requests each cycle made. */
async function aMinuteOfCycles(h: Harness, clock: FakeClock): Promise<number[]> {
  const perCycle: number[] = [];
  for (let elapsed = 0; elapsed < 60_000; elapsed += CYCLE_MS) {
    await clock.advance(CYCLE_MS);
    const before = tokenRequests(h);
    await h.exporter.pollNow();
    perCycle.push(tokenRequests(h) - before);
  }
  return perCycle;
}

describe('a token that lives 1 ms', () => {
  it('is refused like an invalid token answer, and logins back off: a handful of token requests a minute', async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({
      clock,
      simulator: { organizationCount: ORGANIZATIONS - 5, tokenLifetimeSeconds: 0.001 },
      server: { pollIntervalSeconds: 86_400, pollConcurrency: 4 },
    });
    const perCycle = await aMinuteOfCycles(harness, clock);
    const text = await harness.metricsText();
    const total = perCycle.reduce((sum, requests) => sum + requests, 0);
    console.log(`1 ms tokens: token requests per ${CYCLE_MS / 1000} s cycle ${JSON.stringify(perCycle)}`);
    expect(total).toBeLessThanOrEqual(5);
    expect(up(text)).toBe(0);
    expect(count(text, 'veeam_vb365_invalid_answers_total', { endpoint: 'token' })).toBeGreaterThanOrEqual(1);
    expect(String(logLines(harness.logs.lines, 'login failed').at(-1)?.['reason'])).toContain(
      `shorter than the ${SHORTEST_TOKEN_LIFETIME_SECONDS} s a token must live`,
    );
    await expectHealthy(harness.exporter.url);
  });
});

describe('a fresh token refused with 401', () => {
  it('fails the organizations with a message about the role, with at most one login a cycle', async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({
      clock,
      simulator: { organizationCount: ORGANIZATIONS - 5 },
      server: { pollIntervalSeconds: 86_400, pollConcurrency: 4 },
    });
    await clock.advance(FRESH_TOKEN_MS); // the token of the first cycle is no longer fresh
    // The account may log in and list organizations, but not read any organization's repositories.
    harness.simulator.addFault({ route: 'used_repositories', status: 401 });
    const perCycle = await aMinuteOfCycles(harness, clock);
    console.log(`refused fresh tokens: token requests per ${CYCLE_MS / 1000} s cycle ${JSON.stringify(perCycle)}`);
    // One login a cycle: the first refusal may be an expired token; the refusal of the new one says it is not.
    expect(perCycle.every((requests) => requests <= 1)).toBe(true);
    const text = await harness.metricsText();
    expect(up(text)).toBe(1); // listing works: this is about the organizations
    const organizations = harness.exporter.store.servers()[0]?.organizations ?? [];
    expect(organizations).toHaveLength(ORGANIZATIONS);
    for (const organization of organizations) {
      expect(organization.pollSuccess).toBe(false);
      expect(organization.lastError).toMatch(
        /^used_repositories answered HTTP 401.*; the account was refused with a fresh token: check its VB365 role$/,
      );
    }
    expect(logLines(harness.logs.lines, /a fresh token was refused/).length).toBeGreaterThanOrEqual(1);

    // Permission granted again: the next cycle polls every organization with the token it has.
    harness.simulator.clearFaults();
    await clock.advance(CYCLE_MS);
    const before = tokenRequests(harness);
    await harness.exporter.pollNow();
    expect(tokenRequests(harness) - before).toBeLessThanOrEqual(1);
    expect(harness.exporter.store.servers()[0]?.organizations.every((organization) => organization.pollSuccess)).toBe(
      true,
    );
  });
});

describe('a slow 401 to a fresh token', () => {
  it('is judged by the token age when the request was sent, so it costs no login', async () => {
    const clock = fakeClockSkippingRetries();
    harness = await startHarness({
      clock,
      simulator: { latencyMs: 300 },
      server: { pollIntervalSeconds: 86_400, pollConcurrency: 4 },
      waitForFirstCycle: false,
    });
    harness.simulator.addFault({ route: 'used_repositories', status: 401 });
    const simulator = harness.simulator;
    // The organizations' requests go out with the token just issued; their 401s arrive 300 ms later in
    // real time, and by then the exporter's clock has moved past the freshness window.
    await waitFor(() => simulator.stats.byRoute.used_repositories > 0, 10_000);
    await clock.advance(FRESH_TOKEN_MS + 1_000);
    await waitFor(() => harness?.exporter.store.ready() === true, 10_000);
    expect(simulator.stats.tokenGrants).toEqual({ password: 1, refresh_token: 0, failed: 0 });
    const organizations = harness.exporter.store.servers()[0]?.organizations ?? [];
    expect(organizations.length).toBeGreaterThan(0);
    for (const organization of organizations) expect(organization.lastError).toMatch(/check its VB365 role$/);
  });
});
