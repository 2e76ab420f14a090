/** Starts the bench's child processes: the simulator, the exporter, the /metrics references. */
import { URL, fileURLToPath } from 'node:url';
import { startChild } from './ipc.mjs';
import { memoryCgroup } from './memory-limit.mjs';

const script = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));

/** The simulator over TLS in a child process; `payload` has url, ca, username, password. */
export async function startSimulatorChild(options) {
  const child = await startChild(script('simulator-child.mjs'), options);
  return { ...child, ...child.payload, stats: () => child.call('stats'), reset: () => child.call('reset') };
}

/**
 * `memoryLimitBytes`, when given, runs the exporter in a memory cgroup of its own with that limit, as a
 * pod's container runs (lib/memory-limit.mjs): `inCgroup()` gives its peak charge and OOM kills, `explained`
 * adds those kills to an error's message, and close() removes the cgroup.
 */
export async function startExporterChild(simulator, options = {}, execArgv = [], memoryLimitBytes = undefined) {
  const { url, ca, username, password } = simulator;
  const nodeArgv = ['--expose-gc', ...execArgv];
  const cgroup = memoryLimitBytes === undefined ? undefined : memoryCgroup(memoryLimitBytes);
  const explained = (error) => {
    if (cgroup !== undefined && error instanceof Error)
      error.message += ` (OOM kills in the exporter's cgroup: ${cgroup.oomKills()})`;
    return error;
  };
  let child;
  try {
    child = await startChild(
      script('exporter-child.mjs'),
      { url, ca, username, password, ...options },
      cgroup === undefined ? { execArgv: nodeArgv } : cgroup.launch(nodeArgv),
    );
  } catch (error) {
    explained(error);
    cgroup?.remove();
    throw error;
  }
  return {
    ...child,
    url: child.payload.url,
    cold: child.payload.cold,
    heapSizeLimitBytes: child.payload.heapSizeLimitBytes,
    constrainedMemoryBytes: child.payload.constrainedMemoryBytes,
    poll: () => child.call('poll'),
    /** The cgroup's peak charge and OOM kills so far; {} without a memory limit. */
    inCgroup: () => (cgroup === undefined ? {} : { cgroupPeakBytes: cgroup.peakBytes(), oomKills: cgroup.oomKills() }),
    explained,
    close: async () => {
      try {
        await child.close();
      } finally {
        cgroup?.remove();
      }
    },
  };
}

export async function startReferenceChild(metricsUrl) {
  const child = await startChild(script('reference-child.mjs'), { metricsUrl });
  return { ...child, ...child.payload };
}

/** Simulator counters between two `stats()` answers. */
export function statsDelta(before, after) {
  const byRoute = Object.fromEntries(
    Object.entries(after.byRoute).map(([route, count]) => [route, count - (before.byRoute[route] ?? 0)]),
  );
  return {
    requests: after.requests - before.requests,
    byRoute,
    tokenRequests: after.byRoute.token - before.byRoute.token,
    connections: after.connections - before.connections,
    maxInFlight: after.maxInFlight,
    cpuMs: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000,
  };
}
