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
  return Object.assign(
    state,
    ...FACTS.map((fact) => fact.next(previous, listing.ok ? cycle.reads.get(fact.name) : undefined, end)),
  ) as ServerState;
}
