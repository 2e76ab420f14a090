/**
 * Reading per repository is verified, not trusted: each cycle some organizations are also read with their
 * own UsedRepositories and the two readings compared. The sample is the rotation's next stretch of
 * organizations in ID order (ceil(n / cycles) of them, after the last one verified, wrapping around), so
 * every organization is compared once in any `cycles` cycles, however organizations come and go, and the
 * sample is the same size every cycle; and, for each repository none of those is on, one organization of it
 * (whose UsedRepositories also gives the repository's availability and details).
 */
import type { Organization } from '../fact.js';
import type { RepositoryUsage } from './per-repository.js';
import { USAGE_FIELDS } from './usage-bytes.js';
import type { UsedRepository } from './used-repositories.js';

export interface Rotation {
  readonly sample: readonly Organization[];
  /** The last organization ID of the stretch: where the next cycle's starts after. */
  readonly verifiedThrough: string | undefined;
}

/** The rotation's stretch this cycle, after `verifiedThrough` (the last cycle's), in ID order. */
export function rotation(
  organizations: readonly Organization[],
  verifiedThrough: string | undefined,
  cycles: number,
): Rotation {
  if (organizations.length === 0) return { sample: [], verifiedThrough };
  const sorted = [...organizations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const size = Math.ceil(sorted.length / cycles);
  const after = verifiedThrough === undefined ? -1 : lastAtOrBefore(sorted, verifiedThrough);
  const sample = Array.from({ length: size }, (_, k) => sorted[(after + 1 + k) % sorted.length] as Organization);
  return { sample, verifiedThrough: sample[sample.length - 1]?.id };
}

/** The index of the last organization whose ID is at most `id` (-1 when none is). */
function lastAtOrBefore(sorted: readonly Organization[], id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as Organization).id <= id) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/**
 * One organization of each repository that has any and none whose own reading succeeded this cycle
 * (`read`: each organization read this cycle, and whether that worked), chosen among those not read yet:
 * the first on it after `verifiedThrough` in ID order (so a different one as the rotation moves on), else
 * its first. A repository whose sampled organization failed so gets another, as long as one is left.
 */
export function representatives(
  organizations: readonly Organization[],
  organizationsOn: ReadonlyMap<string, readonly string[]>,
  read: ReadonlyMap<string, boolean>,
  verifiedThrough: string | undefined,
): Organization[] {
  const byId = new Map(organizations.map((organization) => [organization.id, organization]));
  const chosen = new Map<string, Organization>();
  for (const ids of organizationsOn.values()) {
    if (ids.some((id) => read.get(id) === true || chosen.has(id))) continue;
    let next: string | undefined;
    let first: string | undefined;
    for (const id of ids) {
      if (read.has(id)) continue;
      if (first === undefined || id < first) first = id;
      if (verifiedThrough !== undefined && id > verifiedThrough && (next === undefined || id < next)) next = id;
    }
    const organization = byId.get(next ?? first ?? '');
    if (organization !== undefined) chosen.set(organization.id, organization);
  }
  return [...chosen.values()];
}

/** One difference between the two readings of an organization's space in a repository. */
export interface Mismatch {
  readonly organizationId: string;
  readonly repositoryId: string;
  /** A byte field, or `row` when only one of the readings has the repository at all. */
  readonly field: (typeof USAGE_FIELDS)[number] | 'row';
  /** backedupOrganizations' value (`none`: no row for the organization). */
  readonly perRepository: number | null | 'none' | 'present';
  /** UsedRepositories' value (`none`: no row for the repository). */
  readonly perOrganization: number | null | 'none' | 'present';
}

/** Every difference between an organization's per-repository rows and its own UsedRepositories. */
export function differences(
  organizationId: string,
  perRepository: readonly RepositoryUsage[],
  perOrganization: readonly UsedRepository[],
): Mismatch[] {
  const found: Mismatch[] = [];
  const rows = new Map(perRepository.map((row) => [row.repositoryId, row]));
  for (const own of perOrganization) {
    const { repositoryId } = own;
    const row = rows.get(repositoryId);
    rows.delete(repositoryId);
    if (row === undefined) {
      found.push({ organizationId, repositoryId, field: 'row', perRepository: 'none', perOrganization: 'present' });
      continue;
    }
    for (const field of USAGE_FIELDS)
      if (row[field] !== own[field])
        found.push({ organizationId, repositoryId, field, perRepository: row[field], perOrganization: own[field] });
  }
  for (const repositoryId of rows.keys())
    found.push({ organizationId, repositoryId, field: 'row', perRepository: 'present', perOrganization: 'none' });
  return found;
}
