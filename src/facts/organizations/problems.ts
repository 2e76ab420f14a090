/**
 * What is wrong with the organizations, for the status page: repositories they report unavailable, polls
 * failing, data gone stale. Grouped so that ten thousand organizations failing for one reason make one row.
 */
import { backupRepositoryName, type BackupRepositoriesSlice } from '../backup-repositories/index.js';
import type { CycleState, Problem, ProblemContext, ProblemKind } from '../fact.js';
import type { OrganizationState, OrganizationsSlice } from './state.js';

type View = CycleState & OrganizationsSlice & Pick<BackupRepositoriesSlice, 'backupRepositories'>;

/** Data older than this many poll intervals is stale (as the VB365DataStale alert says). */
const STALE_AFTER_INTERVALS = 3;
/** Organization names shown in a grouped row. */
const SAMPLE_SIZE = 5;

export const organizationProblemKinds: readonly ProblemKind[] = [
  { kind: 'repository-unavailable', label: 'Repository unavailable', rank: 30 },
  { kind: 'organizations-failing', label: 'Organizations failing', rank: 60 },
  { kind: 'organizations-stale', label: 'Data stale', rank: 70 },
];

export function organizationProblems(server: View, context: ProblemContext): Problem[] {
  const staleBeforeMs = context.nowMs - STALE_AFTER_INTERVALS * context.pollIntervalSeconds * 1000;
  return [
    ...unavailableRepositories(server),
    ...failingOrganizations(server),
    ...staleOrganizations(server, staleBeforeMs),
  ];
}

function unavailableRepositories(server: View): Problem[] {
  const byRepository = new Map<string, { organizations: OrganizationState[]; details: Set<string> }>();
  for (const organization of server.organizations) {
    for (const repository of organization.repositories) {
      if (repository.isAvailable) continue;
      const entry = byRepository.get(repository.repositoryId) ?? { organizations: [], details: new Set() };
      entry.organizations.push(organization);
      if (repository.details !== '') entry.details.add(repository.details);
      byRepository.set(repository.repositoryId, entry);
    }
  }
  return [...byRepository].map(([repositoryId, { organizations, details }]) => ({
    kind: 'repository-unavailable',
    severity: 'critical',
    server: server.name,
    what: backupRepositoryName(server, repositoryId) || repositoryId,
    sinceMs: server.unavailableSinceMs.get(repositoryId),
    sinceText: 'unknown',
    words: [...details].slice(0, 3).join('; '),
    sample: sampleOf(organizations),
    organizations: organizations.length,
  }));
}

function failingOrganizations(server: View): Problem[] {
  if (!server.up) return []; // every organization fails for the server's reason: one row above says it
  const byError = new Map<string, OrganizationState[]>();
  for (const organization of server.organizations) {
    if (organization.pollSuccess) continue;
    const error = organization.lastError ?? '';
    const group = byError.get(error) ?? [];
    group.push(organization);
    byError.set(error, group);
  }
  return [...byError].map(([error, organizations]) => ({
    kind: 'organizations-failing',
    severity: 'critical',
    server: server.name,
    what: count(organizations.length),
    sinceMs: oldestSuccess(organizations),
    sinceText: 'never polled successfully',
    words: error,
    sample: sampleOf(organizations),
    organizations: organizations.length,
  }));
}

function staleOrganizations(server: View, staleBeforeMs: number): Problem[] {
  const stale = server.organizations.filter(
    (organization) => organization.lastSuccessMs === undefined || organization.lastSuccessMs < staleBeforeMs,
  );
  if (stale.length === 0) return [];
  return [
    {
      kind: 'organizations-stale',
      severity: 'warning',
      server: server.name,
      what: count(stale.length),
      sinceMs: oldestSuccess(stale),
      sinceText: 'never polled successfully',
      words: `last success older than ${STALE_AFTER_INTERVALS} poll intervals: their values are old`,
      sample: sampleOf(stale),
      organizations: stale.length,
    },
  ];
}

function sampleOf(organizations: readonly OrganizationState[]): string[] {
  return organizations.slice(0, SAMPLE_SIZE).map((organization) => organization.name || organization.id);
}

/** The oldest last success of these organizations; undefined when one never succeeded. */
function oldestSuccess(organizations: readonly OrganizationState[]): number | undefined {
  let oldest = Number.POSITIVE_INFINITY;
  for (const { lastSuccessMs } of organizations) {
    if (lastSuccessMs === undefined) return undefined;
    oldest = Math.min(oldest, lastSuccessMs);
  }
  return oldest;
}

function count(organizations: number): string {
  return organizations === 1 ? '1 organization' : `${organizations} organizations`;
}
