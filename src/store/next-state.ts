/**
 * The rules that turn a cycle result into a server's next state:
 * a successful poll replaces that organization's repositories; a failed poll keeps the last ones and
 * marks the organization failed; an organization no longer listed is dropped; a failed listing keeps
 * everything and marks every organization failed.
 */
import type { CycleResult, OrganizationState, ServerState } from './types.js';

export function initialState(name: string, pollIntervalSeconds: number): ServerState {
  return {
    name,
    pollIntervalSeconds,
    cycles: 0,
    up: false,
    lastError: undefined,
    lastCycleEndMs: undefined,
    lastCycleDurationSeconds: undefined,
    organizations: [],
    backupRepositories: new Map(),
    backupRepositoriesListedMs: undefined,
  };
}

export function nextState(previous: ServerState, cycle: CycleResult): ServerState {
  const common = {
    name: previous.name,
    pollIntervalSeconds: previous.pollIntervalSeconds,
    cycles: previous.cycles + 1,
    lastCycleEndMs: cycle.finishedMs,
    lastCycleDurationSeconds: (cycle.finishedMs - cycle.startedMs) / 1000,
    backupRepositories:
      cycle.backupRepositories === undefined
        ? previous.backupRepositories
        : new Map(cycle.backupRepositories.map((repository) => [repository.id, repository])),
    backupRepositoriesListedMs:
      cycle.backupRepositories === undefined ? previous.backupRepositoriesListedMs : cycle.finishedMs,
  };
  const { listing } = cycle;
  if (!listing.ok) {
    return {
      ...common,
      up: false,
      lastError: listing.error,
      organizations: previous.organizations.map((organization) => ({
        ...organization,
        pollSuccess: false,
        lastError: listing.error,
      })),
    };
  }
  const before = new Map(previous.organizations.map((organization) => [organization.id, organization]));
  const organizations: OrganizationState[] = [];
  for (const { id, name } of listing.organizations) {
    const poll = cycle.polls.get(id);
    if (poll === undefined) continue; // listed but not ours (another shard)
    const last = before.get(id);
    organizations.push(
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
  organizations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...common, up: true, lastError: undefined, organizations };
}
