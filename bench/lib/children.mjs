/** Starts the bench's child processes: the simulator, the exporter, the /metrics references. */
import { URL, fileURLToPath } from 'node:url';
import { startChild } from './ipc.mjs';

const script = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));

/** The simulator over TLS in a child process; `payload` has url, ca, username, password. */
export async function startSimulatorChild(options) {
  const child = await startChild(script('simulator-child.mjs'), options);
  return { ...child, ...child.payload, stats: () => child.call('stats'), reset: () => child.call('reset') };
}

/** `cgroup` (lib/memory-limit.mjs), when given, runs the exporter inside its memory limit. */
export async function startExporterChild(simulator, options = {}, execArgv = [], cgroup = undefined) {
  const { url, ca, username, password } = simulator;
  const nodeArgv = ['--expose-gc', ...execArgv];
  const child = await startChild(
    script('exporter-child.mjs'),
    { url, ca, username, password, ...options },
    cgroup === undefined ? { execArgv: nodeArgv } : cgroup.launch(nodeArgv),
  );
  return {
    ...child,
    url: child.payload.url,
    cold: child.payload.cold,
    heapSizeLimitBytes: child.payload.heapSizeLimitBytes,
    constrainedMemoryBytes: child.payload.constrainedMemoryBytes,
    poll: () => child.call('poll'),
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
