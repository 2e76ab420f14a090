/**
 * One poll cycle of one server: list organizations (which also proves the login works), then poll
 * each owned organization's used repositories with at most `poll_concurrency` organizations in
 * progress, while the backup repository listing (names, capacity) runs beside them.
 * A failure is recorded against what failed; nothing here throws.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ApiVersion, ServerConfig } from '../config/types.js';
import type { CycleResult, PollOutcome } from '../store/types.js';
import type { Vb365Client } from '../vb365/client.js';
import { describeError } from '../vb365/errors.js';
import type { BackupRepository, Listing, Organization } from '../vb365/types.js';
import { keptIfEqual, keptListIfEqual, type LastRead } from '../store/unchanged.js';
import { readServerFacts, type FactsClient } from './server-facts.js';

export interface CycleDependencies {
  readonly server: ServerConfig;
  readonly client: Pick<
    Vb365Client,
    'beginCycle' | 'chooseVersion' | 'organizations' | 'usedRepositories' | 'backupRepositories'
  > &
    FactsClient;
  readonly owns: (organizationId: string) => boolean;
  /** What the previous cycles read: records read again unchanged are kept as they were (see store/unchanged.ts). */
  readonly lastRead: () => LastRead;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function runCycle(deps: CycleDependencies, signal: AbortSignal): Promise<CycleResult> {
  const { clock, logger } = deps;
  const startedMs = clock.now();
  const polls = new Map<string, PollOutcome>();
  deps.client.beginCycle();

  let organizations: readonly Organization[];
  let version: ApiVersion;
  try {
    version = await deps.client.chooseVersion(signal);
    try {
      organizations = await listOrganizations(deps, signal);
    } catch (error) {
      // With api_version auto, a 404 here is most likely a downgrade: find the version and list again at once.
      const chosenAgain = await deps.client.chooseVersion(signal);
      if (chosenAgain === version) throw error;
      version = chosenAgain;
      organizations = await listOrganizations(deps, signal);
    }
  } catch (error) {
    logger.warn({ reason: describeError(error) }, 'could not list organizations; keeping the last known values');
    return {
      startedMs,
      finishedMs: clock.now(),
      listing: { ok: false, error: describeError(error) },
      backupRepositories: undefined,
      polls,
      facts: undefined,
    };
  }

  const lastRead = deps.lastRead();
  const backupRepositories = listBackupRepositories(deps, lastRead, signal);
  const facts = readServerFacts(deps.client, version, logger, signal);
  // `poll_concurrency` workers share one queue: no task object per organization waits in memory, which
  // matters at ten thousand organizations.
  const queue = organizations[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (const organization of queue)
      polls.set(organization.id, await pollOrganization(deps, lastRead, organization, signal));
  };
  await Promise.all(Array.from({ length: Math.min(deps.server.pollConcurrency, organizations.length) }, worker));
  // Before the clock is read: the cycle includes these.
  const backup = await backupRepositories;
  const server = await facts;
  return {
    startedMs,
    finishedMs: clock.now(),
    listing: { ok: true, organizations },
    backupRepositories: backup,
    polls,
    facts: server,
  };
}

/** Discovered organizations, or the configured ones (named from the listing where it has them); only this shard's. */
async function listOrganizations(deps: CycleDependencies, signal: AbortSignal): Promise<Organization[]> {
  const listing = await deps.client.organizations(signal);
  logRejected(deps.logger, 'organizations', listing, {});
  const configured = deps.server.organizations;
  if (configured.length === 0) return listing.items.filter((organization) => deps.owns(organization.id));
  const names = new Map(listing.items.map((organization) => [organization.id, organization.name]));
  return configured.filter(deps.owns).map((id) => ({ id, name: names.get(id) ?? '' }));
}

async function listBackupRepositories(
  deps: CycleDependencies,
  lastRead: LastRead,
  signal: AbortSignal,
): Promise<readonly BackupRepository[] | undefined> {
  try {
    const listing = await deps.client.backupRepositories(signal);
    logRejected(deps.logger, 'backup repositories', listing, {});
    return listing.items.map((repository) => keptIfEqual(lastRead.backupRepository(repository.id), repository));
  } catch (error) {
    deps.logger.warn(
      { reason: describeError(error) },
      'could not list backup repositories; keeping the last known names and capacity',
    );
    return undefined;
  }
}

async function pollOrganization(
  deps: CycleDependencies,
  lastRead: LastRead,
  organization: Organization,
  signal: AbortSignal,
): Promise<PollOutcome> {
  const context = { organizationId: organization.id, organizationName: organization.name };
  try {
    const listing = await deps.client.usedRepositories(organization.id, signal);
    logRejected(deps.logger, 'used repositories', listing, context);
    const repositories = keptListIfEqual(lastRead.repositoriesOf(organization.id), listing.items);
    return { ok: true, atMs: deps.clock.now(), repositories };
  } catch (error) {
    deps.logger.warn(
      { ...context, reason: describeError(error) },
      'organization poll failed; keeping its last known values',
    );
    return { ok: false, atMs: deps.clock.now(), error: describeError(error) };
  }
}

function logRejected(logger: Logger, what: string, listing: Listing<unknown>, context: Record<string, string>): void {
  if (listing.rejectedCount === 0) return;
  logger.warn(
    {
      ...context,
      rejected: listing.rejectedCount,
      reasons: listing.rejected.map((item) => `item ${item.index}: ${item.reason}`),
    },
    `skipped invalid items in the ${what} answer`,
  );
}
