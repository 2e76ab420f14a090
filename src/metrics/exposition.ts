/**
 * Renders the store as Prometheus text exposition (version 0.0.4). The whole text is built once per
 * completed cycle, not at every scrape: scrapes only send it.
 */
import type { OrganizationState, ServerState } from '../store/types.js';
import type { UsedRepository } from '../vb365/types.js';

const CACHED = 'Cached from the last poll of the VB365 server.';

interface Family<T> {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  readonly samples: (server: ServerState) => Iterable<T>;
}

/** A sample: label pairs and a value; undefined values give no sample (never a made-up 0). */
type Sample = readonly [labels: string, value: number | undefined];

const serverLabel = (server: ServerState): string => `server="${escapeLabelValue(server.name)}"`;
const organizationLabels = (server: ServerState, organization: OrganizationState): string =>
  `${serverLabel(server)},organization_id="${organization.id}"`;
const repositoryLabels = (server: ServerState, organization: OrganizationState, repository: UsedRepository): string =>
  `${organizationLabels(server, organization)},repository_id="${repository.repositoryId}"`;

function* perRepository(server: ServerState, value: (repository: UsedRepository) => number | null): Iterable<Sample> {
  for (const organization of server.organizations) {
    for (const repository of organization.repositories) {
      yield [repositoryLabels(server, organization, repository), value(repository) ?? undefined];
    }
  }
}

function* perOrganization(server: ServerState, value: (organization: OrganizationState) => number | undefined): Iterable<Sample> {
  for (const organization of server.organizations) yield [organizationLabels(server, organization), value(organization)];
}

function* perBackupRepository(server: ServerState, value: (capacity: number | null, free: number | null) => number | null): Iterable<Sample> {
  for (const repository of [...server.backupRepositories.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    yield [`${serverLabel(server)},repository_id="${repository.id}"`, value(repository.capacityBytes, repository.freeSpaceBytes) ?? undefined];
  }
}

const FAMILIES: ReadonlyArray<Family<Sample>> = [
  {
    name: 'veeam_vb365_up',
    help: 'Whether the last poll cycle could log in to the VB365 server and list organizations (1) or not (0).',
    type: 'gauge',
    samples: (server) => (server.cycles === 0 ? [] : [[serverLabel(server), server.up ? 1 : 0]]),
  },
  {
    name: 'veeam_vb365_poll_cycle_duration_seconds',
    help: 'Duration of the last completed poll cycle of the VB365 server.',
    type: 'gauge',
    samples: (server) => [[serverLabel(server), server.lastCycleDurationSeconds]],
  },
  {
    name: 'veeam_vb365_poll_interval_seconds',
    help: 'Configured seconds between the starts of two poll cycles.',
    type: 'gauge',
    samples: (server) => [[serverLabel(server), server.pollIntervalSeconds]],
  },
  {
    name: 'veeam_vb365_organization_poll_success',
    help: `Whether the last poll of the organization's used repositories succeeded (1) or failed (0). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perOrganization(server, (organization) => (organization.pollSuccess ? 1 : 0)),
  },
  {
    name: 'veeam_vb365_organization_last_success_timestamp_seconds',
    help: `Unix time of the last successful poll of the organization's used repositories. ${CACHED}`,
    type: 'gauge',
    samples: (server) => perOrganization(server, (organization) => (organization.lastSuccessMs === undefined ? undefined : organization.lastSuccessMs / 1000)),
  },
  {
    name: 'veeam_vb365_repository_used_space_bytes',
    help: `Space the organization's backups occupy in the backup repository (usedSpaceBytes). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perRepository(server, (repository) => repository.usedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_local_cache_used_space_bytes',
    help: `Space the organization's data occupies in the local cache of a repository extended with object storage (localCacheUsedSpaceBytes). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perRepository(server, (repository) => repository.localCacheUsedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_object_storage_used_space_bytes',
    help: `Space the organization's backups occupy in object storage (objectStorageUsedSpaceBytes). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perRepository(server, (repository) => repository.objectStorageUsedSpaceBytes),
  },
  {
    name: 'veeam_vb365_repository_available',
    help: `Whether the backup repository is available for backup and restore (isAvailable: 1) or not (0). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perRepository(server, (repository) => (repository.isAvailable ? 1 : 0)),
  },
  {
    name: 'veeam_vb365_backup_repository_capacity_bytes',
    help: `Capacity of the backup repository, where the server reports it (local repositories). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perBackupRepository(server, (capacity) => capacity),
  },
  {
    name: 'veeam_vb365_backup_repository_free_space_bytes',
    help: `Free space of the backup repository, where the server reports it (local repositories). ${CACHED}`,
    type: 'gauge',
    samples: (server) => perBackupRepository(server, (_capacity, free) => free),
  },
];

/** Names and details are labels of an info metric (value 1), so the byte gauges keep stable label sets. */
function* repositoryInfo(server: ServerState): Iterable<Sample> {
  for (const organization of server.organizations) {
    for (const repository of organization.repositories) {
      const name = server.backupRepositories.get(repository.repositoryId)?.name ?? '';
      const labels =
        `${repositoryLabels(server, organization, repository)},organization_name="${escapeLabelValue(organization.name)}"` +
        `,repository_name="${escapeLabelValue(name)}",details="${escapeLabelValue(repository.details)}"`;
      yield [labels, 1];
    }
  }
}

const INFO: Family<Sample> = {
  name: 'veeam_vb365_repository_info',
  help: `Names and details of a repository an organization uses; always 1. ${CACHED}`,
  type: 'gauge',
  samples: repositoryInfo,
};

export function renderExposition(servers: readonly ServerState[]): string {
  const parts: string[] = [];
  for (const family of [...FAMILIES, INFO]) {
    parts.push(`# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`);
    for (const server of servers) {
      for (const [labels, value] of family.samples(server)) {
        if (value !== undefined) parts.push(`${family.name}{${labels}} ${formatValue(value)}\n`);
      }
    }
  }
  return parts.join('');
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
