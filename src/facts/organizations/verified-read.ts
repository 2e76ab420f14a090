/**
 * A cycle of a server read per repository: the backup repositories this cycle listed (read by their own
 * fact), each one's organizations (per-repository.ts), and beside them the verification's own
 * UsedRepositories reads (verification.ts): the rotation's stretch at once, then one organization of each
 * repository the stretch has none on. Where the readings agree, every organization gets the per-repository
 * bytes with its repositories' availability and details from the sample, exactly as a per-organization cycle
 * would export them. Where they differ, each difference is logged with both values and the cycle reads every
 * organization on its own, as every cycle after it will until a reload or a restart. Where the repositories
 * cannot be read, this one cycle reads every organization on its own.
 */
import { keptListIfEqual } from '../../store/unchanged.js';
import { describeError } from '../../vb365/errors.js';
import { backupRepositoriesFact } from '../backup-repositories/index.js';
import type { CycleContext, Organization } from '../fact.js';
import type { CollectionRead } from './collection.js';
import { readPerRepository, type PerRepositoryReading, type RepositoryUsage } from './per-repository.js';
import { pollEach } from './polls.js';
import { repositoriesOf, type OrganizationsRead, type OrganizationsSlice, type PollOutcome } from './state.js';
import { USAGE_FIELDS } from './usage-bytes.js';
import type { UsedRepository } from './used-repositories.js';
import { differences, representatives, rotation, type Mismatch } from './verification.js';

type View = OrganizationsSlice;

/** A repository's state as an organization on it reported it this cycle. */
type Availability = Pick<UsedRepository, 'isAvailable' | 'details'>;

/** Differences written to the log one by one; the count says how many there were. */
const LOGGED_MISMATCHES = 20;

export async function readVerified(context: CycleContext, previous: View): Promise<OrganizationsRead> {
  // Configured organizations the listing does not name have no items to map: each cycle reads them on their
  // own, as per_organization does (a 404 fails them), and keeps them out of the comparison.
  const listed = context.organizations.filter((organization) => !context.unlisted.has(organization.id));
  const unlisted = context.organizations.filter((organization) => context.unlisted.has(organization.id));
  const stretch = rotation(listed, previous.collection.verifiedThrough, context.server.verificationCycles);
  // The stretch is read beside the repositories: it needs nothing from them, and readings a moment apart agree best.
  const [reading, rotated, alone] = await Promise.all([
    readRepositories(context),
    pollEach(context, previous, stretch.sample),
    pollEach(context, previous, unlisted),
  ]);
  if (reading === undefined)
    return everyOrganization(context, previous, new Map([...rotated, ...alone]), { unmappedItems: undefined });
  const others = representatives(listed, reading.organizationsOn, okById(rotated), stretch.verifiedThrough);
  const verified = new Map([...rotated, ...(await pollEach(context, previous, others))]);
  const mismatches = compare(reading, verified);
  const { unmappedItems } = reading;
  if (mismatches.length > 0) {
    logMismatches(context, mismatches);
    return everyOrganization(context, previous, new Map([...verified, ...alone]), {
      unmappedItems,
      mismatches: mismatches.length,
    });
  }
  const atMs = context.clock.now();
  const availability = availabilityOf(verified);
  const polls = new Map<string, PollOutcome>(alone);
  for (const { id } of listed) {
    polls.set(
      id,
      verified.get(id) ??
        fromRepositories(reading.usage.get(id) ?? [], availability, repositoriesOf(previous, id), atMs),
    );
  }
  return {
    polls,
    collection: {
      configured: 'per_repository',
      mismatches: 0,
      unmappedItems,
      verifiedThrough: stretch.verifiedThrough,
      readPerRepository: true,
    },
  };
}

/** Each organization read this cycle, and whether its own reading worked. */
function okById(polls: ReadonlyMap<string, PollOutcome>): Map<string, boolean> {
  return new Map([...polls].map(([id, poll]) => [id, poll.ok]));
}

