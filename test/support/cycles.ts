/**
 * Cycle results as tests write them: what the listing, the polls and the backup repository listing found,
 * turned into the reads of the registry's facts, and the next state with the organizations it dropped.
 */
import type { ApiVersion } from '../../src/config/types.js';
import type { Organization } from '../../src/facts/fact.js';
import type { BackupRepository } from '../../src/facts/backup-repositories/index.js';
import {
  droppedOrganizations,
  type OrganizationState,
  type OrganizationsRead,
  type PollOutcome,
} from '../../src/facts/organizations/state.js';
import { nextState as storeNextState } from '../../src/store/next-state.js';
import type { CycleResult, ServerState } from '../../src/store/types.js';

export type { PollOutcome } from '../../src/facts/organizations/state.js';

export interface CycleFixture {
  readonly startedMs: number;
  readonly finishedMs: number;
  readonly listing:
    | { readonly ok: true; readonly organizations: readonly Organization[]; readonly version?: ApiVersion }
    | { readonly ok: false; readonly error: string };
  /** Undefined: that listing failed. */
  readonly backupRepositories?: readonly BackupRepository[] | undefined;
  readonly polls?: ReadonlyMap<string, PollOutcome>;
}

function cycleResult(fixture: CycleFixture): CycleResult {
  const { listing } = fixture;
  return {
    startedMs: fixture.startedMs,
    finishedMs: fixture.finishedMs,
    listing: listing.ok
      ? { ok: true, version: listing.version ?? 'v8', organizations: listing.organizations }
      : { ok: false, error: listing.error },
    reads: listing.ok
      ? new Map<string, unknown>([
          [
            'organizations',
            {
              polls: fixture.polls ?? new Map(),
              collection: {
                configured: 'per_organization',
                mismatches: 0,
                unmappedItems: undefined,
                verifiedThrough: undefined,
                readPerRepository: false,
              },
            } satisfies OrganizationsRead,
          ],
          ['backup repositories', { repositories: fixture.backupRepositories, objectStorages: undefined }],
        ])
      : new Map(),
  };
}

/** The store's nextState on a fixture, with the organizations the cycle dropped. */
export function nextState(
  previous: ServerState,
  fixture: CycleFixture,
): { readonly state: ServerState; readonly dropped: OrganizationState[] } {
  const state = storeNextState(previous, cycleResult(fixture));
  return { state, dropped: droppedOrganizations(previous, state) };
}
