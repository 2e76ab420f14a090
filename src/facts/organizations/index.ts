/**
 * The organizations and the space each uses: every cycle lists them (listing.ts, the cycle's first read)
 * and reads each owned organization's used repositories, one organization at a time (polls.ts, at most
 * `poll_concurrency` at once) or, where the server's `collection` is per_repository, per repository and
 * verified against a sample (verified-read.ts).
 */
import type { BackupRepositoriesSlice } from '../backup-repositories/index.js';
import type { CycleContext, CycleState, Fact } from '../fact.js';
import {
  collectionAfterReload,
  collectionColumn,
  collectionFamilies,
  collectionProblemKinds,
  collectionProblems,
  readsPerRepository,
} from './collection.js';
import { detailFamilies, pollFamilies } from './families.js';
import { pollEach } from './polls.js';
import { organizationProblemKinds, organizationProblems } from './problems.js';
import {
  INITIAL_ORGANIZATIONS,
  droppedOrganizations,
  nextOrganizations,
  type OrganizationsRead,
  type OrganizationsSlice,
} from './state.js';
import { readVerified } from './verified-read.js';

type View = CycleState & OrganizationsSlice & Pick<BackupRepositoriesSlice, 'backupRepositories'>;

/** Per repository where the server is set so (and has not fallen back), else one organization at a time. */
async function readUsedSpace(context: CycleContext, previous: View): Promise<OrganizationsRead> {
  const configured = context.server.collection;
  if (readsPerRepository(configured, previous.collection)) return readVerified(context, previous);
  return {
    polls: await pollEach(context, previous, context.organizations),
    collection: {
      configured,
      mismatches: 0,
      unmappedItems: undefined,
      verifiedThrough: undefined,
      readPerRepository: false,
    },
  };
}

export const organizationsFact: Fact<View, OrganizationsSlice, OrganizationsRead> = {
  name: 'organizations',
  initial: INITIAL_ORGANIZATIONS,
  read: readUsedSpace,
  next: nextOrganizations,
  logChanges: (previous, next, logger) => {
    // Series vanish with an organization no longer listed: say so, once, with its name.
    for (const organization of droppedOrganizations(previous, next))
      logger.info(
        { organizationId: organization.id, organizationName: organization.name },
        'organization no longer listed; dropping its series',
      );
  },
  afterReload: (previous) => ({
    organizations: previous.organizations,
    unavailableSinceMs: previous.unavailableSinceMs,
    collection: collectionAfterReload(previous.collection),
  }),
  families: [...pollFamilies, ...detailFamilies],
  problemKinds: [...organizationProblemKinds, ...collectionProblemKinds],
  problems: (server, context) => [...organizationProblems(server, context), ...collectionProblems(server)],
  columns: [collectionColumn],
};

export { pollFamilies, detailFamilies, collectionFamilies };
export type { OrganizationState, OrganizationsSlice } from './state.js';
export type { UsedRepository } from './used-repositories.js';
