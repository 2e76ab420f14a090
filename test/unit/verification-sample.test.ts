/**
 * The verification sample of a server read per repository: every organization compared at least once in
 * any `cycles` consecutive cycles (organizations coming and going or not), at least one organization of
 * each repository every cycle, and about 1/cycles of the organizations a cycle; and the comparison of
 * the two readings, field by field and row by row.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../src/facts/fact.js';
import type { RepositoryUsage } from '../../src/facts/organizations/per-repository.js';
import type { UsedRepository } from '../../src/facts/organizations/used-repositories.js';
import { differences, verificationSample } from '../../src/facts/organizations/verification.js';

const organizationsOf = (count: number): Organization[] =>
  Array.from({ length: count }, (_, index) => ({ id: randomUUID(), name: `tenant ${index}` }));

/** Each organization on `perOrganization` of the `repositories`, in turn. */
function spread(
  organizations: readonly Organization[],
  repositories: number,
  perOrganization = 2,
): Map<string, string[]> {
  const on = new Map<string, string[]>(Array.from({ length: repositories }, (_, index) => [`repo-${index}`, []]));
  organizations.forEach((organization, index) => {
    for (let k = 0; k < perOrganization; k++) on.get(`repo-${(index + k) % repositories}`)?.push(organization.id);
  });
  return on;
}

describe('verificationSample', () => {
  it.each([1, 3, 10, 100])('compares every organization within %i cycles, whatever cycle it starts at', (cycles) => {
    const organizations = organizationsOf(2_000);
    const on = spread(organizations, 20);
    for (const start of [0, 7, 12_345]) {
      const seen = new Set<string>();
      for (let cycle = start; cycle < start + cycles; cycle++)
        for (const organization of verificationSample(organizations, on, cycle, cycles)) seen.add(organization.id);
      expect(seen.size).toBe(organizations.length);
    }
  });

  it('takes about one organization in `cycles`, plus at most one per repository', () => {
    const organizations = organizationsOf(10_000);
    const on = spread(organizations, 20);
    for (const cycles of [10, 100]) {
      const sizes = Array.from(
        { length: cycles },
        (_, cycle) => verificationSample(organizations, on, cycle, cycles).length,
      );
      const mean = sizes.reduce((sum, size) => sum + size, 0) / cycles;
      expect(mean).toBeGreaterThanOrEqual(10_000 / cycles);
      expect(mean).toBeLessThanOrEqual(10_000 / cycles + 20);
      // Random IDs spread evenly: no slot more than half again as large as the mean.
      expect(Math.max(...sizes)).toBeLessThan((10_000 / cycles) * 1.5 + 20);
    }
  });

  it('has an organization of every repository that has any, every cycle, and none twice', () => {
    const organizations = organizationsOf(500);
    const on = spread(organizations, 50, 1);
    on.set('empty', []);
    for (let cycle = 0; cycle < 30; cycle++) {
      const sample = verificationSample(organizations, on, cycle, 1_000);
      const ids = new Set(sample.map((organization) => organization.id));
      expect(ids.size).toBe(sample.length);
      for (const [repository, onIt] of on)
        if (onIt.length > 0)
          expect(
            onIt.some((id) => ids.has(id)),
            repository,
          ).toBe(true);
    }
  });

  it('keeps each organization in its slot when others come and go', () => {
    const organizations = organizationsOf(300);
    const cycles = 10;
    const slotOf = (list: readonly Organization[], id: string): number[] =>
      Array.from({ length: cycles }, (_, cycle) => cycle).filter((cycle) =>
        verificationSample(list, new Map(), cycle, cycles).some((organization) => organization.id === id),
      );
    const watched = organizations[150] as Organization;
    const before = slotOf(organizations, watched.id);
    const after = slotOf([...organizations.slice(0, 100), ...organizationsOf(200), watched], watched.id);
    expect(before).toHaveLength(1);
    expect(after).toEqual(before);
  });
});

describe('differences', () => {
  const row = (repositoryId: string, used: number | null): RepositoryUsage => ({
    repositoryId,
    usedSpaceBytes: used,
    localCacheUsedSpaceBytes: 5,
    objectStorageUsedSpaceBytes: null,
  });
  const own = (repositoryId: string, used: number | null): UsedRepository => ({
    ...row(repositoryId, used),
    isAvailable: false,
    details: 'whatever the repository says',
    protectedObjectsCount: 7,
  });

  it('finds none where the bytes agree (availability, details and counts are not compared)', () => {
    expect(differences('o', [row('a', 1), row('b', null)], [own('b', null), own('a', 1)])).toEqual([]);
  });

  it('names the field and both values of each difference, null included', () => {
    expect(differences('o', [row('a', 1), row('b', 2)], [own('a', 10), own('b', null)])).toEqual([
      { organizationId: 'o', repositoryId: 'a', field: 'usedSpaceBytes', perRepository: 1, perOrganization: 10 },
      { organizationId: 'o', repositoryId: 'b', field: 'usedSpaceBytes', perRepository: 2, perOrganization: null },
    ]);
  });

  it('finds a repository only one of the readings has', () => {
    expect(differences('o', [row('a', 1)], [own('b', 1)])).toEqual([
      { organizationId: 'o', repositoryId: 'b', field: 'row', perRepository: 'none', perOrganization: 'present' },
      { organizationId: 'o', repositoryId: 'a', field: 'row', perRepository: 'present', perOrganization: 'none' },
    ]);
  });
});
