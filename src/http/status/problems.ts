/**
 * What is wrong, for the status page: each fact's problems (src/facts/), derived from the store's state,
 * the configuration (poll intervals) and the time now, in the on-call order the kinds' ranks give: what
 * stops backups first, then what fails the exporter's polls, then the warnings.
 */
import { DEFAULTS } from '../../config/schema.js';
import type { ServerConfig } from '../../config/types.js';
import type { Problem } from '../../facts/fact.js';
import { FACTS, PROBLEM_KINDS, type ServerState } from '../../facts/registry.js';
import { serverDown } from '../../facts/server-cycle.js';

/** The kinds of problem in the on-call order. */
export const KIND_ORDER: readonly string[] = PROBLEM_KINDS.map((kind) => kind.kind);

/** Each kind's label on the page. */
export const PROBLEM_LABELS: ReadonlyMap<string, string> = new Map(
  PROBLEM_KINDS.map((kind) => [kind.kind, kind.label]),
);

/** Each kind's place in the on-call order. */
const RANK: ReadonlyMap<string, number> = new Map(PROBLEM_KINDS.map((kind) => [kind.kind, kind.rank]));

type Configured = Pick<ServerConfig, 'name' | 'pollIntervalSeconds'>;

export function findProblems(
  servers: readonly ServerState[],
  configured: readonly Configured[],
  nowMs: number,
): Problem[] {
  const intervals = new Map(configured.map((server) => [server.name, server.pollIntervalSeconds]));
  const problems: Problem[] = [];
  for (const server of servers) {
    if (server.cycles === 0) continue; // not polled yet: the overview says so; nothing is known to be wrong
    const context = { nowMs, pollIntervalSeconds: intervals.get(server.name) ?? DEFAULTS.pollIntervalSeconds };
    problems.push(...serverDown(server, server.organizations.length));
    for (const fact of FACTS) problems.push(...fact.problems(server, context));
  }
  return problems.sort(
    (a, b) =>
      (RANK.get(a.kind) ?? 0) - (RANK.get(b.kind) ?? 0) ||
      b.organizations - a.organizations ||
      a.server.localeCompare(b.server),
  );
}
