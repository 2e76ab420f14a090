// Request counters exposed as `simulator.stats`; always mutated in place so callers may keep a reference.
import { ROUTE_NAMES, type RouteName, type SimulatorStats } from './types.js';

function zeroByRoute(): Record<RouteName, number> {
  return Object.fromEntries(ROUTE_NAMES.map((name) => [name, 0])) as Record<RouteName, number>;
}

export function createStats(): SimulatorStats {
  return {
    requests: 0,
    byRoute: zeroByRoute(),
    tokenGrants: { password: 0, refresh_token: 0, failed: 0 },
    inFlight: 0,
    maxInFlight: 0,
    connections: 0,
    unfinishedResponses: 0,
  };
}

/** Zeroes the counters; requests still being answered stay counted in `inFlight`. */
export function resetStats(stats: SimulatorStats): void {
  stats.requests = 0;
  for (const name of ROUTE_NAMES) stats.byRoute[name] = 0;
  stats.tokenGrants.password = 0;
  stats.tokenGrants.refresh_token = 0;
  stats.tokenGrants.failed = 0;
  stats.maxInFlight = stats.inFlight;
  stats.connections = 0;
  stats.unfinishedResponses = 0;
}

export function requestStarted(stats: SimulatorStats): void {
  stats.requests++;
  stats.inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
}

export function requestEnded(stats: SimulatorStats): void {
  stats.inFlight--;
}
