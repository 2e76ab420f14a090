/**
 * The organizations and the space each uses: every cycle lists them (listing.ts, the cycle's first read)
 * and polls each owned organization's used repositories, at most `poll_concurrency` at a time.
 */
import { keptListIfEqual } from '../../store/unchanged.js';
import { describeError } from '../../vb365/errors.js';
import type { BackupRepositoriesSlice } from '../backup-repositories/index.js';
import type { CycleContext, CycleState, Fact, Organization } from '../fact.js';
import { logRejected } from '../reading.js';
import { detailFamilies, pollFamilies } from './families.js';
import { organizationProblemKinds, organizationProblems } from './problems.js';
import {
  INITIAL_ORGANIZATIONS,
  droppedOrganizations,
  nextOrganizations,
  repositoriesOf,
  type OrganizationsSlice,
  type PollOutcome,
  type Polls,
} from './state.js';
import { readUsedRepositories } from './used-repositories.js';

type View = CycleState & OrganizationsSlice & Pick<BackupRepositoriesSlice, 'backupRepositories'>;

async function pollAll(context: CycleContext, previous: View): Promise<Polls> {
  const polls = new Map<string, PollOutcome>();
  // `poll_concurrency` workers share one queue: no task object per organization waits in memory, which
  // matters at ten thousand organizations.
  const queue = context.organizations[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (const organization of queue) polls.set(organization.id, await pollOne(context, previous, organization));
  };
  const workers = Math.min(context.server.pollConcurrency, context.organizations.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return polls;
}

async function pollOne(context: CycleContext, previous: View, organization: Organization): Promise<PollOutcome> {
  const where = { organizationId: organization.id, organizationName: organization.name };
  try {
    const listing = await readUsedRepositories(context.client, organization.id, context.signal);
    logRejected(context.logger, 'used repositories', listing, where);
    // Records read again unchanged keep their old objects (see store/unchanged.ts).
    const repositories = keptListIfEqual(repositoriesOf(previous, organization.id), listing.items);
    return { ok: true, atMs: context.clock.now(), repositories };
  } catch (error) {
    context.logger.warn(
      { ...where, reason: describeError(error) },
      'organization poll failed; keeping its last known values',
    );
    return { ok: false, atMs: context.clock.now(), error: describeError(error) };
  }
}

export const organizationsFact: Fact<View, OrganizationsSlice, Polls> = {
  name: 'organizations',
  initial: INITIAL_ORGANIZATIONS,
  read: pollAll,
  next: nextOrganizations,
  logChanges: (previous, next, logger) => {
    // Series vanish with an organization no longer listed: say so, once, with its name.
    for (const organization of droppedOrganizations(previous, next))
      logger.info(
        { organizationId: organization.id, organizationName: organization.name },
        'organization no longer listed; dropping its series',
      );
  },
  families: [...pollFamilies, ...detailFamilies],
  problemKinds: organizationProblemKinds,
  problems: organizationProblems,
  columns: [],
};

export { pollFamilies, detailFamilies };
export type { OrganizationState, OrganizationsSlice } from './state.js';
export type { UsedRepository } from './used-repositories.js';
