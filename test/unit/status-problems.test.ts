/** What the status page says is wrong: each kind of problem, grouped, in the on-call order. */
import { describe, expect, it } from 'vitest';
import { findProblems, KIND_ORDER } from '../../src/http/status/problems.js';
import { initialState } from '../../src/store/next-state.js';
import { nextState, type CycleFixture, type PollOutcome } from '../support/cycles.js';
import type { ServerState } from '../../src/store/types.js';
import type { UsedRepository } from '../../src/facts/organizations/index.js';
import { UNREPORTED_STATE } from '../support/vb365-values.js';
import { startHarness } from '../support/harness.js';

const SHARED = 'aaaaaaaa-0000-4000-8000-000000000001';
const OWN = 'bbbbbbbb-0000-4000-8000-000000000002';
const MINUTE = 60_000;
const configured = [{ name: 's', pollIntervalSeconds: 60 }];

const organization = (index: number): { id: string; name: string } => ({
  id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  name: `Tenant ${index}`,
});

function used(repositoryId: string, isAvailable = true): UsedRepository {
  return {
    repositoryId,
    usedSpaceBytes: 10,
    localCacheUsedSpaceBytes: 1,
    objectStorageUsedSpaceBytes: null,
    isAvailable,
    details: isAvailable ? '' : 'Proxy is offline',
    protectedObjectsCount: null,
  };
}

/** One cycle ending at `atMs`: organizations 0..count-1, each polled by `poll(index)`. */
function cycle(atMs: number, count: number, poll: (index: number) => PollOutcome): CycleFixture {
  const organizations = Array.from({ length: count }, (_, index) => organization(index));
  return {
    startedMs: atMs - 1_000,
    finishedMs: atMs,
    listing: { ok: true, organizations },
    backupRepositories: [
      { id: SHARED, name: 'Shared Repository', capacityBytes: 1_000, freeSpaceBytes: 500, ...UNREPORTED_STATE },
      { id: OWN, name: 'Nearly Full', capacityBytes: 1_000, freeSpaceBytes: 50, ...UNREPORTED_STATE },
    ],
    polls: new Map(organizations.map((org, index) => [org.id, poll(index)])),
  };
}

const healthy = (atMs: number) => (): PollOutcome => ({ ok: true, atMs, repositories: [used(SHARED)] });

function stateAfter(...cycles: CycleFixture[]): ServerState {
  return cycles.reduce((state, next) => nextState(state, next).state, initialState('s'));
}

