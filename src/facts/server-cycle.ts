/**
 * The cycles themselves, before any fact: whether the server could be reached (listing organizations proves
 * the login), how long a cycle took, the configured interval; and the one problem that hides every other.
 */
import type { CycleState, Family, Problem, ProblemKind } from './fact.js';

export const cycleFamilies: readonly Family<CycleState>[] = [
  {
    name: 'veeam_vb365_up',
    help: 'Whether the last poll cycle could log in to the VB365 server and list organizations (1) or not (0).',
    samples: ({ server }, emit) => {
      if (server.cycles > 0) emit(server.up ? 1 : 0);
    },
  },
  {
    name: 'veeam_vb365_poll_cycle_duration_seconds',
    help: 'Duration of the last completed poll cycle of the VB365 server.',
    samples: ({ server }, emit) => emit(server.lastCycleDurationSeconds),
  },
  {
    name: 'veeam_vb365_poll_interval_seconds',
    help: 'Configured seconds between the starts of two poll cycles.',
    samples: (view, emit) => emit(view.pollIntervalSeconds),
  },
];

export const serverDownKind: ProblemKind = { kind: 'server-down', label: 'Server down', rank: 10 };

/** `organizations`: how many keep their last values while the server is down. */
export function serverDown(server: CycleState, organizations: number): Problem[] {
  if (server.up) return [];
  return [
    {
      kind: 'server-down',
      severity: 'critical',
      server: server.name,
      what: `the server (${organizations} organizations keep their last values)`,
      sinceMs: server.lastUpMs,
      sinceText: 'never reached',
      words: server.lastError ?? '',
      sample: [],
      organizations,
    },
  ];
}
