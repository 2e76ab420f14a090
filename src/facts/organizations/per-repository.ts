/**
 * Used space read per repository: each listed backup repository's backedupOrganizations (its pages), at
 * most `poll_concurrency` requests at a time, each item mapped to the organization it belongs to
 * (CycleContext.backedUpIds). An item that maps to no listed organization is counted and logged, never
 * exported under a guessed ID; one of an organization another shard owns (or not configured) is skipped.
 */
import type { CycleContext } from '../fact.js';
import { logRejected } from '../reading.js';
import { readBackedUpOrganizations } from './backed-up-organizations.js';
import { forEachAtMost } from './concurrently.js';
import type { UsageBytes } from './usage-bytes.js';

/** An organization's bytes in one repository, as the repository reports them. */
export interface RepositoryUsage extends UsageBytes {
  readonly repositoryId: string;
}

export interface PerRepositoryReading {
  /** This cycle's organizations' usage, in the order of the repository listing; absent: on no repository. */
  readonly usage: ReadonlyMap<string, readonly RepositoryUsage[]>;
  /** The organizations found on each repository (this cycle's only), in the order the repository lists them. */
  readonly organizationsOn: ReadonlyMap<string, readonly string[]>;
  readonly unmappedItems: number;
}

/** Unmapped items named in the log line: the count says how many there are. */
const LOGGED_UNMAPPED = 5;

/** Reads every repository's organizations; throws when one of the reads fails (the cycle then reads per organization). */
export async function readPerRepository(
  context: CycleContext,
  repositoryIds: readonly string[],
): Promise<PerRepositoryReading> {
  const ours = new Set(context.organizations.map((organization) => organization.id));
  const found = new Map<string, RepositoryUsage[]>();
  const pages = new Map<string, readonly (readonly [string, RepositoryUsage])[]>();
  const unmapped: { readonly repositoryId: string; readonly id: string }[] = [];
  await forEachAtMost(context.server.pollConcurrency, repositoryIds, async (repositoryId) => {
    const listing = await readBackedUpOrganizations(context.client, repositoryId, context.signal);
    logRejected(context.logger, 'backed-up organizations', listing, { repositoryId });
    const rows: (readonly [string, RepositoryUsage])[] = [];
    for (const item of listing.items) {
      const organizationId = context.backedUpIds.get(item.backedUpId);
      if (organizationId === undefined) {
        unmapped.push({ repositoryId, id: item.backedUpId });
        continue;
      }
      if (!ours.has(organizationId)) continue;
      const { usedSpaceBytes, localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes } = item;
      rows.push([
        organizationId,
        { repositoryId, usedSpaceBytes, localCacheUsedSpaceBytes, objectStorageUsedSpaceBytes },
      ]);
    }
    pages.set(repositoryId, rows);
  });
  // Put together in the listing's order, whatever order the reads finished in.
  const organizationsOn = new Map<string, readonly string[]>();
  for (const repositoryId of repositoryIds) {
    const rows = pages.get(repositoryId) ?? [];
    organizationsOn.set(
      repositoryId,
      rows.map(([organizationId]) => organizationId),
    );
    for (const [organizationId, usage] of rows) {
      const list = found.get(organizationId);
      if (list === undefined) found.set(organizationId, [usage]);
      else list.push(usage);
    }
  }
  if (unmapped.length > 0)
    context.logger.warn(
      { unmapped: unmapped.length, examples: unmapped.slice(0, LOGGED_UNMAPPED) },
      'backedupOrganizations items that map to no listed organization (organizations added since the listing, or keyed by an ID the listing does not give); not exported',
    );
  return { usage: found, organizationsOn, unmappedItems: unmapped.length };
}
