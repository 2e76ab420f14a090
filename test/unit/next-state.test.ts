/** nextState: what a cycle result makes of a server's state, and which organizations it drops. */
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/store/next-state.js';
import { nextState, type CycleFixture, type PollOutcome } from '../support/cycles.js';
import type { ServerState } from '../../src/store/types.js';
import { UNREPORTED_STATE } from '../support/vb365-values.js';

const A = { id: '0a000000-0000-4000-8000-000000000000', name: 'Alpha' };
const B = { id: '0b000000-0000-4000-8000-000000000000', name: 'Bravo' };
const C = { id: '0c000000-0000-4000-8000-000000000000', name: 'Charlie' };

const ok: PollOutcome = { ok: true, atMs: 1_000, repositories: [] };

/** A cycle that listed `listed` and polled those in `polled` (all of them by default). */
function cycle(listed: ReadonlyArray<typeof A>, polled = listed): CycleFixture {
  return {
    startedMs: 0,
    finishedMs: 1_000,
    listing: { ok: true, organizations: listed },
    backupRepositories: undefined,
    polls: new Map(polled.map((organization) => [organization.id, ok])),
  };
}

const failedListing: CycleFixture = { ...cycle([]), listing: { ok: false, error: 'HTTP 503' } };
const ids = (state: ServerState): string[] => state.organizations.map((organization) => organization.id);

describe('nextState', () => {
  it('drops nothing on the first cycle, and keeps the organizations in ID order', () => {
    const { state, dropped } = nextState(initialState('s'), cycle([C, A, B]));
    expect(ids(state)).toEqual([A.id, B.id, C.id]);
    expect(dropped).toEqual([]);
  });

  it('keeps the backup repositories in ID order too, the order the exposition renders as it is', () => {
    const repository = (id: string, name: string) => ({
      id,
      name,
      capacityBytes: 1,
      freeSpaceBytes: 1,
      ...UNREPORTED_STATE,
    });
    const listed = [repository(C.id, 'c'), repository(A.id, 'a'), repository(B.id, 'b')];
    const { state } = nextState(initialState('s'), { ...cycle([A]), backupRepositories: listed });
    expect([...state.backupRepositories.keys()]).toEqual([A.id, B.id, C.id]);
  });

  it('returns the organizations no longer listed, as they were', () => {
    const first = nextState(initialState('s'), cycle([A, B, C])).state;
    const { state, dropped } = nextState(first, cycle([A]));
    expect(ids(state)).toEqual([A.id]);
    expect(dropped).toEqual([first.organizations[1], first.organizations[2]]);
  });

  it('drops an organization listed but not polled (another shard owns it)', () => {
    const first = nextState(initialState('s'), cycle([A, B])).state;
    const { dropped } = nextState(first, cycle([A, B], [A]));
    expect(dropped.map((organization) => organization.name)).toEqual(['Bravo']);
  });

  it('drops nothing when the listing fails: every organization is kept, marked failed', () => {
    const first = nextState(initialState('s'), cycle([A, B])).state;
    const { state, dropped } = nextState(first, failedListing);
    expect(dropped).toEqual([]);
    expect(ids(state)).toEqual([A.id, B.id]);
    expect(state.organizations.every((organization) => !organization.pollSuccess)).toBe(true);
  });
});

describe('nextState: since when', () => {
  const R1 = '01000000-0000-4000-8000-00000000000a';
  const R2 = '02000000-0000-4000-8000-00000000000b';
  const used = (repositoryId: string, isAvailable: boolean) => ({
    repositoryId,
    usedSpaceBytes: 1,
    localCacheUsedSpaceBytes: null,
    objectStorageUsedSpaceBytes: null,
    isAvailable,
    details: isAvailable ? '' : 'Proxy is offline',
    protectedObjectsCount: null,
  });
  /** A cycle ending at `atMs` in which A uses R1 and B uses R1 and R2, with the given availability. */
  const at = (atMs: number, r1: boolean, r2: boolean): CycleFixture => ({
    startedMs: atMs - 100,
    finishedMs: atMs,
    listing: { ok: true, organizations: [A, B] },
    backupRepositories: undefined,
    polls: new Map<string, PollOutcome>([
      [A.id, { ok: true, atMs, repositories: [used(R1, r1)] }],
      [B.id, { ok: true, atMs, repositories: [used(R1, r1), used(R2, r2)] }],
    ]),
  });

  it('keeps when a repository was first reported unavailable, for as long as it stays so', () => {
    let { state } = nextState(initialState('s'), at(1_000, true, true));
    expect([...state.unavailableSinceMs]).toEqual([]);
    ({ state } = nextState(state, at(2_000, false, true)));
    ({ state } = nextState(state, at(3_000, false, false)));
    expect([...state.unavailableSinceMs]).toEqual([
      [R1, 2_000],
      [R2, 3_000],
    ]);
    ({ state } = nextState(state, at(4_000, true, false)));
    ({ state } = nextState(state, at(5_000, false, false)));
    // R1 came back and went again: a new run; R2 never came back.
    expect([...state.unavailableSinceMs]).toEqual([
      [R1, 5_000],
      [R2, 3_000],
    ]);
  });

  it('keeps when the server was last up while its listing fails, and what was known of the repositories', () => {
    let { state } = nextState(initialState('s'), at(1_000, false, true));
    expect(state.lastUpMs).toBe(1_000);
    ({ state } = nextState(state, { ...failedListing, finishedMs: 2_000 }));
    ({ state } = nextState(state, { ...failedListing, finishedMs: 3_000 }));
    expect(state.up).toBe(false);
    expect(state.lastUpMs).toBe(1_000);
    expect([...state.unavailableSinceMs]).toEqual([[R1, 1_000]]);
  });
});
