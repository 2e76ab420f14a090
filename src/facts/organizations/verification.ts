/**
 * Reading per repository is verified, not trusted: each cycle some organizations are also read with their
 * own UsedRepositories and the two readings compared. The sample is a rotating slot of the organizations
 * (every organization in one slot of `cycles`, by its ID, so it is compared once every `cycles` cycles
 * however organizations come and go) and, for each repository with organizations on it, one of them
 * (whose UsedRepositories also gives the repository's availability and details).
 */
import type { Organization } from '../fact.js';
import type { RepositoryUsage } from './per-repository.js';
import { USAGE_FIELDS } from './usage-bytes.js';
import type { UsedRepository } from './used-repositories.js';

/**
 * The organization's slot: the last 32 bits of its ID (random in a UUID) modulo `cycles`. Not the shard's
 * hash (poller/shard.ts), so that a shard's organizations still spread over every slot.
 */
function slotOf(organizationId: string, cycles: number): number {
  return Number.parseInt(organizationId.slice(-8), 16) % cycles;
}

/** The organizations to compare this cycle (`cycle`: the server's cycle count), each once. */
export function verificationSample(
  organizations: readonly Organization[],
  organizationsOn: ReadonlyMap<string, readonly string[]>,
  cycle: number,
  cycles: number,
): Organization[] {
  const slot = cycle % cycles;
  const sample = new Map<string, Organization>();
  for (const organization of organizations)
    if (slotOf(organization.id, cycles) === slot) sample.set(organization.id, organization);
  const byId = new Map(organizations.map((organization) => [organization.id, organization]));
  for (const ids of organizationsOn.values()) {
    if (ids.length === 0 || ids.some((id) => sample.has(id))) continue;
    // A different one each cycle, so no single organization vouches for a repository for good.
    const chosen = byId.get(ids[cycle % ids.length] as string);
    if (chosen !== undefined) sample.set(chosen.id, chosen);
  }
  return [...sample.values()];
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
