/**
 * What is wrong, for the status page: derived from the store's state, the configuration (poll intervals)
 * and the time now. Ordered as the person on call reads it: servers down or unhealthy, repositories
 * unavailable or out of order, a licence ending, failing and stale organizations, then the warnings.
 * Grouped so that ten thousand organizations failing for one reason make one row, not ten thousand.
 */
import { DEFAULTS } from '../../config/load.js';
import type { ServerConfig } from '../../config/types.js';
import type { OrganizationState, ServerState } from '../../store/types.js';
import { formatBytes } from './format.js';
import { licenseProblems, objectStorageNearLimit, repositoryStates, serverUnhealthy } from './state-problems.js';

/** Data older than this many poll intervals is stale (as the VB365DataStale alert says). */
export const STALE_AFTER_INTERVALS = 3;
/** A backup repository with less free space than this fraction of its capacity (as VB365RepositoryLowFreeSpace). */
export const LOW_FREE_SPACE_RATIO = 0.1;
/** Organization names shown in a grouped row. */
export const SAMPLE_SIZE = 5;

export type ProblemKind =
  | 'server-down'
  | 'server-unhealthy'
  | 'repository-unavailable'
  | 'repository-out-of-order'
  | 'license-expiring'
  | 'organizations-failing'
  | 'organizations-stale'
  | 'repository-out-of-sync'
  | 'repository-outdated'
  | 'object-storage-near-limit'
  | 'repository-low-space'
  | 'license-users-exhausted';

export interface Problem {
  readonly kind: ProblemKind;
  readonly severity: 'critical' | 'warning';
  readonly server: string;
  /** What is affected, in words: a repository's name, or "12 organizations". */
  readonly what: string;
  /** Since when, when known (milliseconds since the epoch). */
  readonly sinceMs: number | undefined;
  /** Said instead of a time when `sinceMs` is unknown. */
  readonly sinceText: string;
  /** VB365's own words (its error or `details`), or the figures behind the problem. */
  readonly words: string;
  /** A few affected organizations' names (or IDs where a name is empty). */
  readonly sample: readonly string[];
  /** How many organizations are affected (0 for a problem of the server or a repository alone). */
  readonly organizations: number;
}

export const KIND_ORDER: readonly ProblemKind[] = [
  'server-down',
  'server-unhealthy',
  'repository-unavailable',
  'repository-out-of-order',
  'license-expiring',
  'organizations-failing',
  'organizations-stale',
  'repository-out-of-sync',
  'repository-outdated',
  'object-storage-near-limit',
  'repository-low-space',
  'license-users-exhausted',
];

type Configured = Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>;

export function findProblems(
  servers: readonly ServerState[],
  configured: readonly Configured[],
  nowMs: number,
): Problem[] {
  const intervals = new Map(configured.map((server) => [server.name, server.pollIntervalSeconds]));
  const problems: Problem[] = [];
  for (const server of servers) {
    if (server.cycles === 0) continue; // not polled yet: the overview says so; nothing is known to be wrong
    const staleBeforeMs =
      nowMs - STALE_AFTER_INTERVALS * (intervals.get(server.name) ?? DEFAULTS.pollIntervalSeconds) * 1000;
    problems.push(
      ...serverDown(server),
      ...unavailableRepositories(server),
      ...failingOrganizations(server),
      ...staleOrganizations(server, staleBeforeMs),
      ...lowSpaceRepositories(server),
      ...serverUnhealthy(server),
      ...repositoryStates(server),
      ...objectStorageNearLimit(server),
      ...licenseProblems(server, nowMs),
    );
  }
  return problems.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      b.organizations - a.organizations ||
      a.server.localeCompare(b.server),
  );
}

function serverDown(server: ServerState): Problem[] {
  if (server.up) return [];
  const count = server.organizations.length;
  return [
    {
      kind: 'server-down',
      severity: 'critical',
      server: server.name,
      what: `the server (${count} organizations keep their last values)`,
      sinceMs: server.lastUpMs,
      sinceText: 'never reached',
      words: server.lastError ?? '',
      sample: [],
      organizations: count,
    },
  ];
}

function unavailableRepositories(server: ServerState): Problem[] {
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
    what: repositoryName(server, repositoryId),
    sinceMs: server.unavailableSinceMs.get(repositoryId),
    sinceText: 'unknown',
    words: [...details].slice(0, 3).join('; '),
    sample: sampleOf(organizations),
    organizations: organizations.length,
  }));
}

function failingOrganizations(server: ServerState): Problem[] {
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

function staleOrganizations(server: ServerState, staleBeforeMs: number): Problem[] {
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

function lowSpaceRepositories(server: ServerState): Problem[] {
  const problems: Problem[] = [];
  for (const repository of server.backupRepositories.values()) {
    const { capacityBytes, freeSpaceBytes } = repository;
    if (capacityBytes === null || freeSpaceBytes === null || capacityBytes <= 0) continue;
    const ratio = freeSpaceBytes / capacityBytes;
    if (ratio >= LOW_FREE_SPACE_RATIO) continue;
    problems.push({
      kind: 'repository-low-space',
      severity: 'warning',
      server: server.name,
      what: repository.name === '' ? repository.id : repository.name,
      sinceMs: undefined,
      sinceText: 'as last listed',
      words: `${(ratio * 100).toFixed(1)} % free: ${formatBytes(freeSpaceBytes)} of ${formatBytes(capacityBytes)} (freeSpaceBytes of capacityBytes)`,
      sample: [],
      organizations: 0,
    });
  }
  return problems;
}

function repositoryName(server: ServerState, repositoryId: string): string {
  const name = server.backupRepositories.get(repositoryId)?.name ?? '';
  return name === '' ? repositoryId : name;
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
