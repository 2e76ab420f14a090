/**
 * The rules that turn a cycle result into a server's next state: the cycle's own fields here, each fact's
 * slice by that fact's `next` (src/facts/). A failed listing keeps every fact's values (their `next` is
 * told nothing was read) and marks the server down.
 */
import type { CycleEnd } from '../facts/fact.js';
import { FACTS, type ServerState } from '../facts/registry.js';
import type { CycleResult } from './types.js';

export function initialState(name: string): ServerState {
  const state = {
    name,
    cycles: 0,
    up: false,
    lastError: undefined,
    lastCycleEndMs: undefined,
    lastCycleDurationSeconds: undefined,
    lastUpMs: undefined,
    apiVersion: undefined,
  };
  return Object.assign(state, ...FACTS.map((fact) => fact.initial)) as ServerState;
}

export function nextState(previous: ServerState, cycle: CycleResult): ServerState {
  const { listing } = cycle;
  const end: CycleEnd = listing.ok
    ? {
        finishedMs: cycle.finishedMs,
        organizations: listing.organizations,
        listingError: undefined,
        version: listing.version,
      }
    : { finishedMs: cycle.finishedMs, organizations: undefined, listingError: listing.error, version: undefined };
  const state = {
    name: previous.name,
    cycles: previous.cycles + 1,
    up: listing.ok,
    lastError: listing.ok ? undefined : listing.error,
    lastCycleEndMs: cycle.finishedMs,
    lastCycleDurationSeconds: (cycle.finishedMs - cycle.startedMs) / 1000,
    lastUpMs: listing.ok ? cycle.finishedMs : previous.lastUpMs,
    apiVersion: listing.ok ? listing.version : previous.apiVersion,
  };
  for (const fact of FACTS) {
    const slice = fact.next(previous, listing.ok ? cycle.reads.get(fact.name) : undefined, end);
    // Only the fact's own fields: a fact never writes another's (or the cycle's) by mistake.
    for (const key of Object.keys(fact.initial)) Object.assign(state, { [key]: slice[key as keyof typeof slice] });
  }
  return state as ServerState;
}

/** A server's state after a configuration reload: each fact forgets what lasts only until one. */
export function reloadedState(previous: ServerState): ServerState {
  const state = { ...previous };
  for (const fact of FACTS) {
    if (fact.afterReload === undefined) continue;
    const slice = fact.afterReload(previous);
    for (const key of Object.keys(fact.initial)) Object.assign(state, { [key]: slice[key as keyof typeof slice] });
  }
  return state;
}
