/**
 * The verification sample of a server read per repository: the rotation compares every organization at
 * least once in any `cycles` consecutive cycles (organizations coming and going or not), exactly
 * ceil(n / cycles) of them a cycle; one organization more for each repository the rotation has none on;
 * and the comparison of the two readings, field by field and row by row.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../src/facts/fact.js';
import type { RepositoryUsage } from '../../src/facts/organizations/per-repository.js';
import type { UsedRepository } from '../../src/facts/organizations/used-repositories.js';
import { differences, representatives, rotation } from '../../src/facts/organizations/verification.js';

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

/** The organizations verified over `cycles` cycles from `verifiedThrough`, and where the rotation ends. */
function rotate(
  organizations: readonly Organization[],
  verifiedThrough: string | undefined,
  cycles: number,
  count = cycles,
): { readonly seen: Set<string>; readonly sizes: number[]; readonly verifiedThrough: string | undefined } {
  const seen = new Set<string>();
  const sizes: number[] = [];
  let through = verifiedThrough;
  for (let cycle = 0; cycle < count; cycle++) {
    const stretch = rotation(organizations, through, cycles);
    for (const organization of stretch.sample) seen.add(organization.id);
    sizes.push(stretch.sample.length);
    through = stretch.verifiedThrough;
  }
  return { seen, sizes, verifiedThrough: through };
}

describe('rotation', () => {
  it.each([1, 3, 10, 100])('compares every organization within %i cycles, from wherever it stands', (cycles) => {
    const organizations = organizationsOf(2_000);
    const sortedIds = organizations.map((organization) => organization.id).sort();
    for (const start of [
      undefined,
      sortedIds[0],
      sortedIds[777],
      sortedIds[1_999],
      '00000000-0000-4000-8000-000000000000',
    ]) {
      expect(rotate(organizations, start, cycles).seen.size).toBe(organizations.length);
    }
  });

  it('takes exactly ceil(n / cycles) organizations a cycle', () => {
    const organizations = organizationsOf(10_000);
    expect(new Set(rotate(organizations, undefined, 100, 250).sizes)).toEqual(new Set([100]));
    expect(new Set(rotate(organizations, undefined, 10, 25).sizes)).toEqual(new Set([1_000]));
    expect(new Set(rotate(organizationsOf(7), undefined, 10, 25).sizes)).toEqual(new Set([1]));
    expect(rotation([], 'anything', 10)).toEqual({ sample: [], verifiedThrough: 'anything' });
  });

  it('still compares every organization within the cycles after organizations came and went', () => {
    const cycles = 10;
    const before = organizationsOf(300);
    const { verifiedThrough } = rotate(before, undefined, cycles, 4);
    const after = [...before.slice(100), ...organizationsOf(200)];
    expect(rotate(after, verifiedThrough, cycles).seen.size).toBe(after.length);
  });
});

/** Every one of `ids` read this cycle, each successfully. */
const readWell = (ids: Iterable<string>): Map<string, boolean> => new Map([...ids].map((id) => [id, true]));

describe('representatives', () => {
  it('adds one organization of each repository the sample has none on, and none twice', () => {
    const organizations = organizationsOf(500);
    const on = spread(organizations, 50, 1);
    on.set('empty', []);
    let through: string | undefined;
    for (let cycle = 0; cycle < 30; cycle++) {
      const stretch = rotation(organizations, through, 1_000);
      through = stretch.verifiedThrough;
      const sampled = new Set(stretch.sample.map((organization) => organization.id));
      const others = representatives(organizations, on, readWell(sampled), through);
      const ids = new Set([...sampled, ...others.map((organization) => organization.id)]);
      expect(ids.size).toBe(sampled.size + others.length);
      for (const [repository, onIt] of on)
        if (onIt.length > 0)
          expect(
            onIt.filter((id) => ids.has(id)),
            repository,
          ).toHaveLength(1);
    }
  });

  it('adds another organization of a repository whose sampled one could not be read, and none already read', () => {
    const organizations = organizationsOf(30);
    const ids = organizations.map((organization) => organization.id).sort();
    const on = new Map([
      ['failed-one', ids.slice(0, 10)],
      ['failed-all', ids.slice(10, 12)],
      ['covered', ids.slice(12, 20)],
    ]);
    const read = new Map([
      [ids[0]!, false],
      [ids[10]!, false],
      [ids[11]!, false],
      [ids[12]!, true],
    ]);
    const chosen = representatives(organizations, on, read, ids[4]).map((organization) => organization.id);
    // The next after the rotation's place on the one whose sampled organization failed; none left on the other.
    expect(chosen).toEqual([ids[5]]);
  });

  it('adds none where the sample covers every repository', () => {
    const organizations = organizationsOf(40);
    const on = spread(organizations, 4);
    const all = new Set(organizations.map((organization) => organization.id));
    expect(representatives(organizations, on, readWell(all), undefined)).toEqual([]);
  });

  it('moves on with the rotation, so no one organization vouches for a repository for good', () => {
    const organizations = organizationsOf(50);
    const on = new Map([['shared', organizations.map((organization) => organization.id)]]);
    const chosen = new Set<string>();
    let through: string | undefined;
    for (let cycle = 0; cycle < 10; cycle++) {
      through = rotation(organizations, through, 50).verifiedThrough;
      for (const organization of representatives(organizations, on, new Map(), through)) chosen.add(organization.id);
    }
    expect(chosen.size).toBe(10);
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
