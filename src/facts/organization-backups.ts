/**
 * Whether each organization is backed up, and when it last was: from the organization listing the cycle
 * makes anyway, asked with its extended view (organizations/listing.ts), so it costs no request of its own.
 * A disabled or stuck job never fails; only the age of the last backup shows it. When the extended view
 * fails, the last known values are kept and veeam_vb365_organizations_extended_view_success says so.
 */
import type { CycleState, Fact, OrganizationBackup, Problem, ProblemContext, ProblemKind } from './fact.js';
import type { OrganizationsSlice } from './organizations/index.js';
import { sortedById } from './by-id.js';
import { flag, seconds } from './samples.js';
import { CACHED } from './wording.js';

export interface OrganizationBackupsSlice {
  /** By organization ID, this shard's listed organizations only, as last read. */
  readonly organizationBackups: ReadonlyMap<string, OrganizationBackup>;
  /** Whether the last listing came with the extended view; undefined before the first. */
  readonly extendedViewSuccess: boolean | undefined;
}

type View = CycleState & OrganizationBackupsSlice & Pick<OrganizationsSlice, 'organizations'>;

/** As VB365OrganizationNotBackedUp's default: no backup for this long is a problem. */
const NOT_BACKED_UP_AFTER_HOURS = 24;
const SAMPLE_SIZE = 5;

/** What the cycle's listing said, or undefined when it came without the extended view. */
type Read = ReadonlyMap<string, OrganizationBackup> | undefined;

function next(
  previous: View,
  read: Read | undefined,
  end: { readonly organizations?: readonly { id: string }[] | undefined },
): OrganizationBackupsSlice {
  const listed = end.organizations;
  // The cycle could not list: nothing new is known.
  if (listed === undefined)
    return { organizationBackups: previous.organizationBackups, extendedViewSuccess: previous.extendedViewSuccess };
  if (read === undefined) {
    // Listed without the extended view: the last known state of the organizations still listed stays.
    const kept = new Map<string, OrganizationBackup>();
    for (const { id } of listed) {
      const before = previous.organizationBackups.get(id);
      if (before !== undefined) kept.set(id, before);
    }
    return { organizationBackups: kept, extendedViewSuccess: false };
  }
  return { organizationBackups: read, extendedViewSuccess: true };
}

/**
 * As VB365OrganizationNotBackedUp: a last backup older than the threshold is critical; never backed up
 * (a new tenant, say) a warning. One row each per server, naming a few organizations.
 */
function problems(server: View, { nowMs }: ProblemContext): Problem[] {
  const staleBeforeMs = nowMs - NOT_BACKED_UP_AFTER_HOURS * 3_600_000;
  const stale: Array<{ readonly name: string; readonly lastBackupMs: number }> = [];
  const never: string[] = [];
  for (const organization of server.organizations) {
    const backup = server.organizationBackups.get(organization.id);
    const name = organization.name || organization.id;
    if (backup?.backedUp === false) never.push(name);
    else if (backup?.lastBackupMs != null && backup.lastBackupMs < staleBeforeMs)
      stale.push({ name, lastBackupMs: backup.lastBackupMs });
  }
  const row = (severity: Problem['severity'], names: readonly string[], words: string): Problem => ({
    kind: 'organizations-not-backed-up',
    severity,
    server: server.name,
    what: names.length === 1 ? '1 organization' : `${names.length} organizations`,
    sinceMs: severity === 'critical' ? Math.min(...stale.map((organization) => organization.lastBackupMs)) : undefined,
    sinceText: 'never backed up',
    words,
    sample: names.slice(0, SAMPLE_SIZE),
    organizations: names.length,
  });
  return [
    ...(stale.length === 0
      ? []
      : [
          row(
            'critical',
            stale.map((organization) => organization.name),
            `no backup within ${NOT_BACKED_UP_AFTER_HOURS} h (lastBackuptime)`,
          ),
        ]),
    ...(never.length === 0 ? [] : [row('warning', never, 'never backed up (isBackedup false)')]),
  ];
}

const kinds: readonly ProblemKind[] = [{ kind: 'organizations-not-backed-up', label: 'Not backed up', rank: 34 }];

export const organizationBackupsFact: Fact<View, OrganizationBackupsSlice, Read> = {
  name: 'organization backups',
  initial: { organizationBackups: new Map(), extendedViewSuccess: undefined },
  read: (context) => {
    if (!context.extendedView) return Promise.resolve(undefined);
    const backups = new Map<string, OrganizationBackup>();
    // In ID order, as every family renders.
    for (const organization of sortedById(context.organizations))
      if (organization.backup !== undefined) backups.set(organization.id, organization.backup);
    return Promise.resolve(backups);
  },
  next,
  families: [
    {
      name: 'veeam_vb365_organizations_extended_view_success',
      help: "Whether the last organization listing came with its extended view, the organizations' backup state (1), or had to be listed without it (0: the values below are the last known).",
      samples: ({ server }, emit) => emit(flag(server.extendedViewSuccess)),
    },
    {
      name: 'veeam_vb365_organization_backed_up',
      help: `Whether VB365 says the organization is backed up (isBackedup: 1) or not (0). ${CACHED}`,
      samples: ({ server }, emit) => {
        for (const [id, backup] of server.organizationBackups) emit(flag(backup.backedUp), id);
      },
    },
    {
      name: 'veeam_vb365_organization_last_backup_timestamp_seconds',
      help: `Unix time of the organization's last backup (lastBackuptime); none if it was never backed up. ${CACHED}`,
      samples: ({ server }, emit) => {
        for (const [id, backup] of server.organizationBackups) emit(seconds(backup.lastBackupMs), id);
      },
    },
  ],
  problemKinds: kinds,
  problems,
  columns: [],
};