describe('findProblems', () => {
  it('finds nothing when every server is up, fresh, available and roomy', () => {
    const state = stateAfter({ ...cycle(MINUTE, 3, healthy(MINUTE)), backupRepositories: [] });
    expect(findProblems([state], configured, MINUTE + 1_000)).toEqual([]);
  });

  it('says nothing of a server not polled yet', () => {
    expect(findProblems([initialState('s')], configured, 0)).toEqual([]);
  });

  it('gives a repository unavailable for 800 organizations one row with the count, a sample and VB365 details', () => {
    const state = stateAfter(
      cycle(MINUTE, 800, healthy(MINUTE)),
      cycle(2 * MINUTE, 800, () => ({ ok: true, atMs: 2 * MINUTE, repositories: [used(SHARED, false)] })),
      cycle(3 * MINUTE, 800, () => ({ ok: true, atMs: 3 * MINUTE, repositories: [used(SHARED, false)] })),
    );
    const unavailable = findProblems([state], configured, 3 * MINUTE).filter(
      (problem) => problem.kind === 'repository-unavailable',
    );
    expect(unavailable).toEqual([
      {
        kind: 'repository-unavailable',
        severity: 'critical',
        server: 's',
        what: 'Shared Repository',
        sinceMs: 2 * MINUTE,
        sinceText: 'unknown',
        words: 'Proxy is offline',
        sample: ['Tenant 0', 'Tenant 1', 'Tenant 2', 'Tenant 3', 'Tenant 4'],
        organizations: 800,
      },
    ]);
  });

  it('groups failing organizations by their error, the largest group first, since their oldest success', () => {
    const state = stateAfter(
      cycle(MINUTE, 6, healthy(MINUTE)),
      cycle(2 * MINUTE, 6, (index) =>
        index < 3
          ? { ok: false, atMs: 2 * MINUTE, error: 'used_repositories answered HTTP 503' }
          : index === 3
            ? { ok: false, atMs: 2 * MINUTE, error: 'no complete answer within 30 s' }
            : { ok: true, atMs: 2 * MINUTE, repositories: [used(SHARED)] },
      ),
    );
    const failing = findProblems([state], configured, 2 * MINUTE).filter(
      (problem) => problem.kind === 'organizations-failing',
    );
    expect(failing.map((problem) => [problem.what, problem.words, problem.sinceMs, problem.sample])).toEqual([
      ['3 organizations', 'used_repositories answered HTTP 503', MINUTE, ['Tenant 0', 'Tenant 1', 'Tenant 2']],
      ['1 organization', 'no complete answer within 30 s', MINUTE, ['Tenant 3']],
    ]);
  });

  it('says a server is down since its last good cycle, in one row instead of one per organization', () => {
    const state = stateAfter(cycle(MINUTE, 50, healthy(MINUTE)), {
      ...cycle(2 * MINUTE, 0, healthy(0)),
      listing: { ok: false, error: 'the connection failed (ECONNREFUSED)' },
    });
    const problems = findProblems([state], configured, 2 * MINUTE);
    expect(problems[0]).toMatchObject({
      kind: 'server-down',
      severity: 'critical',
      sinceMs: MINUTE,
      words: 'the connection failed (ECONNREFUSED)',
      organizations: 50,
    });
    expect(problems.filter((problem) => problem.kind === 'organizations-failing')).toEqual([]);
  });

  it('finds organizations whose last success is older than three poll intervals', () => {
    const state = stateAfter(
      cycle(MINUTE, 4, healthy(MINUTE)),
      cycle(5 * MINUTE, 4, (index) =>
        index === 0
          ? { ok: false, atMs: 5 * MINUTE, error: 'HTTP 500' }
          : { ok: true, atMs: 5 * MINUTE, repositories: [used(SHARED)] },
      ),
    );
    // 3 intervals of 60 s: Tenant 0's last success (1 min) is stale at 5 min, the others (5 min) are not.
    const stale = findProblems([state], configured, 5 * MINUTE).filter(
      (problem) => problem.kind === 'organizations-stale',
    );
    expect(stale.map((problem) => [problem.what, problem.sinceMs, problem.sample, problem.severity])).toEqual([
      ['1 organization', MINUTE, ['Tenant 0'], 'warning'],
    ]);
    expect(findProblems([state], configured, 4 * MINUTE - 1).some((p) => p.kind === 'organizations-stale')).toBe(false);
  });

  it('finds backup repositories with less than 10 % free, and orders every kind as on-call reads them', () => {
    const state = stateAfter(
      cycle(MINUTE, 2, healthy(MINUTE)),
      cycle(10 * MINUTE, 2, (index) =>
        index === 0
          ? { ok: false, atMs: 10 * MINUTE, error: 'HTTP 500' }
          : { ok: true, atMs: 10 * MINUTE, repositories: [used(SHARED, false)] },
      ),
    );
    const problems = findProblems([state], configured, 10 * MINUTE);
    expect(problems.map((problem) => problem.kind)).toEqual([
      'repository-unavailable',
      'organizations-failing',
      'organizations-stale',
      'repository-low-space',
    ]);
    expect(problems.at(-1)).toMatchObject({
      what: 'Nearly Full',
      words: '5.0 % free: 50 B of 1000 B (freeSpaceBytes of capacityBytes)',
    });
    expect(KIND_ORDER[0]).toBe('server-down');
  });
});

describe('what VB365 reports about itself, as the alerts see it', () => {
  it('lists the demo state: out of order, licence ending, out of sync, outdated, object storage near its limit', async () => {
    const harness = await startHarness({ simulator: { demo: true } });
    try {
      const { simulator } = harness;
      simulator.data.setHealthEntry('ConfigurationDatabase', 'Unhealthy', 'Connection refused');
      simulator.data.setLicense({ usedNumber: simulator.data.license.totalNumber });
      await harness.exporter.pollNow();
      const now = Date.now();
      const problems = findProblems(harness.exporter.store.servers(), [{ name: 'sim', pollIntervalSeconds: 3600 }], now)
        .filter((problem) => !['repository-unavailable', 'repository-low-space'].includes(problem.kind))
        .map((problem) => [problem.kind, problem.severity, problem.what, problem.words]);
      const expiry = new Date(Date.parse(simulator.data.license.licenseExpires ?? '')).toISOString().slice(0, 10);
      const daysLeft = Math.floor((Date.parse(simulator.data.license.licenseExpires ?? '') - now) / 86_400_000);
      expect(problems).toEqual([
        ['server-unhealthy', 'critical', 'the server (its own health check)', 'Unhealthy: ConfigurationDatabase'],
        ['repository-out-of-order', 'critical', 'Tailwind Branch Office', 'out of order: invalid state (isOutOfOrder)'],
        ['license-expiring', 'warning', 'the licence (Subscription)', `expires in ${daysLeft} d, on ${expiry}`],
        ['repository-out-of-sync', 'warning', 'S3 Archive', 'out of sync with its object storage (isOutOfSync)'],
        ['repository-outdated', 'warning', 'Fabrikam Local', "its format is older than the server's (isOutdated)"],
        [
          'object-storage-near-limit',
          'warning',
          'Azure Blob Contoso',
          expect.stringMatching(/^9\d\.\d % of the size limit used: [\d.]+ GiB of 1\.00 TiB$/) as unknown as string,
        ],
        [
          'license-users-exhausted',
          'warning',
          'the licence',
          `${simulator.data.license.totalNumber} of ${simulator.data.license.totalNumber} licensed users used`,
        ],
      ]);
    } finally {
      await harness.close();
    }
  });
});
