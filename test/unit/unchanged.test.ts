/**
 * A cycle keeps the previous state's objects for records it reads again unchanged (src/store/unchanged.ts),
 * so at 10,000 organizations the fresh copies die young. What must never happen: a changed value kept
 * stale. Checked field by field, then end to end against the simulator.
 */
import { SEED_ORGANIZATION_IDS as ORG, SEED_REPOSITORY_IDS as REPO } from 'vb365-simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../../src/store/next-state.js';
import type { ServerState } from '../../src/store/types.js';
import { keptIfEqual, keptListIfEqual } from '../../src/store/unchanged.js';
import { repositoriesOf } from '../../src/facts/organizations/state.js';
import type { BackupRepository } from '../../src/facts/backup-repositories/index.js';
import type { UsedRepository } from '../../src/facts/organizations/index.js';
import { sampleValue, startHarness, type Harness } from '../support/harness.js';

const used: UsedRepository = {
  repositoryId: 'r-1',
  usedSpaceBytes: 10,
  localCacheUsedSpaceBytes: 2,
  objectStorageUsedSpaceBytes: null,
  isAvailable: true,
  details: '',
  protectedObjectsCount: 4,
};

const backup: BackupRepository = {
  id: 'b-1',
  name: 'Local',
  capacityBytes: 100,
  freeSpaceBytes: 50,
  isOutOfSync: false,
  isOutdated: null,
  isOutOfOrder: false,
  outOfOrderReason: '',
  objectStorage: { id: 'o-1', usedSpaceBytes: 5, freeSpaceBytes: null, sizeLimitBytes: 1024 },
  objectStorageId: undefined,
};

/** Every field changed to another value of a kind the parsers produce, one at a time. */
const changes: Record<string, readonly unknown[]> = {
  repositoryId: ['r-2'],
  usedSpaceBytes: [11, null],
  localCacheUsedSpaceBytes: [3, null],
  objectStorageUsedSpaceBytes: [0],
  isAvailable: [false],
  details: ['offline'],
  protectedObjectsCount: [5, null],
  id: ['b-2'],
  name: ['Local 2'],
  capacityBytes: [101, null],
  freeSpaceBytes: [49],
  isOutOfSync: [true, null],
  isOutdated: [false],
  isOutOfOrder: [true],
  outOfOrderReason: ['disk'],
  objectStorage: [
    undefined,
    { id: 'o-1', usedSpaceBytes: 6, freeSpaceBytes: null, sizeLimitBytes: 1024 },
    { id: 'o-1', usedSpaceBytes: 5, freeSpaceBytes: 0, sizeLimitBytes: 1024 },
    { id: 'o-1', usedSpaceBytes: 5, freeSpaceBytes: null, sizeLimitBytes: null },
  ],
  objectStorageId: ['o-9'],
};

