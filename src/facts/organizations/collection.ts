/**
 * How a server's used space was read, across cycles: a server set to per_repository reads per repository
 * until one verification finds the two readings differ; from then on it reads per organization, until a
 * reload or a restart. Its metric families say which, whether the last cycle did read per repository, how
 * many differences were found and how many per-repository items named no listed organization.
 */
import type { Collection } from '../../config/types.js';
import type { CycleState, Emit, Family, FamilyView, Problem, ProblemKind, ServerColumn } from '../fact.js';

/** What one cycle's read says of the collection. */
export interface CollectionRead {
  readonly configured: Collection;
  /** Differences the verification found this cycle (each sends the server back to per_organization). */
  readonly mismatches: number;
  /** Items of this cycle's per-repository read mapping to no listed organization; undefined where it did not read per repository. */
  readonly unmappedItems: number | undefined;
  /** Where the verification's rotation stands after this cycle (verification.ts); undefined where it did not verify. */
  readonly verifiedThrough: string | undefined;
  /** Whether this cycle read used space per repository (else one organization at a time). */
  readonly readPerRepository: boolean;
}

export interface CollectionState {
  /** As of the last cycle that read used space; undefined before it. */
  readonly configured: Collection | undefined;
  /** When a verification found a difference: read per organization from then on, until a reload or a restart. */
  readonly fellBackAtMs: number | undefined;
  /** Differences found since the exporter started. */
  readonly mismatches: number;
  readonly unmappedItems: number | undefined;
  /** The last organization ID the verification's rotation reached: the next cycle's stretch starts after it. */
  readonly verifiedThrough: string | undefined;
  /** Whether the last cycle that read used space read it per repository; undefined before it. */
  readonly readPerRepository: boolean | undefined;
}

export interface CollectionSlice {
  readonly collection: CollectionState;
}

export const INITIAL_COLLECTION: CollectionState = {
  configured: undefined,
  fellBackAtMs: undefined,
  mismatches: 0,
  unmappedItems: undefined,
  verifiedThrough: undefined,
  readPerRepository: undefined,
};

/** Whether this cycle reads per repository: so configured, and no difference found since the last reload. */
export function readsPerRepository(configured: Collection, state: CollectionState): boolean {
  return configured === 'per_repository' && state.fellBackAtMs === undefined;
}

export function nextCollection(
  previous: CollectionState,
  read: CollectionRead | undefined,
  finishedMs: number,
): CollectionState {
  if (read === undefined) return previous;
  return {
    configured: read.configured,
    fellBackAtMs: previous.fellBackAtMs ?? (read.mismatches > 0 ? finishedMs : undefined),
    mismatches: previous.mismatches + read.mismatches,
    unmappedItems: read.unmappedItems ?? previous.unmappedItems,
    verifiedThrough: read.verifiedThrough ?? previous.verifiedThrough,
    readPerRepository: read.readPerRepository,
  };
}

/**
 * A reload forgets a fall-back (the counter goes on): the next cycle reads per repository again, and until
 * it has, nothing is said of how it read.
 */
export function collectionAfterReload(state: CollectionState): CollectionState {
  return state.fellBackAtMs === undefined ? state : { ...state, fellBackAtMs: undefined, readPerRepository: undefined };
}

type View = CycleState & CollectionSlice;

/** Samples only for a server set to per_repository: the others have nothing to say here. */
const perRepositoryServer =
  (value: (state: CollectionState) => number | undefined) =>
  ({ server }: FamilyView<View>, emit: Emit): void => {
    if (server.collection.configured === 'per_repository') emit(value(server.collection));
  };

export const collectionFamilies: readonly Family<View>[] = [
  {
    name: 'veeam_vb365_collection_fallback',
    help: 'Whether a server set to collection per_repository reads used space per organization (1) because a verification found the per-repository reading differs from UsedRepositories, until a reload or a restart; 0 while it reads per repository.',
    samples: perRepositoryServer((state) => (state.fellBackAtMs === undefined ? 0 : 1)),
  },
  {
    name: 'veeam_vb365_collection_mismatches_total',
    help: "Differences found between an organization's per-repository reading (backedupOrganizations) and its own UsedRepositories since the exporter started.",
    type: 'counter',
    samples: perRepositoryServer((state) => state.mismatches),
  },
  {
    name: 'veeam_vb365_collection_read_per_repository',
    help: 'Whether the last cycle of a server set to collection per_repository read used space per repository (1), or with one UsedRepositories request per organization (0: fallen back after a difference, or a repository read failed this cycle, as the log says).',
    samples: perRepositoryServer((state) =>
      state.readPerRepository === undefined ? undefined : state.readPerRepository ? 1 : 0,
    ),
  },
  {
    name: 'veeam_vb365_collection_unmapped_items',
    help: 'Items of the last per-repository read (backedupOrganizations) that map to no listed organization, so are not exported.',
    samples: perRepositoryServer((state) => state.unmappedItems),
  },
];

/** After the data-stale row: the values are right (read per organization), only dearer to get. */
export const collectionProblemKinds: readonly ProblemKind[] = [
  { kind: 'collection-fell-back', label: 'Reading per organization again', rank: 75 },
];

export function collectionProblems(server: View): Problem[] {
  const { fellBackAtMs, mismatches } = server.collection;
  if (fellBackAtMs === undefined) return [];
  return [
    {
      kind: 'collection-fell-back',
      severity: 'warning',
      server: server.name,
      what: 'used space per repository',
      sinceMs: fellBackAtMs,
      sinceText: 'unknown',
      words: `backedupOrganizations disagreed with UsedRepositories (${mismatches} ${mismatches === 1 ? 'difference' : 'differences'} since the start, each in the log); one UsedRepositories request per organization a cycle until a reload or a restart`,
      sample: [],
      organizations: 0,
    },
  ];
}

/** The status page's "Used space read" cell: how the last cycle read it, and why not per repository where set so. */
export const collectionColumn: ServerColumn<View> = {
  heading: 'Used space read',
  describes: 'how the last cycle read the used space (collection)',
  cell: ({ collection }) => {
    if (collection.configured === undefined) return 'not read yet';
    if (collection.configured === 'per_organization') return 'per organization';
    if (collection.fellBackAtMs !== undefined)
      return '<span class="badge warning">per organization again</span> a verification found a difference';
    if (collection.readPerRepository === undefined) return 'per repository, not read yet';
    if (collection.readPerRepository === false)
      return '<span class="badge warning">per organization this cycle</span> a repository read failed';
    return '<span class="badge ok">per repository</span> verified against a sample';
  },
};
