/**
 * Organizations read one by one: each one's used repositories, at most `poll_concurrency` at a time. A
 * failed poll is logged and read as such (the organization keeps its last values).
 */
import { keptListIfEqual } from '../../store/unchanged.js';
import { describeError } from '../../vb365/errors.js';
import type { CycleContext, Organization } from '../fact.js';
import { logRejected } from '../reading.js';
import { forEachAtMost } from './concurrently.js';
import { repositoriesOf, type OrganizationsSlice, type PollOutcome } from './state.js';
import { readUsedRepositories } from './used-repositories.js';

export async function pollEach(
  context: CycleContext,
  previous: OrganizationsSlice,
  organizations: readonly Organization[],
): Promise<Map<string, PollOutcome>> {
  const polls = new Map<string, PollOutcome>();
  await forEachAtMost(context.server.pollConcurrency, organizations, async (organization) => {
    polls.set(organization.id, await pollOne(context, previous, organization));
  });
  return polls;
}

async function pollOne(
  context: CycleContext,
  previous: OrganizationsSlice,
  organization: Organization,
): Promise<PollOutcome> {
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