/** Every organization read on its own: those not read yet this cycle, and those that were. */
async function everyOrganization(
  context: CycleContext,
  previous: View,
  read: ReadonlyMap<string, PollOutcome>,
  collection: Pick<CollectionRead, 'unmappedItems'> & { readonly mismatches?: number },
): Promise<OrganizationsRead> {
  const rest = context.organizations.filter((organization: Organization) => !read.has(organization.id));
  return {
    polls: new Map([...read, ...(await pollEach(context, previous, rest))]),
    collection: {
      configured: 'per_repository',
      mismatches: collection.mismatches ?? 0,
      unmappedItems: collection.unmappedItems,
      verifiedThrough: undefined,
      readPerRepository: false,
    },
  };
}

async function readRepositories(context: CycleContext): Promise<PerRepositoryReading | undefined> {
  const { repositories } = await context.readOf(backupRepositoriesFact);
  if (repositories === undefined)
    return perOrganizationThisCycle(context, 'the backup repositories could not be listed');
  try {
    return await readPerRepository(
      context,
      repositories.map((repository) => repository.id),
    );
  } catch (error) {
    return perOrganizationThisCycle(context, describeError(error));
  }
}

function perOrganizationThisCycle(context: CycleContext, reason: string): undefined {
  context.logger.warn({ reason }, 'could not read used space per repository; reading it per organization this cycle');
  return undefined;
}

function compare(reading: PerRepositoryReading, verified: ReadonlyMap<string, PollOutcome>): Mismatch[] {
  const found: Mismatch[] = [];
  for (const [organizationId, poll] of verified)
    if (poll.ok) found.push(...differences(organizationId, reading.usage.get(organizationId) ?? [], poll.repositories));
  return found;
}

function logMismatches(context: CycleContext, mismatches: readonly Mismatch[]): void {
  const { logger } = context;
  const names = new Map(context.organizations.map((organization) => [organization.id, organization.name]));
  for (const mismatch of mismatches.slice(0, LOGGED_MISMATCHES))
    logger.warn(
      { ...mismatch, organizationName: names.get(mismatch.organizationId) },
      "the per-repository reading differs from the organization's own UsedRepositories",
    );
  logger.error(
    { mismatches: mismatches.length },
    'reading used space per repository disagrees with UsedRepositories; reading it per organization from now on, until a reload or a restart',
  );
}

/** Each repository's availability and details, as the first verified organization on it reported them. */
function availabilityOf(verified: ReadonlyMap<string, PollOutcome>): Map<string, Availability> {
  const found = new Map<string, Availability>();
  for (const poll of verified.values()) {
    if (!poll.ok) continue;
    for (const { repositoryId, isAvailable, details } of poll.repositories)
      if (!found.has(repositoryId)) found.set(repositoryId, { isAvailable, details });
  }
  return found;
}

/**
 * An organization not verified this cycle: its per-repository bytes, the repository's availability and
 * details, and v8's protected object count as its last UsedRepositories gave it (backedupOrganizations
 * has none). Failed when a repository it is on had no verified organization to say its availability.
 */
function fromRepositories(
  usage: readonly RepositoryUsage[],
  availability: ReadonlyMap<string, Availability>,
  before: readonly UsedRepository[] | undefined,
  atMs: number,
): PollOutcome {
  const unknown = usage.find((row) => !availability.has(row.repositoryId));
  if (unknown !== undefined)
    return {
      ok: false,
      atMs,
      error: `no organization on repository ${unknown.repositoryId} could be verified this cycle, so its availability is unknown`,
    };
  // The usual case, nothing changed: the last records as they are, without making new ones to compare.
  if (before?.length === usage.length && usage.every((row, index) => unchanged(before[index], row, availability)))
    return { ok: true, atMs, repositories: before };
  const repositories = usage.map((row): UsedRepository => {
    const { isAvailable, details } = availability.get(row.repositoryId) as Availability;
    const last = before?.find((repository) => repository.repositoryId === row.repositoryId);
    return { ...row, isAvailable, details, protectedObjectsCount: last?.protectedObjectsCount ?? null };
  });
  return { ok: true, atMs, repositories: keptListIfEqual(before, repositories) };
}

function unchanged(
  last: UsedRepository | undefined,
  row: RepositoryUsage,
  availability: ReadonlyMap<string, Availability>,
): boolean {
  const state = availability.get(row.repositoryId);
  return (
    last !== undefined &&
    last.repositoryId === row.repositoryId &&
    USAGE_FIELDS.every((field) => last[field] === row[field]) &&
    last.isAvailable === state?.isAvailable &&
    last.details === state.details
  );
}