describe('keptIfEqual', () => {
  it('keeps the previous record when every field, nested ones too, is equal', () => {
    expect(keptIfEqual(used, { ...used })).toBe(used);
    const copy = { ...backup, objectStorage: { ...backup.objectStorage! } };
    expect(keptIfEqual(backup, copy)).toBe(backup);
    expect(keptIfEqual(undefined, copy)).toBe(copy);
  });

  it.each([
    ['a used repository', used],
    ['a backup repository', backup],
  ] as const)('takes the fresh record when any one field of %s changed', (_what, record) => {
    let checked = 0;
    for (const [key, values] of Object.entries(changes)) {
      if (!(key in record)) continue;
      for (const value of values) {
        const fresh = { ...record, [key]: value };
        expect(keptIfEqual<object>(record, fresh), `${key} = ${JSON.stringify(value)}`).toBe(fresh);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(Object.keys(record).length);
  });

  it('takes the fresh record when it has a field more, or another field in place of one', () => {
    const more = { ...used, extra: 1 };
    expect(keptIfEqual<object>(used, more)).toBe(more);
    const rest: Omit<UsedRepository, 'details'> & { details?: string } = { ...used };
    delete rest.details;
    const other = { ...rest, note: '' };
    expect(keptIfEqual<object>(used, other)).toBe(other);
    const undefinedInstead = { ...rest, note: undefined };
    expect(keptIfEqual<object>({ ...rest, details: undefined }, undefinedInstead)).toBe(undefinedInstead);
  });
});

describe('keptListIfEqual', () => {
  const second = { ...used, repositoryId: 'r-2' };

  it('keeps the previous list when all items are equal, item by item when some are', () => {
    const previous = [used, second];
    expect(keptListIfEqual(previous, [{ ...used }, { ...second }])).toBe(previous);
    const changed = { ...second, usedSpaceBytes: 99 };
    const kept = keptListIfEqual(previous, [{ ...used }, changed]);
    expect(kept).not.toBe(previous);
    expect(kept[0]).toBe(used);
    expect(kept[1]).toBe(changed);
  });

  it('takes the fresh list when an item was added, removed or moved', () => {
    const previous = [used, second];
    for (const fresh of [[{ ...used }], [{ ...used }, { ...second }, { ...used, repositoryId: 'r-3' }], [second, used]])
      expect(keptListIfEqual(previous, fresh)).toEqual(fresh);
    expect(keptListIfEqual(previous, [{ ...used }])).not.toBe(previous);
    expect(keptListIfEqual(undefined, previous)).toBe(previous);
  });
});

describe('repositoriesOf', () => {
  it("finds every organization's repositories by ID in the sorted state, and nothing for an unknown ID", () => {
    const ids = Array.from({ length: 1001 }, (_, index) => `org-${String(index).padStart(5, '0')}`);
    const organizations = ids.map((id) => ({
      id,
      name: id,
      pollSuccess: true,
      lastSuccessMs: 0,
      lastError: undefined,
      repositories: [{ ...used, repositoryId: `repository of ${id}` }],
    }));
    const state: ServerState = {
      ...initialState('s'),
      organizations,
      backupRepositories: new Map([[backup.id, backup]]),
    };
    for (const organization of organizations)
      expect(repositoriesOf(state, organization.id)).toBe(organization.repositories);
    for (const unknown of ['', 'org-', 'org-00000x', 'org-99999', 'zzz'])
      expect(repositoriesOf(state, unknown)).toBeUndefined();
    expect(state.backupRepositories.get('b-1')).toBe(backup);
    expect(repositoriesOf(initialState('empty'), 'org-00001')).toBeUndefined();
  });
});

describe('against the simulator', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('a cycle that reads the same values keeps the objects; a changed value is exported, the rest kept', async () => {
    harness = await startHarness();
    const { exporter, simulator } = harness;
    const state = (): ServerState => exporter.store.servers()[0]!;
    const first = state();
    await exporter.pollNow();
    const second = state();
    expect(second.cycles).toBe(first.cycles + 1);
    for (const organization of second.organizations) {
      const before = first.organizations.find((candidate) => candidate.id === organization.id);
      expect(organization.repositories).toBe(before?.repositories);
    }
    expect(second.backupRepositories).toBe(first.backupRepositories);
    // Jobs, backup and copy: every one read again unchanged is the previous object (kept as each item is parsed).
    expect(second.jobs.length).toBeGreaterThan(2);
    expect(second.jobs.some((job) => job.type === 'copy')).toBe(true);
    for (const job of second.jobs)
      expect(job).toBe(first.jobs.find((candidate) => candidate.type === job.type && candidate.id === job.id));

    simulator.data.getUsedRepository(ORG.fabrikam, REPO.fabrikamLocal)!.usedSpaceBytes = 123_456_789_012;
    simulator.data.getBackupRepository(REPO.nordLocal)!.capacityBytes = 42_000_000;
    const changedJob = second.jobs.find((job) => job.type === 'backup')!;
    simulator.data.updateJob(changedJob.id, { lastStatus: changedJob.lastStatus === 'Failed' ? 'Success' : 'Failed' });
    await exporter.pollNow();
    const third = state();
    const fabrikam = third.organizations.find((organization) => organization.id === ORG.fabrikam)!;
    expect(fabrikam.repositories).not.toBe(second.organizations.find((o) => o.id === ORG.fabrikam)!.repositories);
    const contoso = third.organizations.find((organization) => organization.id === ORG.contoso)!;
    expect(contoso.repositories).toBe(second.organizations.find((o) => o.id === ORG.contoso)!.repositories);
    expect(third.backupRepositories).not.toBe(second.backupRepositories);
    expect(third.backupRepositories.get(REPO.fabrikamLocal)).toBe(second.backupRepositories.get(REPO.fabrikamLocal));
    for (const job of third.jobs) {
      const before = second.jobs.find((candidate) => candidate.type === job.type && candidate.id === job.id);
      if (job.type === 'backup' && job.id === changedJob.id) {
        expect(job).not.toBe(before);
        expect(job.lastStatus).not.toBe(changedJob.lastStatus);
      } else expect(job).toBe(before);
    }

    const text = await harness.metricsText();
    expect(
      sampleValue(text, 'veeam_vb365_repository_used_space_bytes', {
        server: 'sim',
        organization_id: ORG.fabrikam,
        repository_id: REPO.fabrikamLocal,
      }),
    ).toBe(123_456_789_012);
    expect(
      sampleValue(text, 'veeam_vb365_backup_repository_capacity_bytes', {
        server: 'sim',
        repository_id: REPO.nordLocal,
      }),
    ).toBe(42_000_000);
  });
});
