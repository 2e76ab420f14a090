/**
 * The rules that turn a cycle result into a server's next state:
 * a successful poll replaces that organization's repositories; a failed poll keeps the last ones and
 * marks the organization failed; an organization no longer listed is dropped (and returned, so the
 * caller can say so); a failed listing keeps everything and marks every organization failed.
 */
import type { BackupRepository, License } from '../vb365/types.js';
import type { CycleResult, NextState, OrganizationState, ServerState } from './types.js';

export function initialState(name: string): ServerState {
  return {
    name,
    cycles: 0,
    up: false,
    lastError: undefined,
    lastCycleEndMs: undefined,
    lastCycleDurationSeconds: undefined,
    lastUpMs: undefined,
    organizations: [],
    backupRepositories: new Map(),
    backupRepositoriesListedMs: undefined,
    unavailableSinceMs: new Map(),
    apiVersion: undefined,
    productVersion: undefined,
    license: undefined,
    health: undefined,
    objectStorages: new Map(),
  };
}

export function nextState(previous: ServerState, cycle: CycleResult): NextState {
  const common = {
    name: previous.name,
    cycles: previous.cycles + 1,
    lastCycleEndMs: cycle.finishedMs,
    lastCycleDurationSeconds: (cycle.finishedMs - cycle.startedMs) / 1000,
    backupRepositories:
      cycle.backupRepositories === undefined
        ? previous.backupRepositories
        : backupRepositoriesById(cycle.backupRepositories, previous.backupRepositories),
    backupRepositoriesListedMs:
      cycle.backupRepositories === undefined ? previous.backupRepositoriesListedMs : cycle.finishedMs,
    ...factsOf(previous, cycle),
  };
  const { listing } = cycle;
  if (!listing.ok) {
    const organizations = previous.organizations.map((organization) => ({
      ...organization,
      pollSuccess: false,
      lastError: listing.error,
    }));
    const state = {
      ...common,
      up: false,
      lastError: listing.error,
      lastUpMs: previous.lastUpMs,
      organizations,
      unavailableSinceMs: previous.unavailableSinceMs, // nothing new is known
    };
    return { state, dropped: [] };
  }
  const before = new Map(previous.organizations.map((organization) => [organization.id, organization]));
  const polled: OrganizationState[] = [];
  for (const { id, name } of listing.organizations) {
    const poll = cycle.polls.get(id);
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
  const kept = new Set(organizations.map((organization) => organization.id));
  return {
    state: {
      ...common,
      up: true,
      lastError: undefined,
      lastUpMs: cycle.finishedMs,
      organizations,
      unavailableSinceMs: unavailableSince(organizations, previous.unavailableSinceMs, cycle.finishedMs),
    },
    dropped: previous.organizations.filter((organization) => !kept.has(organization.id)),
  };
}

/** The server's facts: each one read this cycle replaces the last, each one not read keeps it. */
function factsOf(
  previous: ServerState,
  { facts }: CycleResult,
): Pick<ServerState, 'apiVersion' | 'productVersion' | 'license' | 'health' | 'objectStorages'> {
  if (facts === undefined) {
    const { apiVersion, productVersion, license, health, objectStorages } = previous;
    return { apiVersion, productVersion, license, health, objectStorages };
  }
  return {
    apiVersion: facts.apiVersion,
    productVersion: facts.serviceInstance?.version ?? previous.productVersion,
    license: licenseOf(facts.license, previous.license),
    // Health exists in v8 only: after a switch to v6/v7 the last v8 report would be stale for good.
    health: facts.apiVersion === 'v8' ? (facts.health ?? previous.health) : undefined,
    objectStorages:
      facts.apiVersion === 'v8'
        ? new Map()
        : facts.objectStorages === undefined
          ? previous.objectStorages
          : new Map(sortedById(facts.objectStorages).map((storage) => [storage.id, storage])),
  };
}

/**
 * v6 does not report the licence's package: the one last read (with v7/v8) is kept, so that a downgrade
 * does not change the labels of veeam_vb365_license_info.
 */
function licenseOf(read: License | undefined, previous: License | undefined): License | undefined {
  if (read === undefined) return previous;
  return read.package === '' && previous !== undefined ? { ...read, package: previous.package } : read;
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

/** By ID, in ID order; the previous map itself when the cycle kept every one of its repositories (store/unchanged.ts). */
function backupRepositoriesById(
  read: readonly BackupRepository[],
  previous: ReadonlyMap<string, BackupRepository>,
): ReadonlyMap<string, BackupRepository> {
  const sorted = sortedById(read);
  const before = [...previous.values()];
  if (sorted.length === before.length && sorted.every((repository, index) => repository === before[index]))
    return previous;
  return new Map(sorted.map((repository) => [repository.id, repository]));
}

/** ID order, sorted here once per cycle: the store's order, which every rendering uses as it is (stable output). */
function sortedById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
