/**
 * How the organizations carry over cycles: a successful poll replaces that organization's repositories; a
 * failed poll keeps the last ones and marks the organization failed; an organization no longer listed is
 * dropped; a failed listing keeps everything and marks every organization failed.
 */
import type { CycleEnd } from '../fact.js';
import { sortedById } from '../by-id.js';
import { INITIAL_COLLECTION, nextCollection, type CollectionRead, type CollectionSlice } from './collection.js';
import type { UsedRepository } from './used-repositories.js';

export interface OrganizationState {
  readonly id: string;
  readonly name: string;
  readonly pollSuccess: boolean;
  readonly lastSuccessMs: number | undefined;
  readonly lastError: string | undefined;
  /** From the last successful poll: a failed poll keeps them. */
  readonly repositories: readonly UsedRepository[];
}

export interface OrganizationsSlice extends CollectionSlice {
  /** Sorted by organization ID, so every rendering is stable. */
  readonly organizations: readonly OrganizationState[];
  /**
   * Repositories some organization reports unavailable (`isAvailable` false), with the end of the first cycle
   * of the unbroken run that has reported it so: since when it is unavailable, as far as the exporter knows.
   */
  readonly unavailableSinceMs: ReadonlyMap<string, number>;
}

export type PollOutcome =
  | { readonly ok: true; readonly atMs: number; readonly repositories: readonly UsedRepository[] }
  | { readonly ok: false; readonly atMs: number; readonly error: string };

/** What a cycle's polls found, by organization ID (only this shard's organizations are polled). */
type Polls = ReadonlyMap<string, PollOutcome>;

/** What a cycle read: each organization's used space, however it was read, and how. */
export interface OrganizationsRead {
  readonly polls: Polls;
  readonly collection: CollectionRead;
}

export const INITIAL_ORGANIZATIONS: OrganizationsSlice = {
  organizations: [],
  unavailableSinceMs: new Map(),
  collection: INITIAL_COLLECTION,
};

export function nextOrganizations(
  previous: OrganizationsSlice,
  read: OrganizationsRead | undefined,
  end: CycleEnd,
): OrganizationsSlice {
  const { organizations: listed, listingError } = end;
  const polls = read?.polls;
  const collection = nextCollection(previous.collection, read?.collection, end.finishedMs);
  if (listed === undefined || polls === undefined) {
    const error = listingError ?? 'the organizations were not listed';
    return {
      organizations: previous.organizations.map((organization) => ({
        ...organization,
        pollSuccess: false,
        lastError: error,
      })),
      unavailableSinceMs: previous.unavailableSinceMs, // nothing new is known
      collection,
    };
  }
  const before = new Map(previous.organizations.map((organization) => [organization.id, organization]));
  const polled: OrganizationState[] = [];
  for (const { id, name } of listed) {
    const poll = polls.get(id);
    if (poll === undefined) continue; // listed but not ours (another shard)
    const last = before.get(id);
    polled.push(
      poll.ok
        ? {
            id,
            name,
            pollSuccess: true,
            lastSuccessMs: poll.atMs,
            lastError: undefined,
            repositories: poll.repositories,
          }
        : {
            id,
            name,
            pollSuccess: false,
            lastSuccessMs: last?.lastSuccessMs,
            lastError: poll.error,
            repositories: last?.repositories ?? [],
          },
    );
  }
  const organizations = sortedById(polled);
  return {
    organizations,
    unavailableSinceMs: unavailableSince(organizations, previous.unavailableSinceMs, end.finishedMs),
    collection,
  };
}

/** The organizations of `previous` that `next` no longer has, as they were (their series vanish). */
export function droppedOrganizations(previous: OrganizationsSlice, next: OrganizationsSlice): OrganizationState[] {
  const kept = new Set(next.organizations.map((organization) => organization.id));
  return previous.organizations.filter((organization) => !kept.has(organization.id));
}

/** Each repository reported unavailable now, since the cycle that first saw it so (kept from before). */
function unavailableSince(
  organizations: readonly OrganizationState[],
  before: ReadonlyMap<string, number>,
  nowMs: number,
): Map<string, number> {
  const since = new Map<string, number>();
  for (const organization of organizations) {
    for (const repository of organization.repositories) {
      if (repository.isAvailable || since.has(repository.repositoryId)) continue;
      since.set(repository.repositoryId, before.get(repository.repositoryId) ?? nowMs);
    }
  }
  return since;
}

/** The repositories of an organization as the state holds them, by binary search over the ID-sorted list. */
export function repositoriesOf(
  state: OrganizationsSlice,
  organizationId: string,
): readonly UsedRepository[] | undefined {
  const { organizations } = state;
  let low = 0;
  let high = organizations.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const { id, repositories } = organizations[middle] as OrganizationState;
    if (id === organizationId) return repositories;
    if (id < organizationId) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}
